package server

import (
	"strings"
	"testing"
)

// TestRoutes_InvalidDIDInPathIs400: every route with a DID in its path
// answers a path that holds no DID (DID Core 1.0 §3.1) with a 400 naming
// the syntax error, never a 404; a well-formed DID the ledger does not
// know stays 404.
func TestRoutes_InvalidDIDInPathIs400(t *testing.T) {
	tn := startNode(t)
	hash := strings.Repeat("0", 64)
	routes := []struct{ method, path, code string }{
		{"GET", "/v1/issuers/%s", "issuer.invalidDid"},
		{"DELETE", "/v1/issuers/%s", "issuer.invalidDid"},
		{"DELETE", "/v1/committee/%s", "gov.invalidDid"},
		{"GET", "/v1/dids/%s", "did.invalidDid"},
		{"POST", "/v1/dids/%s/keys", "did.invalid"},
		{"DELETE", "/v1/dids/%s/keys/key-2", "did.invalid"},
		{"POST", "/v1/dids/%s/services", "did.invalid"},
		{"DELETE", "/v1/dids/%s/services/s", "did.invalid"},
		{"POST", "/v1/dids/%s/rotate", "did.invalid"},
		{"POST", "/v1/dids/%s/compromised-keys", "did.invalid"},
		{"POST", "/v1/dids/%s/deactivate", "did.invalid"},
		{"POST", "/v1/evidence/" + hash + "/signatures/%s/revoke", "evidence.invalidDid"},
		{"POST", "/v1/evidence/" + hash + "/signatures/%s/restore", "evidence.invalidDid"},
		{"GET", "/1.0/identifiers/%s", "did.invalidDid"},
	}
	for _, bad := range []string{"not-a-did", "did:WEID:1:0x00", "did:weid:", "did:weid:1:a%20b"} {
		for _, rt := range routes {
			path := strings.Replace(rt.path, "%s", bad, 1)
			r := tn.do(t, rt.method, path, tn.token, []byte("{}"))
			wantProblem(t, rt.method+" "+path, r, 400, rt.code)
		}
	}
	unknown := "did:weid:" + tn.n.ChainID + ":0x" + strings.Repeat("0", 40)
	for _, rt := range []struct{ method, path, code string }{
		{"GET", "/v1/issuers/", "issuer.notFound"},
		{"DELETE", "/v1/issuers/", "issuer.notFound"},
		{"GET", "/1.0/identifiers/", "did.notFound"},
	} {
		wantProblem(t, rt.method+" "+rt.path+unknown, tn.do(t, rt.method, rt.path+unknown, tn.token, nil), 404, rt.code)
	}
}
