package did

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/weidgo/weid/keys"
)

// MethodWeid is the name of weid's own DID method.
const MethodWeid = "weid"

// WeidDID returns did:weid:<chainID>:0x<address> for a key: the address is
// the last 20 bytes of Keccak-256 of the public key (keys.PublicKey.Address).
func WeidDID(chainID string, pk keys.PublicKey) string {
	a := pk.Address()
	return "did:weid:" + chainID + ":0x" + hex.EncodeToString(a[:])
}

// ParseWeid strictly parses a did:weid DID: did:weid:<chainId>:0x<40
// lowercase hex>, where chainId is 1 to 64 characters of [A-Za-z0-9._-].
func ParseWeid(s string) (chainID string, addr [20]byte, err error) {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrInvalidDID, s, why) }
	if len(s) > 200 {
		return "", addr, bad("too long")
	}
	rest, ok := strings.CutPrefix(s, "did:weid:")
	if !ok {
		return "", addr, bad(`want "did:weid:<chainId>:0x<40 hex>"`)
	}
	chainID, hexAddr, ok := strings.Cut(rest, ":")
	if !ok || chainID == "" || len(chainID) > 64 {
		return "", addr, bad("missing chain id")
	}
	for _, c := range []byte(chainID) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", addr, bad("chain id must be [A-Za-z0-9._-]")
		}
	}
	if len(hexAddr) != 42 || hexAddr[:2] != "0x" {
		return "", addr, bad("address must be 0x followed by 40 hex digits")
	}
	for _, c := range []byte(hexAddr[2:]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", addr, bad("address must be lowercase hex")
		}
	}
	hex.Decode(addr[:], []byte(hexAddr[2:]))
	return chainID, addr, nil
}

// Record is what the ledger keeps for one version of a did:weid document.
type Record struct {
	Document    *Document `json:"document"`
	Version     uint64    `json:"version"`
	Created     string    `json:"created"`
	Updated     string    `json:"updated"`
	Deactivated bool      `json:"deactivated,omitempty"`
	TxHash      string    `json:"txHash"`
	Height      uint64    `json:"height"`
	// Compromised lists the keys the DID's controller declared
	// compromised, in every version since (see CompromisedKey).
	Compromised []CompromisedKey `json:"compromised,omitempty"`
}

// CompromisedKey is a key its DID's controller declared compromised, by
// removing or rotating it out with "compromised" set or by
// did.reportCompromisedKey. A key rotated out without it still verifies
// what it signed while it was current — credentials are checked against the
// DID as of their issuance —, but a stolen key could sign new credentials
// dated back to then: once declared compromised, nothing it signed is
// accepted any more, whatever date it carries, and it may not be added back.
type CompromisedKey struct {
	// PublicKeyMultibase is the key in its canonical encoding
	// (CanonicalKey).
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	// ID is the verification method the key was, when it was declared
	// compromised as it was removed.
	ID string `json:"id,omitempty"`
	// Since is the time of the block that declared it; TxHash its tx.
	Since  string `json:"since"`
	TxHash string `json:"txHash"`
}

// MaxCompromisedKeys bounds the keys a DID may declare compromised.
const MaxCompromisedKeys = 64

// ErrInvalidOptions reports resolution options that make no sense.
var ErrInvalidOptions = fmt.Errorf("invalid resolution options")

// RecordResult is the resolution result of a did:weid record, last being
// the DID's latest version (0: r is the latest).
func RecordResult(r *Record, last uint64) *ResolutionResult {
	md := DocumentMetadata{
		Created:     r.Created,
		Updated:     r.Updated,
		Deactivated: r.Deactivated,
		VersionID:   strconv.FormatUint(r.Version, 10),
		TxHash:      r.TxHash,
		BlockHeight: r.Height,
		// The list is immutable once stored: records are shared, never
		// modified.
		CompromisedKeys: r.Compromised,
	}
	if last > r.Version {
		md.NextVersionID = strconv.FormatUint(r.Version+1, 10)
	}
	return &ResolutionResult{
		Document:           r.Document,
		ResolutionMetadata: ResolutionMetadata{ContentType: "application/did+ld+json"},
		DocumentMetadata:   md,
	}
}

// LatestKey is the ledger state key of the number of id's latest version
// (8 bytes, big-endian): did/latest/<did>.
func LatestKey(id string) []byte { return []byte("did/latest/" + id) }

// VersionKey is the ledger state key of version v of id's record (JSON):
// did/version/<did>/ followed by v as 8 bytes, big-endian.
func VersionKey(id string, v uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("did/version/"+id+"/"), v)
}

// DecodeRecord decodes a did:weid record as the ledger stores it.
func DecodeRecord(raw []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("decode DID record: %w", err)
	}
	if r.Document == nil || r.Version == 0 {
		return nil, errors.New("decode DID record: no document or version")
	}
	return &r, nil
}
