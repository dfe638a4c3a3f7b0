package chain

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/txn"
)

// Payload is the decoded body of a transaction of some type.
type Payload interface {
	// Validate checks the payload on its own, without state.
	Validate() error
}

// Context is what an apply function sees: the state as of this transaction
// and the block it is being applied in. It carries no clock: Time is the
// block's time, the same on every replay.
type Context struct {
	State  *Overlay
	Height uint64
	Time   time.Time
	TxHash string
	Tx     *Tx
	// Suite is the chain's crypto suite.
	Suite *Suite
	// Rules is the version of the ledger's rules in force at this block
	// (Rules.At: from the state and the height alone, never from what the
	// binary knows). A rule that changes with a version reads it.
	Rules uint64
}

// KeyResolver returns the public key of verification method didURL as the
// state st has it, if that method may sign for its DID (the authentication
// relationship). The did package provides it.
type KeyResolver func(st Reader, didURL string) (keys.PublicKey, error)

// Handler describes one transaction type.
type Handler struct {
	// Type is the transaction's "type" value, "area.action".
	Type string
	// NewPayload returns a pointer to an empty payload to decode into.
	NewPayload func() Payload
	// SignerKey returns the key that must have signed tx (the rule for who
	// may sign). Nil means: an authentication key of tx.From, resolved with
	// the registry's KeyResolver.
	SignerKey func(st Reader, tx *Tx, p Payload) (keys.PublicKey, error)
	// Authorize checks that the signer may do this (roles, ownership).
	// Nil means anyone whose signature verifies.
	Authorize func(st Reader, tx *Tx, p Payload) error
	// Apply changes the state. It must be deterministic.
	Apply func(ctx *Context, p Payload) error
	// PreVerify, if set, does the expensive checks of a payload (such as
	// the signatures it carries) against the committed state, in the
	// submitter's goroutine, keeping in p what it verified; Apply must
	// still confirm that what it relied on holds in its block's state.
	PreVerify func(st Reader, p Payload)
	// Since is the version of the ledger's rules the type exists from
	// (0 or 1: every version). Under an earlier version a transaction of
	// the type is refused as one of an unknown type is (400
	// tx.unknownType), so blocks made before it replay as they did.
	Since uint64
}

// Registry holds the transaction types a ledger accepts.
type Registry struct {
	handlers map[string]*Handler
	keys     KeyResolver
	// suite hashes transactions; allowed, if not nil, holds the key types
	// that may sign (SetCrypto).
	suite   *Suite
	allowed map[keys.Type]bool
	// known is the newest version of the rules this registry applies
	// (RulesVersion; tests change it with SetKnownRules while a node runs,
	// hence atomic).
	known *atomic.Uint64
}

// NewRegistry returns a registry holding only the chain's own types.
func NewRegistry() *Registry {
	r := &Registry{handlers: map[string]*Handler{}, known: new(atomic.Uint64)}
	r.known.Store(RulesVersion)
	registerChainTypes(r)
	return r
}

// Register adds a transaction type. It panics on a duplicate: registration
// happens once at start-up, and two packages claiming a type is a bug.
func (r *Registry) Register(h Handler) {
	if _, dup := r.handlers[h.Type]; dup {
		panic("chain: duplicate transaction type " + h.Type)
	}
	if h.NewPayload == nil || h.Apply == nil {
		panic("chain: transaction type " + h.Type + " needs NewPayload and Apply")
	}
	if h.Since > RulesVersion {
		panic(fmt.Sprintf("chain: transaction type %s is from rules v%d; this binary knows up to v%d", h.Type, h.Since, RulesVersion))
	}
	r.handlers[h.Type] = &h
}

// KnownRules returns the newest version of the ledger's rules r applies.
func (r *Registry) KnownRules() uint64 { return r.known.Load() }

// SetKnownRules makes r apply the ledger's rules only up to version v, as
// a binary that knows no later one would: its types from later versions
// are unknown to it, and its ledger halts where a later version takes
// effect (a v above RulesVersion stands for a binary that knows a later
// version with no new type). For tests of upgrades; v is at least 1.
func (r *Registry) SetKnownRules(v uint64) { r.known.Store(max(v, 1)) }

// unknownType is the answer to a transaction of a type the ledger's rules
// do not have (in the version in force).
func unknownType(typ string) error {
	return errs.BadRequest("tx.unknownType", "unknown transaction type %q", typ)
}

// SetCrypto sets the chain's crypto suite and the key types that may sign
// its transactions (nil: every type). A ledger sets it from its genesis
// when it opens; whoever makes a genesis sets it before checking the
// genesis transactions. It must be set before the registry is used.
func (r *Registry) SetCrypto(s *Suite, allowed []keys.Type) {
	r.suite = s
	r.allowed = nil
	if allowed != nil {
		r.allowed = map[keys.Type]bool{}
		for _, t := range allowed {
			r.allowed[t] = true
		}
	}
}

// Suite returns the chain's crypto suite.
func (r *Registry) Suite() *Suite {
	if r.suite == nil {
		return Standard
	}
	return r.suite
}

// KeyTypeList names key types for a message: "SM2", "Ed25519 or SM2".
func KeyTypeList(ts []keys.Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = string(t)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// AllowedKeyTypes returns the key types that may sign, sorted; nil means
// every type.
func (r *Registry) AllowedKeyTypes() []keys.Type {
	if r.allowed == nil {
		return nil
	}
	out := make([]keys.Type, 0, len(r.allowed))
	for t := range r.allowed {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// withCrypto returns a registry with r's handlers and another crypto
// setting, leaving r as it is.
func (r *Registry) withCrypto(s *Suite, allowed []keys.Type) *Registry {
	c := &Registry{handlers: r.handlers, keys: r.keys, known: r.known}
	c.SetCrypto(s, allowed)
	return c
}

// checkKeyType refuses a signer key of a type the chain does not accept.
func (r *Registry) checkKeyType(k keys.PublicKey, from string) error {
	if r.allowed == nil || r.allowed[k.Type] {
		return nil
	}
	return errs.BadRequest("tx.keyTypeNotAllowed", "%s is a key of type %s; this %s chain accepts only %s signers", from, k.Type, r.Suite().Name(), KeyTypeList(r.AllowedKeyTypes()))
}

// SetKeyResolver sets how verification methods are resolved to keys.
func (r *Registry) SetKeyResolver(k KeyResolver) { r.keys = k }

// Types lists the registered types in order.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.handlers))
	for t := range r.handlers {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Checked is a transaction that passed the stateless checks: it decodes, its
// type is known and its payload validates.
type Checked struct {
	Tx      *Tx
	Hash    string
	Payload Payload
	Sig     []byte
	msg     []byte
	handler *Handler
	expiry  txn.Expiry // the tx's validUntil, read (zero: none)

	// verified is the key the signature was checked against, if it was
	// checked before the block (on committed state, in parallel).
	verified keys.PublicKey
}

// Verified reports whether PreVerify checked c's signature (the block then
// re-checks only that the signer's key is still the same).
func (c *Checked) Verified() bool { return !c.verified.IsZero() }

// Check runs the stateless checks on a received transaction for chain chainID.
func (r *Registry) Check(chainID string, raw []byte) (*Checked, error) {
	tx, err := DecodeTx(raw)
	if err != nil {
		return nil, err
	}
	return r.CheckTx(chainID, tx)
}

// CheckTx runs the stateless checks on a decoded transaction.
func (r *Registry) CheckTx(chainID string, tx *Tx) (*Checked, error) {
	if tx.ChainID != chainID {
		return nil, errs.BadRequest("tx.wrongChain", "transaction is for chain %q, this is chain %q", tx.ChainID, chainID)
	}
	h, ok := r.handlers[tx.Type]
	if !ok || h.Since > r.KnownRules() {
		return nil, unknownType(tx.Type)
	}
	sig, err := decodeB64(tx.Signature)
	if err != nil || len(sig) != keys.SignatureSize {
		return nil, errs.New(http.StatusBadRequest, "tx.badSignature", "signature must be %d bytes of base64url", keys.SignatureSize)
	}
	p := h.NewPayload()
	if err := DecodeStrict(tx.Payload, p); err != nil {
		return nil, errs.BadRequest("tx.invalidPayload", "%s payload: %v", tx.Type, err)
	}
	if err := p.Validate(); err != nil {
		if e, ok := errs.As(err); ok {
			return nil, e
		}
		return nil, errs.BadRequest("tx.invalidPayload", "%s payload: %v", tx.Type, err)
	}
	msg, err := tx.SigningBytes()
	if err != nil {
		return nil, err
	}
	c := &Checked{Tx: tx, Hash: r.suite.TxHash(tx), Payload: p, Sig: sig, msg: msg, handler: h}
	if tx.ValidUntil != "" {
		if c.expiry, err = tx.Expiry(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CheckExpiry refuses c in a block of the given height and time if its
// validUntil has passed (400 tx.expired) or is too far ahead (400
// tx.malformed; txn.Expiry.Check). The block runs it with its own height
// and time, so every node decides alike; a node may run it before, with the
// next height and its clock, to refuse at once what no block would take.
func (c *Checked) CheckExpiry(height uint64, t time.Time) error {
	if c.expiry.None() {
		return nil
	}
	return c.expiry.Check(height, t)
}

// Expiry returns c's validUntil, read (zero if it has none).
func (c *Checked) Expiry() txn.Expiry { return c.expiry }

// signerKey returns the key c must be signed by, as st has it.
func (r *Registry) signerKey(st Reader, c *Checked) (keys.PublicKey, error) {
	if c.handler.SignerKey != nil {
		return c.handler.SignerKey(st, c.Tx, c.Payload)
	}
	if r.keys == nil {
		return keys.PublicKey{}, fmt.Errorf("chain: no key resolver registered")
	}
	return r.keys(st, c.Tx.From)
}

// PreVerify checks c's signature against the committed state st, so that
// signature checks run in parallel in the submitting goroutines; the block
// re-checks only that the signer's key is still the same.
func (r *Registry) PreVerify(st Reader, c *Checked) error {
	k, err := r.signerKey(st, c)
	if err != nil {
		return err
	}
	if err := r.checkKeyType(k, c.Tx.From); err != nil {
		return err
	}
	if !k.Verify(c.msg, c.Sig) {
		return errs.New(http.StatusBadRequest, "tx.badSignature", "signature does not verify with %s", c.Tx.From)
	}
	c.verified = k
	if c.handler.PreVerify != nil {
		c.handler.PreVerify(st, c.Payload)
	}
	return nil
}

// CheckRules refuses c if its type does not exist in version rules of the
// ledger's rules (Handler.Since): as the block would, with the answer to
// an unknown type. A node runs it before submitting, with the rules of the
// next block.
func (c *Checked) CheckRules(rules uint64) error {
	if c.handler.Since > max(rules, 1) {
		return unknownType(c.Tx.Type)
	}
	return nil
}

// execute applies one checked transaction to st at the given block, under
// version rules of the ledger's rules.
func (r *Registry) execute(st *Overlay, c *Checked, height uint64, t time.Time, rules uint64) error {
	// First, as the stateless checks refused it before its version.
	if err := c.CheckRules(rules); err != nil {
		return err
	}
	if err := c.CheckExpiry(height, t); err != nil {
		return err
	}
	k, err := r.signerKey(st, c)
	if err != nil {
		return err
	}
	if err := r.checkKeyType(k, c.Tx.From); err != nil {
		return err
	}
	// A zero key equals a zero c.verified (no PreVerify): never skip on it.
	if k.IsZero() || !c.verified.Equal(k) {
		if !k.Verify(c.msg, c.Sig) {
			return errs.New(http.StatusBadRequest, "tx.badSignature", "signature does not verify with %s", c.Tx.From)
		}
	}
	if c.handler.Authorize != nil {
		if err := c.handler.Authorize(st, c.Tx, c.Payload); err != nil {
			return err
		}
	}
	nk := nonceKey(c.Tx.SignerDID(), c.Tx.Nonce)
	if _, ok, err := st.Get(nk); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "tx.replay", "nonce %d was already used by %s", c.Tx.Nonce, c.Tx.SignerDID())
	}
	st.Set(nk, []byte{1})
	return c.handler.Apply(&Context{State: st, Height: height, Time: t, TxHash: c.Hash, Tx: c.Tx, Suite: r.Suite(), Rules: rules}, c.Payload)
}

func nonceKey(did string, nonce uint64) []byte {
	k := make([]byte, 0, 8+len(did)+9)
	k = append(k, "nonce/"...)
	k = append(k, did...)
	k = append(k, '/')
	return appendUint64(k, nonce)
}
