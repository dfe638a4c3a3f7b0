package cli

import (
	"strings"
	"testing"
)

// TestVCIssueHelp_VC11NeedsDataIntegrity: weid vc issue --help says what
// the node does (issue 19 §13c): vc+jwt and dc+sd-jwt secure VC 2.0 only
// (VC-JOSE-COSE §3), and a VC 1.1 credential is issued with a Data
// Integrity format, the node adding the proof's context.
func TestVCIssueHelp_VC11NeedsDataIntegrity(t *testing.T) {
	issue, _, err := vcCmd(&globals{}).Find([]string{"issue"})
	if err != nil {
		t.Fatal(err)
	}
	help := strings.Join(strings.Fields(issue.Long+" "+issue.Flags().Lookup("format").Usage), " ")
	for _, want := range []string{
		"for VC 2.0 credentials only",
		"the node refuses a VC 1.1 credential",
		"for VC 2.0 and VC 1.1 alike",
		"A VC 1.1 credential must name one of these",
		"https://w3id.org/security/data-integrity/v2",
		"vc+jwt (default) or dc+sd-jwt for VC 2.0",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help does not say %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "Ed25519Signature2020 for a VC 1.1 credential.") {
		t.Error("help still implies only Ed25519Signature2020 secures VC 1.1")
	}
}

// TestVCIssueHelp_UndefinedTerms: weid vc issue --help says how a
// credential with its issuer's own terms conforms (VC Data Model 2.0
// §5.2), which the node holds vc+jwt and Data Integrity issuance to.
func TestVCIssueHelp_UndefinedTerms(t *testing.T) {
	issue, _, err := vcCmd(&globals{}).Find([]string{"issue"})
	if err != nil {
		t.Fatal(err)
	}
	help := strings.Join(strings.Fields(issue.Long), " ")
	for _, want := range []string{"https://www.w3.org/ns/credentials/undefined-terms/v2 as the last value of @context", "§5.2", "refuses it (400) naming the undefined terms"} {
		if !strings.Contains(help, want) {
			t.Errorf("help does not say %q:\n%s", want, help)
		}
	}
}
