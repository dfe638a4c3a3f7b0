package wallet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// An issuer's endpoints are the ones its metadata names: the wallet
// follows no redirect from any of them, so a 307 from the token endpoint
// cannot make it re-send the pre-authorized code and the PIN elsewhere,
// nor a 302 on metadata send it to another host.
func TestVCIClient_FollowsNoRedirect(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"t","token_type":"Bearer","credential_issuer":"x"}`))
	}))
	defer elsewhere.Close()
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusMovedPermanently} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+"/steal", code)
		}))
		_, err := NewVCIClient().Token(context.Background(), redirector.URL+"/token", "code", "1234")
		if err == nil || !strings.Contains(err.Error(), "redirect") || !strings.Contains(err.Error(), elsewhere.URL+"/steal") {
			t.Errorf("token, %d: %v", code, err)
		}
		_, err = NewVCIClient().IssuerMetadata(context.Background(), redirector.URL)
		if err == nil || !strings.Contains(err.Error(), "redirect") {
			t.Errorf("metadata, %d: %v", code, err)
		}
		redirector.Close()
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

// An issuer's error_description, and the text of a page it answers with,
// come back with their escape codes shown, not obeyed.
func TestVCIClient_ErrorTextIsShownEscaped(t *testing.T) {
	for body, ct := range map[string]string{
		`{"error":"invalid_grant","error_description":"\u001b[2J\nWallet: PIN accepted"}`: "application/json",
		"\x1b[2J\x1b]0;title\x07oops": "text/plain",
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(body))
		}))
		_, err := NewVCIClient().Token(context.Background(), srv.URL+"/token", "code", "")
		srv.Close()
		if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07\n") || !strings.Contains(err.Error(), `\x1b[2J`) {
			t.Errorf("%q: %q", body, err)
		}
	}
}
