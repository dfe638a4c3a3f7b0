package api

import (
	"encoding/base64"
	"net/url"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/txn"
)

// MaxStateProofBodyKeys bounds the keys of one POST /v1/state/proof: the
// largest evidence's 1,153 keys (evidence.MaxNamedKeys), which
// client.ProveSnapshot proves at one block, fit in one request with room.
const MaxStateProofBodyKeys = txn.MaxStateProofs

// MaxStateProofValues bounds the bytes of the values one state proof
// answer carries (node.ProveStateKeys refuses more with 400
// state.badKey): as many as the GET's MaxStateProofKeys keys of the
// largest value (txn.MaxStateValue) carry, so that 2,048 keys cannot make
// a node hold gigabytes for one caller.
const MaxStateProofValues = MaxStateProofKeys * txn.MaxStateValue

// StateProofRequest is the body of POST /v1/state/proof: the state keys
// to prove at the head, each base64url without padding (as the GET's
// key64), 1 to MaxStateProofBodyKeys of them.
type StateProofRequest struct {
	Keys64 []string `json:"keys64"`
}

// ParseStateProofRequest strictly decodes a POST /v1/state/proof body
// (txn.DecodeBody: one JSON object, no unknown or repeated member, else
// 400 request.malformed) and returns its keys, or 400 state.badKey naming
// the key that is not base64url of 1 to txn.MaxStateKey bytes, or the
// count out of bounds.
func ParseStateProofRequest(body []byte) ([][]byte, error) {
	var req StateProofRequest
	if err := txn.DecodeBody(body, &req); err != nil {
		return nil, errs.BadRequest("request.malformed", "request body: %v", err)
	}
	if len(req.Keys64) == 0 || len(req.Keys64) > MaxStateProofBodyKeys {
		return nil, errs.BadRequest("state.badKey", "keys64 must list 1 to %d keys, got %d", MaxStateProofBodyKeys, len(req.Keys64))
	}
	keys := make([][]byte, len(req.Keys64))
	for i, k := range req.Keys64 {
		b, err := base64.RawURLEncoding.Strict().DecodeString(k)
		if err != nil || len(b) == 0 || len(b) > txn.MaxStateKey {
			return nil, errs.BadRequest("state.badKey", "keys64[%d] must be a key of 1 to %d bytes, base64url without padding", i, txn.MaxStateKey)
		}
		keys[i] = b
	}
	return keys, nil
}

// StateProofQueryKeys returns the keys a GET /v1/state/proof names: each
// key (UTF-8), then each key64 (base64url without padding, for binary
// keys), or 400 state.badKey for a key64 that is not base64url. Their
// number and lengths are node.ProveState's to check.
func StateProofQueryKeys(q url.Values) ([][]byte, error) {
	var keys [][]byte
	for _, k := range q["key"] {
		keys = append(keys, []byte(k))
	}
	for _, k := range q["key64"] {
		b, err := base64.RawURLEncoding.Strict().DecodeString(k)
		if err != nil {
			return nil, errs.BadRequest("state.badKey", "key64 must be base64url without padding")
		}
		keys = append(keys, b)
	}
	return keys, nil
}
