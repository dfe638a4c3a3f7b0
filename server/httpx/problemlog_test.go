package httpx_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// TestWriteProblem_LogsServerFaultsNotUnsupportedMethods: a 5xx is the
// node's fault and is logged as an error for the operator; a 501 (a DID
// method this node does not resolve, e.g. a typo "did:wied:…", which DID
// Resolution answers with 501 methodNotSupported) is the caller's choice
// and was logged as "request failed" at ERROR, paging operators for typos.
func TestWriteProblem_LogsServerFaultsNotUnsupportedMethods(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(prev)
	for _, c := range []struct {
		err    error
		logged bool
	}{
		{errs.New(http.StatusNotImplemented, "did.methodNotSupported", "did:wied is not a DID method this node resolves"), false},
		{errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "cannot commit"), true},
		{errs.New(http.StatusInternalServerError, "internal", "disk full"), true},
	} {
		buf.Reset()
		r := httptest.NewRequest("GET", "/1.0/identifiers/did:wied:x", nil)
		httpx.WriteProblem(httptest.NewRecorder(), r, c.err, nil)
		if got := strings.Contains(buf.String(), "request failed"); got != c.logged {
			t.Errorf("%v: logged as a failure %v, want %v:\n%s", c.err, got, c.logged, buf.String())
		}
	}
}
