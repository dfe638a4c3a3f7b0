package schemas

import (
	"bytes"
	"container/list"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// DefaultCacheSize is how many compiled schemas a zero Validator keeps.
const DefaultCacheSize = 256

// Validator validates claims against registered schemas, keeping the most
// recently used compiled schemas in a bounded cache. A schema version never
// changes once published, so cached entries never go stale. The zero value
// is ready to use; a Validator is safe for concurrent use.
type Validator struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *cached, most recently used first
	index map[cacheKey]*list.Element
}

type cacheKey struct{ id, version uint64 }

type cached struct {
	key cacheKey
	sch *jsonschema.Schema
}

// NewValidator returns a Validator that keeps at most size compiled schemas
// (DefaultCacheSize if size < 1).
func NewValidator(size int) *Validator { return &Validator{size: size} }

// Validate checks claims against version version of schema id as st has it
// (version 0: the latest). claims is JSON (json.RawMessage or []byte) or a
// value that encodes to JSON. It returns nil if the claims conform; a 422
// *errs.Error with code schema.violation whose detail names the failing
// JSON pointers if they do not; a 404 schema.notFound if there is no such
// schema or version; a 400 schema.invalidClaims if claims is not JSON.
func (v *Validator) Validate(st chain.Reader, id, version uint64, claims any) error {
	if version == 0 {
		last, err := latestVersion(st, id)
		if err != nil {
			return err
		}
		if last == 0 {
			return notFound(id, 0)
		}
		version = last
	}
	sch, err := v.schema(st, id, version)
	if err != nil {
		return err
	}
	inst, err := instance(claims)
	if err != nil {
		return errs.BadRequest("schema.invalidClaims", "claims are not JSON: %s", oneLine(err.Error()))
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	prefix := fmt.Sprintf("the claims do not conform to schema %d version %d: ", id, version)
	budget := MaxDetailLength - len(prefix)
	detail := truncateTo(oneLine(err.Error()), budget)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		detail = describe(ve, budget)
	}
	e := errs.New(http.StatusUnprocessableEntity, "schema.violation", "%s%s", prefix, detail)
	e.Err = err
	return e
}

// schema returns the compiled schema (id, version), from the cache or the
// state.
func (v *Validator) schema(st chain.Reader, id, version uint64) (*jsonschema.Schema, error) {
	k := cacheKey{id, version}
	v.mu.Lock()
	if el, ok := v.index[k]; ok {
		v.order.MoveToFront(el)
		sch := el.Value.(*cached).sch
		v.mu.Unlock()
		return sch, nil
	}
	v.mu.Unlock()
	r, err := Get(st, id, version)
	if err != nil {
		return nil, err
	}
	sch, err := compile(r.Schema)
	if err != nil {
		return nil, fmt.Errorf("compile stored schema %d version %d: %v", id, version, err)
	}
	v.put(k, sch)
	return sch, nil
}

func (v *Validator) put(k cacheKey, sch *jsonschema.Schema) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.index == nil {
		v.index = map[cacheKey]*list.Element{}
		v.order = list.New()
		if v.size < 1 {
			v.size = DefaultCacheSize
		}
	}
	if el, ok := v.index[k]; ok { // compiled concurrently by another caller
		v.order.MoveToFront(el)
		return
	}
	v.index[k] = v.order.PushFront(&cached{key: k, sch: sch})
	for v.order.Len() > v.size {
		old := v.order.Back()
		v.order.Remove(old)
		delete(v.index, old.Value.(*cached).key)
	}
}

// instance turns claims into the JSON value the validator expects: numbers
// as json.Number, so that large integers are compared exactly. Claims that
// already are such a value (maps, slices, strings, json.Number, booleans and
// nil, as internal/strictjson decodes a credential) are used as they are:
// the validator only reads them, and encoding and decoding them again cost
// the batch verifier more than the validation itself.
func instance(claims any) (any, error) {
	if isInstance(claims, 0) {
		return claims, nil
	}
	var raw []byte
	switch c := claims.(type) {
	case json.RawMessage:
		raw = c
	case []byte:
		raw = c
	default:
		var err error
		if raw, err = json.Marshal(c); err != nil {
			return nil, err
		}
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

// maxInstanceDepth bounds isInstance's walk; deeper claims take the
// encoding path (whose decoder has its own bound).
const maxInstanceDepth = 64

// isInstance reports whether v is already a JSON value as the validator's
// own decoder makes it, with every number a json.Number.
func isInstance(v any, depth int) bool {
	if depth > maxInstanceDepth {
		return false
	}
	switch x := v.(type) {
	case nil, bool, string, json.Number:
		return true
	case map[string]any:
		for _, e := range x {
			if !isInstance(e, depth+1) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !isInstance(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}
