package httpx

import (
	"net/http/httptest"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestQueryUint_ReadsAnUnsignedParameterOrSaysWhatItMustBe: an absent
// parameter is 0; a value that is not an unsigned integer, or is below the
// minimum, is a 400 request.badQuery naming the parameter and what it must
// be.
func TestQueryUint_ReadsAnUnsignedParameterOrSaysWhatItMustBe(t *testing.T) {
	for _, c := range []struct {
		query string
		min   uint64
		want  uint64
		bad   bool
	}{
		{"", 1, 0, false},
		{"?before=", 1, 0, false},
		{"?before=7", 1, 7, false},
		{"?before=18446744073709551615", 0, 1<<64 - 1, false},
		{"?before=0", 0, 0, false},
		{"?before=0", 1, 0, true},
		{"?before=-1", 0, 0, true},
		{"?before=+1", 0, 0, true},
		{"?before=x", 0, 0, true},
		{"?before=18446744073709551616", 0, 0, true},
	} {
		got, err := QueryUint(httptest.NewRequest("GET", "/v1/blocks"+c.query, nil), "before", c.min, "a positive block height")
		if !c.bad {
			if err != nil || got != c.want {
				t.Errorf("%q (min %d): %d, %v, want %d", c.query, c.min, got, err, c.want)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Status != 400 || e.Code != "request.badQuery" || e.Detail != "before must be a positive block height" {
			t.Errorf("%q (min %d): %d, %v, want a 400 request.badQuery", c.query, c.min, got, err)
		}
	}
}
