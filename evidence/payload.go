package evidence

import (
	"encoding/base64"
	"unicode"
	"unicode/utf8"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Transaction types of the evidence registry.
const (
	TxCreate  = api.TxEvidenceCreate
	TxSign    = api.TxEvidenceSign
	TxRevoke  = api.TxEvidenceRevoke
	TxRestore = api.TxEvidenceRestore
	TxLog     = api.TxEvidenceLog
	TxBatch   = api.TxEvidenceBatch
)

// Batch item operations.
const (
	OpCreate = "create"
	OpSign   = "sign"
)

// Limits. A transaction is also at most chain.MaxTxBytes (64 KiB).
const (
	// HashLength is the length of a hash: SHA-256 in lowercase hex.
	HashLength = 64
	// MaxLogLength bounds one log line, in bytes of UTF-8.
	MaxLogLength = 1024
	// MaxLogsPerTx bounds the log lines one payload (or batch item) adds.
	MaxLogsPerTx = 16
	// MaxLogs bounds the log lines of one evidence.
	MaxLogs = 1024
	// MaxSigners bounds the signatures of one evidence.
	MaxSigners = 128
	// MaxChanges bounds the revocations and restorations of one signature.
	MaxChanges = 32
	// MaxExtras bounds the key–value extras of an evidence.
	MaxExtras = 32
	// MaxExtraKeyLength and MaxExtraValueLength bound one extra, in bytes.
	MaxExtraKeyLength   = 64
	MaxExtraValueLength = 1024
	// MaxKeyLength bounds a custom key, in bytes.
	MaxKeyLength = 128
	// MaxBatchItems bounds the items of one evidence.batch.
	MaxBatchItems = 256
)

// MessagePrefix starts every signed evidence message.
const MessagePrefix = "weid-evidence-v1:"

// Message returns the bytes an evidence signature signs: MessagePrefix, the
// signer's verification-method DID URL, ":" and the hex hash.
func Message(signer, hash string) []byte {
	b := make([]byte, 0, len(MessagePrefix)+len(signer)+1+len(hash))
	b = append(b, MessagePrefix...)
	b = append(b, signer...)
	b = append(b, ':')
	return append(b, hash...)
}

// Sign signs hash as verification method signer with k and returns the
// signature in unpadded base64url, as payloads carry it.
func Sign(k *keys.PrivateKey, signer, hash string) (string, error) {
	sig, err := k.Sign(Message(signer, hash))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sig), nil
}

// SignBatch returns the evidence.batch of entries (a custodial batch),
// each a creation or a signature of its hash signed with k as
// verification method signer. None, or more than MaxBatchItems, is
// refused before anything is signed.
func SignBatch(k *keys.PrivateKey, signer string, entries []api.EvidenceBatchEntry) (*BatchPayload, error) {
	if len(entries) == 0 || len(entries) > MaxBatchItems {
		return nil, errs.BadRequest("evidence.invalidBatch", "a batch has 1 to %d items", MaxBatchItems)
	}
	p := &BatchPayload{Items: make([]BatchItem, len(entries))}
	for i, it := range entries {
		sig, err := Sign(k, signer, it.Hash)
		if err != nil {
			return nil, err
		}
		p.Items[i] = BatchItem{Op: it.Op, Hash: it.Hash, Signer: signer, Signature: sig, Logs: it.Logs, Extras: it.Extras, Key: it.Key}
	}
	return p, nil
}

var b64 = base64.RawURLEncoding.Strict()

// CreatePayload records Hash with Signer's signature over it.
type CreatePayload struct {
	Hash      string            `json:"hash"`
	Signer    string            `json:"signer"`    // DID URL of an assertionMethod key
	Signature string            `json:"signature"` // over Message(Signer, Hash), base64url
	Logs      []string          `json:"logs,omitempty"`
	Extras    map[string]string `json:"extras,omitempty"`
	Key       string            `json:"key,omitempty"` // unique custom key, optional

	pre keys.PublicKey // the key the signature verified with before the block
}

// SignPayload adds Signer's signature to the evidence of Hash.
type SignPayload struct {
	Hash      string   `json:"hash"`
	Signer    string   `json:"signer"`
	Signature string   `json:"signature"`
	Logs      []string `json:"logs,omitempty"`

	pre keys.PublicKey
}

// RevokePayload revokes (evidence.revoke) or restores (evidence.restore) the
// signature of DID on the evidence of Hash. DID must be the transaction
// signer's DID.
type RevokePayload struct {
	Hash string   `json:"hash"`
	DID  string   `json:"did"`
	Logs []string `json:"logs,omitempty"`
}

// LogPayload appends log lines to the evidence of Hash.
type LogPayload struct {
	Hash string   `json:"hash"`
	Logs []string `json:"logs"`
}

// BatchItem is a create (Op "create") or a signature (Op "sign") in a batch;
// a sign item carries no extras or key.
type BatchItem struct {
	Op        string            `json:"op"`
	Hash      string            `json:"hash"`
	Signer    string            `json:"signer"`
	Signature string            `json:"signature"`
	Logs      []string          `json:"logs,omitempty"`
	Extras    map[string]string `json:"extras,omitempty"`
	Key       string            `json:"key,omitempty"`

	pre keys.PublicKey
}

// BatchPayload carries creates and signatures, applied in order, all or
// nothing.
type BatchPayload struct {
	Items []BatchItem `json:"items"`
}

// ValidHash checks that h is a SHA-256 hash in lowercase hex.
func ValidHash(h string) error {
	if len(h) != HashLength {
		return errs.BadRequest("evidence.invalidHash", "hash must be a SHA-256 hash as %d lowercase hex characters", HashLength)
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return errs.BadRequest("evidence.invalidHash", "hash must be a SHA-256 hash as %d lowercase hex characters", HashLength)
		}
	}
	return nil
}

// validSigner checks that s is the DID URL of a did:weid verification method.
func validSigner(s string) error {
	u, err := did.ParseDIDURL(s)
	if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" || u.Method != did.MethodWeid {
		return errs.BadRequest("evidence.invalidSigner", "signer %q must be the DID URL of a did:weid verification method (did:weid:…#key-1)", s)
	}
	if _, _, err := did.ParseWeid(u.DID); err != nil {
		return errs.BadRequest("evidence.invalidSigner", "signer: %v", err)
	}
	return nil
}

// decodeSignature decodes a payload signature.
func decodeSignature(s string) ([]byte, error) {
	sig, err := b64.DecodeString(s)
	if err != nil || len(sig) != keys.SignatureSize {
		return nil, errs.BadRequest("evidence.invalidSignature", "signature must be %d bytes of unpadded base64url", keys.SignatureSize)
	}
	return sig, nil
}

func printable(s string, allowTab bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(allowTab && r == '\t') {
			return false
		}
	}
	return true
}

func validLogs(logs []string) error {
	if len(logs) > MaxLogsPerTx {
		return errs.BadRequest("evidence.invalidLog", "at most %d log lines per transaction or item", MaxLogsPerTx)
	}
	for i, l := range logs {
		if l == "" || len(l) > MaxLogLength || !printable(l, true) {
			return errs.BadRequest("evidence.invalidLog", "log line %d must be 1 to %d bytes of UTF-8 without control characters", i, MaxLogLength)
		}
	}
	return nil
}

func validExtras(x map[string]string) error {
	if len(x) > MaxExtras {
		return errs.BadRequest("evidence.invalidExtras", "at most %d extras", MaxExtras)
	}
	for k, v := range x {
		if k == "" || len(k) > MaxExtraKeyLength || !printable(k, false) {
			return errs.BadRequest("evidence.invalidExtras", "extra names must be 1 to %d bytes of UTF-8 without control characters", MaxExtraKeyLength)
		}
		if len(v) > MaxExtraValueLength || !printable(v, true) {
			return errs.BadRequest("evidence.invalidExtras", "extra %q: values must be at most %d bytes of UTF-8 without control characters", k, MaxExtraValueLength)
		}
	}
	return nil
}

// ValidKey checks a custom key: 1 to MaxKeyLength printable ASCII
// characters, no spaces.
func ValidKey(k string) error {
	ok := k != "" && len(k) <= MaxKeyLength
	for i := 0; ok && i < len(k); i++ {
		ok = k[i] > ' ' && k[i] < 0x7f
	}
	if !ok {
		return errs.BadRequest("evidence.invalidKey", "a custom key is 1 to %d printable ASCII characters without spaces", MaxKeyLength)
	}
	return nil
}

func validSigned(hash, signer, signature string, logs []string) error {
	if err := ValidHash(hash); err != nil {
		return err
	}
	if err := validSigner(signer); err != nil {
		return err
	}
	if _, err := decodeSignature(signature); err != nil {
		return err
	}
	return validLogs(logs)
}

func validCreate(hash, signer, signature string, logs []string, extras map[string]string, key string) error {
	if err := validSigned(hash, signer, signature, logs); err != nil {
		return err
	}
	if err := validExtras(extras); err != nil {
		return err
	}
	if key != "" {
		return ValidKey(key)
	}
	return nil
}

// Validate implements chain.Payload.
func (p *CreatePayload) Validate() error {
	return validCreate(p.Hash, p.Signer, p.Signature, p.Logs, p.Extras, p.Key)
}

// Validate implements chain.Payload.
func (p *SignPayload) Validate() error { return validSigned(p.Hash, p.Signer, p.Signature, p.Logs) }

// Validate implements chain.Payload.
func (p *RevokePayload) Validate() error {
	if err := ValidHash(p.Hash); err != nil {
		return err
	}
	if _, _, err := did.ParseWeid(p.DID); err != nil {
		return errs.BadRequest("evidence.invalidDid", "did: %v", err)
	}
	return validLogs(p.Logs)
}

// Validate implements chain.Payload.
func (p *LogPayload) Validate() error {
	if err := ValidHash(p.Hash); err != nil {
		return err
	}
	if len(p.Logs) == 0 {
		return errs.BadRequest("evidence.invalidLog", "logs must name at least one line")
	}
	return validLogs(p.Logs)
}

// Validate implements chain.Payload.
func (p *BatchPayload) Validate() error {
	if len(p.Items) == 0 || len(p.Items) > MaxBatchItems {
		return errs.BadRequest("evidence.invalidBatch", "a batch has 1 to %d items", MaxBatchItems)
	}
	for i := range p.Items {
		if err := p.Items[i].validate(); err != nil {
			return itemErr(i, err)
		}
	}
	return nil
}

func (it *BatchItem) validate() error {
	switch it.Op {
	case OpCreate:
		return validCreate(it.Hash, it.Signer, it.Signature, it.Logs, it.Extras, it.Key)
	case OpSign:
		if len(it.Extras) > 0 || it.Key != "" {
			return errs.BadRequest("evidence.invalidBatch", "a sign item carries no extras or key")
		}
		return validSigned(it.Hash, it.Signer, it.Signature, it.Logs)
	}
	return errs.BadRequest("evidence.invalidBatch", "op must be %q or %q, not %q", OpCreate, OpSign, it.Op)
}

// itemErr prefixes a batch item's error with its index, keeping its status
// and code.
func itemErr(i int, err error) error {
	if e, ok := errs.As(err); ok {
		return errs.New(e.Status, e.Code, "item %d: %s", i, e.Detail)
	}
	return err
}
