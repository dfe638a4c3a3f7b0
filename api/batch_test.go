package api

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestBatchOptions_QueryRoundTrip: a stream's options go into its query
// (BatchOptions.Query, the client) and come back out
// (BatchOptionsFromQuery, the node) unchanged; a boolean that is not one
// is a 400 request.badQuery.
func TestBatchOptions_QueryRoundTrip(t *testing.T) {
	for _, o := range []BatchOptions{{}, {RequireAccreditation: true}, {RequireBinding: true, ProofPurpose: "authentication", Challenge: "c 1&x", Domain: "verifier.example"}} {
		q := url.Values{}
		o.Query(q)
		got, err := BatchOptionsFromQuery(q)
		if err != nil || got != o {
			t.Errorf("%+v came back as %+v (%v) through %q", o, got, err, q.Encode())
		}
	}
	_, err := BatchOptionsFromQuery(url.Values{"requireBinding": {"yes please"}})
	if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest || e.Code != "request.badQuery" {
		t.Errorf("a bad boolean: %v", err)
	}
}
