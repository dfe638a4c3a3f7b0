package did

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDIDURL(t *testing.T) {
	cases := []struct {
		in   string
		want DIDURL
	}{
		{"did:example:123456789abcdefghi", DIDURL{DID: "did:example:123456789abcdefghi", Method: "example", ID: "123456789abcdefghi"}},
		{"did:web:example.com%3A3000:user:alice", DIDURL{DID: "did:web:example.com%3A3000:user:alice", Method: "web", ID: "example.com%3A3000:user:alice"}},
		{"did:a1:x", DIDURL{DID: "did:a1:x", Method: "a1", ID: "x"}},
		{"did:example::x", DIDURL{DID: "did:example::x", Method: "example", ID: ":x"}},
		{"did:example:a.b-c_d%20e", DIDURL{DID: "did:example:a.b-c_d%20e", Method: "example", ID: "a.b-c_d%20e"}},
		// DID Core 1.0 §3.2 examples.
		{"did:example:123#public-key-0", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Fragment: "public-key-0"}},
		{"did:example:123?versionId=1", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Query: "versionId=1"}},
		{"did:example:123/path/to/rsrc", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Path: "/path/to/rsrc"}},
		{"did:example:123?service=files&relativeRef=/resume.pdf", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Query: "service=files&relativeRef=/resume.pdf"}},
		{"did:example:123/a/b?q=1&r=?x#frag/with?chars", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Path: "/a/b", Query: "q=1&r=?x", Fragment: "frag/with?chars"}},
		{"did:example:123/", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Path: "/"}},
		{"did:example:123?", DIDURL{DID: "did:example:123", Method: "example", ID: "123"}},
		{"did:example:123#%7E", DIDURL{DID: "did:example:123", Method: "example", ID: "123", Fragment: "%7E"}},
		{"did:example:" + strings.Repeat("a", MaxDIDLength-len("did:example:")), DIDURL{DID: "did:example:" + strings.Repeat("a", MaxDIDLength-len("did:example:")), Method: "example", ID: strings.Repeat("a", MaxDIDLength-len("did:example:"))}},
	}
	for _, c := range cases {
		got, err := ParseDIDURL(c.in)
		if err != nil {
			t.Errorf("ParseDIDURL(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseDIDURL(%q) = %+v, want %+v", c.in, got, c.want)
		}
		again, err := ParseDIDURL(got.String())
		if err != nil || again != got {
			t.Errorf("ParseDIDURL(%q).String() = %q re-parses to %+v, %v", c.in, got.String(), again, err)
		}
	}
}

func TestParseDIDURLInvalid(t *testing.T) {
	for _, in := range []string{
		"",
		"did",
		"did:",
		"did::123",             // empty method
		"did:example",          // no method-specific id
		"did:example:",         // empty id
		"did:Example:123",      // uppercase method
		"did:EXAMPLE:123",      // uppercase method
		"did:ex-ample:123",     // '-' not a method-char
		"did:ex_ample:123",     // '_' not a method-char
		"DID:example:123",      // scheme is lowercase
		"urn:example:123",      // not a DID
		" did:example:123",     // leading space
		"did:example:123:",     // trailing colon
		"did:example:123::",    // trailing colons
		"did:example:12 3",     // space
		"did:example:ab~c",     // '~' is not an idchar
		"did:example:a@b",      // '@' is not an idchar
		"did:example:%",        // truncated pct-encoding
		"did:example:%4",       // truncated pct-encoding
		"did:example:%GG",      // bad hex
		"did:example:a%2",      // truncated at end
		"did:example:é",        // non-ASCII
		"did:example:123#",     // empty fragment
		"did:example:123#a#b",  // '#' in a fragment
		"did:example:123#a b",  // space in a fragment
		"did:example:123#%zz",  // bad pct-encoding in a fragment
		"did:example:123?a b",  // space in a query
		"did:example:123?%",    // bad pct-encoding in a query
		"did:example:123/a b",  // space in a path
		"did:example:123/%4",   // bad pct-encoding in a path
		"did:example:123/[x]",  // gen-delims are not pchar
		"did:example:123/a\\b", // backslash
		"did:example:/path",    // empty id before a path
		"did:example:#frag",    // empty id before a fragment
		"did:example:?q",       // empty id before a query
		"did:example:123\n",    // control character
		"did:example:" + strings.Repeat("a", MaxDIDLength), // overlong
	} {
		if u, err := ParseDIDURL(in); !errors.Is(err, ErrInvalidDID) {
			t.Errorf("ParseDIDURL(%q) = %+v, %v; want ErrInvalidDID", in, u, err)
		}
	}
}

func TestParseDID(t *testing.T) {
	for _, in := range []string{"did:example:123", "did:weid:1:0x0123456789abcdef", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"} {
		u, err := ParseDID(in)
		if err != nil || u.DID != in || u.String() != in {
			t.Errorf("ParseDID(%q) = %+v, %v", in, u, err)
		}
	}
	// A DID URL is not a bare DID.
	for _, in := range []string{"did:example:123#k", "did:example:123?v=1", "did:example:123/p", "did:example:123/", "did:Example:123", "did:example:"} {
		if u, err := ParseDID(in); !errors.Is(err, ErrInvalidDID) {
			t.Errorf("ParseDID(%q) = %+v, %v; want ErrInvalidDID", in, u, err)
		}
	}
	if ErrorCode(func() error { _, err := ParseDID("nope"); return err }()) != "invalidDid" {
		t.Error("ErrorCode of a syntax error is not invalidDid")
	}
}

func TestUnescapePathSegment(t *testing.T) {
	cases := []struct{ in, want string }{
		{"did%3Aweb%3Aexample.com", "did:web:example.com"},
		{"did%3aweb%3aexample.com%253A8443", "did:web:example.com%3A8443"},
		{"did:web:example.com", "did:web:example.com"},
		{"did:web:example.com%3A8443", "did:web:example.com%3A8443"}, // already a DID: left alone
	}
	for _, c := range cases {
		got, err := UnescapePathSegment(c.in)
		if err != nil || got != c.want {
			t.Errorf("UnescapePathSegment(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := UnescapePathSegment("did%3Aweb%3A%zz"); err == nil {
		t.Error("bad escape accepted")
	}
}
