package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/txn"
)

// EvidenceWrite sends an evidence write: body is {"tx": signed} or the
// custodial fields (with Token). path is the endpoint: "/v1/evidence",
// "/v1/evidence/batch", or one of EvidencePath's.
func (c *Client) EvidenceWrite(ctx context.Context, path string, body any) (*api.EvidenceReceipt, error) {
	return call[api.EvidenceReceipt](ctx, c, http.MethodPost, path, body)
}

// EvidencePath returns the path of an endpoint on the evidence of hash:
// op "" (the evidence itself), "signatures", "logs", or "revoke" / "restore"
// of the signature of did.
func EvidencePath(hash, op, did string) string {
	p := "/v1/evidence/" + url.PathEscape(hash)
	switch op {
	case "":
		return p
	case "revoke", "restore":
		return p + "/signatures/" + url.PathEscape(did) + "/" + op
	}
	return p + "/" + op
}

// SubmitEvidenceTx submits a signed evidence transaction to its endpoint.
func (c *Client) SubmitEvidenceTx(ctx context.Context, tx *txn.Tx) (*api.EvidenceReceipt, error) {
	var p struct {
		Hash string `json:"hash"`
		DID  string `json:"did"`
	}
	_ = json.Unmarshal(tx.Payload, &p)
	path := "/v1/evidence"
	switch tx.Type {
	case api.TxEvidenceSign:
		path = EvidencePath(p.Hash, "signatures", "")
	case api.TxEvidenceRevoke:
		path = EvidencePath(p.Hash, "revoke", p.DID)
	case api.TxEvidenceRestore:
		path = EvidencePath(p.Hash, "restore", p.DID)
	case api.TxEvidenceLog:
		path = EvidencePath(p.Hash, "logs", "")
	case api.TxEvidenceBatch:
		path = "/v1/evidence/batch"
	}
	return c.EvidenceWrite(ctx, path, map[string]any{"tx": tx})
}

// Evidence returns the evidence of hash with its inclusion proofs.
func (c *Client) Evidence(ctx context.Context, hash string) (*api.EvidenceResponse, error) {
	return call[api.EvidenceResponse](ctx, c, http.MethodGet, EvidencePath(hash, "", ""), nil)
}

// EvidenceByKey returns the evidence recorded under a custom key.
func (c *Client) EvidenceByKey(ctx context.Context, key string) (*api.EvidenceResponse, error) {
	return call[api.EvidenceResponse](ctx, c, http.MethodGet, "/v1/evidence?key="+url.QueryEscape(key), nil)
}
