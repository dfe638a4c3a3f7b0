package cli

import (
	"strings"
	"testing"

	"github.com/weidgo/weid/wallet"
)

// TestDescribeRequest_ShowsWhereTheAnswerGoes: before consent the holder
// sees the origin the presentation is posted to beside the verifier's
// name.
func TestDescribeRequest_ShowsWhereTheAnswerGoes(t *testing.T) {
	var out strings.Builder
	describeRequest(&out, &wallet.Summary{Verifier: "did:key:z6Mk", VerifierName: "Example Bank", SendsTo: "https://collect.example"})
	if !strings.Contains(out.String(), "Sends to:\thttps://collect.example") {
		t.Errorf("the summary does not say where the answer goes:\n%s", out.String())
	}
}
