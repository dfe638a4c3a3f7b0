package node

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// A declared instance signs, with the key of its issuer DID, a credential
// naming the issuer the caller declares (VC Data Model 2.0 §4.7) in every
// format; it refuses a DID issuer weid resolves offline that does not
// list the signing key (a foreign did:key, another account's did:weid);
// a default instance refuses any issuer but its DID.
func TestIssue_DeclaredIssuerPolicy(t *testing.T) {
	ctx := context.Background()
	n := openTest(t, t.TempDir())
	defer n.Close()
	uni := mustCreateAccount(t, n, "uni", keys.Ed25519, false)
	other := mustCreateAccount(t, n, "other", keys.Ed25519, false)
	k := keytest.New(t, keys.Ed25519)
	foreignKey := did.KeyDID(k.Public())
	acct := &keystore.Account{Name: "uni"}
	for i, f := range []string{FormatVCJWT, FormatSDJWT, FormatEdDSARDFC, FormatEd25519Signature2020} {
		declared, err := n.CreateIssuerInstance(acct, IssuerInstance{Name: fmt.Sprintf("declared-%d", i), Issuer: uni.DID, IssuerPolicy: api.IssuerPolicyDeclared, IssueProfile: IssueProfile{Format: f}})
		if err != nil {
			t.Fatal(err)
		}
		signer, err := n.CreateIssuerInstance(acct, IssuerInstance{Name: fmt.Sprintf("signer-%d", i), Issuer: uni.DID, IssueProfile: IssueProfile{Format: f}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in           *IssuerInstance
			issuer, code string
		}{
			{declared, "https://dsaj.gov.mo", ""},
			{declared, "did:example:bureau", ""},
			{declared, uni.DID, ""},
			{declared, foreignKey, "credential.issuerNotAuthorized"},
			{declared, other.DID, "credential.issuerNotAuthorized"},
			{signer, "https://dsaj.gov.mo", "credential.issuerMismatch"},
			{signer, uni.DID, ""},
		} {
			_, err := n.Issue(ctx, acct, c.in, &api.IssueRequest{Credential: testCredential(c.issuer)}, "http://localhost")
			if c.code == "" {
				if err != nil {
					t.Errorf("%s %s: %v", c.in.Name, c.issuer, err)
				}
				continue
			}
			if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest || e.Code != c.code {
				t.Errorf("%s %s: %v, want a 400 %s", c.in.Name, c.issuer, err, c.code)
			}
		}
	}
	// Status purposes given as options: a declared issuer that is not the
	// signer gets none.
	in, _ := n.IssuerInstance(acct, "declared-0")
	req := &api.IssueRequest{Credential: testCredential("https://dsaj.gov.mo"), Options: &api.IssueOptions{Status: []string{"revocation"}}}
	if _, err := n.Issue(ctx, acct, in, req, "http://localhost"); err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("declared issuer with status options: %v", err)
	}
}
