package node

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// TestAsBadRequest_VCALMIssueAndStatus: on W3C VCALM's issue and status
// endpoints a mistake in the request's content is a 400 of the same code
// and detail; authentication, authorization, size, conflicts and the
// node's own failures keep their status.
func TestAsBadRequest_VCALMIssueAndStatus(t *testing.T) {
	storage := fmt.Errorf("read schema: %w", chain.ErrStorage)
	for _, c := range []struct {
		name    string
		err     error
		content func(*errs.Error) bool
		want    int // the status answered
	}{
		{"schema violation", errs.New(http.StatusUnprocessableEntity, "schema.violation", "at /gpa"), issueContentError, http.StatusBadRequest},
		{"schema named by the body", errs.New(http.StatusNotFound, "schema.notFound", "no schema 9"), issueContentError, http.StatusBadRequest},
		{"issuer without a key here", errs.New(http.StatusForbidden, "auth.notCustodian", "no key"), issueContentError, http.StatusBadRequest},
		{"issuer of another account", errs.New(http.StatusForbidden, "auth.notOwner", "another's"), issueContentError, http.StatusForbidden},
		{"no token", errs.New(http.StatusUnauthorized, "auth.required", "token"), issueContentError, http.StatusUnauthorized},
		{"too large", errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "big"), issueContentError, http.StatusRequestEntityTooLarge},
		{"conflict", errs.New(http.StatusConflict, "tx.nonce", "race"), issueContentError, http.StatusConflict},
		{"purpose mismatch", errs.New(http.StatusUnprocessableEntity, "status.purposeMismatch", "a revocation list"), statusContentError, http.StatusBadRequest},
		{"credential not found", errs.New(http.StatusNotFound, "credential.notFound", "none"), statusContentError, http.StatusNotFound},
		{"list of another account", errs.New(http.StatusForbidden, "auth.notOwner", "another's"), statusContentError, http.StatusForbidden},
	} {
		got, ok := errs.As(asBadRequest(fmt.Errorf("wrapped: %w", c.err), c.content))
		orig, _ := errs.As(c.err)
		if !ok || got.Status != c.want || got.Code != orig.Code || got.Detail != orig.Detail {
			t.Errorf("%s: got %+v, want status %d with %s's code and detail", c.name, got, c.want, orig.Code)
		}
	}
	if err := asBadRequest(storage, issueContentError); !errors.Is(err, chain.ErrStorage) {
		t.Errorf("a storage failure became %v", err)
	}
	if asBadRequest(nil, issueContentError) != nil {
		t.Error("nil became an error")
	}
}
