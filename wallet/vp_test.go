package wallet

import (
	"context"
	"net/http"
	"net/http/httptest"
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
		req := &oid4vp.Request{RequestObject: oid4vp.RequestObject{ResponseURI: redirector.URL + "/response", State: "s", ResponseMode: oid4vp.ResponseModeDirectPost}}
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
