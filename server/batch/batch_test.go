package batch

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
)

// TestLimitBodies_ExemptsOnlyTheStream: the body limit applies to every
// request but an NDJSON POST to the batch endpoint.
func TestLimitBodies_ExemptsOnlyTheStream(t *testing.T) {
	cases := []struct {
		name, method, path, ctype string
		exempt                    bool
	}{
		{"stream", http.MethodPost, api.PathVerifyBatch, api.MediaTypeNDJSON, true},
		{"stream with parameters", http.MethodPost, api.PathVerifyBatch, api.MediaTypeNDJSON + "; charset=utf-8", true},
		{"JSON batch", http.MethodPost, api.PathVerifyBatch, "application/json", false},
		{"no content type", http.MethodPost, api.PathVerifyBatch, "", false},
		{"another path", http.MethodPost, "/v1/txs", api.MediaTypeNDJSON, false},
		{"another method", http.MethodPut, api.PathVerifyBatch, api.MediaTypeNDJSON, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			limited := false
			limit := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { limited = true; next.ServeHTTP(w, r) })
			}
			h := LimitBodies(limit)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(""))
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if limited == tc.exempt || IsStream(r) != tc.exempt {
				t.Errorf("limited %v, IsStream %v; want exempt %v", limited, IsStream(r), tc.exempt)
			}
		})
	}
}
