package status_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/status"
)

// FuzzDecodeList: DecodeList never panics, refuses only with 400
// *errs.Errors, returns a bitstring within bounds, and what it accepts
// re-encodes to a list that decodes to the same bits.
func FuzzDecodeList(f *testing.F) {
	f.Add("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
	f.Add("u" + base64.RawURLEncoding.EncodeToString(gz(make([]byte, 16384))))
	f.Add("u" + base64.RawURLEncoding.EncodeToString(append(gz(make([]byte, 8192)), gz(make([]byte, 8192))...)))
	f.Add("u" + base64.RawURLEncoding.EncodeToString(gz(bytes.Repeat([]byte{0xff}, 16384))))
	f.Add("uH4sI")
	f.Add("z123")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		bits, err := status.DecodeList(s)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != 400 {
				t.Fatalf("DecodeList: %v", err)
			}
			return
		}
		if len(bits) < status.MinDecodedBytes || len(bits) > status.MaxDecodedBytes {
			t.Fatalf("%d bytes", len(bits))
		}
		enc, err := status.EncodeList(bits)
		if err != nil {
			t.Fatal(err)
		}
		again, err := status.DecodeList(enc)
		if err != nil || !bytes.Equal(again, bits) {
			t.Fatalf("re-encoding does not round-trip: %v", err)
		}
	})
}

// FuzzParseEntry: ParseEntry never panics on any JSON object, refuses only
// with 400 *errs.Errors, and what it accepts is consistent.
func FuzzParseEntry(f *testing.F) {
	for _, s := range []string{
		`{"id":"https://n.example/status-lists/a#5","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"5","statusListCredential":"https://n.example/status-lists/a"}`,
		`{"type":["BitstringStatusListEntry"],"statusPurpose":"message","statusListIndex":"0","statusListCredential":"https://x.example/s/1","statusSize":2,"statusMessage":[{"status":"0x0","message":"ok"}]}`,
		`{"type":"BitstringStatusListEntry","statusPurpose":"suspension","statusListIndex":"0001","statusListCredential":"https://n.example/status-lists/%2e%2e"}`,
		`{"type":"BitstringStatusListEntry","statusPurpose":"suspension","statusListIndex":"99999999999999999999","statusListCredential":"http://[::1]/status-lists/a"}`,
		`{"type":7}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			return
		}
		p, err := status.ParseEntry(m)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != 400 {
				t.Fatalf("ParseEntry: %v", err)
			}
			return
		}
		if p.Purpose == "" || p.StatusSize == 0 || p.Credential == "" {
			t.Fatalf("accepted %+v", p)
		}
		if p.List != "" && !status.ValidID(p.List) {
			t.Fatalf("list id %q", p.List)
		}
		if id, ok := status.ListIDFromURL(p.Credential); ok != (p.List != "") || id != p.List {
			t.Fatalf("ListIDFromURL(%q) = %q %v, entry says %q", p.Credential, id, ok, p.List)
		}
	})
}

// FuzzParseToken: ParseToken never panics on a signed token of any "typ"
// and any claims (nor on the raw text as a token), refuses only with 400
// *errs.Errors, and what it accepts reads within its bounds.
func FuzzParseToken(f *testing.F) {
	lst := zlibB64(make([]byte, 16))
	for _, s := range []string{
		`{"sub":"https://n.example/status-lists/a/token","iat":1700000000,"exp":1800000000,"ttl":300,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`,
		`{"sub":"https://n.example/status-lists/a/token","iat":1700000000,"status_list":{"bits":2,"lst":"eNo76fITAAPfAgc"}}`,
		`{"sub":"x","iat":1,"status_list":{"bits":8,"lst":"` + lst + `"}}`,
		`{"sub":"x","iat":1,"status_list":{"bits":1,"lst":"` + lst[:len(lst)-3] + `"}}`,
		`{"sub":"x","iat":1,"ttl":-1,"status_list":{"bits":4,"lst":""}}`,
		`{}`,
	} {
		f.Add(status.TokenType, []byte(s))
	}
	f.Add("JWT", []byte(`{"sub":"x","iat":1,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`))
	k := keytest.New(f, keys.Ed25519)
	f.Fuzz(func(t *testing.T, typ string, claims []byte) {
		check := func(tok string) {
			p, err := status.ParseToken(tok)
			if err != nil {
				if e, ok := errs.As(err); !ok || e.Status != 400 {
					t.Fatalf("ParseToken: %v", err)
				}
				return
			}
			if p.Subject == "" || len(p.List) == 0 || p.Bits != 1 && p.Bits != 2 && p.Bits != 4 && p.Bits != 8 || p.TTL < 0 {
				t.Fatalf("accepted %+v", p)
			}
			if _, err := p.Status(p.Size() - 1); err != nil {
				t.Fatalf("last status: %v", err)
			}
			if _, err := p.Status(p.Size()); err == nil {
				t.Fatal("a status past the end")
			}
		}
		check(string(claims))
		if tok, err := jose.Sign(k, jose.Header{Typ: typ, Kid: "did:example:1#k"}, claims); err == nil {
			check(tok)
		}
	})
}
