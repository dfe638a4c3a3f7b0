package server

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
)

// verifyVC posts vc (marshalled as JSON) to /credentials/verify with
// options (a JSON object, or "" for none) and returns the status and the
// result.
func (tn *testNode) verifyVC(t *testing.T, vc any, options string) (int, credential.Result) {
	t.Helper()
	b, _ := json.Marshal(vc)
	if options == "" {
		options = "{}"
	}
	r := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(b)+`,"options":`+options+`}`))
	var res credential.Result
	_ = json.Unmarshal(r.body, &res)
	return r.status, res
}

// wantStreamsBounded opens max streams with open (each must answer 200),
// hands one more to refused to check, then closes a stream and checks that
// it frees its place. Every stream is closed when it returns.
func wantStreamsBounded(t *testing.T, max int, open func() *http.Response, refused func(*http.Response)) {
	t.Helper()
	var streams []*http.Response
	defer func() {
		for _, r := range streams {
			r.Body.Close()
		}
	}()
	for i := range max {
		r := open()
		streams = append(streams, r)
		if r.StatusCode != 200 {
			t.Fatalf("stream %d: %d", i, r.StatusCode)
		}
	}
	over := open()
	over.Body.Close()
	refused(over)
	streams[0].Body.Close()
	streams = streams[1:]
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := open()
		if r.StatusCode == 200 {
			streams = append(streams, r)
			return
		}
		r.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("a closed stream did not free its place")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
