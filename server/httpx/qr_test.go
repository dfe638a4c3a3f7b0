package httpx

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/oid4vci"
)

func TestQR_ServesPNGOrSVGAndRefusesOtherFormats(t *testing.T) {
	const link = "openid4vp://?client_id=x&request_uri=https%3A%2F%2Fweid.example%2Foid4vp%2Frequests%2Fabc"
	for _, c := range []struct {
		query, ctype, magic, code string
	}{
		{"", "image/png", "\x89PNG", ""},
		{"?format=png", "image/png", "\x89PNG", ""},
		{"?format=svg", "image/svg+xml", "<?xml", ""},
		{"?format=gif", "", "", "offer.invalid"},
		{"?format=svg&format=png", "", "", "request.badQuery"},
		{"?fromat=svg", "", "", "request.badQuery"},
	} {
		w := httptest.NewRecorder()
		err := QR(w, httptest.NewRequest(http.MethodGet, "/qr"+c.query, nil), link, "offer.invalid")
		if c.code != "" {
			if e, ok := errs.As(err); !ok || e.Code != c.code || e.Status != http.StatusBadRequest {
				t.Errorf("%q: %v, want 400 %s", c.query, err, c.code)
			}
			continue
		}
		if err != nil || w.Header().Get("Content-Type") != c.ctype || w.Header().Get("Cache-Control") != "no-store" || !bytes.HasPrefix(w.Body.Bytes(), []byte(c.magic)) {
			t.Errorf("%q: %v %v %.10q", c.query, err, w.Header(), w.Body.Bytes())
		}
	}
}

func TestOAuth_WritesOAuthErrorsAndPassesOthersOn(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		auth   string
	}{
		{oid4vci.Errorf(oid4vci.ErrInvalidGrant, "used"), http.StatusBadRequest, ""},
		{oid4vci.Errorf(oid4vci.ErrInvalidToken, "expired"), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{oid4vci.Errorf(oid4vci.ErrInvalidClient, "who"), http.StatusUnauthorized, ""},
	} {
		w := httptest.NewRecorder()
		if err := OAuth(w, c.err); err != nil || w.Code != c.status || w.Header().Get("WWW-Authenticate") != c.auth ||
			!bytes.Contains(w.Body.Bytes(), []byte(`"error":`)) {
			t.Errorf("%v: %v %d %v %s", c.err, err, w.Code, w.Header(), w.Body)
		}
	}
	other := errors.New("disk")
	if err := OAuth(httptest.NewRecorder(), other); err != other {
		t.Errorf("another error: %v", err)
	}
}
