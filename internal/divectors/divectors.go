// Package divectors holds the W3C vc-di-eddsa test vectors (vc-di-eddsa/,
// from github.com/w3c/vc-di-eddsa, TestVectors: every intermediate value of
// eddsa-rdfc-2022, eddsa-jcs-2022 and Ed25519Signature2020, and the proof
// set and chain examples), one copy for the tests of ldproof, credential and
// server. It imports no weid package.
package divectors

import (
	"embed"
	"path"
	"testing"
)

//go:embed vc-di-eddsa
var files embed.FS

// dir is where the vectors stand in files.
const dir = "vc-di-eddsa/TestVectors"

// Read is the vector file name (a path under TestVectors, like
// "eddsa-jcs-2022/signedJCS.json"); it fails t if there is none.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := files.ReadFile(path.Join(dir, name))
	if err != nil {
		t.Fatalf("vc-di-eddsa vector %s: %v", name, err)
	}
	return b
}
