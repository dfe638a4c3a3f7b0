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

// FuzzBatchOptionsFromQuery: any query string is read without a panic,
// refused only as a 400 request.badQuery, and what is read goes back into
// a query and out again unchanged.
func FuzzBatchOptionsFromQuery(f *testing.F) {
	for _, s := range []string{"", "requireAccreditation=true", "requireBinding=0&challenge=c&domain=d.example", "expectedProofPurpose=authentication", "requireBinding=maybe", "challenge=%ff&challenge=x", "detail=failures"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		o, err := BatchOptionsFromQuery(q)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest || e.Code != "request.badQuery" {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		again := url.Values{}
		o.Query(again)
		if back, err := BatchOptionsFromQuery(again); err != nil || back != o {
			t.Fatalf("%q: %+v came back as %+v (%v)", raw, o, back, err)
		}
	})
}
