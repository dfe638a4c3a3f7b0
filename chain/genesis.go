package chain

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// TypeChainInit is the transaction that founds a chain. It is valid only in
// the genesis block (height 0), after the transaction that creates the first
// admin's DID, and is signed by that admin.
const TypeChainInit = "chain.init"

// State keys owned by the chain package.
var (
	KeyChainInit = []byte("chain/init")
	prefixAdmin  = "gov/admin/"
)

// InitPayload is the body of a chain.init transaction.
type InitPayload struct {
	NodeKey string   `json:"nodeKey"` // publicKeyMultibase of the solo node's block-signing key
	Admins  []string `json:"admins"`  // DIDs of the consortium admins
	// Crypto is the chain's crypto suite (Suite): "gm" for a 国密 chain;
	// absent (or "standard") for SHA-256. Absent, the payload is the one
	// chains made before suites existed, so their genesis is unchanged.
	Crypto string `json:"crypto,omitempty"`
	// AllowedKeyTypes, if set, are the key types that may sign
	// transactions; absent, any type may on a standard chain and only SM2
	// on a gm chain.
	AllowedKeyTypes []keys.Type `json:"allowedKeyTypes,omitempty"`
	// Rules is the version of the ledger's rules the chain starts at
	// (Rules, rules.go): the newest its creating binary knows. Absent (0),
	// the chain is at version 1, as chains made before rules were
	// versioned are, so their genesis is unchanged.
	Rules uint64 `json:"rules,omitempty"`
}

// Validate implements Payload.
func (p *InitPayload) Validate() error {
	if _, err := keys.ParseMultibase(p.NodeKey); err != nil {
		return fmt.Errorf("nodeKey: %w", err)
	}
	if len(p.Admins) == 0 {
		return fmt.Errorf("admins must name at least one DID")
	}
	if p.Crypto != "" {
		if _, err := ParseSuite(p.Crypto); err != nil {
			return fmt.Errorf("crypto: %w", err)
		}
	}
	if len(p.AllowedKeyTypes) > 8 {
		return fmt.Errorf("allowedKeyTypes: at most 8")
	}
	for _, t := range p.AllowedKeyTypes {
		if pt, err := keys.ParseType(string(t)); err != nil || pt != t {
			return fmt.Errorf("allowedKeyTypes: %q is not a key type (want Ed25519, P-256, secp256k1 or SM2)", t)
		}
	}
	return nil
}

// AllowedKeys returns the key types that may sign on a chain of suite s
// with this genesis; nil means every type.
func (p *InitPayload) AllowedKeys(s *Suite) []keys.Type { return p.allowed(s) }

func (p *InitPayload) allowed(s *Suite) []keys.Type {
	if len(p.AllowedKeyTypes) > 0 {
		return p.AllowedKeyTypes
	}
	if !s.std() {
		return []keys.Type{keys.SM2}
	}
	return nil
}

// AdminKey is the state key that marks did as a consortium admin.
func AdminKey(did string) []byte { return []byte(prefixAdmin + did) }

// IsAdmin reports whether did is a consortium admin in st.
func IsAdmin(st Reader, did string) (bool, error) {
	_, ok, err := st.Get(AdminKey(did))
	return ok, err
}

// InitRecord returns the chain.init payload recorded in st.
func InitRecord(st Reader) (*InitPayload, error) {
	v, ok, err := st.Get(KeyChainInit)
	if err != nil || !ok {
		return nil, fmt.Errorf("chain not initialized: %v", err)
	}
	var p InitPayload
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func registerChainTypes(r *Registry) {
	r.Register(Handler{
		Type:       TypeChainInit,
		NewPayload: func() Payload { return new(InitPayload) },
		Authorize: func(st Reader, tx *Tx, p Payload) error {
			for _, a := range p.(*InitPayload).Admins {
				if a == tx.SignerDID() {
					return nil
				}
			}
			return errs.New(http.StatusForbidden, "tx.unauthorized", "chain.init must be signed by one of its admins")
		},
		Apply: func(ctx *Context, p Payload) error {
			if ctx.Height != 0 {
				return errs.New(http.StatusForbidden, "tx.unauthorized", "chain.init is only valid in the genesis block")
			}
			if _, ok, _ := ctx.State.Get(KeyChainInit); ok {
				return errs.New(http.StatusConflict, "chain.alreadyInitialized", "the chain is already initialized")
			}
			// The ledger hashed this genesis with its registry's suite: the
			// chain.init must name that suite, or the chain would record one
			// suite and be hashed with another.
			if s, _ := ParseSuite(p.(*InitPayload).Crypto); s.Name() != ctx.Suite.Name() {
				return errs.BadRequest("chain.cryptoMismatch", "chain.init names crypto %q, the ledger is hashing with %q", s.Name(), ctx.Suite.Name())
			}
			raw, err := json.Marshal(p)
			if err != nil {
				return err
			}
			ctx.State.Set(KeyChainInit, raw)
			for _, a := range p.(*InitPayload).Admins {
				ctx.State.Set(AdminKey(a), []byte{1})
			}
			// Whether this binary knows the version is no rule of the
			// chain's: a ledger that does not halts before its next block.
			if v := p.(*InitPayload).Rules; v > 0 {
				return ctx.State.SetJSON(KeyRules, Rules{Version: v})
			}
			return nil
		},
	})
}
