package jose

import (
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/internal/strictjson"
)

// FuzzParsePublicJWKValue checks that reading a decoded JWK as it is gives
// what encoding it and parsing the JSON gives: the same key or the same
// error.
func FuzzParsePublicJWKValue(f *testing.F) {
	for _, s := range []string{
		`{"jwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}`,
		`{"jwk":{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}`,
		`{"jwk":{"kty":"OKP","crv":"Ed25519","x":"AA","d":"x"}}`, `{"jwk":"x"}`, `{"jwk":[1]}`, `{"jwk":{"a":{"b":{"c":{"d":{}}}}}}`,
		`{"jwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","n":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}}`,
		`{"jwk":null}`, `{"jwk":{"kty":"EC","crv":"SM2","x":1e400}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := strictjson.DecodeObject(b, strictjson.Limits{Depth: 32, Array: 4096, Members: 1024})
		if err != nil {
			return
		}
		v := m["jwk"]
		got, gerr := ParsePublicJWKValue(v)
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%q: json.Marshal: %v", b, err)
		}
		want, werr := ParsePublicJWK(raw)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() || gerr == nil && !got.Equal(want) {
			t.Fatalf("%q: %v, %v; from its JSON %v, %v", b, got, gerr, want, werr)
		}
	})
}
