package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

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
