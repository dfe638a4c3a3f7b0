package wallet

import (
	"strings"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/internal/strictjson"
)

// maxErrorDetail bounds the text of an answer kept in an error: a
// verifier's or issuer's error page says what went wrong in its first
// lines, and a wallet should not print a whole page.
const maxErrorDetail = 300

// answerError is the error of an answer of status with body raw that is
// not the protocol's OAuth error: the problem (RFC 9457) it carries, or
// the start of its text.
func answerError(status int, raw []byte) error {
	e := client.NewError(status, raw)
	if e.Code == "" {
		e.Detail = strictjson.Truncate(strings.TrimSpace(string(raw)), maxErrorDetail)
	}
	return e
}
