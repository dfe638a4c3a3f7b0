package status_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/status"
)

// The examples of draft-ietf-oauth-status-list-17 §4.1: statuses
// 1,0,0,1,1,1,0,1, 1,1,0,0,0,1,0,1 in 1 bit are the bytes B9 A3 and "lst"
// eNrbuRgAAhcBXQ; statuses 1,2,0,3, 0,1,0,1, 1,2,3,3 in 2 bits are C9 44
// F9 and "lst" eNo76fITAAPfAgc.
func TestTokenList_DraftExamples(t *testing.T) {
	for _, tc := range []struct {
		lst      string
		bits     int
		bytes    []byte
		statuses []byte
	}{
		{"eNrbuRgAAhcBXQ", 1, []byte{0xb9, 0xa3}, []byte{1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1}},
		{"eNo76fITAAPfAgc", 2, []byte{0xc9, 0x44, 0xf9}, []byte{1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3}},
	} {
		got, err := status.DecodeTokenList(tc.lst)
		if err != nil || !bytes.Equal(got, tc.bytes) {
			t.Fatalf("DecodeTokenList(%s) = %x, %v; want %x", tc.lst, got, err, tc.bytes)
		}
		tok := &status.Token{Bits: tc.bits, List: got}
		for i, want := range tc.statuses {
			if s, err := tok.Status(uint64(i)); err != nil || s != want {
				t.Fatalf("bits %d: status %d = %d, %v; want %d", tc.bits, i, s, err, want)
			}
		}
		enc, err := status.EncodeTokenList(tc.bytes)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := status.DecodeTokenList(enc); err != nil || !bytes.Equal(again, tc.bytes) {
			t.Fatalf("round trip of %x: %x %v", tc.bytes, again, err)
		}
	}
	// The ledger's bits of the first example (most significant bit first)
	// re-encode to the draft's bytes.
	if got := status.TokenList(status.PurposeRevocation, []byte{0x9d, 0xc5}); !bytes.Equal(got, []byte{0xb9, 0xa3}) {
		t.Fatalf("revocation list: %x", got)
	}
	// A suspension list's set bits are 0x02 SUSPENDED in 2 bits.
	got := status.TokenList(status.PurposeSuspension, []byte{0x80, 0x01})
	tok := &status.Token{Bits: 2, List: got}
	for i := range 16 {
		want := byte(status.TokenValid)
		if i == 0 || i == 15 {
			want = status.TokenSuspended
		}
		if s, _ := tok.Status(uint64(i)); s != want {
			t.Fatalf("suspension list %x: status %d = %d, want %d", got, i, s, want)
		}
	}
}

// signToken signs claims as a Status List Token of type typ.
func signToken(t *testing.T, k *keys.PrivateKey, typ string, claims any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jose.Sign(k, jose.Header{Typ: typ, Kid: "did:example:1#k"}, b)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// zlibB64 is the "lst" of the Status List b (EncodeTokenList cannot fail:
// it writes to memory).
func zlibB64(b []byte) string {
	lst, _ := status.EncodeTokenList(b)
	return lst
}

func TestTokenPayload_SameBitsAsTheLedger(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	e.newList(t, a, "rev-1", status.PurposeRevocation, 0)
	e.newList(t, a, "sus-1", status.PurposeSuspension, 0)
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "rev-1", Set: []uint64{0, 7, 8, 99999, status.MinSize - 1}}))
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "sus-1", Set: []uint64{3, 4000}}))
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"rev-1", "sus-1"} {
		uri := status.TokenURL("https://node.example/", id)
		if uri != "https://node.example/status-lists/"+id+"/token" {
			t.Fatal(uri)
		}
		if got, ok := status.ListIDFromTokenURL(uri); !ok || got != id {
			t.Fatalf("ListIDFromTokenURL(%s) = %s %v", uri, got, ok)
		}
		payload, l, err := status.TokenPayload(e.l, id, uri, now)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := status.ParseToken(signToken(t, a.Key, status.TokenType, json.RawMessage(payload)))
		if err != nil {
			t.Fatal(err)
		}
		if tok.Subject != uri || tok.Issuer != a.DID || !tok.IssuedAt.Equal(now) || !tok.Expires.Equal(now.Add(status.TokenLifetime)) || tok.TTL != status.TokenTTL {
			t.Fatalf("claims: %+v", tok)
		}
		if tok.Bits != status.TokenBits(l.Purpose) || tok.Size() != l.Size {
			t.Fatalf("%s: bits %d, size %d; want %d, %d", id, tok.Bits, tok.Size(), status.TokenBits(l.Purpose), l.Size)
		}
		for _, i := range []uint64{0, 1, 3, 7, 8, 9, 4000, 99999, status.MinSize - 1} {
			set, err := status.Bit(e.l, id, i)
			if err != nil {
				t.Fatal(err)
			}
			want := byte(status.TokenValid)
			if set && l.Purpose == status.PurposeRevocation {
				want = status.TokenInvalid
			} else if set {
				want = status.TokenSuspended
			}
			if got, err := tok.Status(i); err != nil || got != want {
				t.Fatalf("%s index %d: %d %v, want %d", id, i, got, err, want)
			}
		}
		_, err = tok.Status(l.Size)
		wantErr(t, err, http.StatusBadRequest, "status.indexOutOfRange")
	}
	for _, bad := range []string{"https://node.example/status-lists/rev-1", "https://node.example/status-lists/sus-1/token", "https://node.example/status-lists/rev-1/token?x"} {
		_, _, err := status.TokenPayload(e.l, "rev-1", bad, now)
		wantErr(t, err, http.StatusBadRequest, "status.invalidUrl")
	}
	_, _, err := status.TokenPayload(e.l, "nope", status.TokenURL("https://n.example", "nope"), now)
	wantErr(t, err, http.StatusNotFound, "status.notFound")
}

func TestParseToken_BadInputSaysWhat(t *testing.T) {
	k := keytest.New(t, keys.Ed25519)
	list := zlibB64(make([]byte, 16))
	good := func() map[string]any {
		return map[string]any{"sub": "https://n.example/status-lists/a/token", "iat": 1700000000, "exp": 1800000000, "ttl": 300, "status_list": map[string]any{"bits": 1, "lst": list}}
	}
	with := func(k string, v any) map[string]any {
		m := good()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	if _, err := status.ParseToken(signToken(t, k, status.TokenType, good())); err != nil {
		t.Fatalf("good token: %v", err)
	}
	if _, err := status.ParseToken(signToken(t, k, status.MediaToken, good())); err != nil {
		t.Fatalf("typ %s: %v", status.MediaToken, err)
	}
	raw := zlibB64(make([]byte, 16))
	cases := []struct {
		name, token, want string
	}{
		{"not a JWS", "abc", "malformed JWS"},
		{"wrong typ", signToken(t, k, "JWT", good()), `"typ" must be "statuslist+jwt"`},
		{"no typ", signToken(t, k, "", good()), `no "typ"`},
		{"claims not an object", signToken(t, k, status.TokenType, []int{1}), "not a JSON object"},
		{"no sub", signToken(t, k, status.TokenType, with("sub", nil)), `"sub"`},
		{"no iat", signToken(t, k, status.TokenType, with("iat", nil)), `"iat" is required`},
		{"string iat", signToken(t, k, status.TokenType, with("iat", "1700000000")), `"iat" must be a number`},
		{"fractional exp", signToken(t, k, status.TokenType, with("exp", 1.5)), `"exp" must be a whole number`},
		{"zero ttl", signToken(t, k, status.TokenType, with("ttl", 0)), `"ttl" must be a positive`},
		{"no status_list", signToken(t, k, status.TokenType, with("status_list", nil)), `"status_list" must be an object`},
		{"bits 3", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 3, "lst": list})), `must be 1, 2, 4 or 8, not 3`},
		{"no lst", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 1})), `"status_list.lst" must be a string`},
		{"lst not base64url", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 1, "lst": "a+b/"})), "not base64url"},
		{"lst padded", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 1, "lst": raw + "=="})), "without padding"},
		{"lst gzip not zlib", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 1, "lst": base64.RawURLEncoding.EncodeToString(gz(make([]byte, 16)))})), "not ZLIB"},
		{"lst truncated zlib", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 1, "lst": raw[:len(raw)-4]})), "corrupt ZLIB"},
		{"empty list", signToken(t, k, status.TokenType, with("status_list", map[string]any{"bits": 1, "lst": zlibB64(nil)})), "empty"},
	}
	for _, tc := range cases {
		_, err := status.ParseToken(tc.token)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
			continue
		}
		wantErr(t, err, http.StatusBadRequest, "status.invalidToken")
	}
}

func TestParseReference(t *testing.T) {
	dec := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	r, err := status.ParseReference(dec(`{"status_list":{"idx":12,"uri":"https://n.example/status-lists/a/token"},"other":1}`))
	if err != nil || r.Index != 12 || r.URI != "https://n.example/status-lists/a/token" {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := status.ParseReference(dec(`{"identifier_list":{}}`)); err != status.ErrNoStatusList {
		t.Fatalf("another mechanism: %v", err)
	}
	for _, bad := range []string{`1`, `{"status_list":1}`, `{"status_list":{"uri":"https://n.example/x"}}`, `{"status_list":{"idx":-1,"uri":"https://n.example/x"}}`,
		`{"status_list":{"idx":1.5,"uri":"https://n.example/x"}}`, `{"status_list":{"idx":"1","uri":"https://n.example/x"}}`, `{"status_list":{"idx":1}}`, `{"status_list":{"idx":1,"uri":"/relative"}}`} {
		_, err := status.ParseReference(dec(bad))
		wantErr(t, err, http.StatusBadRequest, "status.invalidReference")
	}
}
