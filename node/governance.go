package node

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
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
// unless force.
// Blocks are not held to it: it judges what this node sees now.
func (n *Node) QuorumAdmit(force bool) func(chain.Reader, chain.Payload) error {
	return func(_ chain.Reader, p chain.Payload) error {
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
		if ok, why := qc.QuorumAfter(change); !ok {
			return errs.New(http.StatusConflict, "gov.wouldHalt", "after this change %s: the chain would stop committing until more validators are up; bring them up first, or send it again with ?force=true if that is what you mean", why)
		}
		return nil
	}
}

// validatorNodes maps the node id the ledger records for each validator to
// its address: how the CometBFT engine tells a connected validator from an
// observer (cometbft.Config.ValidatorNodes). A validator admitted without a
// node id is not in it.
func validatorNodes(l *chain.Ledger) (map[string]string, error) {
	vs, err := authz.ListValidators(l)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(vs))
	for _, v := range vs {
		if v.NodeID != "" {
			m[v.NodeID] = v.Address
		}
	}
	return m, nil
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
