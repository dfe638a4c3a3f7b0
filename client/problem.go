package client

import (
	"encoding/json"
	"strings"
)

// NewError returns the error of an HTTP answer of status with body raw: the
// problem it carries (RFC 9457), or, when it carries none, its text.
func NewError(status int, raw []byte) *Error {
	e := &Error{Status: status}
	if json.Unmarshal(raw, e) != nil || (e.Detail == "" && e.Code == "") {
		e.Detail = strings.TrimSpace(string(raw))
	}
	e.Status = status
	return e
}
