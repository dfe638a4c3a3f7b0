package server

import (
	"io"
	"net/http"
	"net/http/httptest"
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
		r, got := sendAllow(t, c.method, tn.url+c.path)
		name := c.method + " " + c.path
		code := "route.methodNotAllowed"
		if c.status == 404 {
			code = "route.notFound"
		}
		if c.method != "HEAD" {
			wantProblem(t, name, r, c.status, code)
		} else if r.status != c.status {
			t.Errorf("%s: %d, want %d", name, r.status, c.status)
		}
		if got != c.allow {
			t.Errorf("%s: Allow %q, want %q", name, got, c.allow)
		}
	}
}

// TestExchange_MethodNotAllowedSaysAllow: the exchange service's router
// answers its 405s as the node's does.
func TestExchange_MethodNotAllowedSaysAllow(t *testing.T) {
	srv := httptest.NewServer(NewExchange(nil))
	defer srv.Close()
	for path, allow := range map[string]string{"/v1/exchange/diploma": "POST", "/v1/exchange/diploma/nonce": "POST", "/healthz": "GET, HEAD"} {
		r, got := sendAllow(t, "PUT", srv.URL+path)
		wantProblem(t, "PUT "+path, r, 405, "route.methodNotAllowed")
		if got != allow {
			t.Errorf("PUT %s: Allow %q, want %q", path, got, allow)
		}
	}
}

// sendAllow sends a request without a body and returns the answer and its
// Allow header.
func sendAllow(t *testing.T, method, url string) (response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), b}, resp.Header.Get("Allow")
}
