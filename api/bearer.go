package api

import (
	"fmt"
	"net/http"
	"strings"
)

// BearerToken returns the token of the Authorization: Bearer field of the
// request header h (RFC 6750 §2.1), "" when it has none or one of another
// scheme; the scheme is matched in any case (RFC 9110 §11.1: "It uses a
// case-insensitive token"). Two Authorization fields are an error, which
// the node's API answers 400 request.malformed and the OAuth endpoints
// invalid_request (RFC 6750 §3.1, a request that "repeats the same
// parameter"): of two tokens one would silently win.
func BearerToken(h http.Header) (string, error) {
	vs := h.Values("Authorization")
	if len(vs) > 1 {
		return "", fmt.Errorf("the Authorization header is given %d times: send one, Authorization: Bearer <token>", len(vs))
	}
	scheme, tok, _ := strings.Cut(strings.TrimSpace(strings.Join(vs, "")), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", nil
	}
	return strings.TrimSpace(tok), nil
}
