package evidence

import (
	"slices"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
)

func TestHashes_NamesEveryHashAPayloadTouches(t *testing.T) {
	t.Parallel()
	h1, h2 := "aa", "bb"
	for _, tc := range []struct {
		name string
		p    chain.Payload
		want []string
	}{
		{"create", &CreatePayload{Hash: h1}, []string{h1}},
		{"sign", &SignPayload{Hash: h1}, []string{h1}},
		{"revoke", &RevokePayload{Hash: h1}, []string{h1}},
		{"log", &LogPayload{Hash: h1}, []string{h1}},
		{"batch in order", &BatchPayload{Items: []BatchItem{{Hash: h2}, {Hash: h1}}}, []string{h2, h1}},
		{"another type", &did.DeactivatePayload{}, []string{}},
	} {
		if got := Hashes(tc.p); !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("%s: Hashes = %v, want %v", tc.name, got, tc.want)
		}
	}
}
