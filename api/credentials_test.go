package api

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestEnvelopedCredential_ContextArrayOrString: the @context of an
// EnvelopedVerifiableCredential is written as an array (VC DM 2.0 §4.13,
// as the W3C suites expect) and read as an array or a single string.
func TestEnvelopedCredential_ContextArrayOrString(t *testing.T) {
	out, err := json.Marshal(EnvelopedCredential{Context: []string{"https://www.w3.org/ns/credentials/v2"}, ID: "data:application/vc+jwt,a.b.c", Type: TypeEnvelopedCredential})
	if err != nil || string(out) != `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential"}` {
		t.Fatalf("%s %v", out, err)
	}
	for _, in := range []string{string(out), `{"@context":"https://www.w3.org/ns/credentials/v2","id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential"}`} {
		var e EnvelopedCredential
		if err := json.Unmarshal([]byte(in), &e); err != nil || !slices.Equal(e.Context, []string{"https://www.w3.org/ns/credentials/v2"}) || e.ID != "data:application/vc+jwt,a.b.c" || e.Type != TypeEnvelopedCredential {
			t.Errorf("%s: %+v %v", in, e, err)
		}
	}
	var e EnvelopedCredential
	if err := json.Unmarshal([]byte(`{"@context":4}`), &e); err == nil {
		t.Error("a numeric @context was read")
	}
}
