package server

import (
	"strings"
	"testing"
)

// TestAPI_IssuerInstanceFormatNeedsTheIssuersKeyType: an issuer instance
// whose Data Integrity format the issuer's custodial key cannot sign
// (ecdsa-rdfc-2019 with an Ed25519 key, eddsa-rdfc-2022 with a P-256 one)
// could never issue, so it is refused at creation with the 400
// credential.invalidSigner every issuance through it would have got,
// naming the format and the key type, and is not stored; a format the key
// signs is created.
func TestAPI_IssuerInstanceFormatNeedsTheIssuersKeyType(t *testing.T) {
	tn := startNode(t)
	ed := tn.account(t, `{"name":"ed-university"}`)
	p := tn.account(t, `{"name":"p-university","keyType":"P-256"}`)
	for _, c := range []struct {
		token, issuer, name, format string
		refused                     []string // what the detail names; nil when created
	}{
		{ed.Token, ed.DID, "ii-h", "ecdsa-rdfc-2019", []string{"ecdsa-rdfc-2019", "Ed25519", "eddsa-rdfc-2022"}},
		{p.Token, p.DID, "ii-p", "eddsa-rdfc-2022", []string{"eddsa-rdfc-2022", "P-256", "ecdsa-rdfc-2019"}},
		{p.Token, p.DID, "ii-p2020", "Ed25519Signature2020", []string{"Ed25519Signature2020", "P-256"}},
		{ed.Token, ed.DID, "ii-ok", "eddsa-rdfc-2022", nil},
		{p.Token, p.DID, "ii-pok", "ecdsa-rdfc-2019", nil},
	} {
		body := `{"name":"` + c.name + `","issuer":"` + c.issuer + `","schema":1,"format":"` + c.format + `"}`
		r := tn.do(t, "POST", "/v1/issuer-instances", c.token, []byte(body))
		if c.refused == nil {
			if r.status != 201 {
				t.Errorf("%s: %d %s, want 201", c.name, r.status, r.body)
			}
			continue
		}
		wantProblem(t, c.name, r, 400, "credential.invalidSigner")
		for _, w := range c.refused {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("%s: the problem does not name %q: %s", c.name, w, r.body)
			}
		}
		if g := tn.do(t, "GET", "/v1/issuer-instances/"+c.name, c.token, nil); g.status != 404 {
			t.Errorf("%s: stored although refused: %d %s", c.name, g.status, g.body)
		}
	}
}
