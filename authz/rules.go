package authz

import (
	"encoding/base64"
	"net/http"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Transaction types of the ledger's rules (chain.Rules): a change of
// version scheduled at a height, or cancelled, by an admin or committee
// member; and the first type of rules v2.
const (
	TxScheduleRules    = "gov.scheduleRules"
	TxCancelRules      = "gov.cancelRules"
	TxSetValidatorNode = "gov.setValidatorNode"
)

// ScheduleRulesPayload schedules the ledger's rules Version from weid
// height Height on (chain.ScheduleRules: the version after the one in
// force, at least chain.MinRulesLead heights ahead; it replaces a change
// scheduled before).
type ScheduleRulesPayload struct {
	Version uint64 `json:"version"`
	Height  uint64 `json:"height"`
}

// ScheduledRules implements chain.RulesSchedule.
func (p *ScheduleRulesPayload) ScheduledRules() (version, height uint64) { return p.Version, p.Height }

// Validate implements chain.Payload.
func (p *ScheduleRulesPayload) Validate() error {
	if p.Version < 2 {
		return errs.BadRequest("gov.invalidRules", "version is the version of the ledger's rules to move to: 2 or more (every chain starts at 1 or later)")
	}
	if p.Height < 1 {
		return errs.BadRequest("gov.invalidRules", "height is the weid height the rules take effect at: 1 or more")
	}
	return nil
}

// MaxRulesHeight is the largest height a change of rules can be scheduled
// at exactly: a transaction's signed bytes are RFC 8785 JSON, whose
// numbers are IEEE doubles (§3.2.2.3), so a height above 2^53−1 would be
// signed and committed rounded (9007199254740993 as 9007199254740992), or
// not read back at all. It is chain.MaxNonce.
const MaxRulesHeight = chain.MaxNonce

// CheckAdmission (chain.Admitted) refuses, with a 400 gov.invalidRules
// naming height, a height above MaxRulesHeight: the check of the node
// before a custodial schedule is signed, at admission by any route
// (chain.Ledger.CheckRules: the API and CometBFT's CheckTx), and of the
// CLI before sending. Validate does not make it, as blocks are not held to
// it (the committed rules stay as they were).
func (p *ScheduleRulesPayload) CheckAdmission() error {
	if p.Height > MaxRulesHeight {
		return errs.BadRequest("gov.invalidRules", "height is the weid height the rules take effect at: at most %d (2^53−1, the largest integer a JSON number carries exactly), not %d", uint64(MaxRulesHeight), p.Height)
	}
	return nil
}

// CancelRulesPayload cancels the scheduled change to Version.
type CancelRulesPayload struct {
	Version uint64 `json:"version"`
}

// Validate implements chain.Payload.
func (p *CancelRulesPayload) Validate() error {
	if p.Version < 2 {
		return errs.BadRequest("gov.invalidRules", "version is the scheduled version to cancel: 2 or more")
	}
	return nil
}

// SetValidatorNodePayload records (or corrects) the CometBFT node id of
// the validator of PubKey: how the nodes tell a connected validator
// (cometbft.Config.Register), for a validator admitted without it.
type SetValidatorNodePayload struct {
	PubKey string `json:"pubKey"`
	NodeID string `json:"nodeId"`
}

// Validate implements chain.Payload.
func (p *SetValidatorNodePayload) Validate() error {
	if _, err := ParseValidatorKey(p.PubKey); err != nil {
		return err
	}
	return validNodeID(p.NodeID)
}

func requireRulesGovernor(st chain.Reader, tx *chain.Tx, _ chain.Payload) error {
	if tx.Type == TxCancelRules {
		return governorsOnly(st, tx, "cancel a scheduled change of the ledger's rules")
	}
	return governorsOnly(st, tx, "schedule the ledger's rules")
}

func registerRules(reg *chain.Registry) {
	reg.Register(chain.Handler{
		Type:       TxScheduleRules,
		NewPayload: func() chain.Payload { return new(ScheduleRulesPayload) },
		Authorize:  requireRulesGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			s := p.(*ScheduleRulesPayload)
			return chain.ScheduleRules(ctx, s.Version, s.Height)
		},
	})
	reg.Register(chain.Handler{
		Type:       TxCancelRules,
		NewPayload: func() chain.Payload { return new(CancelRulesPayload) },
		Authorize:  requireRulesGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			return chain.CancelRules(ctx, p.(*CancelRulesPayload).Version)
		},
	})
	reg.Register(chain.Handler{
		Type:       TxSetValidatorNode,
		Since:      2,
		NewPayload: func() chain.Payload { return new(SetValidatorNodePayload) },
		Authorize:  requireNodeGovernor,
		Apply: func(ctx *chain.Context, p chain.Payload) error {
			s := p.(*SetValidatorNodePayload)
			pub, _ := ParseValidatorKey(s.PubKey)
			v, ok, err := GetValidator(ctx.State, pub)
			if err != nil {
				return err
			}
			if !ok {
				return errs.New(http.StatusNotFound, "gov.unknownValidator", "%s is not a validator", base64.StdEncoding.EncodeToString(pub))
			}
			v.NodeID = s.NodeID
			return ctx.State.SetJSON(validatorKey(pub), v)
		},
	})
}
