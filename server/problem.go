package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Problem is an RFC 9457 problem details object with weid's stable code
// (the wire type of package api).
type Problem = api.Problem

// ProblemTypeBase prefixes a problem's code to make its type URI.
const ProblemTypeBase = api.ProblemTypeBase

// renderError writes err as problem+json. Errors that know their status and
// code (*errs.Error) are rendered as they say; storage failures are 503;
// anything else is a 500 whose detail is logged, not shown.
func renderError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	p.Instance = r.URL.Path
	p.RequestID = middleware.GetReqID(r.Context())
	if p.Status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "requestId", p.RequestID, "path", r.URL.Path, "code", p.Code, "err", err)
	}
	writeProblem(w, p, nil)
}

func problemFor(err error) Problem {
	if e, ok := errs.As(err); ok {
		return Problem{Type: ProblemTypeBase + e.Code, Title: http.StatusText(e.Status), Status: e.Status, Detail: e.Detail, Code: e.Code}
	}
	if errors.Is(err, chain.ErrStorage) {
		return Problem{Type: ProblemTypeBase + "ledger.unavailable", Title: http.StatusText(http.StatusServiceUnavailable), Status: http.StatusServiceUnavailable, Detail: "the ledger's storage failed; nothing was written", Code: "ledger.unavailable"}
	}
	return Problem{Type: ProblemTypeBase + "internal", Title: http.StatusText(500), Status: 500, Detail: "internal error; see the node's log", Code: "internal"}
}

// writeProblem writes p, with extra members merged in (for extension members).
func writeProblem(w http.ResponseWriter, p Problem, extra map[string]any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	var body any = p
	if extra != nil {
		raw, _ := json.Marshal(p)
		m := map[string]any{}
		_ = json.Unmarshal(raw, &m)
		for k, v := range extra {
			m[k] = v
		}
		body = m
	}
	b, _ := chain.MarshalJSON(body)
	_, _ = w.Write(append(b, '\n'))
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := chain.MarshalJSON(v)
	if err != nil {
		http.Error(w, "encode response", 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
