package node

import (
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
)

// Committee returns the committee members in DID order.
func (n *Node) Committee() ([]authz.Member, error) {
	ms, err := authz.ListCommittee(n.Ledger)
	if ms == nil {
		ms = []authz.Member{}
	}
	return ms, err
}

// Issuer returns the authority issuer d, or a 404 issuer.notFound; a d
// that is not a DID (DID Core 1.0 §3.1) is a 400 issuer.invalidDid, the
// code the writes of the register answer.
func (n *Node) Issuer(d string) (*authz.Issuer, error) {
	if _, err := did.ParseDID(d); err != nil {
		return nil, errs.BadRequest("issuer.invalidDid", "%v", err)
	}
	is, ok, err := authz.AuthorityIssuer(n.Ledger, d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "issuer.notFound", "%s is not an authority issuer", d)
	}
	return is, nil
}

// IssuersNamed returns the authority issuer named name (names are unique,
// compared case-insensitively) as a list of none or one.
func (n *Node) IssuersNamed(name string) (api.IssuerList, error) {
	list := api.IssuerList{Issuers: []authz.Issuer{}}
	d, ok, err := authz.IssuerByName(n.Ledger, name)
	if err != nil || !ok {
		return list, err
	}
	if is, err := n.Issuer(d); err == nil {
		list.Issuers = append(list.Issuers, *is)
	}
	return list, nil
}

// ListIssuers returns a page of up to limit authority issuers in DID order,
// starting after the DID after, with the cursor of the next page.
func (n *Node) ListIssuers(after string, limit int) (api.IssuerList, error) {
	issuers, next, err := listPage(func(limit int) ([]api.Issuer, error) { return authz.ListIssuers(n.Ledger, after, limit) },
		limit, func(is api.Issuer) string { return is.DID })
	return api.IssuerList{Issuers: issuers, Next: next}, err
}

// Validators returns the validator register with its count and total power.
func (n *Node) Validators() (api.ValidatorList, error) {
	vs, err := authz.ListValidators(n.Ledger)
	if err != nil {
		return api.ValidatorList{}, err
	}
	list := api.ValidatorList{Validators: vs}
	for _, v := range vs {
		list.Count++
		list.Power += v.Power
	}
	return list, nil
}

// QuorumAdmit is the Admit check (Write.Admit) of a validator change:
// under an engine that replicates the ledger (chain.QuorumChecker), a
// change that takes away the quorum the validators this node reaches hold
// now (more than 2/3 of the voting power) — the chain would stop
// committing until more of them are up — is refused, 409 gov.wouldHalt,
// unless force. A change the ledger refuses anyway (a key already a
// validator added, an unknown one removed) is left to the ledger's
// clearer answer.
// Blocks are not held to it: it judges what this node sees now.
func (n *Node) QuorumAdmit(force bool) func(chain.Reader, chain.Payload) error {
	return func(r chain.Reader, p chain.Payload) error {
		qc, ok := n.Engine.(chain.QuorumChecker)
		if force || !ok {
			return nil
		}
		var change chain.ValidatorChange
		var key string
		switch p := p.(type) {
		case *authz.AddValidatorPayload:
			key, change = p.PubKey, chain.ValidatorChange{Power: p.Power, NodeID: p.NodeID}
		case *authz.RemoveValidatorPayload:
			key = p.PubKey
		default:
			return nil
		}
		pub, err := authz.ParseValidatorKey(key)
		if err != nil {
			return nil // the ledger's check names it
		}
		change.PubKey = pub
		adding := change.Power > 0 // Validate holds an addition's power to 1..MaxValidatorPower
		if _, exists, err := authz.GetValidator(r, pub); err != nil || exists == adding {
			return err // the ledger refuses it (gov.validatorExists, an unknown key) or cannot be read
		}
		if ok, why := qc.QuorumAfter(change); !ok {
			return errs.New(http.StatusConflict, "gov.wouldHalt", "after this change %s: the chain would stop committing until more validators are up; bring them up first, or send it again with ?force=true if that is what you mean", why)
		}
		return nil
	}
}

// register is what the ledger records of the validators and observers,
// as the CometBFT engine reads it (cometbft.Config.Register): how it tells
// a connected validator from an observer, and the set a governance change
// is judged against (QuorumAdmit).
func register(l *chain.Ledger) (cometbft.Register, error) {
	var reg cometbft.Register
	vs, err := authz.ListValidators(l)
	if err != nil {
		return reg, err
	}
	for _, v := range vs {
		pub, err := authz.ParseValidatorKey(v.PubKey)
		if err != nil {
			return reg, fmt.Errorf("validator %s: %w", v.PubKey, err)
		}
		reg.Validators = append(reg.Validators, chain.ValidatorChange{PubKey: pub, Power: v.Power, NodeID: v.NodeID})
	}
	os, err := authz.ListObservers(l)
	if err != nil {
		return reg, err
	}
	for _, o := range os {
		reg.Observers = append(reg.Observers, o.NodeID)
	}
	s, err := authz.GetValidatorSet(l)
	if err != nil {
		return reg, err
	}
	for _, k := range s.Keys {
		if b, err := hex.DecodeString(k); err == nil {
			reg.LastChanged = append(reg.LastChanged, b)
		}
	}
	return reg, nil
}

// Validator returns the validator of key, in any spelling
// authz.ParseValidatorKey accepts, if the ledger records one.
func (n *Node) Validator(key string) (*authz.Validator, bool, error) {
	pub, err := authz.ParseValidatorKey(key)
	if err != nil {
		return nil, false, err
	}
	return authz.GetValidator(n.Ledger, pub)
}

// Observers returns the observer register in node id order.
func (n *Node) Observers() ([]authz.Observer, error) {
	os, err := authz.ListObservers(n.Ledger)
	if os == nil {
		os = []authz.Observer{}
	}
	return os, err
}

// Observer returns the observer of a node id, if the ledger records one.
func (n *Node) Observer(nodeID string) (*authz.Observer, bool, error) {
	return authz.GetObserver(n.Ledger, nodeID)
}
