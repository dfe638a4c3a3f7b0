package wallet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSend_AnswersAHolderCanRead: an answer larger than the wallet reads
// is said to be so (not "unexpected end of JSON input"), and a service
// that does not answer in time, before its headers or in the middle of
// its body, is said not to have answered in time (not "context deadline
// exceeded (Client.Timeout…)").
func TestSend_AnswersAHolderCanRead(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(`{"a":"` + strings.Repeat("x", maxVCIResponse) + `"}`))
		case "/slow-headers":
			time.Sleep(time.Second)
		case "/slow-body":
			_, _ = w.Write([]byte(`{"a":`))
			w.(http.Flusher).Flush()
			time.Sleep(time.Second)
		}
	}))
	t.Cleanup(srv.Close)
	c := &VCIClient{HTTP: &http.Client{Timeout: 300 * time.Millisecond}}
	for path, want := range map[string]string{"/big": "larger than 8 MiB", "/slow-headers": "no answer in time", "/slow-body": "did not arrive whole in time"} {
		hc := c
		if path == "/big" {
			hc = NewVCIClient()
		}
		var out map[string]any
		err := hc.send(context.Background(), http.MethodGet, srv.URL+path, "", "", nil, &out)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "deadline") || strings.Contains(err.Error(), "JSON") {
			t.Errorf("GET %s: %v; want it to say %q", path, err, want)
		}
	}
}
