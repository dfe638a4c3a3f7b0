package grants

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// TypProof is the "typ" of a proof of possession's protected header.
const TypProof = "weid-pop+jwt"

// ProofHeader is the HTTP header that carries a proof of possession.
const ProofHeader = "WeID-Proof"

// Limits of a proof of possession.
const (
	// MaxProofLifetime bounds exp − iat.
	MaxProofLifetime = 5 * time.Minute
	// ProofClockSkew is the tolerance on iat and exp.
	ProofClockSkew = 30 * time.Second
	// MaxProofBytes bounds a proof's compact JWS.
	MaxProofBytes = 4 << 10
	maxURLLength  = 4096
	maxNonceLen   = 128
)

// Proof is the payload of a proof of possession: a short-lived JWS, signed
// with a key of the grantee's DID (authentication), over the request's
// method, URL, body hash and a nonce the data holder issued.
type Proof struct {
	Method   string `json:"htm"`
	URL      string `json:"htu"`
	BodyHash string `json:"bh"` // SHA-256 of the body, unpadded base64url
	Nonce    string `json:"nonce"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp"`
}

// ParsedProof is a parsed, not yet verified, proof of possession.
type ParsedProof struct {
	Proof
	Kid   string // DID URL of the signing method
	DID   string // its DID
	Token string
	JWS   *jose.JWS
}

// BodyHash returns the bh of a body.
func BodyHash(body []byte) string {
	h := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// RequestHash returns the hash an access receipt records for a proof: the
// SHA-256 of its compact JWS in lowercase hex.
func RequestHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SignProof signs a proof of possession for a request as verification
// method kid with k, valid from now for lifetime (at most MaxProofLifetime).
func SignProof(k *keys.PrivateKey, kid, method, url string, body []byte, nonce string, now time.Time, lifetime time.Duration) (string, error) {
	if lifetime <= 0 || lifetime > MaxProofLifetime {
		lifetime = MaxProofLifetime
	}
	p := Proof{Method: method, URL: url, BodyHash: BodyHash(body), Nonce: nonce, IssuedAt: now.Unix(), Expires: now.Add(lifetime).Unix()}
	raw, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	return jose.Sign(k, jose.Header{Typ: TypProof, Kid: kid}, raw)
}

func badProof(format string, args ...any) error {
	return errs.BadRequest("exchange.invalidProof", format, args...)
}

// ParseProof strictly parses a proof of possession: a compact JWS of typ
// weid-pop+jwt whose kid is a DID URL and whose payload has exactly htm,
// htu, bh, nonce, iat and exp. It checks no signature and no time; errors
// are 400 exchange.invalidProof.
func ParseProof(token string) (*ParsedProof, error) {
	if len(token) > MaxProofBytes {
		return nil, badProof("a proof of possession is at most %d bytes", MaxProofBytes)
	}
	j, err := jose.Parse(token, TypProof)
	if err != nil {
		return nil, badProof("the proof of possession is not a %s JWS: %v", TypProof, err)
	}
	u, err := did.ParseDIDURL(j.Header.Kid)
	if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
		return nil, badProof("the proof's kid must be the DID URL of a verification method")
	}
	var p Proof
	if err := chain.DecodeStrict(j.Payload, &p); err != nil {
		return nil, badProof("proof payload: %v", err)
	}
	switch {
	case p.Method == "" || len(p.Method) > 16:
		return nil, badProof("the proof has no valid htm")
	case p.URL == "" || len(p.URL) > maxURLLength:
		return nil, badProof("the proof has no valid htu")
	case len(p.BodyHash) != 43:
		return nil, badProof("the proof's bh must be a SHA-256 hash in unpadded base64url")
	case p.Nonce == "" || len(p.Nonce) > maxNonceLen:
		return nil, badProof("the proof has no valid nonce")
	case p.IssuedAt <= 0 || p.Expires <= p.IssuedAt:
		return nil, badProof("the proof needs iat and a later exp")
	case time.Duration(p.Expires-p.IssuedAt)*time.Second > MaxProofLifetime:
		return nil, badProof("a proof of possession lives at most %s", MaxProofLifetime)
	}
	return &ParsedProof{Proof: p, Kid: j.Header.Kid, DID: u.DID, Token: token, JWS: j}, nil
}

// Check checks the proof against the request it came with and the time
// now: htm, htu and bh, and iat ≤ now ≤ exp within ProofClockSkew. Errors
// are 400 exchange.proofMismatch and 401 exchange.proofExpired.
func (p *ParsedProof) Check(method, url string, body []byte, now time.Time) error {
	if p.Method != method || p.URL != url {
		return errs.BadRequest("exchange.proofMismatch", "the proof of possession is for %s %s, not this request", errs.Truncate(p.Method, 16), errs.Truncate(p.URL, 256))
	}
	if p.BodyHash != BodyHash(body) {
		return errs.BadRequest("exchange.proofMismatch", "the proof of possession's body hash is not the hash of this request's body")
	}
	if now.Add(ProofClockSkew).Unix() < p.IssuedAt {
		return errs.New(http.StatusUnauthorized, "exchange.proofExpired", "the proof of possession is issued in the future")
	}
	if now.Add(-ProofClockSkew).Unix() > p.Expires {
		return errs.New(http.StatusUnauthorized, "exchange.proofExpired", "the proof of possession has expired")
	}
	return nil
}

// AuthenticationKey returns the key of verification method kid if it is in
// the authentication relationship of doc.
func AuthenticationKey(doc *did.Document, kid string) (keys.PublicKey, bool) {
	if doc == nil {
		return keys.PublicKey{}, false
	}
	m, ok := doc.Method(kid)
	if !ok || !doc.HasRelationship("authentication", kid) {
		return keys.PublicKey{}, false
	}
	pk, err := m.PublicKey()
	return pk, err == nil
}
