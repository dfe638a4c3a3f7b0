package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// What the handlers still in package server (grants.go) share,
// kept here while they move to their handler packages (issue 12); each
// goes with its last caller. New handlers use httpx.Decode and httpx.Async.

func asyncRequested(r *http.Request) (bool, error) { return httpx.Async(r) }

// decodeJSON strictly decodes a request body into v, a pointer to a new
// value. A body {"tx": {…}} carrying a signed transaction, the most common
// write, goes to the request's "tx" field without a decode: the handler
// decodes the transaction with chain.DecodeTx, which refuses what strict
// decoding of the body would.
func decodeJSON(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if raw, ok := chain.TxMember(body); ok {
		if f := txField(v); f.IsValid() {
			f.SetBytes(raw)
			return nil
		}
	}
	if err := chain.DecodeStrict(body, v); err != nil {
		return errs.BadRequest("request.malformed", "request body: %v", err)
	}
	return nil
}

var txFields sync.Map // reflect.Type → index of its `json:"tx"` json.RawMessage field, or -1

// txField returns the json.RawMessage field named "tx" in JSON of the
// struct v points to, if it has one.
func txField(v any) reflect.Value {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	t := rv.Elem().Type()
	i, ok := txFields.Load(t)
	if !ok {
		i = -1
		for j := range t.NumField() {
			f := t.Field(j)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "tx" && f.Type == reflect.TypeFor[json.RawMessage]() {
				i = j
			}
		}
		txFields.Store(t, i)
	}
	if i.(int) < 0 {
		return reflect.Value{}
	}
	return rv.Elem().Field(i.(int))
}
