package node

// The node's side of the OpenID4VP verifier (package oid4vp): its requests
// are keystore records, its DIDs' keys the custodial keys, presentations
// verified by the node's credential verifier, verifiers and issuers named
// by the trust registry.

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/oid4vp"
)

// NewPresentationVerifier returns an OpenID4VP verifier over the node's
// presentation requests, keys, credential verifier and trust registry.
// What it keeps in memory (answers in flight, event streams) is its own:
// a server builds one.
func (n *Node) NewPresentationVerifier() *oid4vp.Verifier {
	return oid4vp.NewVerifier(n.PresentationRequests(), vpKeys{n}, vpChecker{n})
}

// PresentationRequests is the store of the verifier's requests: keystore
// records oid4vp/request/<id>, indexed by oid4vp/account/<account>/<id>
// (the request's expiry), to count and prune an account's requests.
type PresentationRequests struct{ ks *keystore.Store }

// PresentationRequests returns the node's store of presentation requests.
func (n *Node) PresentationRequests() PresentationRequests { return PresentationRequests{n.Keystore} }

func vpKey(id string) string { return "oid4vp/request/" + id }

func vpAccountPrefix(account string) string { return "oid4vp/account/" + account + "/" }

// Create stores a new request and its account's index entry.
func (p PresentationRequests) Create(rec *oid4vp.Record) error {
	if err := p.ks.CreateRecord(vpAccountPrefix(rec.Account)+rec.ID, rec.Expires); err != nil {
		return err
	}
	return p.ks.CreateRecord(vpKey(rec.ID), rec)
}

// Get returns request id, or oid4vp.ErrNotFound.
func (p PresentationRequests) Get(id string) (*oid4vp.Record, error) {
	var rec oid4vp.Record
	err := p.ks.GetRecord(vpKey(id), &rec)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, oid4vp.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// Put replaces a request's record (durably).
func (p PresentationRequests) Put(rec *oid4vp.Record) error {
	return p.ks.PutRecord(vpKey(rec.ID), rec, true)
}

// Delete forgets request id of account and its index entry.
func (p PresentationRequests) Delete(account, id string) error {
	if err := p.ks.DeleteRecord(vpKey(id)); err != nil {
		return err
	}
	return p.ks.DeleteRecord(vpAccountPrefix(account) + id)
}

// Expiries calls fn with the id and expiry of each of account's requests.
func (p PresentationRequests) Expiries(account string, fn func(id string, expires time.Time)) error {
	return p.ks.Records(vpAccountPrefix(account), func(id string, raw []byte) error {
		var exp time.Time
		if json.Unmarshal(raw, &exp) != nil {
			exp = time.Time{}
		}
		fn(id, exp)
		return nil
	})
}

// Each calls fn with every request, skipping records that do not decode.
func (p PresentationRequests) Each(fn func(rec *oid4vp.Record)) error {
	return p.ks.Records("oid4vp/request/", func(_ string, raw []byte) error {
		var rec oid4vp.Record
		if json.Unmarshal(raw, &rec) == nil {
			fn(&rec)
		}
		return nil
	})
}

// vpKeys gives the verifier the keys the node keeps for the accounts.
type vpKeys struct{ n *Node }

func (k vpKeys) SignerDIDs(account string) ([]string, error) {
	return k.n.Keystore.SignerDIDs(account)
}

func (k vpKeys) SignerKey(account, d string) (string, *keys.PrivateKey, error) {
	return k.n.SignerKey(&Account{Name: account}, d)
}

// vpChecker verifies presentations with the node's verifier and names
// issuers from the trust registry.
type vpChecker struct{ n *Node }

func (c vpChecker) VerifyPresentation(ctx context.Context, raw json.RawMessage, o credential.PresentationOptions) (*credential.PresentationResult, error) {
	return c.n.Verifier().VerifyPresentation(ctx, raw, o)
}

func (c vpChecker) IssuerName(d string) string {
	if is, ok, err := authz.AuthorityIssuer(c.n.Ledger, d); err == nil && ok {
		return is.Name
	}
	return ""
}
