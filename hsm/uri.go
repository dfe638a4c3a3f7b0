package hsm

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Config says which PKCS#11 module and token hold the node's keys, and how
// to log in.
type Config struct {
	// Module is the path of the PKCS#11 library (for SoftHSM2 on Debian,
	// /usr/lib/softhsm/libsofthsm2.so).
	Module string
	// Token is the label of the token (CKA_LABEL of its CK_TOKEN_INFO).
	Token string
	// Serial, if set, also selects the token by serial number, for modules
	// with several tokens of one label.
	Serial string
	// PINFile holds the user PIN (a trailing newline is ignored). PIN is
	// the PIN itself; give one of the two.
	PINFile string
	PIN     string
	// MaxSessions caps the sessions open at once (default 8): every
	// signature takes one for its duration.
	MaxSessions int
}

// IsZero reports whether no module is configured.
func (c Config) IsZero() bool {
	return c.Module == "" && c.Token == "" && c.PINFile == "" && c.PIN == ""
}

// ErrConfig reports an incomplete or malformed module configuration.
var ErrConfig = errors.New("PKCS#11")

// MaxURILength bounds a pkcs11: URI.
const MaxURILength = 4096

// ParseURI reads a PKCS#11 URI (RFC 7512) naming a token and how to reach
// it: the path attributes token, serial, manufacturer and model (the last
// two accepted and not matched), object, id and type (ignored here: the
// keystore names objects itself), slot-id (refused: slot numbers change
// between runs); the query attributes module-path, pin-source (a file path
// or file: URI) and pin-value. Vendor attributes (x-…) are ignored, others
// refused, so a misspelt attribute is not silently dropped.
func ParseURI(s string) (Config, error) {
	var c Config
	if len(s) > MaxURILength {
		return c, fmt.Errorf("%w: URI longer than %d bytes", ErrConfig, MaxURILength)
	}
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok {
		return c, fmt.Errorf("%w: a PKCS#11 URI starts with \"pkcs11:\"", ErrConfig)
	}
	path, query, _ := strings.Cut(rest, "?")
	if err := eachAttr(path, ";", c.setPathAttr); err != nil {
		return Config{}, err
	}
	if err := eachAttr(query, "&", c.setQueryAttr); err != nil {
		return Config{}, err
	}
	return c, nil
}

// setPathAttr takes a path attribute of a pkcs11: URI.
func (c *Config) setPathAttr(name, v string) error {
	switch {
	case name == "token":
		c.Token = v
	case name == "serial":
		c.Serial = v
	case name == "manufacturer", name == "model", name == "library-manufacturer", name == "library-description",
		name == "library-version", name == "object", name == "id", name == "type", strings.HasPrefix(name, "x-"):
	case name == "slot-id", name == "slot-description", name == "slot-manufacturer":
		return fmt.Errorf("%w: select the token by token= (and serial=), not by slot", ErrConfig)
	default:
		return fmt.Errorf("%w: unknown URI attribute %q", ErrConfig, clip(name))
	}
	return nil
}

// setQueryAttr takes a query attribute of a pkcs11: URI.
func (c *Config) setQueryAttr(name, v string) error {
	switch {
	case name == "module-path":
		c.Module = v
	case name == "pin-source":
		if strings.HasPrefix(v, "file:") {
			u, err := url.Parse(v)
			if err != nil || (u.Host != "" && u.Host != "localhost") {
				return fmt.Errorf("%w: pin-source %q is not a local file", ErrConfig, clip(v))
			}
			p := u.Path
			if p == "" {
				p = u.Opaque
			}
			v = p
		}
		c.PINFile = v
	case name == "pin-value":
		c.PIN = v
	case name == "module-name":
		return fmt.Errorf("%w: give the module's file with module-path, not module-name", ErrConfig)
	case strings.HasPrefix(name, "x-"):
	default:
		return fmt.Errorf("%w: unknown URI query attribute %q", ErrConfig, clip(name))
	}
	return nil
}

// eachAttr calls f with the name and percent-decoded value of each
// attribute of a pkcs11: URI's path (separated by ';') or query (by '&'),
// refusing one that is not name=value or is repeated.
func eachAttr(component, sep string, f func(name, v string) error) error {
	if component == "" {
		return nil
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(component, sep) {
		name, raw, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return fmt.Errorf("%w: URI attribute %q is not name=value", ErrConfig, clip(part))
		}
		if seen[name] {
			return fmt.Errorf("%w: URI attribute %q repeated", ErrConfig, clip(name))
		}
		seen[name] = true
		v, err := pctDecode(raw)
		if err != nil {
			return fmt.Errorf("%w: URI attribute %s: %v", ErrConfig, clip(name), err)
		}
		if err := f(name, v); err != nil {
			return err
		}
	}
	return nil
}

// pctDecode decodes RFC 3986 percent-encoding, strictly: every % starts
// two hex digits.
func pctDecode(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
			return "", errors.New("bad percent-encoding")
		}
		b.WriteByte(byte(unhex(s[i+1])<<4 | unhex(s[i+2])))
		i += 2
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// pctEncode encodes b for a URI attribute value: unreserved characters as
// they are, everything else %XX (RFC 7512 §2.3).
func pctEncode(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "%%%02X", c)
		}
	}
	return sb.String()
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// pin returns the user PIN: PIN, or PINFile's content without a trailing
// line break.
func (c Config) pin() (string, error) {
	switch {
	case c.PIN != "" && c.PINFile != "":
		return "", fmt.Errorf("%w: give the PIN or a PIN file, not both", ErrConfig)
	case c.PIN != "":
		return c.PIN, nil
	case c.PINFile == "":
		return "", fmt.Errorf("%w: no PIN: give a PIN file (--pkcs11-pin-file, or pin-source in the URI)", ErrConfig)
	}
	b, err := os.ReadFile(c.PINFile)
	if err != nil {
		return "", fmt.Errorf("%w: read the PIN file: %v", ErrConfig, err)
	}
	p := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if p == "" {
		return "", fmt.Errorf("%w: the PIN file %s is empty", ErrConfig, c.PINFile)
	}
	return p, nil
}

// objectRef names one key in a token: the pkcs11: URI the keystore records.
type objectRef struct {
	token string
	label string
	id    []byte
}

func (r objectRef) String() string {
	return "pkcs11:token=" + pctEncode([]byte(r.token)) + ";object=" + pctEncode([]byte(r.label)) + ";id=" + pctEncode(r.id) + ";type=private"
}

// parseObjectRef reads a URI written by objectRef.String (or by hand: the
// id, or else the object label, selects the key).
func parseObjectRef(s string) (objectRef, error) {
	var r objectRef
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok || len(s) > MaxURILength {
		return r, fmt.Errorf("%w: %q is not a PKCS#11 object URI", ErrConfig, clip(s))
	}
	path, _, _ := strings.Cut(rest, "?")
	for _, part := range strings.Split(path, ";") {
		name, raw, _ := strings.Cut(part, "=")
		v, err := pctDecode(raw)
		if err != nil {
			return r, fmt.Errorf("%w: object URI attribute %s: %v", ErrConfig, clip(name), err)
		}
		switch name {
		case "token":
			r.token = v
		case "object":
			r.label = v
		case "id":
			r.id = []byte(v)
		case "type":
			if v != "private" {
				return r, fmt.Errorf("%w: the object URI names a %q object, not a private key", ErrConfig, clip(v))
			}
		}
	}
	if len(r.id) == 0 && r.label == "" {
		return r, fmt.Errorf("%w: the object URI names no id or object", ErrConfig)
	}
	return r, nil
}
