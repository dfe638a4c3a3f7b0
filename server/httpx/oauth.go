package httpx

import (
	"errors"
	"net/http"

	"github.com/weidgo/weid/oid4vci"
)

// OAuth writes err as an OAuth error response if it is one (an
// *oid4vci.Error: RFC 6749 §5.2, as OpenID4VCI and OpenID4VP answer) — 400,
// or 401 for invalid_client and for invalid_token, with a WWW-Authenticate
// challenge (RFC 6750 §3) — and returns nil; any other error it returns,
// for Handle to render as a problem.
func OAuth(w http.ResponseWriter, err error) error {
	var oe *oid4vci.Error
	if !errors.As(err, &oe) {
		return err
	}
	status := http.StatusBadRequest
	switch oe.Code {
	case oid4vci.ErrInvalidToken:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	case oid4vci.ErrInvalidClient:
		status = http.StatusUnauthorized
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, status, oe)
}
