package api

import (
	"net/http"
	"net/url"
	"strings"
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

// TestCheckBatchQuery_RefusesWhatTheFormDoesNotTake: a misspelt option, an
// option of a stream on a JSON request (whose options are in its body) and
// a parameter given twice are refused as 400 request.badQuery naming the
// parameter, not silently dropped, which would verify under a weaker policy
// than the caller asked for.
func TestCheckBatchQuery_RefusesWhatTheFormDoesNotTake(t *testing.T) {
	for _, c := range []struct {
		query  string
		stream bool
		bad    string // the parameter the detail names; "" when accepted
	}{
		{"", true, ""},
		{"", false, ""},
		{"detail=failures", false, ""},
		{"detail=failures&requireAccreditation=true&requireBinding=false&expectedProofPurpose=authentication&challenge=c&domain=d", true, ""},
		{"requireAcreditation=true", true, "requireAcreditation"},
		{"requireAccreditation=true", false, "requireAccreditation"},
		{"bogus=1&detail=full", false, "bogus"},
		{"requireAccreditation=false&requireAccreditation=true", true, "requireAccreditation"},
		{"detail=full&detail=failures", false, "detail"},
	} {
		q, _ := url.ParseQuery(c.query)
		err := CheckBatchQuery(q, c.stream)
		if c.stream {
			if _, err2 := BatchOptionsFromQuery(q); (err == nil) != (err2 == nil) {
				t.Errorf("%q: CheckBatchQuery %v, BatchOptionsFromQuery %v", c.query, err, err2)
			}
		}
		if c.bad == "" {
			if err != nil {
				t.Errorf("%q (stream %v): %v", c.query, c.stream, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Status != http.StatusBadRequest || e.Code != "request.badQuery" || !strings.Contains(e.Detail, `"`+c.bad+`"`) {
			t.Errorf("%q (stream %v): %v, want a 400 request.badQuery naming %q", c.query, c.stream, err, c.bad)
		}
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

// TestCheckQuery_RefusesUnknownAndRepeatedParameters: an unknown name and a
// second value of a parameter that takes one are 400 request.badQuery; a
// repeatable one may come twice.
func TestCheckQuery_RefusesUnknownAndRepeatedParameters(t *testing.T) {
	known := []string{"from", "limit", "types"}
	for q, want := range map[string]string{
		"from=0&limit=5":            "",
		"types=did.*&types=grant.*": "",
		"from=0&from=1":             `query parameter "from" is given 2 times`,
		"form=0":                    `unknown query parameter "form" (from, limit, types)`,
	} {
		v, _ := url.ParseQuery(q)
		err := CheckQuery(v, known, "types")
		if want == "" && err != nil || want != "" && (errs.Code(err) != "request.badQuery" || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestCheckDeclaredQuery_DotsMakeARepeatableName: a route's declaration
// names its parameters, "…" marking one that may be repeated; a route that
// declares none refuses every parameter, saying it takes none.
func TestCheckDeclaredQuery_DotsMakeARepeatableName(t *testing.T) {
	for _, c := range []struct {
		declared []string
		q, want  string
	}{
		{[]string{"key...", "limit"}, "key=a&key=b&limit=1", ""},
		{[]string{"key...", "limit"}, "limit=1&limit=2", `query parameter "limit" is given 2 times`},
		{[]string{"key...", "limit"}, "key...=a", `unknown query parameter "key..." (key, limit)`},
		{nil, "zz=1", `unknown query parameter "zz" (this operation takes none)`},
		{nil, "", ""},
	} {
		v, _ := url.ParseQuery(c.q)
		err := CheckDeclaredQuery(v, c.declared)
		if c.want == "" && err != nil || c.want != "" && (errs.Code(err) != "request.badQuery" || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%v %s: %v, want %q", c.declared, c.q, err, c.want)
		}
	}
}
