package httpx

import (
	"net/http"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/txn"
)

// DecodeLenient decodes a request body into v as encoding/json does,
// tolerating unknown members: W3C VCALM asks verifiers to ignore option
// keys they do not know, and a credential in a body is free-form JSON. A
// member named twice at any depth, or a body null, is refused
// (txn.DecodeLenient), as the strict Decode refuses them.
func DecodeLenient(r *http.Request, v any) error { return decodeBody(r, v, txn.DecodeLenient) }

// DecodeLenientItems is DecodeLenient for a body whose json.RawMessage
// members are items each verified on its own (a batch's credentials): a
// member named twice inside one is that item's failed result, not the
// request's 400 (txn.DecodeLenientItems).
func DecodeLenientItems(r *http.Request, v any) error {
	return decodeBody(r, v, txn.DecodeLenientItems)
}

func decodeBody(r *http.Request, v any, decode func([]byte, any) error) error {
	body, err := ReadBody(r)
	if err != nil {
		return err
	}
	if err := decode(body, v); err != nil {
		return errs.BadRequest("request.malformed", "request body: %v", err)
	}
	return nil
}
