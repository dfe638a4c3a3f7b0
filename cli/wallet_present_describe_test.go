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

// TestDescribeRequest_HostileTextCannotDrawTheScreen: a verifier's
// client_name and purpose, and the claim names it asks for, are its own
// words: newlines, tabs and escape codes in them are shown, not obeyed, so
// it cannot draw a line of the consent screen ("Will send: nothing") nor
// clear it; the verified client_id comes first, its self-asserted name
// after it as what it calls itself.
func TestDescribeRequest_HostileTextCannotDrawTheScreen(t *testing.T) {
	var out strings.Builder
	describeRequest(&out, &wallet.Summary{
		ClientID:   "decentralized_identifier:did:weid:evil",
		Verifier:   "did:weid:evil",
		ClientName: "Shop\x1b[2J\nVerifier:\tHong Kong Immigration Department (trust registry)",
		Purpose:    "x\nWill send:\tnothing\x1b[8m",
		SendsTo:    "https://evil.example",
		Asked:      []wallet.Ask{{Query: "q\u202e", Format: "dc+sd-jwt", Claims: []string{"degree\nWill send: nothing"}}},
		Presented:  []wallet.Chosen{{Query: "q", Credential: "abc", Format: "dc+sd-jwt", Disclosed: []string{"/degree\x1b[2K"}}},
	})
	s := out.String()
	if strings.ContainsAny(s, "\x1b\u202e") {
		t.Errorf("escape codes reach the terminal:\n%q", s)
	}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.HasPrefix(line, "Verifier:") && !strings.HasPrefix(line, "Verifier:\tdecentralized_identifier:did:weid:evil") {
			t.Errorf("a line claims to name the verifier: %q", line)
		}
		if strings.HasPrefix(line, "Will send:") && !strings.Contains(line, "credential abc") {
			t.Errorf("a line claims what is sent: %q", line)
		}
	}
	if !strings.Contains(s, `calls itself "Shop\x1b[2J\nVerifier:\tHong Kong Immigration Department (trust registry)"`) {
		t.Errorf("the self-asserted name is not shown as such:\n%s", s)
	}
}

// TestDescribeRequest_SaysACredentialIsRevoked: a credential known to be
// revoked, chosen because no other answers, is named as such on the
// consent screen and in its question, and --yes alone does not send it.
func TestDescribeRequest_SaysACredentialIsRevoked(t *testing.T) {
	sum := &wallet.Summary{ClientID: "decentralized_identifier:did:weid:v", Verifier: "did:weid:v",
		Presented: []wallet.Chosen{{Query: "diploma", Credential: "abc", Format: "dc+sd-jwt", Standing: wallet.StandingRevoked}}}
	var out strings.Builder
	describeRequest(&out, sum)
	if !strings.Contains(out.String(), "WARNING: this credential is revoked") {
		t.Errorf("the consent screen does not say the credential is revoked:\n%s", out.String())
	}
	if q := consentQuestion(sum); !strings.Contains(q, "although credential abc is revoked") {
		t.Errorf("question: %q", q)
	}
	if err := notInGoodStanding(sum); err == nil || !strings.Contains(err.Error(), "--allow-revoked") || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("--yes: %v", err)
	}
	sum.Presented[0].Standing = ""
	if err := notInGoodStanding(sum); err != nil {
		t.Errorf("in good standing: %v", err)
	}
}
