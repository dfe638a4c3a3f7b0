package wallet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/weidgo/weid/oid4vp"
)

// A response_uri that redirects does not get the response re-sent
// elsewhere: the wallet follows no redirect when it posts.
func TestVPClient_PostFollowsNoRedirect(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer elsewhere.Close()
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+"/collect", code)
		}))
		req := &oid4vp.Request{RequestObject: oid4vp.RequestObject{ResponseURI: redirector.URL + "/response", State: "s", ResponseMode: oid4vp.ResponseModeDirectPost}, DCQL: &oid4vp.DCQL{}}
		err := NewVPClient(nil).Decline(context.Background(), req)
		redirector.Close()
		if err == nil || !strings.Contains(err.Error(), "redirected") {
			t.Errorf("%d: %v", code, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d posts", n)
	}
}

// A request object is taken only as application/oauth-authz-req+jwt
// (RFC 9101 §5, OID4VP §5.10.1) or application/jwt, which RFC 9101 §4
// notes deployments use: a page served as text/html is not read as one.
func TestVPClient_FetchRequestChecksTheMediaType(t *testing.T) {
	for ct, refused := range map[string]bool{
		"text/html; charset=utf-8":             true,
		"application/json":                     true,
		"":                                     true,
		"application/oauth-authz-req+jwt":      false,
		"application/jwt":                      false,
		"Application/OAuth-Authz-Req+JWT; q=1": false,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = []string{ct}
			w.Write([]byte("a.b.c"))
		}))
		link := "openid4vp://?client_id=" + url.QueryEscape("decentralized_identifier:did:key:z6Mk") + "&request_uri=" + url.QueryEscape(srv.URL+"/r")
		_, err := NewVPClient(nil).FetchRequest(context.Background(), link)
		srv.Close()
		if err == nil {
			t.Fatalf("%q: a request object a.b.c was accepted", ct)
		}
		if got := strings.Contains(err.Error(), "application/oauth-authz-req+jwt"); got != refused {
			t.Errorf("%q: %v (refused for its media type: %v, want %v)", ct, err, got, refused)
		}
	}
}

// The summary a holder consents to names where the answer goes: the
// origin of the request's response_uri, not only the verifier's name,
// which the verifier may choose itself.
func TestSummarize_NamesTheResponseOrigin(t *testing.T) {
	req := &oid4vp.Request{RequestObject: oid4vp.RequestObject{ResponseURI: "https://collect.example:8443/oid4vp/responses/1?x=y", ResponseMode: oid4vp.ResponseModeDirectPost}, DCQL: &oid4vp.DCQL{}}
	if got := Summarize(req, nil).SendsTo; got != "https://collect.example:8443" {
		t.Errorf("SendsTo = %q", got)
	}
	// A host in Unicode shows as the name it resolves as (a lookalike of
	// another domain gives itself away); user info is no part of it; no
	// host, no origin.
	for uri, want := range map[string]string{
		"https://bаnk.example/r":              "https://xn--bnk-6cd.example", // a Cyrillic а
		"https://bank.example@evil.example/r": "https://evil.example",
		"https://[::1]:8443/r":                "https://[::1]:8443",
		"/relative":                           "",
	} {
		req.ResponseURI = uri
		if got := Summarize(req, nil).SendsTo; got != want {
			t.Errorf("%s: SendsTo = %q, want %q", uri, got, want)
		}
	}
}

// The summary keeps the verifier's verified identity (the client_id the
// request is bound to) apart from the name the request gives it, which is
// its own word: only a trust registry's name, set by the caller, is
// VerifierName.
func TestSummarize_KeepsTheSelfAssertedNameApart(t *testing.T) {
	req := &oid4vp.Request{RequestObject: oid4vp.RequestObject{ClientID: "decentralized_identifier:did:weid:v", ClientMetadata: &oid4vp.ClientMetadata{ClientName: "Hong Kong Immigration Department"}}, VerifierDID: "did:weid:v", DCQL: &oid4vp.DCQL{}}
	sum := Summarize(req, nil)
	if sum.ClientID != req.ClientID || sum.ClientName != "Hong Kong Immigration Department" || sum.VerifierName != "" || sum.Registered {
		t.Errorf("summary: %+v", sum)
	}
}

// A verifier that accepted the response but answers with a redirect_uri
// the wallet will not send the user to (javascript:, plain http) does not
// turn the presentation into a failure: the data was posted and accepted;
// the refused redirect comes back as a warning.
func TestVPClient_RefusedRedirectAfterSuccessIsAWarning(t *testing.T) {
	for _, redirect := range []string{"javascript:alert(1)", "http://evil.example/next"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"redirect_uri":"` + redirect + `"}`))
		}))
		req := &oid4vp.Request{RequestObject: oid4vp.RequestObject{ResponseURI: srv.URL + "/response", State: "s", ResponseMode: oid4vp.ResponseModeDirectPost}, DCQL: &oid4vp.DCQL{}}
		out, err := NewVPClient(nil).post(context.Background(), req, &oid4vp.Response{VPToken: []byte(`{}`), State: "s"})
		srv.Close()
		if err != nil || out == nil {
			t.Fatalf("%s: %v", redirect, err)
		}
		if out.RedirectURI != "" || !strings.Contains(out.Warning, "redirect_uri") {
			t.Errorf("%s: %+v", redirect, out)
		}
	}
}
