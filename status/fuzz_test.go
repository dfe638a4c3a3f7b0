package status_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/errs"
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
