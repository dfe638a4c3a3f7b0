package authz

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
)

// Transaction types of the consortium's nodes. Under the CometBFT engine a
// committed gov.addValidator or gov.removeValidator becomes a validator
// update of the block (chain/cometbft.ValidatorChange); observers take no
// part in consensus, so their register has no consensus effect. Under the
// solo engine all four are only recorded.
const (
	TxAddValidator    = "gov.addValidator"
	TxRemoveValidator = "gov.removeValidator"
	TxAddObserver     = "gov.addObserver"
	TxRemoveObserver  = "gov.removeObserver"
)

// MaxValidatorPower bounds one validator's voting power (CometBFT's own
// bound on the total is far above any consortium's).
const MaxValidatorPower = 1_000_000

// RequestedPower reads the voting power an admission request gives, raw (a
// JSON value, or nothing): api.DefaultValidatorPower when absent, else a
// whole number from 1 to MaxValidatorPower in digits. Any other value is
// refused naming the range: 0 is not "the default", and a number too large
// for an int64 (1e20) is out of range, not "not an integer".
func RequestedPower(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 {
		return api.DefaultValidatorPower, nil
	}
	if p, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64); err == nil && json.Valid(raw) && p >= 1 && p <= MaxValidatorPower {
		return p, nil
	}
	return 0, errs.BadRequest("gov.invalidPower", "power must be a whole number from 1 to %d, in digits (leave it out for %d), not %s", MaxValidatorPower, api.DefaultValidatorPower, raw)
}

// State keys of the node registers.
const (
	prefixValidator = "gov/validator/" // + the key's hex: a Validator
	prefixObserver  = "gov/observer/"  // + the node id: an Observer
	keyValidatorSet = "gov/validatorSet"
)

// Validator is api.Validator.
type Validator = api.Validator

// Observer is api.Observer.
type Observer = api.Observer

// ValidatorSet sums up the recorded validators and the changes of the
// latest block that changed them: a block may change at most a third of the
// voting power the set had before it.
type ValidatorSet struct {
	Count   int      `json:"count"`
	Power   int64    `json:"power"`
	Height  uint64   `json:"height"`  // the last height that changed the set
	Base    int64    `json:"base"`    // the total power before that height
	Changed int64    `json:"changed"` // the power added or removed at that height
	Keys    []string `json:"keys"`    // the keys (hex) changed at that height
}

// ParseValidatorKey reads an Ed25519 public key as CometBFT writes it
// (standard base64 of the 32 bytes, as in priv_validator_key.json), or as
// URL-safe base64 or hex.
func ParseValidatorKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var b []byte
	if len(s) == 64 {
		if h, err := hex.DecodeString(s); err == nil {
			b = h
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b != nil {
			break
		}
		if d, err := enc.DecodeString(s); err == nil {
			b = d
		}
	}
	if len(b) != 32 {
		return nil, errs.BadRequest("gov.invalidValidatorKey", "a validator key is an Ed25519 public key: 32 bytes in base64 (as in CometBFT's priv_validator_key.json) or hex; got %q", s)
	}
	return b, nil
}

// ValidatorAddress is CometBFT's address of an Ed25519 key.
func ValidatorAddress(pub []byte) string {
	h := sha256.Sum256(pub)
	return strings.ToUpper(hex.EncodeToString(h[:20]))
}

// validNodeID refuses (400 gov.invalidNodeId) a nodeId that is not a
// CometBFT node id.
func validNodeID(id string) error {
	if len(id) == 40 {
		if _, err := hex.DecodeString(id); err == nil && strings.ToLower(id) == id {
			return nil
		}
	}
	return errs.BadRequest("gov.invalidNodeId", "nodeId is a CometBFT node id: 40 lowercase hex digits")
}

// validNodeName refuses (400 gov.invalidName) a node's name that is too
// long, has surrounding space or is not displayable.
func validNodeName(name string) error {
	if utf8.RuneCountInString(name) > MaxNameLength || strings.TrimSpace(name) != name || !displayable(name, false) {
		return errs.BadRequest("gov.invalidName", "name must be at most %d printable characters without surrounding space or bidirectional controls", MaxNameLength)
	}
	return nil
}

func validMemberDID(d string) error {
	if d == "" {
		return nil
	}
	return validWeidDID(d, "memberDid is a did:weid DID")
}

// AddValidatorPayload admits a validator.
type AddValidatorPayload struct {
	PubKey    string `json:"pubKey"`
	Power     int64  `json:"power"`
	Name      string `json:"name,omitempty"`
	MemberDID string `json:"memberDid,omitempty"`
	NodeID    string `json:"nodeId,omitempty"`
}

// Validate implements chain.Payload.
func (p *AddValidatorPayload) Validate() error {
	if _, err := ParseValidatorKey(p.PubKey); err != nil {
		return err
	}
	if p.Power < 1 || p.Power > MaxValidatorPower {
		return errs.BadRequest("gov.invalidPower", "power must be from 1 to %d (remove a validator to take its power away)", MaxValidatorPower)
	}
	if err := validNodeName(p.Name); err != nil {
		return err
	}
	if p.NodeID != "" {
		if err := validNodeID(p.NodeID); err != nil {
			return err
		}
	}
	return validMemberDID(p.MemberDID)
}

// ValidatorChange implements chain/cometbft.ValidatorChange.
func (p *AddValidatorPayload) ValidatorChange() ([]byte, int64) {
	b, _ := ParseValidatorKey(p.PubKey)
	return b, p.Power
}

// RemoveValidatorPayload names a validator to remove.
type RemoveValidatorPayload struct {
	PubKey string `json:"pubKey"`
}

// Validate implements chain.Payload.
func (p *RemoveValidatorPayload) Validate() error {
	_, err := ParseValidatorKey(p.PubKey)
	return err
}

// ValidatorChange implements chain/cometbft.ValidatorChange: power 0
// removes the validator.
func (p *RemoveValidatorPayload) ValidatorChange() ([]byte, int64) {
	b, _ := ParseValidatorKey(p.PubKey)
	return b, 0
}

// AddObserverPayload registers an observer node.
type AddObserverPayload struct {
	NodeID    string `json:"nodeId"`
	Name      string `json:"name,omitempty"`
	MemberDID string `json:"memberDid,omitempty"`
	API       string `json:"api,omitempty"`
}

// Validate implements chain.Payload.
func (p *AddObserverPayload) Validate() error {
	if err := validNodeID(p.NodeID); err != nil {
		return err
	}
	if err := validNodeName(p.Name); err != nil {
		return err
	}
	if p.API != "" {
		u, err := url.Parse(p.API)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(p.API) > 2048 {
			return errs.BadRequest("gov.invalidUrl", "api must be an http(s) URL of at most 2048 characters")
		}
	}
	return validMemberDID(p.MemberDID)
}

// RemoveObserverPayload names an observer node to remove.
type RemoveObserverPayload struct {
	NodeID string `json:"nodeId"`
}

// Validate implements chain.Payload.
func (p *RemoveObserverPayload) Validate() error {
	return validNodeID(p.NodeID)
}

func validatorKey(pub []byte) []byte { return []byte(prefixValidator + hex.EncodeToString(pub)) }

// GetValidator returns the validator record of the Ed25519 key pub.
func GetValidator(st chain.Reader, pub []byte) (*Validator, bool, error) {
	return chain.LoadJSON[Validator](st, validatorKey(pub))
}

// GetValidatorSet returns the summary of the recorded validators.
func GetValidatorSet(st chain.Reader) (ValidatorSet, error) {
	var s ValidatorSet
	_, err := chain.GetJSON(st, []byte(keyValidatorSet), &s)
	return s, err
}

// ListValidators returns the recorded validators in key order.
func ListValidators(s chain.Scanner) ([]Validator, error) {
	return scanAll[Validator](s, prefixValidator)
}

// ListObservers returns the recorded observers in node id order.
func ListObservers(s chain.Scanner) ([]Observer, error) {
	return scanAll[Observer](s, prefixObserver)
}

// GetObserver returns the observer record of a node id.
func GetObserver(st chain.Reader, nodeID string) (*Observer, bool, error) {
	return chain.LoadJSON[Observer](st, []byte(prefixObserver+nodeID))
}

func scanAll[T any](s chain.Scanner, prefix string) ([]T, error) {
	return chain.AppendJSON([]T{}, s.Scan, []byte(prefix), nil, 0)
}

// changeSet records a change of delta power to the validator key hexKey at
// ctx's height in the set summary, refusing a second change of one key in a
// block and, after genesis, changes of more than a third of the power the
// set had before the block: a block that replaced more would let the new
// validators commit without any of the old ones having voted for them (and
// CometBFT's light clients trust a third by default).
func changeSet(ctx *chain.Context, hexKey string, delta int64) error {
	s, err := GetValidatorSet(ctx.State)
	if err != nil {
		return err
	}
	if s.Height != ctx.Height || s.Keys == nil {
		s.Height, s.Base, s.Changed, s.Keys = ctx.Height, s.Power, 0, nil
	}
	for _, k := range s.Keys {
		if k == hexKey {
			return errs.New(http.StatusConflict, "gov.validatorPending", "validator %s was already changed in this block; change it again in a later one", hexKey)
		}
	}
	abs := delta
	if abs < 0 {
		abs = -abs
	}
	if ctx.Height > 0 && s.Base > 0 && 3*(s.Changed+abs) > s.Base {
		return errs.New(http.StatusConflict, "gov.powerChangeTooLarge",
			"a block may change at most a third of the voting power (%d of %d; %d already changed in this block), this change is %d: change less, or spread it over several blocks",
			s.Base/3, s.Base, s.Changed, abs)
	}
	s.Changed += abs
	s.Power += delta
	if delta > 0 {
		s.Count++
	} else {
		s.Count--
	}
	s.Keys = append(s.Keys, hexKey)
	return ctx.State.SetJSON([]byte(keyValidatorSet), s)
}

func activeMember(ctx *chain.Context, d string) error {
	if d == "" {
		return nil
	}
	return activeDID(ctx, d)
}

// activeDID refuses (404 did.notFound) a DID that is not an active
// did:weid on this ledger.
func activeDID(ctx *chain.Context, d string) error {
	if r, ok, err := weid.Latest(ctx.State, d); err != nil {
		return err
	} else if !ok || r.Deactivated {
		return errs.New(http.StatusNotFound, "did.notFound", "%s is not an active DID on this ledger", d)
	}
	return nil
}

// requireNodeGovernor lets admins and committee members admit and remove
// validators and observers.
func requireNodeGovernor(st chain.Reader, tx *chain.Tx, _ chain.Payload) error {
	return governorsOnly(st, tx, "admit and remove validators and observers")
}

func registerNodes(reg *chain.Registry) {
	reg.Register(chain.Handler{
		Type:       TxAddValidator,
		NewPayload: func() chain.Payload { return new(AddValidatorPayload) },
		Authorize:  requireNodeGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			a := p.(*AddValidatorPayload)
			pub, _ := ParseValidatorKey(a.PubKey)
			if _, ok, err := GetValidator(ctx.State, pub); err != nil {
				return err
			} else if ok {
				return errs.New(http.StatusConflict, "gov.validatorExists", "%s is already a validator", a.PubKey)
			}
			if err := activeMember(ctx, a.MemberDID); err != nil {
				return err
			}
			if err := changeSet(ctx, hex.EncodeToString(pub), a.Power); err != nil {
				return err
			}
			return ctx.State.SetJSON(validatorKey(pub), Validator{PubKey: base64.StdEncoding.EncodeToString(pub), Address: ValidatorAddress(pub),
				Power: a.Power, Name: a.Name, MemberDID: a.MemberDID, NodeID: a.NodeID,
				AddedBy: ctx.Tx.SignerDID(), Added: blockTime(ctx.Time), TxHash: ctx.TxHash, Height: ctx.Height})
		},
	})
	reg.Register(chain.Handler{
		Type:       TxRemoveValidator,
		NewPayload: func() chain.Payload { return new(RemoveValidatorPayload) },
		Authorize:  requireNodeGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			r := p.(*RemoveValidatorPayload)
			pub, _ := ParseValidatorKey(r.PubKey)
			v, ok, err := GetValidator(ctx.State, pub)
			if err != nil {
				return err
			}
			if !ok {
				return errs.New(http.StatusNotFound, "gov.unknownValidator", "%s is not a validator", r.PubKey)
			}
			s, err := GetValidatorSet(ctx.State)
			if err != nil {
				return err
			}
			if s.Count <= 1 {
				return errs.New(http.StatusConflict, "gov.lastValidator", "%s is the last validator: without it no block could be committed", r.PubKey)
			}
			if err := changeSet(ctx, hex.EncodeToString(pub), -v.Power); err != nil {
				return err
			}
			ctx.State.Delete(validatorKey(pub))
			return nil
		},
	})
	reg.Register(chain.Handler{
		Type:       TxAddObserver,
		NewPayload: func() chain.Payload { return new(AddObserverPayload) },
		Authorize:  requireNodeGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			a := p.(*AddObserverPayload)
			if _, ok, err := GetObserver(ctx.State, a.NodeID); err != nil {
				return err
			} else if ok {
				return errs.New(http.StatusConflict, "gov.observerExists", "node %s is already an observer", a.NodeID)
			}
			if err := activeMember(ctx, a.MemberDID); err != nil {
				return err
			}
			return ctx.State.SetJSON([]byte(prefixObserver+a.NodeID), Observer{NodeID: a.NodeID, Name: a.Name, MemberDID: a.MemberDID, API: a.API,
				AddedBy: ctx.Tx.SignerDID(), Added: blockTime(ctx.Time), TxHash: ctx.TxHash, Height: ctx.Height})
		},
	})
	reg.Register(chain.Handler{
		Type:       TxRemoveObserver,
		NewPayload: func() chain.Payload { return new(RemoveObserverPayload) },
		Authorize:  requireNodeGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			id := p.(*RemoveObserverPayload).NodeID
			if _, ok, err := GetObserver(ctx.State, id); err != nil {
				return err
			} else if !ok {
				return errs.New(http.StatusNotFound, "gov.unknownObserver", "node %s is not an observer", id)
			}
			ctx.State.Delete([]byte(prefixObserver + id))
			return nil
		},
	})
}
