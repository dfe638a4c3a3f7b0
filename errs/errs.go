// Package errs defines the error type every weid package returns for
// failures a caller must be told about: it carries a stable code (such as
// "tx.badSignature") and the HTTP status it maps to, so the server renders any
// of them as an RFC 9457 problem without switching on error values.
package errs

import (
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// Error is a failure with a stable code and an HTTP status.
type Error struct {
	Status int    // HTTP status, 4xx for the caller's mistakes
	Code   string // stable machine-readable code, "area.reason"
	Detail string // one human sentence naming what was wrong
	Err    error  // optional cause
}

func (e *Error) Error() string {
	if e.Err != nil && e.Detail == "" {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the given status, code and formatted detail.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Detail: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the given status and code whose detail is err's text.
func Wrap(status int, code string, err error) *Error {
	return &Error{Status: status, Code: code, Detail: err.Error(), Err: err}
}

// BadRequest returns a 400 error.
func BadRequest(code, format string, args ...any) *Error {
	return New(http.StatusBadRequest, code, format, args...)
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Code returns the stable code of err, or "" if it has none.
func Code(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return ""
}

// Truncate shortens s, a value quoted in an error's detail, to at most n
// bytes, cut on a rune boundary and marked with "…".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
