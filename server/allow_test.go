package server

import (
	"io"
	"net/http"
	"testing"
)

// TestRoutes_MethodNotAllowedSaysAllow: a 405 names the methods the
// resource takes in Allow (RFC 9110 §15.5.6 "MUST generate an Allow header
// field"), HEAD wherever GET is, and stays a problem; a method chi does not
// know on a path nothing is served at is not found.
func TestRoutes_MethodNotAllowedSaysAllow(t *testing.T) {
	tn := startNode(t)
	did := tn.n.AdminDID
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PUT", "/v1/dids", 405, "POST"},
		{"GET", "/v1/dids", 405, "POST"},
		{"DELETE", "/v1/status", 405, "GET, HEAD"},
		{"PUT", "/v1/issuers", 405, "GET, HEAD, POST"},
		{"POST", "/v1/issuers/" + did, 405, "GET, HEAD, DELETE"},
		{"PATCH", "/v1/dids/" + did + "/keys/key-1", 405, "DELETE"},
		{"GET", "/issuers/acme/diplomas/token", 405, "POST"},
		{"DELETE", "/1.0/identifiers/" + did, 405, "GET, HEAD"},
		{"HEAD", "/credentials/verify", 405, "POST"},
		{"FOO", "/v1/status", 405, "GET, HEAD"},
		{"FOO", "/no/such/path", 404, ""},
	} {
		req, _ := http.NewRequest(c.method, tn.url+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		name := c.method + " " + c.path
		code := "route.methodNotAllowed"
		if c.status == 404 {
			code = "route.notFound"
		}
		if c.method != "HEAD" {
			wantProblem(t, name, response{resp.StatusCode, resp.Header.Get("Content-Type"), b}, c.status, code)
		} else if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.status)
		}
		if got := resp.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s: Allow %q, want %q", name, got, c.allow)
		}
	}
}
