package schemas

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Transaction types of the schema registry.
const (
	// TxRegister publishes version 1 of a new schema.
	TxRegister = "schema.register"
	// TxUpdate publishes the next version of a schema; only its publisher
	// or a governor may.
	TxUpdate = "schema.update"
)

// Id ranges, as in WeIdentity's CPT registry.
const (
	// FirstAuthorityID is the first id of the authority issuers' range;
	// ids 1 to FirstAuthorityID-1 are system schemas, for governors only.
	FirstAuthorityID = 1000
	// FirstPublicID is the first id open to anyone with a did:weid DID;
	// ids FirstAuthorityID to FirstPublicID-1 are for authority issuers
	// and governors.
	FirstPublicID = 2_000_000
	// MaxID is the largest schema id: ids are JSON numbers in transactions,
	// which RFC 8785 keeps exact only up to 2^53-1.
	MaxID = chain.MaxNonce
	// MaxNameLength bounds a schema's name, in characters.
	MaxNameLength = 128
)

// Range names one of the id ranges.
type Range string

// The id ranges.
const (
	RangeSystem    Range = "system"    // 1 … 999: governors
	RangeAuthority Range = "authority" // 1000 … 1,999,999: authority issuers and governors
	RangePublic    Range = "public"    // 2,000,000 … MaxID: anyone with a DID
)

// RangeOf returns the range id belongs to (id 0 belongs to none).
func RangeOf(id uint64) Range {
	switch {
	case id < FirstAuthorityID:
		return RangeSystem
	case id < FirstPublicID:
		return RangeAuthority
	}
	return RangePublic
}

// bounds returns the first and last id of a range.
func (r Range) bounds() (first, last uint64) {
	switch r {
	case RangeSystem:
		return 1, FirstAuthorityID - 1
	case RangeAuthority:
		return FirstAuthorityID, FirstPublicID - 1
	}
	return FirstPublicID, MaxID
}

// RegisterPayload registers a new schema. ID 0 asks for the next free id of
// the signer's range: the authority range for authority issuers and
// governors (a governor who wants a system id names it), the public range
// for everyone else.
type RegisterPayload struct {
	ID     uint64          `json:"id,omitempty"`
	Name   string          `json:"name,omitempty"`
	Schema json.RawMessage `json:"schema"`
}

// UpdatePayload publishes a new version of schema ID.
type UpdatePayload struct {
	ID     uint64          `json:"id"`
	Schema json.RawMessage `json:"schema"`
}

// Validate implements chain.Payload: the id is in range, the name
// well-formed and the schema compiles.
func (p *RegisterPayload) Validate() error {
	if p.ID > MaxID {
		return errs.BadRequest("schema.invalidId", "id must be at most %d (0: assign one)", uint64(MaxID))
	}
	if err := validName(p.Name); err != nil {
		return err
	}
	return CheckSchema(p.Schema)
}

// Validate implements chain.Payload.
func (p *UpdatePayload) Validate() error {
	if p.ID == 0 || p.ID > MaxID {
		return errs.BadRequest("schema.invalidId", "id must be 1 to %d", uint64(MaxID))
	}
	return CheckSchema(p.Schema)
}

func validName(n string) error {
	if n == "" {
		return nil
	}
	bad := !utf8.ValidString(n) || utf8.RuneCountInString(n) > MaxNameLength || strings.TrimSpace(n) != n
	for _, r := range n {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			bad = true
		}
	}
	if bad {
		return errs.BadRequest("schema.invalidName", "name must be at most %d printable characters without surrounding space", MaxNameLength)
	}
	return nil
}

// Register adds the schema registry's transaction types to reg. Their
// signers are resolved by the registry's key resolver (did/weid.Register sets
// it), so every signer has a registered, active did:weid DID.
func Register(reg *chain.Registry) {
	reg.Register(chain.Handler{
		Type:       TxRegister,
		NewPayload: func() chain.Payload { return new(RegisterPayload) },
		Authorize:  authorizeRegister,
		Apply:      applyRegister,
	})
	reg.Register(chain.Handler{
		Type:       TxUpdate,
		NewPayload: func() chain.Payload { return new(UpdatePayload) },
		Authorize:  authorizeUpdate,
		Apply:      applyUpdate,
	})
}

// mayUse checks that signer may publish in range r.
func mayUse(st chain.Reader, signer string, r Range) error {
	if r == RangePublic {
		return nil
	}
	gov, err := authz.IsGovernor(st, signer)
	if err != nil || gov {
		return err
	}
	if r == RangeAuthority {
		is, err := authz.IsAuthorityIssuer(st, signer)
		if err != nil || is {
			return err
		}
		return errs.New(http.StatusForbidden, "tx.unauthorized", "%s is not an authority issuer or governor; ids %d to %d are theirs (ids from %d are open to all)",
			signer, FirstAuthorityID, FirstPublicID-1, FirstPublicID)
	}
	return errs.New(http.StatusForbidden, "tx.unauthorized", "%s is not a governor; system schema ids below %d are theirs", signer, FirstAuthorityID)
}

func authorizeRegister(st chain.Reader, tx *chain.Tx, p chain.Payload) error {
	if id := p.(*RegisterPayload).ID; id != 0 {
		return mayUse(st, tx.SignerDID(), RangeOf(id))
	}
	return nil
}

func authorizeUpdate(st chain.Reader, tx *chain.Tx, p chain.Payload) error {
	id := p.(*UpdatePayload).ID
	r, err := Get(st, id, 0)
	if err != nil {
		return err
	}
	signer := tx.SignerDID()
	if signer == r.Publisher {
		return nil
	}
	gov, err := authz.IsGovernor(st, signer)
	if err != nil {
		return err
	}
	if !gov {
		return errs.New(http.StatusForbidden, "tx.unauthorized", "%s may not update schema %d: only its publisher %s or a governor may", signer, id, r.Publisher)
	}
	return nil
}

// autoRange is the range an id-0 registration by signer draws from.
func autoRange(st chain.Reader, signer string) (Range, error) {
	if err := mayUse(st, signer, RangeAuthority); err == nil {
		return RangeAuthority, nil
	} else if _, ok := errs.As(err); !ok {
		return "", err
	}
	return RangePublic, nil
}

// assign returns the next free id of range r and moves the range's counter
// past it. Ids taken explicitly ahead of the counter are skipped; each is
// skipped once, so assignment costs O(1) reads amortized.
func assign(st *chain.Overlay, r Range) (uint64, error) {
	first, last := r.bounds()
	key := []byte(prefixNext + string(r))
	next := first
	if v, ok, err := st.Get(key); err != nil {
		return 0, err
	} else if ok {
		if len(v) != 8 {
			return 0, fmt.Errorf("corrupt schema counter %s", key)
		}
		next = binary.BigEndian.Uint64(v)
	}
	for ; next <= last; next++ {
		v, err := latestVersion(st, next)
		if err != nil {
			return 0, err
		}
		if v == 0 {
			st.Set(key, be8(next+1))
			return next, nil
		}
	}
	return 0, errs.New(http.StatusConflict, "schema.rangeFull", "no free schema id is left in the %s range (%d to %d)", r, first, last)
}

func applyRegister(ctx *chain.Context, p chain.Payload) error {
	rp := p.(*RegisterPayload)
	signer := ctx.Tx.SignerDID()
	id := rp.ID
	if id == 0 {
		r, err := autoRange(ctx.State, signer)
		if err != nil {
			return err
		}
		if id, err = assign(ctx.State, r); err != nil {
			return err
		}
	} else if v, err := latestVersion(ctx.State, id); err != nil {
		return err
	} else if v != 0 {
		return errs.New(http.StatusConflict, "schema.exists", "schema %d already exists", id)
	}
	return store(ctx, &Record{ID: id, Version: 1, Name: rp.Name, Publisher: signer, Signer: signer,
		Created: blockTime(ctx), Schema: rp.Schema, TxHash: ctx.TxHash, Height: ctx.Height})
}

func applyUpdate(ctx *chain.Context, p chain.Payload) error {
	up := p.(*UpdatePayload)
	prev, err := Get(ctx.State, up.ID, 0)
	if err != nil {
		return err
	}
	return store(ctx, &Record{ID: up.ID, Version: prev.Version + 1, Name: prev.Name, Publisher: prev.Publisher, Signer: ctx.Tx.SignerDID(),
		Created: blockTime(ctx), Schema: up.Schema, TxHash: ctx.TxHash, Height: ctx.Height})
}

// blockTime is the block's time, RFC 3339, the same on every replay.
func blockTime(ctx *chain.Context) string { return ctx.Time.UTC().Format(time.RFC3339) }

func store(ctx *chain.Context, r *Record) error {
	raw, err := chain.MarshalJSON(r)
	if err != nil {
		return fmt.Errorf("encode schema %d version %d: %w", r.ID, r.Version, err)
	}
	ctx.State.Set(versionKey(r.ID, r.Version), raw)
	ctx.State.Set(latestKey(r.ID), be8(r.Version))
	ctx.State.Set(byTxKey(ctx.TxHash), append(be8(r.ID), be8(r.Version)...))
	return nil
}
