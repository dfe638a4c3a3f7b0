package authz

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
)

// Transaction types of the trust registry.
const (
	TxAddCommittee    = "gov.addCommitteeMember"
	TxRemoveCommittee = "gov.removeCommitteeMember"
	TxRecognize       = "issuer.recognize"
	TxDerecognize     = "issuer.derecognize"
)

// Limits of an issuer record.
const (
	MaxNameLength        = 128
	MaxDescriptionLength = 2048
	MaxAccreditations    = 256
)

// MemberPayload names a committee member to add or remove.
type MemberPayload struct {
	DID string `json:"did"`
}

// Validate implements chain.Payload.
func (p *MemberPayload) Validate() error {
	return validWeidDID(p.DID, "committee members are did:weid DIDs")
}

// validWeidDID refuses (400 gov.invalidDid) d, a governance payload's DID
// that must be a did:weid, saying why after rule.
func validWeidDID(d, rule string) error {
	if _, _, err := did.ParseWeid(d); err != nil {
		return errs.BadRequest("gov.invalidDid", "%s: %v", rule, err)
	}
	return nil
}

// RecognizePayload recognizes an authority issuer.
type RecognizePayload struct {
	DID         string   `json:"did"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Types       []string `json:"types,omitempty"`
	Schemas     []uint64 `json:"schemas,omitempty"`
}

// Validate implements chain.Payload.
func (p *RecognizePayload) Validate() error {
	if _, err := did.ParseDID(p.DID); err != nil {
		return errs.BadRequest("issuer.invalidDid", "%v", err)
	}
	name := strings.TrimSpace(p.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength || name != p.Name || !displayable(name, false) {
		return errs.BadRequest("issuer.invalidName", "name must be 1 to %d printable characters without surrounding space or bidirectional controls", MaxNameLength)
	}
	if utf8.RuneCountInString(p.Description) > MaxDescriptionLength {
		return errs.BadRequest("issuer.invalidDescription", "description is longer than %d characters", MaxDescriptionLength)
	}
	if !displayable(p.Description, true) {
		return errs.BadRequest("issuer.invalidDescription", "description must be printable text (line breaks allowed) without bidirectional controls")
	}
	if len(p.Types)+len(p.Schemas) > MaxAccreditations {
		return errs.BadRequest("issuer.tooManyAccreditations", "at most %d types and schemas", MaxAccreditations)
	}
	for _, t := range p.Types {
		if t == "" || len(t) > 256 || !displayable(t, false) {
			return errs.BadRequest("issuer.invalidType", "credential types must be 1 to 256 printable characters")
		}
	}
	return nil
}

// displayable reports whether s, a name the verify page, the explorer and
// the CLI show as the trust registry's word, can be shown as it is: valid
// UTF-8 without control characters (a NUL, or an ESC that would drive the
// terminal of whoever runs "weid vc verify"; line breaks only when
// multiline) and without the Unicode Bidi_Control characters (U+202E
// RIGHT-TO-LEFT OVERRIDE and the like), with which a name can display as
// another one ("Bidirectional Text Spoofing", Unicode Technical Report #36).
func displayable(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (unicode.IsControl(r) && !(multiline && r == '\n')) || unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}

// DerecognizePayload names an authority issuer to de-recognize.
type DerecognizePayload struct {
	DID string `json:"did"`
}

// Validate implements chain.Payload.
func (p *DerecognizePayload) Validate() error {
	if _, err := did.ParseDID(p.DID); err != nil {
		return errs.BadRequest("issuer.invalidDid", "%v", err)
	}
	return nil
}

func requireAdmin(st chain.Reader, tx *chain.Tx, _ chain.Payload) error {
	ok, err := chain.IsAdmin(st, tx.SignerDID())
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(http.StatusForbidden, "tx.unauthorized", "%s is not a consortium admin; only admins change the committee", tx.SignerDID())
	}
	return nil
}

// requireGovernor lets admins and committee members recognize and
// de-recognize issuers.
func requireGovernor(st chain.Reader, tx *chain.Tx, _ chain.Payload) error {
	return governorsOnly(st, tx, "recognize issuers")
}

// governorsOnly refuses (403 tx.unauthorized) a transaction whose signer
// is neither an admin nor a committee member; what says what only they do.
func governorsOnly(st chain.Reader, tx *chain.Tx, what string) error {
	ok, err := IsGovernor(st, tx.SignerDID())
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(http.StatusForbidden, "tx.unauthorized", "%s is neither an admin nor a committee member; only they %s", tx.SignerDID(), what)
	}
	return nil
}

func blockTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Register adds the trust registry's transaction types to reg.
func Register(reg *chain.Registry) {
	registerNodes(reg)
	registerRules(reg)
	reg.Register(chain.Handler{
		Type:       TxAddCommittee,
		NewPayload: func() chain.Payload { return new(MemberPayload) },
		Authorize:  requireAdmin,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			m := p.(*MemberPayload)
			if err := activeDID(ctx, m.DID); err != nil {
				return err
			}
			key := []byte(prefixCommittee + m.DID)
			if _, ok, err := ctx.State.Get(key); err != nil {
				return err
			} else if ok {
				return errs.New(http.StatusConflict, "gov.alreadyMember", "%s is already a committee member", m.DID)
			}
			return ctx.State.SetJSON(key, Member{DID: m.DID, AddedBy: ctx.Tx.SignerDID(), Added: blockTime(ctx.Time), TxHash: ctx.TxHash, Height: ctx.Height})
		},
	})
	reg.Register(chain.Handler{
		Type:       TxRemoveCommittee,
		NewPayload: func() chain.Payload { return new(MemberPayload) },
		Authorize:  requireAdmin,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			key := []byte(prefixCommittee + p.(*MemberPayload).DID)
			if _, ok, err := ctx.State.Get(key); err != nil {
				return err
			} else if !ok {
				return errs.New(http.StatusNotFound, "gov.notMember", "%s is not a committee member", p.(*MemberPayload).DID)
			}
			ctx.State.Delete(key)
			return nil
		},
	})
	reg.Register(chain.Handler{
		Type:       TxRecognize,
		NewPayload: func() chain.Payload { return new(RecognizePayload) },
		Authorize:  requireGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			r := p.(*RecognizePayload)
			// A did:weid issuer must exist and be active; other methods
			// (did:key, did:web, …) are issuers from outside the consortium.
			if strings.HasPrefix(r.DID, "did:weid:") {
				if err := activeDID(ctx, r.DID); err != nil {
					return err
				}
			}
			key := []byte(prefixIssuer + r.DID)
			if _, ok, err := ctx.State.Get(key); err != nil {
				return err
			} else if ok {
				return errs.New(http.StatusConflict, "issuer.exists", "%s is already an authority issuer", r.DID)
			}
			nk := nameKey(r.Name)
			if other, ok, err := ctx.State.Get(nk); err != nil {
				return err
			} else if ok {
				return errs.New(http.StatusConflict, "issuer.nameTaken", "the name %q belongs to %s", r.Name, other)
			}
			ctx.State.Set(nk, []byte(r.DID))
			return ctx.State.SetJSON(key, Issuer{DID: r.DID, Name: r.Name, Description: r.Description, Types: r.Types, Schemas: r.Schemas,
				RecognizedBy: ctx.Tx.SignerDID(), Recognized: blockTime(ctx.Time), TxHash: ctx.TxHash, Height: ctx.Height})
		},
	})
	reg.Register(chain.Handler{
		Type:       TxDerecognize,
		NewPayload: func() chain.Payload { return new(DerecognizePayload) },
		Authorize:  requireGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			d := p.(*DerecognizePayload).DID
			is, ok, err := AuthorityIssuer(ctx.State, d)
			if err != nil {
				return err
			}
			if !ok {
				return errs.New(http.StatusNotFound, "issuer.notFound", "%s is not an authority issuer", d)
			}
			ctx.State.Delete([]byte(prefixIssuer + d))
			ctx.State.Delete(nameKey(is.Name))
			return nil
		},
	})
}
