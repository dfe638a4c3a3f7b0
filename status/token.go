package status

// The IETF Token Status List (draft-ietf-oauth-status-list-17, "TSL"):
// the second encoding of a weid list, for SD-JWT VCs. An SD-JWT VC refers
// to its entry with the "status" claim {"status_list": {"idx", "uri"}}
// (§6.2, the Referenced Token); the node serves at uri a Status List Token
// (§5.1), a JWT of type statuslist+jwt signed by the list's issuer, whose
// "status_list" claim {"bits", "lst"} (§4.1) holds the same bits the ledger
// keeps for the list, re-encoded:
//
//   - a revocation list is a Status List of 1 bit per entry: a set bit is
//     the status 0x01 INVALID (§7.1);
//   - a suspension list is a Status List of 2 bits per entry: a set bit is
//     the status 0x02 SUSPENDED, a clear one 0x00 VALID, so that a verifier
//     tells suspension from revocation without knowing weid's purposes.
//
// The ledger's bitstring counts bits from the most significant bit of each
// byte (Bitstring Status List §3.2); the Status List counts them from the
// least significant bit (§4.1: "the first status is in the least
// significant bits of byte 0"), so the bits are reordered, not copied.

import (
	"compress/zlib"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
)

// Vocabulary of the Token Status List.
const (
	// TokenType is the "typ" of a Status List Token in JWT form (§5.1).
	TokenType = "statuslist+jwt"
	// MediaToken is the media type a Status List Token is served as (§5.1,
	// §14.7).
	MediaToken = "application/statuslist+jwt"
	// TokenPathSuffix follows "/status-lists/{id}" in the URL of a list's
	// Status List Token: the uri of the Referenced Tokens' status_list.
	TokenPathSuffix = "/token"
)

// Status Types of §7.1.
const (
	TokenValid     = 0x00
	TokenInvalid   = 0x01
	TokenSuspended = 0x02
)

// Validity of the Status List Tokens weid serves.
const (
	// TokenTTL is the "ttl" of a served token (§5.1): how long a verifier
	// may cache it before fetching it again, so how long a revocation may
	// take to reach verifiers that fetch the token instead of reading the
	// ledger.
	TokenTTL = 5 * time.Minute
	// TokenLifetime is the time from a served token's "iat" to its "exp".
	TokenLifetime = 24 * time.Hour
)

// TokenURL returns the uri of the Status List Token of list id under base
// (see URL).
func TokenURL(base, id string) string { return URL(base, id) + TokenPathSuffix }

// ListIDFromTokenURL returns the list id a Status List Token uri names: a
// status list URL (ListIDFromURL) followed by TokenPathSuffix. ok is false
// for any other URL.
func ListIDFromTokenURL(raw string) (id string, ok bool) {
	base, found := strings.CutSuffix(raw, TokenPathSuffix)
	if !found {
		return "", false
	}
	return ListIDFromURL(base)
}

// TokenBits returns the bits per status of the Status List of a list of
// purpose: 1 for revocation, 2 for suspension (see the file comment).
func TokenBits(purpose string) int {
	if purpose == PurposeSuspension {
		return 2
	}
	return 1
}

// TokenList re-encodes the ledger bitstring of a list of purpose (Bits) as
// the byte array of a Status List (§4.1) of TokenBits(purpose) bits per
// status.
func TokenList(purpose string, bitstring []byte) []byte {
	if TokenBits(purpose) == 1 {
		out := make([]byte, len(bitstring))
		for i, b := range bitstring {
			out[i] = reverseBits(b)
		}
		return out
	}
	// Two bits a status: ledger byte i holds statuses 8i..8i+7, which are
	// bytes 2i (8i..8i+3) and 2i+1 (8i+4..8i+7) of the Status List.
	out := make([]byte, 2*len(bitstring))
	for i, b := range bitstring {
		if b == 0 {
			continue
		}
		for j := range 8 {
			if b&(0x80>>j) != 0 {
				out[2*i+j/4] |= TokenSuspended << (2 * (j % 4))
			}
		}
	}
	return out
}

func reverseBits(b byte) byte {
	b = b>>4 | b<<4
	b = (b&0xcc)>>2 | (b&0x33)<<2
	return (b&0xaa)>>1 | (b&0x55)<<1
}

// EncodeTokenList returns the "lst" of a Status List byte array (§4.1):
// base64url without padding of its DEFLATE compression in the ZLIB format
// (RFC 1950).
func EncodeTokenList(lst []byte) (string, error) {
	return deflate(lst, func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) })
}

func zlibReader(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }

func invalidToken(format string, args ...any) error {
	return errs.BadRequest("status.invalidToken", "Status List Token: "+format, args...)
}

// maxTokenListChars bounds "lst": base64 of a ZLIB stream of a Status List
// of MaxDecodedBytes stored uncompressed, with room for block headers.
const maxTokenListChars = (MaxDecodedBytes+MaxDecodedBytes/1000+1024)*4/3 + 4

// DecodeTokenList decodes the "lst" of a Status List (§4.1): base64url
// without padding, then ZLIB. It refuses with a 400 *errs.Error (code
// status.invalidToken) text that is not that encoding, a stream that is
// corrupt or truncated, and an empty list, and with status.listTooLarge a
// list that expands to more than MaxDecodedBytes, reading no more than
// that.
func DecodeTokenList(lst string) ([]byte, error) {
	if len(lst) > maxTokenListChars {
		return nil, errs.BadRequest("status.listTooLarge", "Status List Token: \"lst\" is longer than %d characters", maxTokenListChars)
	}
	out, err := expand(lst, "ZLIB (RFC 1950)", zlibReader, func(format string, args ...any) error {
		return invalidToken("\"lst\" "+format, args...)
	}, `Status List Token: "lst"`)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, invalidToken("the Status List is empty")
	}
	return out, nil
}

// TokenPayload returns the JWT claims of the Status List Token of list id,
// published at uri (TokenURL), issued at now (§5.1): "iss" the list's
// issuer, "sub" uri, "iat" now, "exp" now+TokenLifetime, "ttl" TokenTTL,
// and "status_list" {"bits", "lst"} encoding the list's bits as st has
// them. A uri that is not the list's TokenURL is a 400 (status.invalidUrl).
func TokenPayload(st chain.Reader, id, uri string, now time.Time) ([]byte, *List, error) {
	l, err := Get(st, id)
	if err != nil {
		return nil, nil, err
	}
	if got, ok := ListIDFromTokenURL(uri); !ok || got != l.ID {
		return nil, nil, errs.BadRequest("status.invalidUrl", "the Status List Token of %s must be published at an absolute http(s) URL ending %s%s%s", l.ID, PathSegment, l.ID, TokenPathSuffix)
	}
	bits, err := Bits(st, l)
	if err != nil {
		return nil, nil, err
	}
	lst, err := EncodeTokenList(TokenList(l.Purpose, bits))
	if err != nil {
		return nil, nil, err
	}
	claims := map[string]any{
		"iss":         l.Issuer,
		"sub":         uri,
		"iat":         now.Unix(),
		"exp":         now.Add(TokenLifetime).Unix(),
		"ttl":         int64(TokenTTL / time.Second),
		"status_list": map[string]any{"bits": TokenBits(l.Purpose), "lst": lst},
	}
	b, err := json.Marshal(claims)
	return b, l, err
}

// Token is a Status List Token as ParseToken read it. Its signature has
// not been checked: verify JWS with the key of JWS.Header.Kid.
type Token struct {
	JWS      *jose.JWS
	Issuer   string    // "iss", "" if absent
	Subject  string    // "sub": the uri the token is published at
	IssuedAt time.Time // "iat"
	Expires  time.Time // "exp", zero if absent
	TTL      time.Duration
	Bits     int    // bits per status: 1, 2, 4 or 8
	List     []byte // the decompressed Status List
}

// Limits of a Status List Token's claims.
var tokenLimits = strictjson.Limits{Depth: 8, Array: 64, Members: 64}

// ParseToken parses a Status List Token in JWT form strictly (§5.1): a
// compact JWS (jose.Parse) whose "typ" is statuslist+jwt; claims with a
// string "sub", a numeric "iat", "exp" and "ttl" numbers if present (ttl
// positive), "iss" a string if present, and a "status_list" object whose
// "bits" is 1, 2, 4 or 8 and whose "lst" decodes (DecodeTokenList). Any
// other input is a 400 *errs.Error (status.invalidToken, or
// status.listTooLarge) saying what is wrong. It never panics.
func ParseToken(compact string) (*Token, error) {
	j, err := jose.Parse(strings.TrimSpace(compact), TokenType)
	if err != nil {
		return nil, invalidToken("%v", err)
	}
	m, err := strictjson.DecodeObject(j.Payload, tokenLimits)
	if err != nil {
		return nil, invalidToken("the claims are not a JSON object: %v", err)
	}
	t := &Token{JWS: j}
	if v, ok := m["iss"]; ok {
		if t.Issuer, ok = v.(string); !ok {
			return nil, invalidToken("\"iss\" must be a string")
		}
	}
	if t.Subject, _ = m["sub"].(string); t.Subject == "" {
		return nil, invalidToken("\"sub\" (the token's uri) must be a non-empty string")
	}
	at, ok, err := seconds(m, "iat")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidToken("\"iat\" is required")
	}
	t.IssuedAt = time.Unix(at, 0).UTC()
	if exp, ok, err := seconds(m, "exp"); err != nil {
		return nil, err
	} else if ok {
		t.Expires = time.Unix(exp, 0).UTC()
	}
	if ttl, ok, err := seconds(m, "ttl"); err != nil {
		return nil, err
	} else if ok {
		if ttl <= 0 {
			return nil, invalidToken("\"ttl\" must be a positive number of seconds")
		}
		t.TTL = time.Duration(min(ttl, int64(math.MaxInt64/time.Second))) * time.Second
	}
	sl, ok := m["status_list"].(map[string]any)
	if !ok {
		return nil, invalidToken("\"status_list\" must be an object")
	}
	bits, ok := sl["bits"].(json.Number)
	switch {
	case !ok:
		return nil, invalidToken("\"status_list.bits\" must be a number")
	case bits == "1", bits == "2", bits == "4", bits == "8":
		t.Bits = int(bits[0] - '0')
	default:
		return nil, invalidToken("\"status_list.bits\" must be 1, 2, 4 or 8, not %s", strictjson.Truncate(string(bits), 20))
	}
	lst, ok := sl["lst"].(string)
	if !ok {
		return nil, invalidToken("\"status_list.lst\" must be a string")
	}
	if t.List, err = DecodeTokenList(lst); err != nil {
		return nil, err
	}
	return t, nil
}

// seconds reads an integer JWT NumericDate or duration claim (fractions
// are refused: weid writes none and reads none).
func seconds(m map[string]any, name string) (int64, bool, error) {
	v, ok := m[name]
	if !ok {
		return 0, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return 0, false, invalidToken("%q must be a number of seconds", name)
	}
	s, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || s < 0 || s > 253402300799 {
		return 0, false, invalidToken("%q must be a whole number of seconds from 0 to 253402300799", name)
	}
	return s, true, nil
}

// Size returns how many statuses the token's Status List holds.
func (t *Token) Size() uint64 { return uint64(len(t.List)) * 8 / uint64(t.Bits) }

// Status returns the status at index idx (§4.1), or a 400 *errs.Error
// (status.indexOutOfRange) for an index past the end of the list.
func (t *Token) Status(idx uint64) (byte, error) {
	if idx >= t.Size() {
		return 0, errs.BadRequest("status.indexOutOfRange", "index %d is outside the Status List of %s (%d statuses of %d bits)", idx, strictjson.Truncate(t.Subject, 200), t.Size(), t.Bits)
	}
	bit := idx * uint64(t.Bits)
	return t.List[bit/8] >> (bit % 8) & (1<<t.Bits - 1), nil
}

// Reference is the "status" claim of a Referenced Token that points at a
// Status List (§6.2): {"status_list": {"idx", "uri"}}.
type Reference struct {
	Index uint64 // "idx"
	URI   string // "uri": where the Status List Token is published
}

// ErrNoStatusList reports a "status" claim without a "status_list"
// member: another status mechanism (§6.1 allows others), which weid does
// not read.
var ErrNoStatusList = errors.New("the status claim has no status_list")

// ParseReference reads a "status" claim (§6.1, §6.2): an object whose
// "status_list" member is an object with "idx", a non-negative integer,
// and "uri", an absolute URI. A malformed claim is a 400 *errs.Error
// (status.invalidReference); a claim without "status_list" is
// ErrNoStatusList. Other members of either object are ignored (§6.1:
// other mechanisms may add theirs).
func ParseReference(claim any) (Reference, error) {
	bad := func(format string, args ...any) error {
		return errs.BadRequest("status.invalidReference", "status: "+format, args...)
	}
	obj, ok := claim.(map[string]any)
	if !ok {
		return Reference{}, bad("the claim must be an object")
	}
	v, ok := obj["status_list"]
	if !ok {
		return Reference{}, ErrNoStatusList
	}
	sl, ok := v.(map[string]any)
	if !ok {
		return Reference{}, bad("status_list must be an object")
	}
	var r Reference
	switch n := sl["idx"].(type) {
	case json.Number:
		i, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil {
			return Reference{}, bad("status_list.idx must be a non-negative integer, not %s", strictjson.Truncate(string(n), 24))
		}
		r.Index = i
	case float64:
		if n < 0 || n != math.Trunc(n) || n > 1<<53 {
			return Reference{}, bad("status_list.idx must be a non-negative integer")
		}
		r.Index = uint64(n)
	case uint64:
		r.Index = n
	case int:
		if n < 0 {
			return Reference{}, bad("status_list.idx must be a non-negative integer")
		}
		r.Index = uint64(n)
	default:
		return Reference{}, bad("status_list.idx must be a non-negative integer")
	}
	r.URI, _ = sl["uri"].(string)
	if u, err := url.Parse(r.URI); r.URI == "" || err != nil || !u.IsAbs() {
		return Reference{}, bad("status_list.uri %q must be an absolute URI", strictjson.Truncate(r.URI, 200))
	}
	return r, nil
}

// ReferenceClaim returns the "status" claim of index idx in the list whose
// Status List Token is published at uri.
func ReferenceClaim(idx uint64, uri string) map[string]any {
	return map[string]any{"status_list": map[string]any{"idx": idx, "uri": uri}}
}
