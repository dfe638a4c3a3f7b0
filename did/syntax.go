package did

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxDIDLength bounds every DID and DID URL weid accepts.
const MaxDIDLength = 2048

// ErrInvalidDID reports a string that is not a valid DID or DID URL.
var ErrInvalidDID = errors.New("invalid DID")

// DIDURL is a parsed DID URL (DID Core 1.0 §3.2): a DID with an optional
// path, query and fragment.
type DIDURL struct {
	DID      string // did:method:method-specific-id
	Method   string
	ID       string // the method-specific id
	Path     string // with its leading '/', or ""
	Query    string // without '?', or ""
	Fragment string // without '#', or ""
}

// String returns the DID URL.
func (u DIDURL) String() string {
	s := u.DID + u.Path
	if u.Query != "" {
		s += "?" + u.Query
	}
	if u.Fragment != "" {
		s += "#" + u.Fragment
	}
	return s
}

// ParseDID parses a bare DID (DID Core 1.0 §3.1): "did:" method-name ":"
// method-specific-id, where method-name is [a-z0-9]+ and the id is made of
// idchar (ALPHA / DIGIT / "." / "-" / "_" / pct-encoded) separated by ':',
// with a non-empty last segment.
func ParseDID(s string) (DIDURL, error) {
	u, err := ParseDIDURL(s)
	if err != nil {
		return DIDURL{}, err
	}
	if u.Path != "" || u.Query != "" || u.Fragment != "" {
		return DIDURL{}, fmt.Errorf("%w: %q is a DID URL, want a bare DID", ErrInvalidDID, s)
	}
	return u, nil
}

// ParseDIDURL parses a DID URL (DID Core 1.0 §3.2).
func ParseDIDURL(s string) (DIDURL, error) {
	if len(s) > MaxDIDLength {
		return DIDURL{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidDID, MaxDIDLength)
	}
	if !strings.HasPrefix(s, "did:") {
		return DIDURL{}, fmt.Errorf("%w: %q does not start with \"did:\"", ErrInvalidDID, s)
	}
	rest := s[4:]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return DIDURL{}, fmt.Errorf("%w: %q has no method name", ErrInvalidDID, s)
	}
	method := rest[:i]
	for _, c := range []byte(method) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return DIDURL{}, fmt.Errorf("%w: method name %q must be lowercase letters and digits", ErrInvalidDID, method)
		}
	}
	rest = rest[i+1:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	id := rest[:end]
	if err := checkMethodSpecificID(id); err != nil {
		return DIDURL{}, fmt.Errorf("%w: %q: %v", ErrInvalidDID, s, err)
	}
	u := DIDURL{DID: "did:" + method + ":" + id, Method: method, ID: id}
	tail := rest[end:]
	if j := strings.IndexByte(tail, '#'); j >= 0 {
		u.Fragment = tail[j+1:]
		tail = tail[:j]
		if u.Fragment == "" || !validURIPart(u.Fragment, "/?") {
			return DIDURL{}, fmt.Errorf("%w: %q has an invalid fragment", ErrInvalidDID, s)
		}
	}
	if j := strings.IndexByte(tail, '?'); j >= 0 {
		u.Query = tail[j+1:]
		tail = tail[:j]
		if !validURIPart(u.Query, "/?") {
			return DIDURL{}, fmt.Errorf("%w: %q has an invalid query", ErrInvalidDID, s)
		}
	}
	u.Path = tail
	if u.Path != "" && !validURIPart(u.Path, "/") {
		return DIDURL{}, fmt.Errorf("%w: %q has an invalid path", ErrInvalidDID, s)
	}
	return u, nil
}

func checkMethodSpecificID(id string) error {
	if id == "" {
		return errors.New("empty method-specific id")
	}
	if strings.HasSuffix(id, ":") {
		return errors.New("method-specific id ends with ':'")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_', c == ':':
		case c == '%':
			if i+2 >= len(id) || !isHex(id[i+1]) || !isHex(id[i+2]) {
				return errors.New("bad percent-encoding")
			}
			i += 2
		default:
			return fmt.Errorf("character %q not allowed in a method-specific id", c)
		}
	}
	return nil
}

// validURIPart checks RFC 3986 pchar plus the extra characters allowed.
func validURIPart(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0, strings.IndexByte(extra, c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// UnescapePathSegment undoes the percent-encoding of a DID or DID URL that
// arrived in one path segment (DID Resolution §8: "did%3Aweid%3A...").
func UnescapePathSegment(seg string) (string, error) {
	if strings.HasPrefix(seg, "did%3A") || strings.HasPrefix(seg, "did%3a") {
		return url.PathUnescape(seg)
	}
	return seg, nil
}
