package server

import (
	"net/http"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/server/httpx"
)

// The helpers below are left from the governance handlers, which moved to
// server/governance; grants.go still uses them. Delete this file when the
// grants handlers move onto httpx.Param, httpx.Limit and node.Write.

func unescapedParam(r *http.Request, name string) string { return httpx.Param(r, name) }

// custodialSigner is the DID a custodial request signs as: the one it names,
// or, for the admin token, the admin DID.
func (s *Server) custodialSigner(acct *keystore.Account, signer string) (string, error) {
	if signer == "" && acct.Admin {
		signer = s.node.AdminDID
	}
	if signer == "" {
		return "", errs.BadRequest("request.malformed", "name the DID the node signs as in \"signer\"")
	}
	return signer, nil
}

// pageLimit reads ?limit=, from 1 to max, def when absent.
func pageLimit(r *http.Request, def, max int) (int, error) { return httpx.Limit(r, def, max) }
