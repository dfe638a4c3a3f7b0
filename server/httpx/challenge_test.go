package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestError_UnauthorizedCarriesAChallenge: every 401 problem carries a
// WWW-Authenticate challenge (RFC 9110 §15.5.2), Bearer (RFC 6750 §3), with
// error="invalid_token" only for a token that was refused (§3.1); other
// statuses carry none, and a challenge set before (an OAuth endpoint's) is
// kept.
func TestError_UnauthorizedCarriesAChallenge(t *testing.T) {
	for _, c := range []struct {
		err    error
		preset string
		want   string
	}{
		{errs.New(http.StatusUnauthorized, "auth.required", "this operation needs an API token"), "", `Bearer realm="weid"`},
		{errs.New(http.StatusUnauthorized, "auth.invalidToken", "the API token is not valid"), "", `Bearer realm="weid", error="invalid_token"`},
		{errs.New(http.StatusUnauthorized, "auth.required", "x"), `DPoP algs="ES256"`, `DPoP algs="ES256"`},
		{errs.New(http.StatusForbidden, "auth.notOwner", "not yours"), "", ""},
		{errs.BadRequest("request.malformed", "bad"), "", ""},
	} {
		rec := httptest.NewRecorder()
		if c.preset != "" {
			rec.Header().Set("WWW-Authenticate", c.preset)
		}
		Error(rec, httptest.NewRequest(http.MethodGet, "/v1/accounts", nil), c.err)
		if got := rec.Header().Get("WWW-Authenticate"); got != c.want {
			t.Errorf("%v: WWW-Authenticate %q, want %q", c.err, got, c.want)
		}
	}
}
