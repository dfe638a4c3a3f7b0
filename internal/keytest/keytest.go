// Package keytest makes keys for tests: a new key of a type, or the test
// fails. It imports only keys, so the tests of any package above keys can
// use it (keys' own tests cannot).
package keytest

import (
	"testing"

	"github.com/weidgo/weid/keys"
)

// New is a new private key of type typ; it fails t if none can be made.
func New(t testing.TB, typ keys.Type) *keys.PrivateKey {
	t.Helper()
	k, err := keys.Generate(typ)
	if err != nil {
		t.Fatalf("generate a %s key: %v", typ, err)
	}
	return k
}
