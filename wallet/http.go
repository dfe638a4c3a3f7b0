package wallet

import (
	"fmt"
	"net/http"
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
