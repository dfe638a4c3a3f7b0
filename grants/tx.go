package grants

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Transaction types of the grant registry.
const (
	TxRecord = "grant.record"
	TxRevoke = "grant.revoke"
	TxAccess = "grant.access"
)

// MaxAccesses bounds the access receipts of one grant.
const MaxAccesses = 1 << 20

// RecordPayload records the receipt of a grant. The transaction must be
// signed by the grantor; the ledger verifies the grant's own signature
// against the grantor's assertionMethod key in the state it is applied to.
type RecordPayload struct {
	Grant string `json:"grant"` // the compact JWS

	parsed *Signed
}

// RevokePayload revokes the grant ID; only its grantor may.
type RevokePayload struct {
	ID string `json:"id"`
}

// AccessPayload records a data release under grant GrantID: the claims
// released and the hash of the request that asked for them (the SHA-256 of
// its proof of possession, lowercase hex), which the ledger accepts once.
// The transaction's signer is the data holder.
type AccessPayload struct {
	GrantID string   `json:"grantId"`
	Claims  []string `json:"claims"`
	Request string   `json:"request"`
}

// Validate implements chain.Payload: the grant parses (Parse).
func (p *RecordPayload) Validate() error {
	s, err := Parse(p.Grant)
	if err != nil {
		return err
	}
	p.parsed = s
	return nil
}

// signed returns the parsed grant, parsing it if Validate did not.
func (p *RecordPayload) signed() (*Signed, error) {
	if p.parsed == nil {
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	return p.parsed, nil
}

// Validate implements chain.Payload.
func (p *RevokePayload) Validate() error { return ValidID(p.ID) }

// Validate implements chain.Payload.
func (p *AccessPayload) Validate() error {
	if err := ValidID(p.GrantID); err != nil {
		return err
	}
	if len(p.Claims) == 0 || len(p.Claims) > MaxScope {
		return errs.BadRequest("grant.invalidAccess", "an access names 1 to %d claims", MaxScope)
	}
	for i, c := range p.Claims {
		if c == "" || len(c) > MaxClaimLength || !printable(c) || slices.Contains(p.Claims[:i], c) {
			return errs.BadRequest("grant.invalidAccess", "claims[%d] must be a distinct name of 1 to %d characters", i, MaxClaimLength)
		}
	}
	if !isHex64(p.Request) {
		return errs.BadRequest("grant.invalidAccess", "request must be a SHA-256 hash as 64 lowercase hex characters")
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Register adds the grant transaction types to reg.
func Register(reg *chain.Registry) {
	reg.Register(chain.Handler{
		Type:       TxRecord,
		NewPayload: func() chain.Payload { return new(RecordPayload) },
		Authorize: func(_ chain.Reader, tx *chain.Tx, p chain.Payload) error {
			s, err := p.(*RecordPayload).signed()
			if err != nil {
				return err
			}
			if g := s.Grantor; g != tx.SignerDID() {
				return errs.New(http.StatusForbidden, "grant.notGrantor", "a grant's receipt is recorded by its grantor %s, not %s", g, tx.SignerDID())
			}
			return nil
		},
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			s, err := p.(*RecordPayload).signed()
			if err != nil {
				return err
			}
			return applyRecord(ctx, s)
		},
	})
	reg.Register(chain.Handler{
		Type:       TxRevoke,
		NewPayload: func() chain.Payload { return new(RevokePayload) },
		Authorize: func(st chain.Reader, tx *chain.Tx, p chain.Payload) error {
			r, err := mustReceipt(st, p.(*RevokePayload).ID)
			if err != nil {
				return err
			}
			if r.Grantor != tx.SignerDID() {
				return errs.New(http.StatusForbidden, "grant.notGrantor", "only the grantor %s revokes grant %s, not %s", r.Grantor, r.ID, tx.SignerDID())
			}
			return nil
		},
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			r, err := mustReceipt(ctx.State, p.(*RevokePayload).ID)
			if err != nil {
				return err
			}
			if r.Status == StatusRevoked {
				return errs.New(http.StatusConflict, "grant.alreadyRevoked", "grant %s is already revoked", r.ID)
			}
			r.Status = StatusRevoked
			r.Revoked = &Event{Time: blockTime(ctx.Time), Height: ctx.Height, TxHash: ctx.TxHash}
			return ctx.State.SetJSON(receiptKey(r.ID), r)
		},
	})
	reg.Register(chain.Handler{
		Type:       TxAccess,
		NewPayload: func() chain.Payload { return new(AccessPayload) },
		Apply:      applyAccess,
	})
}

func blockTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// grantorKey resolves the grant's kid to its key if it is in the
// assertionMethod relationship of the grantor's current, active document.
func grantorKey(st chain.Reader, kid string) (keys.PublicKey, error) {
	if u, err := did.ParseDIDURL(kid); err != nil || u.Fragment == "" {
		return keys.PublicKey{}, invalid("the grant's kid is not a DID URL")
	}
	pk, err := weid.RelationshipKey(st, kid, "assertionMethod", "grantor")
	if errors.Is(err, weid.ErrNotInRelationship) {
		return keys.PublicKey{}, errs.New(http.StatusForbidden, "grant.notAssertionMethod", "%s is not an assertionMethod key of the grantor", kid)
	}
	return pk, err
}

func applyRecord(ctx *chain.Context, s *Signed) error {
	st := ctx.State
	if _, ok, err := st.Get(receiptKey(s.ID)); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "grant.exists", "a grant with id %s is already recorded", s.ID)
	}
	pk, err := grantorKey(st, s.JWS.Header.Kid)
	if err != nil {
		return err
	}
	if err := s.JWS.Verify(pk); err != nil {
		return errs.New(http.StatusBadRequest, "grant.badSignature", "the grant's signature does not verify with %s", s.JWS.Header.Kid)
	}
	r := &Receipt{ID: s.ID, Hash: s.Hash, Grantor: s.Grantor, Grantee: s.Grantee, Resource: s.Resource, Scope: s.Scope,
		Purpose: s.Purpose, NotBefore: stamp(s.NotBefore), Expires: stamp(s.Expires), Status: StatusActive,
		Recorded: Event{Time: blockTime(ctx.Time), Height: ctx.Height, TxHash: ctx.TxHash}}
	st.Set(hashKey(s.Hash), []byte(s.ID))
	st.Set(grantorIndex(s.Grantor, s.ID), []byte{})
	st.Set(granteeIndex(s.Grantee, s.ID), []byte{})
	return st.SetJSON(receiptKey(s.ID), r)
}

func applyAccess(ctx *chain.Context, p chain.Payload) error {
	a := p.(*AccessPayload)
	st := ctx.State
	r, err := mustReceipt(st, a.GrantID)
	if err != nil {
		return err
	}
	if err := r.Usable(ctx.Time, a.Claims); err != nil {
		return err
	}
	if id, ok, err := st.Get(requestKey(a.Request)); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "exchange.replayed", "this request was already served (under grant %s)", id)
	}
	if r.AccessCount >= MaxAccesses {
		return errs.New(http.StatusConflict, "grant.full", "grant %s has the most access receipts it may have", r.ID)
	}
	acc := Access{GrantID: r.ID, Seq: r.AccessCount, Holder: ctx.Tx.SignerDID(), Grantee: r.Grantee, Claims: a.Claims, Request: a.Request,
		GrantEvent: Event{Time: blockTime(ctx.Time), Height: ctx.Height, TxHash: ctx.TxHash}}
	if err := st.SetJSON(accessKey(r.ID, acc.Seq), acc); err != nil {
		return err
	}
	st.Set(requestKey(a.Request), []byte(r.ID))
	r.AccessCount++
	return st.SetJSON(receiptKey(r.ID), r)
}
