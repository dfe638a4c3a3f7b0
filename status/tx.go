package status

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Transaction types of the status lists. Both are signed by an
// authentication key of the issuer's did:weid DID (the registry's key
// resolver, set by did/weid.Register, checks it): the issuer of a list is the
// DID of the transaction's signer.
const (
	// TxCreate creates a list.
	TxCreate = "status.createList"
	// TxUpdate sets and clears bits of a list; only its issuer may.
	TxUpdate = "status.update"
)

// MaxIndicesPerTx bounds the indices one status.update names (set and
// clear together). A transaction is also at most chain.MaxTxBytes as
// received, which with seven-digit indices allows about 8,000.
const MaxIndicesPerTx = 10000

// CreatePayload creates a list. An empty ID means DerivedID of the
// transaction's hash; Size 0 means DefaultSize.
type CreatePayload struct {
	ID      string `json:"id,omitempty"`
	Purpose string `json:"purpose"`
	Size    uint64 `json:"size,omitempty"`
}

// Validate implements chain.Payload.
func (p *CreatePayload) Validate() error {
	if p.ID != "" && !ValidID(p.ID) {
		return errs.BadRequest("status.invalidId", "list id must be 1 to %d characters of [a-z0-9._-] starting with a letter or digit", MaxIDLength)
	}
	if !ValidPurpose(p.Purpose) {
		return errs.BadRequest("status.invalidPurpose", "purpose must be %q or %q", PurposeRevocation, PurposeSuspension)
	}
	if p.Size != 0 && !validSize(p.Size) {
		return errs.BadRequest("status.invalidSize", "size must be a multiple of 8 from %d to %d bits", MinSize, MaxSize)
	}
	return nil
}

// UpdatePayload sets the bits Set and clears the bits Clear of list List.
// Setting a set bit or clearing a clear one changes nothing but is no
// error; bits of a revocation list are never cleared.
type UpdatePayload struct {
	List  string   `json:"list"`
	Set   []uint64 `json:"set,omitempty"`
	Clear []uint64 `json:"clear,omitempty"`
}

// Validate implements chain.Payload: the id is well-formed, there are 1 to
// MaxIndicesPerTx indices, each below MaxSize and named once.
func (p *UpdatePayload) Validate() error {
	if !ValidID(p.List) {
		return errs.BadRequest("status.invalidId", "list id must be 1 to %d characters of [a-z0-9._-] starting with a letter or digit", MaxIDLength)
	}
	n := len(p.Set) + len(p.Clear)
	if n == 0 {
		return errs.BadRequest("status.emptyUpdate", "an update sets or clears at least one index")
	}
	if n > MaxIndicesPerTx {
		return errs.BadRequest("status.tooManyIndices", "an update names at most %d indices, not %d", MaxIndicesPerTx, n)
	}
	all := make([]uint64, 0, n)
	all = append(append(all, p.Set...), p.Clear...)
	slices.Sort(all)
	for i, v := range all {
		if v >= MaxSize {
			return errs.BadRequest("status.indexOutOfRange", "index %d is outside every list (at most %d bits)", v, MaxSize)
		}
		if i > 0 && all[i-1] == v {
			return errs.BadRequest("status.duplicateIndex", "index %d is named twice", v)
		}
	}
	return nil
}

// Register adds the status list transaction types to reg.
func Register(reg *chain.Registry) {
	reg.Register(chain.Handler{
		Type:       TxCreate,
		NewPayload: func() chain.Payload { return new(CreatePayload) },
		Apply:      applyCreate,
	})
	reg.Register(chain.Handler{
		Type:       TxUpdate,
		NewPayload: func() chain.Payload { return new(UpdatePayload) },
		Authorize:  authorizeUpdate,
		Apply:      applyUpdate,
	})
}

func blockTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func storeList(ctx *chain.Context, l *List) error {
	raw, err := chain.MarshalJSON(l)
	if err != nil {
		return fmt.Errorf("encode status list %s: %w", l.ID, err)
	}
	ctx.State.Set(listKey(l.ID), raw)
	return nil
}

func applyCreate(ctx *chain.Context, p chain.Payload) error {
	cp := p.(*CreatePayload)
	id := cp.ID
	if id == "" {
		id = DerivedID(ctx.TxHash)
	}
	if _, ok, err := ctx.State.Get(listKey(id)); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "status.exists", "status list %q already exists", id)
	}
	size := cp.Size
	if size == 0 {
		size = DefaultSize
	}
	now := blockTime(ctx.Time)
	issuer := ctx.Tx.SignerDID()
	l := &List{ID: id, Issuer: issuer, Purpose: cp.Purpose, Size: size, Version: 1,
		Created: now, CreatedHeight: ctx.Height, Updated: now, UpdatedHeight: ctx.Height, TxHash: ctx.TxHash}
	ctx.State.Set(issuerKey(issuer, id), []byte{})
	// The bits start as zeros: chunks are written on their first change.
	return storeList(ctx, l)
}

func authorizeUpdate(st chain.Reader, tx *chain.Tx, p chain.Payload) error {
	up := p.(*UpdatePayload)
	l, err := Get(st, up.List)
	if err != nil {
		return err
	}
	if signer := tx.SignerDID(); signer != l.Issuer {
		return errs.New(http.StatusForbidden, "tx.unauthorized", "%s may not update status list %s: only its issuer %s may", signer, l.ID, l.Issuer)
	}
	return nil
}

func applyUpdate(ctx *chain.Context, p chain.Payload) error {
	up := p.(*UpdatePayload)
	l, err := Get(ctx.State, up.List)
	if err != nil {
		return err
	}
	if l.Purpose == PurposeRevocation && len(up.Clear) > 0 {
		return errs.New(http.StatusConflict, "status.irreversible",
			"status list %s is a revocation list: revocation cannot be undone, so its bits are never cleared", l.ID)
	}
	type change struct {
		index uint64
		set   bool
	}
	cs := make([]change, 0, len(up.Set)+len(up.Clear))
	for _, i := range up.Set {
		cs = append(cs, change{i, true})
	}
	for _, i := range up.Clear {
		cs = append(cs, change{i, false})
	}
	for _, c := range cs {
		if c.index >= l.Size {
			return outOfRange(l, c.index)
		}
	}
	// Group by chunk: each changed chunk is copied, changed and written once.
	slices.SortFunc(cs, func(a, b change) int {
		switch {
		case a.index < b.index:
			return -1
		case a.index > b.index:
			return 1
		}
		return 0
	})
	const chunkBits = ChunkBytes * 8
	setCount := l.SetCount
	for i := 0; i < len(cs); {
		c := uint32(cs[i].index / chunkBits)
		old, err := readChunk(ctx.State, l, c)
		if err != nil {
			return err
		}
		b := slices.Clone(old) // the overlay keeps the value it was given
		changed := false
		for ; i < len(cs) && uint32(cs[i].index/chunkBits) == c; i++ {
			off := cs[i].index % chunkBits
			mask := byte(0x80 >> (off % 8))
			was := b[off/8]&mask != 0
			switch {
			case cs[i].set && !was:
				b[off/8] |= mask
				setCount++
				changed = true
			case !cs[i].set && was:
				b[off/8] &^= mask
				setCount--
				changed = true
			}
		}
		if changed {
			ctx.State.Set(chunkKey(l.ID, c), b)
		}
	}
	l.SetCount = setCount
	l.Version++
	l.Updated = blockTime(ctx.Time)
	l.UpdatedHeight = ctx.Height
	l.TxHash = ctx.TxHash
	return storeList(ctx, l)
}
