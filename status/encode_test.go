package status_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/weidgo/weid/status"
)

func TestEncodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{status.MinSize / 8, 3 * status.MinSize / 8, status.MaxSize / 8} {
		for _, fill := range []int{0, 1, 1000, min(n, 20000)} {
			bits := make([]byte, n)
			for range fill {
				bits[r.IntN(n)] |= 1 << r.IntN(8)
			}
			enc, err := status.EncodeList(bits)
			if err != nil {
				t.Fatal(err)
			}
			if enc[0] != 'u' {
				t.Fatalf("no multibase prefix: %.10s", enc)
			}
			again, _ := status.EncodeList(bits)
			if again != enc {
				t.Fatal("EncodeList is not deterministic")
			}
			dec, err := status.DecodeList(enc)
			if err != nil || !bytes.Equal(dec, bits) {
				t.Fatalf("round trip of %d bytes (%d set): %v", n, fill, err)
			}
		}
	}
}

// TestSpecExample decodes the encodedList of the examples of Bitstring
// Status List v1.0: an all-zero list of the minimum size.
func TestSpecExample(t *testing.T) {
	const example = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
	bits, err := status.DecodeList(example)
	if err != nil {
		t.Fatal(err)
	}
	if len(bits) != 16384 || !bytes.Equal(bits, make([]byte, 16384)) {
		t.Fatalf("%d bytes, not 16 KiB of zeros", len(bits))
	}
}

// TestBitOrder: index 0 is the left-most bit of the first byte.
func TestBitOrder(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	e.newList(t, a, "l", status.PurposeSuspension, 0)
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "l", Set: []uint64{0, 9, 131071}}))
	c, err := status.Credential(e.l, "l", "https://n.example/status-lists/l")
	if err != nil {
		t.Fatal(err)
	}
	bits, err := status.DecodeList(c["credentialSubject"].(map[string]any)["encodedList"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if bits[0] != 0x80 || bits[1] != 0x40 || bits[16383] != 0x01 {
		t.Fatalf("bits %08b %08b … %08b", bits[0], bits[1], bits[16383])
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestDecodeRefuses(t *testing.T) {
	ok := base64.RawURLEncoding.EncodeToString(gz(make([]byte, 16384)))
	for name, c := range map[string]struct {
		in   string
		code string
	}{
		"no prefix":    {ok, "status.invalidEncodedList"},
		"base58":       {"z" + ok, "status.invalidEncodedList"},
		"padding":      {"u" + base64.URLEncoding.EncodeToString(gz(make([]byte, 16384))), "status.invalidEncodedList"},
		"std base64":   {"u" + base64.RawStdEncoding.EncodeToString(gz(bytes.Repeat([]byte{0xfb, 0xff}, 8192))), "status.invalidEncodedList"},
		"line break":   {"u" + ok[:10] + "\n" + ok[10:], "status.invalidEncodedList"},
		"not gzip":     {"u" + base64.RawURLEncoding.EncodeToString(make([]byte, 16384)), "status.invalidEncodedList"},
		"truncated":    {"u" + ok[:len(ok)-6], "status.invalidEncodedList"},
		"too short":    {"u" + base64.RawURLEncoding.EncodeToString(gz(make([]byte, 16383))), "status.listTooShort"},
		"empty":        {"u", "status.invalidEncodedList"},
		"bomb":         {"u" + base64.RawURLEncoding.EncodeToString(gz(make([]byte, status.MaxDecodedBytes+1))), "status.listTooLarge"},
		"empty string": {"", "status.invalidEncodedList"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := status.DecodeList(c.in)
			wantErr(t, err, http.StatusBadRequest, c.code)
		})
	}
	// The largest list decodes.
	if b, err := status.DecodeList("u" + base64.RawURLEncoding.EncodeToString(gz(make([]byte, status.MaxDecodedBytes)))); err != nil || len(b) != status.MaxDecodedBytes {
		t.Fatalf("largest: %d %v", len(b), err)
	}
}
