package wallet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/oid4vci"
)

// maxErrorDetail bounds the text of an answer kept in an error: a
// verifier's or issuer's error page says what went wrong in its first
// lines, and a wallet should not print a whole page.
const maxErrorDetail = 300

// answerError is the error of an answer of status with body raw that is
// not the protocol's OAuth error: the problem (RFC 9457) it carries, or
// the start of its text, shown as TerminalText shows it.
func answerError(status int, raw []byte) error {
	e := client.NewError(status, raw)
	if e.Code == "" {
		e.Detail = strings.TrimSpace(string(raw))
	}
	e.Code, e.Title, e.Detail = TerminalText(e.Code, 100), TerminalText(e.Title, maxErrorDetail), TerminalText(e.Detail, maxErrorDetail)
	return e
}

// oauthError is an issuer's or verifier's OAuth error answer (RFC 6749
// §5.2), its code and error_description shown as TerminalText shows them.
func oauthError(oe *oid4vci.Error) *oid4vci.Error {
	oe.Code, oe.Description = TerminalText(oe.Code, 100), TerminalText(oe.Description, maxErrorDetail)
	return oe
}

// withRedirects returns a copy of base (or of the default client) whose
// redirects are decided by check: each is refused with check's error, or
// followed (at most five) when check returns nil. The one mechanism by
// which the wallet's clients follow, or refuse, an issuer's or verifier's
// redirects.
func withRedirects(base *http.Client, check func(to *http.Request) error) *http.Client {
	hc := *http.DefaultClient
	if base != nil {
		hc = *base
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := check(req); err != nil {
			return err
		}
		if len(via) >= 5 {
			return fmt.Errorf("too many redirects (the last to %s)", redirectTarget(req))
		}
		return nil
	}
	return &hc
}

// redirectTarget is the URL a redirect goes to, without its password,
// short enough for an error.
func redirectTarget(req *http.Request) string {
	return TerminalText(req.URL.Redacted(), 200)
}

// readAnswer reads an answer's body, at most limit bytes: a longer one is
// refused as larger than the wallet reads (not cut short and then misread
// as broken JSON), and one that stops coming is said not to have arrived
// whole in time.
func readAnswer(body io.Reader, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, &holderError{msg: "the answer did not arrive whole in time", err: err}
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("the answer is larger than %s, more than the wallet reads", size(limit))
	}
	return raw, nil
}

// transportError is the error of a request that got no answer, err, in
// words a holder reads: a time-out is "no answer in time", not "context
// deadline exceeded (Client.Timeout…)". err stays in the chain (a
// *url.Error names the service, for a caller that gives a hint).
func transportError(err error) error {
	if !os.IsTimeout(err) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &holderError{msg: "no answer in time", err: err}
}

// holderError is an error whose text is msg, for a cause err whose own
// text is Go's.
type holderError struct {
	msg string
	err error
}

func (e *holderError) Error() string { return e.msg }
func (e *holderError) Unwrap() error { return e.err }

// size is n bytes as a person reads it: 8 MiB, 256 KiB.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
