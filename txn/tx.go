package txn

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// MaxTxBytes is the largest transaction accepted, as received.
const MaxTxBytes = 64 << 10

// MaxNonce is the largest nonce: nonces are JSON numbers, and RFC 8785
// serializes numbers as IEEE 754 doubles, which hold integers exactly only
// up to 2^53-1.
const MaxNonce = 1<<53 - 1

// Tx is a signed transaction. The signed bytes are the RFC 8785 (JCS)
// canonical JSON of the transaction without its signature; the hash is the
// SHA-256 of the canonical JSON of the signed transaction.
type Tx struct {
	ChainID   string          `json:"chainId"`
	Type      string          `json:"type"`
	From      string          `json:"from"` // DID URL of the signing verification method
	Nonce     uint64          `json:"nonce"`
	Payload   json.RawMessage `json:"payload"`
	Signature string          `json:"signature,omitempty"` // base64url, no padding
	// ValidUntil, optional, is the last weid block height (decimal digits)
	// or the last block time (RFC 3339) at which the transaction may be
	// committed; see Expiry. Absent, the transaction never expires (its
	// nonce alone keeps it from being replayed).
	ValidUntil string `json:"validUntil,omitempty"`
}

// SignerDID returns the DID part of From.
func (tx *Tx) SignerDID() string {
	if i := strings.IndexByte(tx.From, '#'); i >= 0 {
		return tx.From[:i]
	}
	return tx.From
}

// Sign canonicalizes the payload and signs tx with k.
func (tx *Tx) Sign(k *keys.PrivateKey) error {
	canon, err := CanonicalPayload(tx.Payload)
	if err != nil {
		return err
	}
	tx.Payload = canon
	msg, err := tx.SigningBytes()
	if err != nil {
		return err
	}
	sig, err := k.Sign(msg)
	if err != nil {
		return err
	}
	tx.Signature = base64.RawURLEncoding.EncodeToString(sig)
	return nil
}

// Hash returns the transaction hash, lowercase hex of SHA-256 over the
// canonical signed transaction. The payload must already be canonical.
func (tx *Tx) Hash() string {
	var buf [1024]byte // most transactions: no allocation
	sum := sha256.Sum256(tx.AppendCanonical(buf[:0], true))
	return hex.EncodeToString(sum[:])
}

// Canonical returns the RFC 8785 form of the signed transaction.
func (tx *Tx) Canonical() []byte { return tx.canonical(true) }

// SigningBytes returns what a signature covers: the RFC 8785 form of the
// transaction without its signature, after checking the envelope strings.
func (tx *Tx) SigningBytes() ([]byte, error) {
	if err := checkEnvelopeStrings(tx); err != nil {
		return nil, err
	}
	return tx.canonical(false), nil
}

// canonical assembles the JCS serialization directly: members in code-point
// order, and every string member restricted (by checkEnvelopeStrings) to
// ASCII characters that JSON never escapes, so it equals jcs.Transform of the
// same object without re-parsing the payload (a test checks this).
func (tx *Tx) canonical(withSig bool) []byte {
	return tx.AppendCanonical(make([]byte, 0, 128+len(tx.Payload)+len(tx.From)+len(tx.Signature)), withSig)
}

// AppendCanonical appends the RFC 8785 form of tx (with or without its
// signature) to b.
func (tx *Tx) AppendCanonical(b []byte, withSig bool) []byte {
	b = append(b, `{"chainId":"`...)
	b = append(b, tx.ChainID...)
	b = append(b, `","from":"`...)
	b = append(b, tx.From...)
	b = append(b, `","nonce":`...)
	b = strconv.AppendUint(b, tx.Nonce, 10)
	b = append(b, `,"payload":`...)
	b = append(b, tx.Payload...)
	if withSig {
		b = append(b, `,"signature":"`...)
		b = append(b, tx.Signature...)
		b = append(b, '"')
	}
	b = append(b, `,"type":"`...)
	b = append(b, tx.Type...)
	b = append(b, '"')
	// RFC 8785 §3.2.3: members in code-point order, "validUntil" after
	// "type"; absent when empty, so a transaction without it has the bytes
	// (and the hash) it had before the member existed.
	if tx.ValidUntil != "" {
		b = append(b, `,"validUntil":"`...)
		b = append(b, tx.ValidUntil...)
		b = append(b, '"')
	}
	b = append(b, '}')
	return b
}

// CanonicalPayload checks that p is a JSON object and returns its RFC 8785
// form (p itself when it is canonical already).
func CanonicalPayload(p json.RawMessage) (json.RawMessage, error) {
	p = bytes.TrimSpace(p)
	if len(p) == 0 || p[0] != '{' {
		return nil, errs.BadRequest("tx.malformed", "payload must be a JSON object")
	}
	if !utf8.Valid(p) {
		return nil, errs.BadRequest("tx.malformed", "payload is not valid UTF-8")
	}
	if canonicalJSON(p) {
		return p, nil
	}
	c, err := jcs.Transform(p)
	if err != nil {
		return nil, errs.BadRequest("tx.malformed", "payload: %v", err)
	}
	return c, nil
}

func safeASCII(s string, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

func checkEnvelopeStrings(tx *Tx) error {
	switch {
	case tx.ChainID == "" || len(tx.ChainID) > 64 || !safeASCII(tx.ChainID, "._-"):
		return errs.BadRequest("tx.malformed", "chainId must be 1 to 64 characters of [A-Za-z0-9._-]")
	case tx.Type == "" || len(tx.Type) > 64 || !safeASCII(tx.Type, "._-"):
		return errs.BadRequest("tx.malformed", "type must be 1 to 64 characters of [A-Za-z0-9._-]")
	case tx.From == "" || len(tx.From) > 512 || !safeASCII(tx.From, "-._~!$&'()*+,;=:@/?#%"):
		return errs.BadRequest("tx.malformed", "from must be the DID URL of a verification method")
	case !safeASCII(tx.Signature, "-_"):
		return errs.BadRequest("tx.malformed", "signature must be base64url without padding")
	case tx.Nonce > MaxNonce:
		return errs.BadRequest("tx.malformed", "nonce must be at most 2^53-1")
	case tx.ValidUntil != "":
		if _, err := ParseValidUntil(tx.ValidUntil); err != nil {
			return err
		}
	}
	return nil
}

// DecodeTx strictly decodes a transaction as received: at most MaxTxBytes,
// one JSON object, known members only, with a JSON object payload which it
// canonicalizes. It checks the envelope's form, not its signature or type.
func DecodeTx(raw []byte) (*Tx, error) {
	if len(raw) > MaxTxBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "tx.tooLarge", "transaction is %d bytes, the limit is %d", len(raw), MaxTxBytes)
	}
	if tx, ok := decodeTxFast(raw); ok {
		return tx, nil
	}
	return decodeTxGeneral(raw)
}

// decodeTxGeneral is DecodeTx for any input: encoding/json with the strict
// member checks, and the payload canonicalized by jcs.Transform.
func decodeTxGeneral(raw []byte) (*Tx, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var tx Tx
	// validUntil is read raw so that a present but null or empty one, which
	// the canonical form would drop, is refused rather than signed away.
	wire := struct {
		*Tx
		ValidUntil json.RawMessage `json:"validUntil"`
	}{Tx: &tx}
	if err := dec.Decode(&wire); err != nil {
		return nil, errs.BadRequest("tx.malformed", "decode transaction: %v", jsonErr(err))
	}
	if wire.ValidUntil != nil {
		if err := json.Unmarshal(wire.ValidUntil, &tx.ValidUntil); err != nil || wire.ValidUntil[0] != '"' || tx.ValidUntil == "" {
			return nil, errs.BadRequest("tx.malformed", "validUntil, when present, must be a string: a block height or an RFC 3339 time")
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errs.BadRequest("tx.malformed", "trailing data after the transaction")
	}
	if err := checkMembers(raw, reflect.TypeFor[Tx]()); err != nil {
		return nil, errs.BadRequest("tx.malformed", "decode transaction: %v", err)
	}
	if tx.Signature == "" {
		return nil, errs.BadRequest("tx.malformed", "transaction has no signature")
	}
	if err := checkEnvelopeStrings(&tx); err != nil {
		return nil, err
	}
	p, err := CanonicalPayload(tx.Payload)
	if err != nil {
		return nil, err
	}
	tx.Payload = p
	return &tx, nil
}

// jsonErr turns encoding/json errors into one readable line.
func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "malformed JSON at byte " + strconv.FormatInt(se.Offset, 10) + ": " + se.Error()
	case errors.As(err, &te):
		f := te.Field
		if f == "" {
			f = "value"
		}
		return f + " must be " + jsonTypeOf(te.Type) + ", not JSON " + te.Value
	case errors.Is(err, io.EOF):
		return "empty body"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	}
	return err.Error()
}

// jsonTypeOf names the JSON type a Go type decodes from, in the caller's
// words rather than Go's ("a JSON object", not "api.StatusEntryUpdate").
func jsonTypeOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a JSON array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another JSON type"
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// DecodeStrict decodes one JSON value into v, refusing unknown members,
// members named in another case, repeated members and trailing data, with
// errors a caller can act on.
func DecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(jsonErr(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return checkMembers(b, reflect.TypeOf(v))
}
