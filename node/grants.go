package node

import (
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// The reads of data authorization (package grants): receipts and access
// receipts as the ledger keeps them, with each grant's state now. Grant
// writes go through Write (GrantRecord makes the Write of a grant.record).

func grantView(r *grants.Receipt, now time.Time) api.GrantView {
	return api.GrantView{Grant: *r, State: r.StatusAt(now)}
}

// Grant returns the receipt of grant id with its state now (404
// grant.notFound if the ledger has none).
func (n *Node) Grant(id string) (*api.GrantView, error) {
	if err := grants.ValidID(id); err != nil {
		return nil, err
	}
	rec, err := grants.Get(n.Ledger, id)
	if err != nil {
		return nil, err
	}
	v := grantView(rec, time.Now())
	return &v, nil
}

// ListGrants returns a page of the grants of q's grantor or grantee, or the
// grant whose hash q names.
func (n *Node) ListGrants(q api.GrantQuery) (*api.GrantList, error) {
	now := time.Now()
	if q.Hash != "" {
		rec, err := grants.ByHash(n.Ledger, q.Hash)
		if err != nil {
			return nil, err
		}
		return &api.GrantList{Grants: []api.GrantView{grantView(rec, now)}}, nil
	}
	by, d := grants.ByGrantor, q.Grantor
	if q.Grantee != "" {
		if d != "" {
			return nil, errs.BadRequest("grant.invalidQuery", "list by grantor or by grantee, not both")
		}
		by, d = grants.ByGrantee, q.Grantee
	}
	if d == "" {
		return nil, errs.BadRequest("grant.invalidQuery", "name ?grantor=, ?grantee= or ?hash=")
	}
	recs, next, err := grants.List(n.Ledger, by, d, q.After, q.Limit)
	if err != nil {
		return nil, err
	}
	out := &api.GrantList{Grants: make([]api.GrantView, len(recs)), Next: next}
	for i := range recs {
		out.Grants[i] = grantView(&recs[i], now)
	}
	return out, nil
}

// GrantAccesses returns up to limit access receipts of grant id from
// sequence number from.
func (n *Node) GrantAccesses(id string, from, limit int) (*api.AccessList, error) {
	if err := grants.ValidID(id); err != nil {
		return nil, err
	}
	acc, next, err := grants.Accesses(n.Ledger, id, from, limit)
	if err != nil {
		return nil, err
	}
	return &api.AccessList{Accesses: acc, Next: next}, nil
}

// GrantRecord returns the Write of a grant.record req asks for, which out
// receives the grant's id and hash (and, custodially, its token) of: the
// signed transaction req.Tx, whose grant must parse, or a custodial one
// (Build) that makes the grant of req's fields and signs it as the DID the
// node signs as, its schema URL under base. Either is refused when its
// grantee is a did:weid of chainID, the ledger's, not on the ledger
// (RecordPayload.GranteeOnLedger).
func GrantRecord(req *api.GrantRequest, chainID, base string, out *api.GrantReceipt) (Write, error) {
	wr := Write{Type: grants.TxRecord, Tx: req.Tx, Signer: req.Signer, Check: func(p chain.Payload) error {
		g, err := grants.Parse(p.(*grants.RecordPayload).Grant)
		if err == nil {
			out.ID, out.Hash = g.ID, g.Hash
		}
		return err
	}, Admit: func(st chain.Reader, p chain.Payload) error {
		return p.(*grants.RecordPayload).GranteeOnLedger(st, chainID)
	}}
	if len(req.Tx) == 0 {
		var err error
		if wr.Build, err = custodialGrant(req, base, out); err != nil {
			return Write{}, err
		}
	}
	return wr, nil
}

// custodialGrant returns the Build of a custodial grant.record: the grant
// req asks for, made and signed by the DID the node signs as.
func custodialGrant(req *api.GrantRequest, base string, out *api.GrantReceipt) (func(string, *keys.PrivateKey) (chain.Payload, error), error) {
	now := time.Now().UTC().Truncate(time.Second)
	nb, err := grantTime("notBefore", req.NotBefore, now)
	if err != nil {
		return nil, err
	}
	exp, err := grantTime("expires", req.Expires, time.Time{})
	if err != nil {
		return nil, err
	}
	id, err := grants.NewID()
	if err != nil {
		return nil, err
	}
	return func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		grantor, _, _ := strings.Cut(vm, "#")
		g := grants.Grant{ID: id, Grantor: grantor, Grantee: req.Grantee, Resource: req.Resource, Scope: req.Scope, Purpose: req.Purpose, NotBefore: nb, Expires: exp}
		if err := g.Validate(); err != nil {
			return nil, err
		}
		tok, err := g.Sign(k, vm, base)
		if err != nil {
			return nil, err
		}
		out.ID, out.Hash, out.Grant = id, grants.Hash(tok), tok
		return &grants.RecordPayload{Grant: tok}, nil
	}, nil
}

// grantTime reads the RFC 3339 time v of member name, to the second; def
// when v is empty.
func grantTime(name, v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errs.BadRequest("grant.invalid", "%s must be an RFC 3339 time", name)
	}
	return t.UTC().Truncate(time.Second), nil
}
