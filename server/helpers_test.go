package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
)

// decodeAs decodes the body of r, which must have come with status, as a
// T; a failure names the request as what.
func decodeAs[T any](t *testing.T, r response, status int, what string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil || r.status != status {
		t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
	return v
}

// issueDiploma issues a diploma of uni's with goodClaims through its
// issuer instance "diploma" (which supplies the type, the schema and the
// status) and returns the enveloped credential.
func (tn *testNode) issueDiploma(t *testing.T, uni api.NewAccount) api.EnvelopedCredential {
	t.Helper()
	cred := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"` + uni.DID + `","credentialSubject":` + goodClaims + `}}`
	r := tn.do(t, "POST", "/issuers/diploma/credentials/issue", uni.Token, []byte(cred))
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var issued struct {
		VerifiableCredential api.EnvelopedCredential `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(r.body, &issued); err != nil {
		t.Fatal(err)
	}
	return issued.VerifiableCredential
}

// verifyVC posts vc (marshalled as JSON) to /credentials/verify with
// options (a JSON object, or "" for none) and returns the status and the
// result.
func (tn *testNode) verifyVC(t *testing.T, vc any, options string) (int, credential.Result) {
	t.Helper()
	b, _ := json.Marshal(vc)
	if options == "" {
		options = "{}"
	}
	r := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(b)+`,"options":`+options+`}`))
	var res credential.Result
	verdictOf(t, r, api.CodeCredentialNotVerified, &res)
	return r.status, res
}

// notVerified is the status of a verification that found a failed check
// (W3C VCALM lists 200 and 400 for the verify endpoints).
const notVerified = http.StatusBadRequest

// verdictOf decodes the verdict of r, an answer of POST /credentials/verify
// or /presentations/verify, into res, and checks its form: a 200 is the
// verdict; a notVerified answer an RFC 9457 problem of code whose detail
// names the first failed check and whose extension members are the
// verdict (verified false, its errors).
func verdictOf(t *testing.T, r response, code string, res any) {
	t.Helper()
	if err := json.Unmarshal(r.body, res); err != nil {
		t.Errorf("verdict: %d, not JSON: %v: %s", r.status, err, r.body)
	}
	if r.status != notVerified {
		return
	}
	var p struct {
		api.Problem
		Verified *bool       `json:"verified"`
		Checks   []api.Check `json:"checks"`
		Errors   []api.Check `json:"errors"`
	}
	_ = json.Unmarshal(r.body, &p)
	if r.ctype != "application/problem+json" || p.Code != code || p.Type != api.ProblemTypeBase+code || p.Status != notVerified || p.Title == "" {
		t.Errorf("a failed verification is not a %s problem: %s %s", code, r.ctype, r.body)
	}
	if p.Verified == nil || *p.Verified || len(p.Checks) == 0 || len(p.Errors) == 0 || !strings.Contains(p.Detail, "the "+p.Errors[0].Name+" check") {
		t.Errorf("the %s problem does not carry the verdict or name its first failed check: %s", code, r.body)
	}
}

// wantStreamsBounded opens max streams with open (each must answer 200),
// hands one more to refused to check, then closes a stream and checks that
// it frees its place. Every stream is closed when it returns.
func wantStreamsBounded(t *testing.T, max int, open func() *http.Response, refused func(*http.Response)) {
	t.Helper()
	var streams []*http.Response
	defer func() {
		for _, r := range streams {
			r.Body.Close()
		}
	}()
	for i := range max {
		r := open()
		streams = append(streams, r)
		if r.StatusCode != 200 {
			t.Fatalf("stream %d: %d", i, r.StatusCode)
		}
	}
	over := open()
	over.Body.Close()
	refused(over)
	streams[0].Body.Close()
	streams = streams[1:]
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := open()
		if r.StatusCode == 200 {
			streams = append(streams, r)
			return
		}
		r.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("a closed stream did not free its place")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
