package keys

import (
	"errors"
	"testing"
)

// TestDecryptKeyFile_NotAKeyFileSaysWhatItIs: bytes that are no key file at
// all are ErrNotKeyFile with what they look like, not Go's JSON wording.
func TestDecryptKeyFile_NotAKeyFileSaysWhatItIs(t *testing.T) {
	for in, want := range map[string]string{
		`[1,2]`:                                  "not a weid key file (it holds a JSON array)",
		`{"version":1,"ty`:                       "not a weid key file (it is JSON cut short or not valid)",
		`{"@context":[],"credentialSubject":{}}`: "not a weid key file (it holds a credential)",
		`{"a":1}`:                                "not a weid key file (it is a JSON object without a key file's members)",
		"eyJhbGciOi.eyJzdWIi.c2ln":               "not a weid key file (it holds a JWT)",
		"":                                       "not a weid key file (it is empty)",
		"hello":                                  "not a weid key file (it is not JSON)",
	} {
		_, _, err := DecryptKeyFile([]byte(in), []byte("p"))
		if !errors.Is(err, ErrNotKeyFile) || err.Error() != want {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}
