// Package proxytest is the lying node of the tests that check a client
// trusts no node: a proxy in front of an honest node that rewrites the
// JSON it answers, as a node lying about the ledger would. It is for tests
// only.
package proxytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Rewriting starts a proxy that forwards each request to upstream (send:
// its method, path, query and body), and lets rewrite change every answer that is
// a JSON object (path is the request's) before writing it back with the
// upstream's status and content type. It returns the proxy's URL; the
// proxy closes when the test ends.
func Rewriting(t testing.TB, upstream string, rewrite func(path string, m map[string]any)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := send(r, upstream)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil && m != nil {
			rewrite(r.URL.Path, m)
			raw, _ = json.Marshal(m)
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Forward answers r with upstream's answer to the same request (send),
// its status, content type and body, as an honest proxy would.
func Forward(w http.ResponseWriter, r *http.Request, upstream string) {
	resp, err := send(r, upstream)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// send sends upstream r's method, path, query, content type and body: a
// POST /v1/state/proof (many keys at one head) is a read too.
func send(r *http.Request, upstream string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), r.Body)
	if err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return http.DefaultClient.Do(req)
}
