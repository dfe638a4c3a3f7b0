package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/txn"
)

// TestSigned_RequestBodies: the bodies that embed Signed take "tx" and
// "signer" as their own members under the strict decoder (and refuse them
// miscased), and SetTx, which httpx.Decode calls for a {"tx": …} body, sets
// their Tx.
func TestSigned_RequestBodies(t *testing.T) {
	t.Parallel()
	for name, newBody := range map[string]func() (any, *Signed){
		"EvidenceRequest":      func() (any, *Signed) { v := &EvidenceRequest{}; return v, &v.Signed },
		"EvidenceBatchRequest": func() (any, *Signed) { v := &EvidenceBatchRequest{}; return v, &v.Signed },
		"GrantRequest":         func() (any, *Signed) { v := &GrantRequest{}; return v, &v.Signed },
		"GrantWriteRequest":    func() (any, *Signed) { v := &GrantWriteRequest{}; return v, &v.Signed },
		"GovRequest":           func() (any, *Signed) { v := &GovRequest{}; return v, &v.Signed },
		"NodeRequest":          func() (any, *Signed) { v := &NodeRequest{}; return v, &v.Signed },
		"SchemaRequest":        func() (any, *Signed) { v := &SchemaRequest{}; return v, &v.Signed },
	} {
		body, s := newBody()
		if err := txn.DecodeStrict([]byte(`{"tx":{"a":1},"signer":"did:weid:x"}`), body); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if string(s.Tx) != `{"a":1}` || s.Signer != "did:weid:x" {
			t.Errorf("%s: decoded %+v", name, *s)
		}
		if err := txn.DecodeStrict([]byte(`{"Signer":"did:weid:x"}`), body); err == nil || !strings.Contains(err.Error(), `unknown member "Signer"`) {
			t.Errorf("%s: a miscased signer gives %v", name, err)
		}
		body.(interface{ SetTx(json.RawMessage) }).SetTx(json.RawMessage(`{"b":2}`))
		if string(s.Tx) != `{"b":2}` {
			t.Errorf("%s: SetTx left Tx %s", name, s.Tx)
		}
	}
}

// TestIssuerInstanceRequest_ProfileMembers: the embedded IssueProfile's
// members are the request's own, on the wire and under the strict decoder.
func TestIssuerInstanceRequest_ProfileMembers(t *testing.T) {
	t.Parallel()
	in := `{"name":"diploma","issuer":"did:weid:x","issuerPolicy":"declared","format":"dc+sd-jwt","schema":7,"types":["T"],"status":["revocation"],"disclosable":["/d"]}`
	var r IssuerInstanceRequest
	if err := txn.DecodeStrict([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	if out, _ := json.Marshal(r); string(out) != in {
		t.Errorf("marshals to %s, want %s", out, in)
	}
	if got := r.Instance(); got.Format != "dc+sd-jwt" || got.Schema != 7 || got.Disclosable[0] != "/d" || got.IssuerPolicy != "declared" {
		t.Errorf("Instance() = %+v", got)
	}
}
