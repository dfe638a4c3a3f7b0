package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/weidgo/weid/api"
)

// TestVerifyCredential_FailedCheckIsAVerdictNotAnError: W3C VCALM answers a
// credential that fails a check with 400; the node's 400 is then a
// credential.verificationFailed problem carrying the verdict, which the
// client returns as a result, while any other 400 is an error.
func TestVerifyCredential_FailedCheckIsAVerdictNotAnError(t *testing.T) {
	answers := map[string]string{
		"tampered":  `{"type":"urn:weid:problem:credential.verificationFailed","title":"Bad Request","status":400,"code":"credential.verificationFailed","detail":"the credential failed the proof check: bad signature","verified":false,"checks":[{"name":"proof","status":"failed"}],"errors":[{"name":"proof","status":"failed"}],"warnings":[]}`,
		"malformed": `{"type":"urn:weid:problem:credential.invalid","title":"Bad Request","status":400,"code":"credential.invalid","detail":"no credential"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req api.VerifyRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		var which string
		_ = json.Unmarshal(req.VerifiableCredential, &which)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, answers[which])
	}))
	defer srv.Close()
	c := New(srv.URL)
	ctx := context.Background()

	res, err := c.VerifyCredential(ctx, "tampered", nil)
	if err != nil || res.Verified || len(res.Errors) != 1 || res.Errors[0].Name != "proof" {
		t.Fatalf("failed check: %+v, %v; want the verdict", res, err)
	}
	var e *Error
	if _, err := c.VerifyCredential(ctx, "malformed", nil); !errors.As(err, &e) || e.Code != "credential.invalid" || e.Status != 400 {
		t.Fatalf("malformed request: %v; want a credential.invalid error", err)
	}
	// The presentation endpoint reads its own code only.
	if _, st, err := c.VerifyPresentation(ctx, json.RawMessage(`"tampered"`), nil); !errors.As(err, &e) || st != 400 {
		t.Fatalf("a credential problem from /presentations/verify: %d %v; want an error", st, err)
	}
}

// TestIssue_InstanceIssuerFilledInByTheClient: the node requires an issuer
// (VC DM 2.0 §4.7), so Issue through an instance gives a credential without
// one the instance's DID; a present issuer, null too, is sent as it is.
func TestIssue_InstanceIssuerFilledInByTheClient(t *testing.T) {
	const did = "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"
	var sent map[string]json.RawMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/issuer-instances/diploma":
			_ = json.NewEncoder(w).Encode(api.IssuerInstance{Name: "diploma", Issuer: did})
		case "/issuers/diploma/credentials/issue":
			var req api.IssueRequest
			_ = json.NewDecoder(r.Body).Decode(&req)
			sent = nil
			_ = json.Unmarshal(req.Credential, &sent)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"verifiableCredential":{}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := New(srv.URL)
	ctx := context.Background()
	for cred, want := range map[string]string{
		`{"type":["VerifiableCredential"],"credentialSubject":{"id":"did:example:a"}}`:                          `"` + did + `"`,
		`{"type":["VerifiableCredential"],"issuer":null,"credentialSubject":{"id":"did:example:a"}}`:            `null`,
		`{"type":["VerifiableCredential"],"issuer":"did:example:x","credentialSubject":{"id":"did:example:a"}}`: `"did:example:x"`,
	} {
		if _, err := c.Issue(ctx, json.RawMessage(cred), "diploma", api.IssueOptions{}); err != nil {
			t.Fatalf("%s: %v", cred, err)
		}
		if got := string(sent["issuer"]); got != want {
			t.Errorf("%s: sent issuer %s, want %s", cred, got, want)
		}
	}
}

// TestVerifyPresentation_StructureFailureIsAVerdict: a node answers a
// document that fails the structure check with a 400 presentation.invalid
// problem carrying the verdict (W3C VCALM's 400 for "issues with the
// request format, structure"), which the client returns as a result whose
// structure check failed, so `weid vp verify` prints it as it prints any
// verdict; the same code without a verdict (an envelope that is not well
// formed, VC DM 2.0 §4.13.2) stays an error.
func TestVerifyPresentation_StructureFailureIsAVerdict(t *testing.T) {
	answers := map[string]string{
		"structure": `{"type":"urn:weid:problem:presentation.invalid","title":"Bad Request","status":400,"code":"presentation.invalid","detail":"the presentation failed the structure check: no @context","verified":false,"checks":[{"name":"structure","status":"failed"}],"errors":[{"name":"structure","status":"failed"}],"warnings":[],"credentials":[]}`,
		"envelope":  `{"type":"urn:weid:problem:presentation.invalid","title":"Bad Request","status":400,"code":"presentation.invalid","detail":"an EnvelopedVerifiablePresentation's id must be a data: URL"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ VerifiablePresentation string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, answers[req.VerifiablePresentation])
	}))
	defer srv.Close()
	c := New(srv.URL)
	ctx := context.Background()
	res, st, err := c.VerifyPresentation(ctx, json.RawMessage(`"structure"`), nil)
	if err != nil || st != 400 || res.Verified || len(res.Errors) != 1 || res.Errors[0].Name != "structure" {
		t.Fatalf("structure failure: %+v, %d, %v; want the verdict", res, st, err)
	}
	var e *Error
	if _, _, err := c.VerifyPresentation(ctx, json.RawMessage(`"envelope"`), nil); !errors.As(err, &e) || e.Code != "presentation.invalid" {
		t.Fatalf("malformed envelope: %v; want a presentation.invalid error", err)
	}
}
