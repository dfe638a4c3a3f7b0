package node

import (
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
)

// The reads of data authorization (package grants): receipts and access
// receipts as the ledger keeps them, with each grant's state now. Grant
// writes go through Write.

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
