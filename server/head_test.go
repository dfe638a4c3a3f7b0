package server

import (
	"net/http"
	"testing"
)

// TestRoutes_HeadAnswersAsGet: every GET resource answers HEAD with the
// GET's status and headers and no body (RFC 9110 §9.1: a general-purpose
// server MUST support GET and HEAD; §9.3.2), a missing one with its 404, and
// a POST-only resource still refuses it.
func TestRoutes_HeadAnswersAsGet(t *testing.T) {
	tn := startNode(t)
	for _, c := range []struct {
		path  string
		want  int
		ctype string
	}{
		{"/v1/status", 200, "application/json"},
		{"/healthz", 200, ""},
		{"/openapi.json", 200, "application/json"},
		{"/v1/blocks/0", 200, "application/json"},
		{"/1.0/identifiers/" + tn.n.AdminDID, 200, "application/did-resolution"},
		{"/verify", 200, "text/html; charset=utf-8"},
		{"/v1/blocks/99999", 404, "application/problem+json"},
		{"/v1/dids", 405, "application/problem+json"},
	} {
		req, _ := http.NewRequest(http.MethodHead, tn.url+c.path, nil)
		r := send(t, req)
		if r.status != c.want || (c.ctype != "" && r.ctype != c.ctype) || len(r.body) != 0 {
			t.Errorf("HEAD %s: %d %q with %d bytes, want %d %q and no body", c.path, r.status, r.ctype, len(r.body), c.want, c.ctype)
		}
	}
}
