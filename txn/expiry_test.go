package txn

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

func TestParseValidUntil(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want Expiry
	}{
		{"1", Expiry{Height: 1}},
		{"9007199254740991", Expiry{Height: 9007199254740991}},
		{"2026-12-05T10:00:00Z", Expiry{Time: at}},
		{"2026-12-05T18:00:00.5+08:00", Expiry{Time: at.Add(500 * time.Millisecond)}},
	} {
		got, err := ParseValidUntil(tc.in)
		if err != nil || got.Height != tc.want.Height || !got.Time.Equal(tc.want.Time) {
			t.Errorf("ParseValidUntil(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "0", "01", "12345678901234567", "-1", "1.5", "1e3", "2026-12-05", "2026-12-05 10:00:00Z",
		"2026-12-05T10:00:00", "2026-13-05T10:00:00Z", "tomorrow", "2026-12-05T10:00:00Z\u00a0", strings.Repeat("1", 41)} {
		if _, err := ParseValidUntil(in); errs.Code(err) != "tx.malformed" {
			t.Errorf("ParseValidUntil(%q) = %v, want tx.malformed", in, err)
		}
	}
}

func TestExpiryCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		e      Expiry
		height uint64
		at     time.Time
		code   string
	}{
		{"none", Expiry{}, 5, now, ""},
		{"height not reached", Expiry{Height: 10}, 9, now, ""},
		{"height is the last", Expiry{Height: 10}, 10, now, ""},
		{"height passed", Expiry{Height: 10}, 11, now, "tx.expired"},
		{"height too far", Expiry{Height: 11 + MaxValidityBlocks}, 10, now, "tx.malformed"},
		{"height at the limit", Expiry{Height: 10 + MaxValidityBlocks}, 10, now, ""},
		{"time not reached", Expiry{Time: now.Add(time.Minute)}, 1, now, ""},
		{"time is the block's", Expiry{Time: now}, 1, now, ""},
		{"time passed", Expiry{Time: now.Add(-time.Nanosecond)}, 1, now, "tx.expired"},
		{"time too far", Expiry{Time: now.Add(MaxValidity + time.Second)}, 1, now, "tx.malformed"},
		{"time at the limit", Expiry{Time: now.Add(MaxValidity)}, 1, now, ""},
	} {
		err := tc.e.Check(tc.height, tc.at)
		if errs.Code(err) != tc.code {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
		}
		if e, ok := errs.As(err); ok && e.Status != 400 {
			t.Errorf("%s: status %d", tc.name, e.Status)
		}
	}
}

// TestValidUntil_Envelope: validUntil is signed, placed after "type" in the
// canonical form, read alike by both decoders, refused empty or malformed,
// and absent from a transaction that has none (whose bytes and hash are
// those it had before the member existed).
func TestValidUntil_Envelope(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	tx := &Tx{ChainID: "1", Type: "t.x", From: "did:weid:1:0x01#key-1", Nonce: 3, Payload: json.RawMessage(`{"a":1}`)}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	const old = `{"chainId":"1","from":"did:weid:1:0x01#key-1","nonce":3,"payload":{"a":1},"signature":"`
	if c := string(tx.Canonical()); !strings.HasPrefix(c, old) || !strings.HasSuffix(c, `","type":"t.x"}`) {
		t.Fatalf("canonical without validUntil: %s", c)
	}
	unlimited := tx.Hash()
	tx.ValidUntil = "2026-12-05T10:10:00Z"
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	if c := string(tx.Canonical()); !strings.HasSuffix(c, `"type":"t.x","validUntil":"2026-12-05T10:10:00Z"}`) {
		t.Fatalf("canonical with validUntil: %s", c)
	}
	msg, _ := tx.SigningBytes()
	if !k.Public().Verify(msg, mustB64(t, tx.Signature)) || !strings.Contains(string(msg), `"validUntil"`) {
		t.Fatal("validUntil is not signed")
	}
	if tx.Hash() == unlimited {
		t.Fatal("validUntil does not change the hash")
	}
	raw, _ := json.Marshal(tx)
	fast, ok := decodeTxFast(raw)
	if !ok || fast.ValidUntil != tx.ValidUntil || fast.Hash() != tx.Hash() {
		t.Fatalf("fast path: %+v %v", fast, ok)
	}
	spaced := strings.Replace(string(raw), `"validUntil":`, `"validUntil" :  `, 1)
	general, err := decodeTxGeneral([]byte(spaced))
	if err != nil || general.ValidUntil != tx.ValidUntil || general.Hash() != tx.Hash() {
		t.Fatalf("general path: %+v %v", general, err)
	}
	for _, bad := range []string{
		strings.Replace(string(raw), `"validUntil":"2026-12-05T10:10:00Z"`, `"validUntil":""`, 1),
		strings.Replace(string(raw), `"validUntil":"2026-12-05T10:10:00Z"`, `"validUntil":"soon"`, 1),
		strings.Replace(string(raw), `"validUntil":"2026-12-05T10:10:00Z"`, `"validUntil":1700`, 1),
		strings.Replace(string(raw), `"validUntil":"2026-12-05T10:10:00Z"`, `"validUntil":null`, 1),
		strings.Replace(string(raw), `"validUntil"`, `"ValidUntil"`, 1),
		strings.Replace(string(raw), `"validUntil":"2026-12-05T10:10:00Z"`, `"validUntil":"2026-12-05T10:10:00Z","validUntil":"1"`, 1),
	} {
		if _, ok := decodeTxFast([]byte(bad)); ok {
			t.Errorf("fast path accepts %s", bad)
		}
		if _, err := DecodeTx([]byte(bad)); errs.Code(err) != "tx.malformed" {
			t.Errorf("DecodeTx(%s) = %v, want tx.malformed", bad, err)
		}
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseValidUntil checks that ParseValidUntil never panics, that what
// it accepts is a height or a time (never both, never neither), and that
// an accepted validUntil is a string JSON never escapes, so the canonical
// form carries it byte for byte.
func FuzzParseValidUntil(f *testing.F) {
	for _, s := range []string{"1", "42", "9007199254740991", "09", "0", "2026-12-05T10:00:00Z", "2026-12-05T10:00:00.123456789+08:00",
		"2026-12-05t10:00:00z", "2026-02-30T10:00:00Z", "2026-12-05T24:00:00Z", "+2026-12-05T10:00:00Z", "", " 1", "1\n", "\u00b9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseValidUntil(s)
		if err != nil {
			if errs.Code(err) != "tx.malformed" {
				t.Fatalf("ParseValidUntil(%q): %v", s, err)
			}
			return
		}
		if (e.Height == 0) == e.Time.IsZero() {
			t.Fatalf("ParseValidUntil(%q) = %+v: not exactly one of height and time", s, e)
		}
		if e.Height != 0 && strconv.FormatUint(e.Height, 10) != s {
			t.Fatalf("height %q read as %d", s, e.Height)
		}
		if q, _ := json.Marshal(s); string(q) != `"`+s+`"` {
			t.Fatalf("validUntil %q is escaped in JSON: %s", s, q)
		}
		_ = e.Check(e.Height, e.Time)
	})
}
