package exchange

import (
	"context"
	"errors"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
)

// NodeLedger is a data holder's Ledger through a node's HTTP API: it reads
// receipts and DID documents, and records access receipts signed by the
// node for Holder, a DID of the account whose token Client carries.
type NodeLedger struct {
	Client *client.Client
	Holder string
}

// asErrs turns a problem from the node into an *errs.Error with the same
// status and code, so that the service relays it as the node rendered it.
func asErrs(err error) error {
	var e *client.Error
	if errors.As(err, &e) && e.Code != "" && e.Status >= 400 && e.Status < 500 {
		return errs.New(e.Status, e.Code, "%s", e.Detail)
	}
	return err
}

// Grant implements Ledger.
func (l NodeLedger) Grant(ctx context.Context, id string) (*grants.Receipt, error) {
	v, err := l.Client.Grant(ctx, id)
	if err != nil {
		return nil, asErrs(err)
	}
	return &v.Grant, nil
}

// Resolve implements Ledger.
func (l NodeLedger) Resolve(ctx context.Context, d string) (*did.Document, error) {
	res, err := l.Client.Resolve(ctx, d, did.Options{})
	if err != nil {
		return nil, asErrs(err)
	}
	if res.Document == nil {
		return nil, errs.New(http.StatusNotFound, "did.notFound", "%s resolves to no document", d)
	}
	return res.Document, nil
}

// RecordAccess implements Ledger.
func (l NodeLedger) RecordAccess(ctx context.Context, p grants.AccessPayload) (string, error) {
	r, err := l.Client.RecordAccess(ctx, p.GrantID, api.GrantWriteRequest{Signed: api.Signed{Signer: l.Holder}, Claims: p.Claims, Request: p.Request})
	if err != nil {
		return "", asErrs(err)
	}
	return r.TxHash, nil
}
