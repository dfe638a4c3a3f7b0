package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/txn"
)

// jsonGen writes random JSON text, in non-canonical but valid forms: random
// whitespace, escapes where none are needed, numbers in every notation.
type jsonGen struct {
	r *rand.Rand
}

// runePalette mixes characters JSON must escape, characters encoding/json
// escapes by default ('<', '>', '&', U+2028, U+2029), non-ASCII in every
// UTF-8 length, and characters whose UTF-16 order differs from their code
// point order (U+FFFD sorts after U+1F600 in code points, before it in UTF-16).
var runePalette = []rune{
	'a', 'b', 'z', 'A', 'Z', '0', '9', ' ', '_', '-', '.',
	'<', '>', '&', '"', '\\', '/', '\'',
	0x00, 0x01, '\b', '\t', '\n', '\f', '\r', 0x1f, 0x7f, 0x80,
	'é', 'ß', 'Ω', '€', '中', '文', 0x2028, 0x2029, 0xfeff, 0xfffd, 0xe000, 0xffff,
	0x10000, 0x1f600, 0x1f4a9, 0x10ffff,
}

var numberForms = []string{
	"0", "-0", "1", "-1", "10", "1e21", "1E21", "1e+21", "1e20", "100000000000000000000",
	"1000000000000000000000", "123456789012345678901234567890", "9007199254740991",
	"9007199254740993", "0.1", "1.0", "1.50", "-0.0", "1e-7", "0.000001", "1e-6", "2.5E-3",
	"1.5e300", "5e-324", "1.7976931348623157e308", "4.35", "0.30000000000000004", "333333333.3333333",
	"1e0", "0e10", "-1.25e-10",
}

func (g *jsonGen) ws() string {
	switch g.r.IntN(6) {
	case 0:
		return " "
	case 1:
		return "\n\t "
	case 2:
		return "\r\n"
	}
	return ""
}

// str returns a random decoded string.
func (g *jsonGen) str(maxLen int) string {
	var b strings.Builder
	for n := g.r.IntN(maxLen + 1); n > 0; n-- {
		b.WriteRune(runePalette[g.r.IntN(len(runePalette))])
	}
	return b.String()
}

// quote encodes s as a JSON string, choosing at random among the valid
// encodings of each character.
func (g *jsonGen) quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		escape := g.r.IntN(4) == 0
		switch {
		case c == '"' || c == '\\' || c < 0x20:
			escape = true
		}
		if !escape {
			b.WriteRune(c)
			continue
		}
		short := map[rune]string{'"': `\"`, '\\': `\\`, '/': `\/`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}
		if e, ok := short[c]; ok && g.r.IntN(2) == 0 {
			b.WriteString(e)
			continue
		}
		hexFmt := `\u%04x`
		if g.r.IntN(2) == 0 {
			hexFmt = `\u%04X`
		}
		if c >= 0x10000 {
			r1, r2 := utf16.EncodeRune(c)
			fmt.Fprintf(&b, hexFmt+hexFmt, r1, r2)
		} else {
			fmt.Fprintf(&b, hexFmt, c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (g *jsonGen) number() string {
	switch g.r.IntN(4) {
	case 0:
		return strconv.FormatInt(g.r.Int64()>>g.r.IntN(64), 10)
	case 1:
		f := g.r.NormFloat64() * float64(int64(1)<<g.r.IntN(80))
		return strconv.FormatFloat(f, "eEfg"[g.r.IntN(4)], -1, 64)
	}
	return numberForms[g.r.IntN(len(numberForms))]
}

func (g *jsonGen) value(depth int) string {
	k := g.r.IntN(10)
	if depth <= 0 && k >= 7 {
		k = g.r.IntN(7)
	}
	switch k {
	case 0, 1:
		return g.quote(g.str(8))
	case 2, 3:
		return g.number()
	case 4:
		return "true"
	case 5:
		return "false"
	case 6:
		return "null"
	case 7:
		var parts []string
		for n := g.r.IntN(4); n > 0; n-- {
			parts = append(parts, g.ws()+g.value(depth-1)+g.ws())
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return g.object(depth - 1)
}

func (g *jsonGen) object(depth int) string {
	seen := map[string]bool{}
	var parts []string
	for n := g.r.IntN(6); n > 0; n-- {
		k := g.str(4)
		if seen[k] {
			continue // JCS refuses duplicate names
		}
		seen[k] = true
		parts = append(parts, g.ws()+g.quote(k)+g.ws()+":"+g.ws()+g.value(depth)+g.ws())
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (g *jsonGen) ascii(charset string, minLen, maxLen int) string {
	b := make([]byte, minLen+g.r.IntN(maxLen-minLen+1))
	for i := range b {
		b[i] = charset[g.r.IntN(len(charset))]
	}
	return string(b)
}

const (
	alnum      = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	idChars    = alnum + "._-"
	fromChars  = alnum + "-._~!$&'()*+,;=:@/?#%"
	b64urlChar = alnum + "-_"
)

func (g *jsonGen) nonce() uint64 {
	switch g.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return MaxNonce
	}
	return g.r.Uint64N(MaxNonce + 1)
}

// rawTx writes tx as received JSON text, members in random order, strings
// escaped at random, payload as given.
func (g *jsonGen) rawTx(tx *Tx, payload string) []byte {
	members := []string{
		g.quote("chainId") + ":" + g.ws() + g.quote(tx.ChainID),
		g.quote("type") + ":" + g.quote(tx.Type),
		g.quote("from") + ":" + g.quote(tx.From),
		g.quote("nonce") + ":" + g.ws() + strconv.FormatUint(tx.Nonce, 10),
		g.quote("payload") + ":" + payload,
		g.quote("signature") + ":" + g.quote(tx.Signature),
	}
	if tx.ValidUntil != "" {
		members = append(members, g.quote("validUntil")+":"+g.ws()+g.quote(tx.ValidUntil))
	}
	g.r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	return []byte(g.ws() + "{" + g.ws() + strings.Join(members, ","+g.ws()) + "}" + g.ws())
}

func jcsOf(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		t.Fatalf("jcs.Transform(%s): %v", raw, err)
	}
	return c
}

// TestCanonicalEqualsJCS is a differential test of the hand-assembled
// canonical form against jcs.Transform of encoding/json's output, for the
// signed and the unsigned (signing bytes) form, and of DecodeTx against
// jcs.Transform of the transaction exactly as received.
func TestCanonicalEqualsJCS(t *testing.T) {
	t.Parallel()
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	g := &jsonGen{r: rand.New(rand.NewPCG(seed, 1))}
	signers := []*keys.PrivateKey{}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		k := keytest.New(t, typ)
		signers = append(signers, k)
	}
	for i := range 1000 {
		payload := g.object(3)
		tx := &Tx{
			ChainID: g.ascii(idChars, 1, 64),
			Type:    g.ascii(idChars, 1, 64),
			From:    g.ascii(fromChars, 1, 80),
			Nonce:   g.nonce(),
			Payload: json.RawMessage(payload),
		}
		// validUntil, optional, sorts after "type" and is absent when empty.
		switch i % 3 {
		case 1:
			tx.ValidUntil = strconv.FormatUint(1+g.r.Uint64N(txn.MaxNonce), 10)
		case 2:
			tx.ValidUntil = time.Unix(int64(g.r.Uint64N(1<<33)), int64(g.r.Uint64N(1e9))).In(time.FixedZone("", 60*(int(g.r.Uint64N(1500))-750))).Format(time.RFC3339Nano)
		}
		if i%2 == 0 {
			if err := tx.Sign(signers[i%len(signers)]); err != nil {
				t.Fatalf("Sign (payload %s): %v", payload, err)
			}
		} else {
			canon, err := txn.CanonicalPayload(tx.Payload)
			if err != nil {
				t.Fatalf("txn.CanonicalPayload(%s): %v", payload, err)
			}
			tx.Payload = canon
			tx.Signature = g.ascii(b64urlChar, 1, 90)
		}
		if want, _ := jcs.Transform([]byte(payload)); !bytes.Equal(tx.Payload, want) {
			t.Fatalf("payload %s: canonical %s, jcs %s", payload, tx.Payload, want)
		}

		if got, want := tx.Canonical(), jcsOf(t, tx); !bytes.Equal(got, want) {
			t.Fatalf("tx %d: Canonical()\n%s\njcs.Transform(json.Marshal(tx))\n%s", i, got, want)
		}
		unsigned := *tx
		unsigned.Signature = ""
		msg, err := tx.SigningBytes()
		if err != nil {
			t.Fatal(err)
		}
		if want := jcsOf(t, &unsigned); !bytes.Equal(msg, want) {
			t.Fatalf("tx %d: signing bytes\n%s\njcs.Transform(json.Marshal(tx without signature))\n%s", i, msg, want)
		}
		sum := sha256.Sum256(tx.Canonical())
		if tx.Hash() != hex.EncodeToString(sum[:]) {
			t.Fatalf("tx %d: Hash is not SHA-256 of Canonical", i)
		}

		// As received: members in any order, strings escaped, payload as written.
		raw := g.rawTx(tx, g.ws()+payload+g.ws())
		dec, err := DecodeTx(raw)
		if err != nil {
			t.Fatalf("DecodeTx(%s): %v", raw, err)
		}
		want, err := jcs.Transform(raw)
		if err != nil {
			t.Fatalf("jcs.Transform(%s): %v", raw, err)
		}
		if got := dec.Canonical(); !bytes.Equal(got, want) {
			t.Fatalf("DecodeTx(%s).Canonical()\n%s\njcs.Transform of the received bytes\n%s", raw, got, want)
		}
		if dec.Hash() != tx.Hash() {
			t.Fatalf("tx %d: hash %s after decoding, %s before", i, dec.Hash(), tx.Hash())
		}
	}
}

// TestCanonicalSpecialPayloads pins the canonical payload of inputs that
// encoding/json and RFC 8785 treat differently.
func TestCanonicalSpecialPayloads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"html characters stay raw", `{"a":"<b>&amp;</b>"}`, `{"a":"<b>&amp;</b>"}`},
		{"escaped html characters are unescaped", `{"a":"\u003c\u003e\u0026"}`, `{"a":"<>&"}`},
		{"line separators stay raw", `{"a":"\u2028\u2029"}`, "{\"a\":\"\u2028\u2029\"}"},
		{"control characters use short or lowercase escapes", `{"a":"\u0008\u000C\u001F\u007f"}`, "{\"a\":\"\\b\\f\\u001f\x7f\"}"},
		{"solidus is unescaped", `{"a":"\/"}`, `{"a":"/"}`},
		{"surrogate pair becomes UTF-8", `{"a":"\uD83D\uDE00"}`, "{\"a\":\"\U0001F600\"}"},
		{"1e21 uses an exponent", `{"n":1e21}`, `{"n":1e+21}`},
		{"1e20 does not", `{"n":1E20}`, `{"n":100000000000000000000}`},
		{"small numbers", `{"n":[0.000001,1e-7,-0,1.0,5e-324]}`, `{"n":[0.000001,1e-7,0,1,5e-324]}`},
		{"large integers round to doubles", `{"n":9007199254740993}`, `{"n":9007199254740992}`},
		{"members sort by UTF-16 code units", "{\"\uFFFD\":1,\"\U0001F600\":2,\"a\":3,\"\u00e9\":4}", "{\"a\":3,\"\u00e9\":4,\"\U0001F600\":2,\"\uFFFD\":1}"},
		{"nested objects sort too", `{ "b" : { "d" : [ {"z":1, "y":2} ], "c":null }, "a":true }`, `{"a":true,"b":{"c":null,"d":[{"y":2,"z":1}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := txn.CanonicalPayload(json.RawMessage(tt.in))
			if err != nil {
				t.Fatalf("txn.CanonicalPayload(%s): %v", tt.in, err)
			}
			if string(got) != tt.want {
				t.Fatalf("txn.CanonicalPayload(%s) = %s, want %s", tt.in, got, tt.want)
			}
			// And the whole transaction still matches jcs.Transform(json.Marshal).
			tx := &Tx{ChainID: "c", Type: "t", From: "did:x:y#&k", Nonce: 7, Payload: got, Signature: "AA"}
			if c, w := tx.Canonical(), jcsOf(t, tx); !bytes.Equal(c, w) {
				t.Fatalf("Canonical %s, jcs %s", c, w)
			}
		})
	}
}

// rawTxJSON assembles a transaction from raw JSON member values.
type rawTxJSON struct {
	chainID, typ, from, nonce, payload, sig string
	extra                                   string // appended members
	omit                                    string // member to leave out
}

func (r rawTxJSON) bytes() []byte {
	members := []struct{ name, val string }{
		{"chainId", r.chainID}, {"type", r.typ}, {"from", r.from}, {"nonce", r.nonce}, {"payload", r.payload}, {"signature", r.sig},
	}
	var parts []string
	for _, m := range members {
		if m.name != r.omit {
			parts = append(parts, `"`+m.name+`":`+m.val)
		}
	}
	if r.extra != "" {
		parts = append(parts, r.extra)
	}
	return []byte("{" + strings.Join(parts, ",") + "}")
}

func validRawTx(t *testing.T) (rawTxJSON, *signer) {
	t.Helper()
	s := newSigner(t, keys.Ed25519)
	tx := s.put(t, "k", "v", false)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return rawTxJSON{
		chainID: q(tx.ChainID), typ: q(tx.Type), from: q(tx.From), nonce: strconv.FormatUint(tx.Nonce, 10),
		payload: string(tx.Payload), sig: q(tx.Signature),
	}, s
}

func TestDecodeTx(t *testing.T) {
	t.Parallel()
	base, _ := validRawTx(t)
	with := func(f func(r *rawTxJSON)) []byte {
		r := base
		f(&r)
		return r.bytes()
	}
	valid := base.bytes()
	big := strings.Repeat("x", MaxTxBytes)
	padTo := func(b []byte, n int) []byte { return append(b, bytes.Repeat([]byte(" "), n-len(b))...) }

	tests := []struct {
		name   string
		raw    []byte
		code   string // "" means accepted
		status int
	}{
		{"valid", valid, "", 0},
		{"valid with whitespace and reordered members", []byte(" \n" + strings.Replace(string(valid), `"chainId":`, ` "chainId" : `, 1) + "\n\t"), "", 0},
		{"exactly MaxTxBytes", padTo(valid, MaxTxBytes), "", 0},
		{"nonce MaxNonce", with(func(r *rawTxJSON) { r.nonce = strconv.FormatUint(MaxNonce, 10) }), "", 0},
		{"chainId of 64 characters", with(func(r *rawTxJSON) { r.chainID = `"` + strings.Repeat("a", 64) + `"` }), "", 0},
		{"escaped envelope strings", with(func(r *rawTxJSON) { r.typ = `"\u0074est.put"` }), "", 0},

		{"one byte over MaxTxBytes", padTo(valid, MaxTxBytes+1), "tx.tooLarge", http.StatusRequestEntityTooLarge},
		{"huge payload", with(func(r *rawTxJSON) { r.payload = `{"a":"` + big + `"}` }), "tx.tooLarge", http.StatusRequestEntityTooLarge},

		{"empty body", nil, "tx.malformed", http.StatusBadRequest},
		{"null", []byte("null"), "tx.malformed", http.StatusBadRequest},
		{"array", []byte("[]"), "tx.malformed", http.StatusBadRequest},
		{"truncated", valid[:len(valid)-1], "tx.malformed", http.StatusBadRequest},
		{"unknown member", with(func(r *rawTxJSON) { r.extra = `"memo":"hi"` }), "tx.malformed", http.StatusBadRequest},
		{"unknown member null", with(func(r *rawTxJSON) { r.extra = `"hash":null` }), "tx.malformed", http.StatusBadRequest},
		{"trailing object", append(append([]byte{}, valid...), "{}"...), "tx.malformed", http.StatusBadRequest},
		{"trailing garbage", append(append([]byte{}, valid...), " x"...), "tx.malformed", http.StatusBadRequest},
		{"trailing bracket", append(append([]byte{}, valid...), ']'), "tx.malformed", http.StatusBadRequest},
		{"second transaction", append(append([]byte{}, valid...), valid...), "tx.malformed", http.StatusBadRequest},

		{"payload array", with(func(r *rawTxJSON) { r.payload = `[1]` }), "tx.malformed", http.StatusBadRequest},
		{"payload string", with(func(r *rawTxJSON) { r.payload = `"{}"` }), "tx.malformed", http.StatusBadRequest},
		{"payload number", with(func(r *rawTxJSON) { r.payload = `1` }), "tx.malformed", http.StatusBadRequest},
		{"payload null", with(func(r *rawTxJSON) { r.payload = `null` }), "tx.malformed", http.StatusBadRequest},
		{"payload true", with(func(r *rawTxJSON) { r.payload = `true` }), "tx.malformed", http.StatusBadRequest},
		{"payload missing", with(func(r *rawTxJSON) { r.omit = "payload" }), "tx.malformed", http.StatusBadRequest},
		{"payload duplicate member", with(func(r *rawTxJSON) { r.payload = `{"a":1,"a":2}` }), "tx.malformed", http.StatusBadRequest},
		{"payload lone surrogate", with(func(r *rawTxJSON) { r.payload = `{"a":"\ud800"}` }), "tx.malformed", http.StatusBadRequest},
		{"payload number out of range", with(func(r *rawTxJSON) { r.payload = `{"a":1e400}` }), "tx.malformed", http.StatusBadRequest},

		{"signature missing", with(func(r *rawTxJSON) { r.omit = "signature" }), "tx.malformed", http.StatusBadRequest},
		{"signature empty", with(func(r *rawTxJSON) { r.sig = `""` }), "tx.malformed", http.StatusBadRequest},
		{"signature null", with(func(r *rawTxJSON) { r.sig = `null` }), "tx.malformed", http.StatusBadRequest},
		{"signature padded", with(func(r *rawTxJSON) { r.sig = `"AAAA=="` }), "tx.malformed", http.StatusBadRequest},
		{"signature standard base64", with(func(r *rawTxJSON) { r.sig = `"ab+/"` }), "tx.malformed", http.StatusBadRequest},
		{"signature a number", with(func(r *rawTxJSON) { r.sig = `12` }), "tx.malformed", http.StatusBadRequest},

		{"chainId empty", with(func(r *rawTxJSON) { r.chainID = `""` }), "tx.malformed", http.StatusBadRequest},
		{"chainId with a space", with(func(r *rawTxJSON) { r.chainID = `"test chain"` }), "tx.malformed", http.StatusBadRequest},
		{"chainId with a slash", with(func(r *rawTxJSON) { r.chainID = `"test/chain"` }), "tx.malformed", http.StatusBadRequest},
		{"chainId with a colon", with(func(r *rawTxJSON) { r.chainID = `"test:chain"` }), "tx.malformed", http.StatusBadRequest},
		{"chainId with a quote", with(func(r *rawTxJSON) { r.chainID = `"test\"chain"` }), "tx.malformed", http.StatusBadRequest},
		{"chainId non-ASCII", with(func(r *rawTxJSON) { r.chainID = `"tést"` }), "tx.malformed", http.StatusBadRequest},
		{"chainId NUL", with(func(r *rawTxJSON) { r.chainID = `"a\u0000"` }), "tx.malformed", http.StatusBadRequest},
		{"chainId of 65 characters", with(func(r *rawTxJSON) { r.chainID = `"` + strings.Repeat("a", 65) + `"` }), "tx.malformed", http.StatusBadRequest},
		{"type with a space", with(func(r *rawTxJSON) { r.typ = `"test put"` }), "tx.malformed", http.StatusBadRequest},
		{"type missing", with(func(r *rawTxJSON) { r.omit = "type" }), "tx.malformed", http.StatusBadRequest},
		{"from missing", with(func(r *rawTxJSON) { r.omit = "from" }), "tx.malformed", http.StatusBadRequest},
		{"from with a space", with(func(r *rawTxJSON) { r.from = `"did:test:a #k"` }), "tx.malformed", http.StatusBadRequest},
		{"from with a backslash", with(func(r *rawTxJSON) { r.from = `"did:test:a\\#k"` }), "tx.malformed", http.StatusBadRequest},
		{"from with angle brackets", with(func(r *rawTxJSON) { r.from = `"did:test:<a>"` }), "tx.malformed", http.StatusBadRequest},
		{"from of 513 characters", with(func(r *rawTxJSON) { r.from = `"` + strings.Repeat("a", 513) + `"` }), "tx.malformed", http.StatusBadRequest},

		{"nonce MaxNonce+1", with(func(r *rawTxJSON) { r.nonce = strconv.FormatUint(MaxNonce+1, 10) }), "tx.malformed", http.StatusBadRequest},
		{"nonce max uint64", with(func(r *rawTxJSON) { r.nonce = "18446744073709551615" }), "tx.malformed", http.StatusBadRequest},
		{"nonce over uint64", with(func(r *rawTxJSON) { r.nonce = "18446744073709551616" }), "tx.malformed", http.StatusBadRequest},
		{"nonce negative", with(func(r *rawTxJSON) { r.nonce = "-1" }), "tx.malformed", http.StatusBadRequest},
		{"nonce fraction", with(func(r *rawTxJSON) { r.nonce = "1.5" }), "tx.malformed", http.StatusBadRequest},
		{"nonce exponent", with(func(r *rawTxJSON) { r.nonce = "1e3" }), "tx.malformed", http.StatusBadRequest},
		{"nonce string", with(func(r *rawTxJSON) { r.nonce = `"1"` }), "tx.malformed", http.StatusBadRequest},

		{"invalid UTF-8 in payload", with(func(r *rawTxJSON) { r.payload = "{\"a\":\"\xff\"}" }), "tx.malformed", http.StatusBadRequest},
		{"overlong UTF-8 in payload", with(func(r *rawTxJSON) { r.payload = "{\"a\":\"\xc0\xaf\"}" }), "tx.malformed", http.StatusBadRequest},
		{"UTF-8 surrogate in payload", with(func(r *rawTxJSON) { r.payload = "{\"a\":\"\xed\xa0\x80\"}" }), "tx.malformed", http.StatusBadRequest},
		{"invalid UTF-8 in payload name", with(func(r *rawTxJSON) { r.payload = "{\"\xfe\":1}" }), "tx.malformed", http.StatusBadRequest},
		{"invalid UTF-8 in chainId", with(func(r *rawTxJSON) { r.chainID = "\"a\xff\"" }), "tx.malformed", http.StatusBadRequest},
		{"invalid UTF-8 in from", with(func(r *rawTxJSON) { r.from = "\"did:test:\xc3#k\"" }), "tx.malformed", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tx, err := DecodeTx(tt.raw)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("DecodeTx(%.200q): %v", tt.raw, err)
				}
				if !utf8.Valid(tx.Canonical()) {
					t.Fatal("canonical form is not UTF-8")
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeTx(%.200q) accepted %+v; want %s", tt.raw, tx, tt.code)
			}
			e, ok := errs.As(err)
			if !ok || e.Code != tt.code || e.Status != tt.status {
				t.Fatalf("DecodeTx(%.200q) = %v (code %q); want code %q status %d", tt.raw, err, errs.Code(err), tt.code, tt.status)
			}
		})
	}
}

func TestCheckTxRejects(t *testing.T) {
	t.Parallel()
	reg := testRegistry()
	s := newSigner(t, keys.Ed25519)
	pub := s.key.Public().Multibase()
	tests := []struct {
		name    string
		chainID string
		tx      func() *Tx
		code    string
	}{
		{"valid", testChain, func() *Tx { return s.put(t, "k", "v", false) }, ""},
		{"wrong chain", "other-chain", func() *Tx { return s.put(t, "k", "v", false) }, "tx.wrongChain"},
		{"unknown type", testChain, func() *Tx { return s.tx(t, "test.nope", putPayload{Key: "k", Pub: pub}) }, "tx.unknownType"},
		{"short signature", testChain, func() *Tx {
			tx := s.put(t, "k", "v", false)
			tx.Signature = tx.Signature[:len(tx.Signature)-2]
			return tx
		}, "tx.badSignature"},
		{"signature not base64url", testChain, func() *Tx {
			tx := s.put(t, "k", "v", false)
			tx.Signature = "*" + tx.Signature[1:]
			return tx
		}, "tx.badSignature"},
		{"unknown payload member", testChain, func() *Tx {
			return s.tx(t, typePut, map[string]any{"key": "k", "pub": pub, "extra": 1})
		}, "tx.invalidPayload"},
		{"payload fails Validate", testChain, func() *Tx { return s.tx(t, typePut, putPayload{Pub: pub}) }, "tx.invalidPayload"},
		{"payload member of the wrong type", testChain, func() *Tx { return s.tx(t, typePut, map[string]any{"key": 5}) }, "tx.invalidPayload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := reg.CheckTx(tt.chainID, tt.tx())
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Hash != c.Tx.Hash() {
					t.Fatalf("Checked.Hash %s, tx hash %s", c.Hash, c.Tx.Hash())
				}
				return
			}
			if got := errs.Code(err); got != tt.code {
				t.Fatalf("CheckTx = %v; want code %s", err, tt.code)
			}
		})
	}
}

// TestSignatureCoversEveryField signs with each key type, checks the
// signature the way the ledger does, then changes each field in turn.
func TestSignatureCoversEveryField(t *testing.T) {
	t.Parallel()
	reg := testRegistry()
	other := newSigner(t, keys.Ed25519)
	tampers := []struct {
		name string
		f    func(tx *Tx)
	}{
		{"chainId", func(tx *Tx) { tx.ChainID += "x" }},
		{"type", func(tx *Tx) { tx.Type = typePut2 }},
		{"from", func(tx *Tx) { tx.From = other.from() }},
		{"from fragment", func(tx *Tx) { tx.From += "2" }},
		{"nonce", func(tx *Tx) { tx.Nonce++ }},
		{"payload value", func(tx *Tx) { tx.Payload = bytes.Replace(tx.Payload, []byte(`"value":"v"`), []byte(`"value":"w"`), 1) }},
		{"payload member added", func(tx *Tx) {
			tx.Payload = bytes.Replace(tx.Payload, []byte(`{"key"`), []byte(`{"fail":false,"key"`), 1)
		}},
		{"payload signer key", func(tx *Tx) {
			var p putPayload
			_ = json.Unmarshal(tx.Payload, &p)
			p.Pub = other.key.Public().Multibase()
			tx.Payload, _ = json.Marshal(p)
		}},
		{"signature first byte", func(tx *Tx) { tx.Signature = flipB64(tx.Signature, 0) }},
		{"signature last byte", func(tx *Tx) { tx.Signature = flipB64(tx.Signature, 63) }},
	}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			s := newSigner(t, typ)
			orig := s.put(t, "k", "v", false)
			raw, err := MarshalJSON(orig)
			if err != nil {
				t.Fatal(err)
			}
			decoded, err := DecodeTx(raw)
			if err != nil {
				t.Fatal(err)
			}
			if decoded.Hash() != orig.Hash() {
				t.Fatalf("hash changed by the JSON round trip")
			}
			c, err := reg.CheckTx(testChain, decoded)
			if err != nil {
				t.Fatal(err)
			}
			if err := reg.PreVerify(NewOverlay(memState{}), c); err != nil {
				t.Fatalf("PreVerify: %v", err)
			}
			c2 := mustCheck(t, reg, decoded)
			if err := reg.execute(NewOverlay(memState{}), c2, 1, genesisTime, 1); err != nil {
				t.Fatalf("execute: %v", err)
			}

			for _, tm := range tampers {
				t.Run(tm.name, func(t *testing.T) {
					tx := *decoded
					tx.Payload = append(json.RawMessage(nil), decoded.Payload...)
					tm.f(&tx)
					if tx.Hash() == decoded.Hash() {
						t.Fatal("tampering did not change the hash")
					}
					// Check against the tampered chain id, so that only the
					// signature can fail.
					c, err := reg.CheckTx(tx.ChainID, &tx)
					if err != nil {
						t.Fatalf("CheckTx: %v", err)
					}
					if err := reg.PreVerify(memState{}, c); errs.Code(err) != "tx.badSignature" {
						t.Fatalf("PreVerify = %v, want tx.badSignature", err)
					}
					c, _ = reg.CheckTx(tx.ChainID, &tx)
					if err := reg.execute(NewOverlay(memState{}), c, 1, genesisTime, 1); errs.Code(err) != "tx.badSignature" {
						t.Fatalf("execute = %v, want tx.badSignature", err)
					}
				})
			}
		})
	}
}

// flipB64 changes byte i of a base64url-encoded signature.
func flipB64(s string, i int) string {
	b, err := decodeB64(s)
	if err != nil {
		panic(err)
	}
	b[i] ^= 0x01
	return encodeB64(b)
}

// TestExecuteRejectsZeroSignerKey: a handler whose SignerKey yields no key
// (and no error) must not let an unverified transaction through.
func TestExecuteRejectsZeroSignerKey(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	h := putHandler("test.nokey")
	h.SignerKey = func(Reader, *Tx, Payload) (keys.PublicKey, error) { return keys.PublicKey{}, nil }
	reg.Register(h)
	tx := &Tx{ChainID: testChain, Type: "test.nokey", From: "did:test:x#k", Nonce: 1, Payload: json.RawMessage(`{"key":"k","value":"v"}`),
		Signature: encodeB64(make([]byte, keys.SignatureSize))}
	c := mustCheck(t, reg, tx)
	if err := reg.PreVerify(memState{}, c); errs.Code(err) != "tx.badSignature" {
		t.Fatalf("PreVerify = %v, want tx.badSignature", err)
	}
	c = mustCheck(t, reg, tx)
	if err := reg.execute(NewOverlay(memState{}), c, 1, genesisTime, 1); errs.Code(err) != "tx.badSignature" {
		t.Fatalf("execute = %v, want tx.badSignature", err)
	}
}

func TestSignerDID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"did:test:abc#k":   "did:test:abc",
		"did:test:abc":     "did:test:abc",
		"did:test:abc#k#j": "did:test:abc",
		"#k":               "",
	} {
		if got := (&Tx{From: in}).SignerDID(); got != want {
			t.Errorf("SignerDID(%q) = %q, want %q", in, got, want)
		}
	}
}

// Member names are case-sensitive and may not repeat, in the envelope and
// in payloads: a stricter parser elsewhere must read the same transaction.
func TestDecode_RefusesCaseVariantsAndRepeatedMembers(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		`{"CHAINID":"1","type":"t","from":"did:weid:1:0x00#k","nonce":1,"payload":{},"signature":"AA"}`,
		`{"chainId":"1","chainId":"2","type":"t","from":"did:weid:1:0x00#k","nonce":1,"payload":{},"signature":"AA"}`,
	} {
		if _, err := DecodeTx([]byte(raw)); errs.Code(err) != "tx.malformed" {
			t.Errorf("DecodeTx(%s) = %v, want tx.malformed", raw, err)
		}
	}
	type inner struct {
		ID string `json:"id"`
	}
	type payload struct {
		DID  string          `json:"did"`
		List []inner         `json:"list"`
		Any  json.RawMessage `json:"any"`
	}
	for raw, ok := range map[string]bool{
		`{"did":"a","list":[{"id":"x"}],"any":{"Free":1}}`: true,
		`{"DID":"a"}`:                     false,
		`{"did":"a","list":[{"ID":"x"}]}`: false,
		`{"did":"a","did":"b"}`:           false,
		`{"any":{"k":1,"k":2}}`:           false,
	} {
		var p payload
		if err := DecodeStrict([]byte(raw), &p); (err == nil) != ok {
			t.Errorf("DecodeStrict(%s) = %v, want ok=%v", raw, err, ok)
		}
	}
}

// A signature has one spelling: base64url with non-zero unused trailing bits
// decodes to the same bytes, and would give the same transaction a second
// hash, so it is refused.
func TestCheckTx_RefusesNonCanonicalBase64Signature(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	tx := &Tx{ChainID: "1", Type: TypeChainInit, From: "did:weid:1:0x00#k", Nonce: 1, Payload: []byte(`{"nodeKey":"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp","admins":["did:weid:1:0x00"]}`)}
	tx.Signature = strings.Repeat("A", 85) + "A" // 86 chars = 64 bytes; last char carries 4 unused bits
	if _, err := reg.CheckTx("1", tx); err != nil {
		t.Fatalf("canonical spelling refused: %v", err)
	}
	tx.Signature = strings.Repeat("A", 85) + "B" // same bytes, a non-zero unused bit
	if _, err := reg.CheckTx("1", tx); errs.Code(err) != "tx.badSignature" {
		t.Fatalf("non-canonical spelling: %v, want tx.badSignature", err)
	}
}

// The repeated-member check is linear: a body of many members decodes.
func TestDecodeStrict_ManyMembers(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"any":{`)
	for i := 0; i < 100000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%d":0`, i)
	}
	b.WriteString(`}}`)
	var v struct {
		Any json.RawMessage `json:"any"`
	}
	if err := DecodeStrict([]byte(b.String()), &v); err != nil {
		t.Fatal(err)
	}
}
