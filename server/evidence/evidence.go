// Package evidence serves notarization (package evidence): recording a
// document's hash with signatures, adding, revoking and restoring
// signatures, logs and batches under /v1/evidence — each a transaction the
// client signed, or, with a token, one the node signs, with the evidence
// signatures it carries, as the account's DID (node.Write) — and reading an
// evidence with the inclusion proofs of the transactions that recorded it.
package evidence

import (
	"encoding/json"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the evidence endpoints of one node.
type Handlers struct{ Node *node.Node }

// write submits an evidence transaction of type typ: tx, signed by the
// client (its payload vetted by check, if set; with ?async=true answered
// once in the mempool), or the custodial one build makes, signed as signer,
// and answers with the hashes it touched.
func (h *Handlers) write(w http.ResponseWriter, r *http.Request, typ string, tx json.RawMessage, signer string,
	check func(chain.Payload) error, build func(vm string, k *keys.PrivateKey) (chain.Payload, error)) error {
	async, err := httpx.Async(r)
	if err != nil {
		return err
	}
	wr := node.Write{Type: typ, Tx: tx, Async: async && len(tx) > 0, Check: check, Signer: signer, Build: build}
	rc, c, err := httpx.Write(r, h.Node, wr)
	if err != nil {
		return err
	}
	resp := api.EvidenceReceipt{Hashes: evidence.Hashes(c.Payload), TxHash: rc.TxHash, Height: rc.Height, Status: node.ReceiptStatus(rc)}
	return httpx.Written(w, http.StatusCreated, resp.TxHash, resp.Status, resp)
}

// about checks that a signed transaction is on the evidence of hash, the
// path's, and, for revoke and restore, on the signature of d.
func about(hash, d string) func(chain.Payload) error {
	return func(p chain.Payload) error {
		var got string
		if hs := evidence.Hashes(p); len(hs) == 1 {
			got = hs[0]
		}
		if got != hash {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction is for evidence %s, the path names %s", got, hash)
		}
		if rp, ok := p.(*evidence.RevokePayload); ok && rp.DID != d {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction changes the signature of %s, the path names %s", rp.DID, d)
		}
		return nil
	}
}

// onPath decodes the request of an endpoint on the evidence in the path;
// creation fields are refused there.
func onPath(r *http.Request) (api.EvidenceRequest, string, error) {
	var req api.EvidenceRequest
	hash := httpx.Param(r, "hash")
	if err := evidence.ValidHash(hash); err != nil {
		return req, "", err
	}
	if err := httpx.Decode(r, &req); err != nil {
		return req, "", err
	}
	if req.Hash != "" || len(req.Extras) > 0 || req.Key != "" {
		return req, "", errs.BadRequest("request.malformed", "hash, extras and key belong to POST /v1/evidence; this endpoint takes the hash from its path")
	}
	return req, hash, nil
}

// Create records an evidence with its first signature: POST /v1/evidence.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var req api.EvidenceRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	return h.write(w, r, evidence.TxCreate, req.Tx, req.Signer, nil, func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		sig, err := evidence.Sign(k, vm, req.Hash)
		if err != nil {
			return nil, err
		}
		return &evidence.CreatePayload{Hash: req.Hash, Signer: vm, Signature: sig, Logs: req.Logs, Extras: req.Extras, Key: req.Key}, nil
	})
}

// Sign adds a signature to the evidence in the path:
// POST /v1/evidence/{hash}/signatures.
func (h *Handlers) Sign(w http.ResponseWriter, r *http.Request) error {
	req, hash, err := onPath(r)
	if err != nil {
		return err
	}
	return h.write(w, r, evidence.TxSign, req.Tx, req.Signer, about(hash, ""), func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		sig, err := evidence.Sign(k, vm, hash)
		if err != nil {
			return nil, err
		}
		return &evidence.SignPayload{Hash: hash, Signer: vm, Signature: sig, Logs: req.Logs}, nil
	})
}

// changeSignature revokes or restores (typ) the signature of the DID in the
// path, which only that DID may do; custodially the node signs as it.
func (h *Handlers) changeSignature(w http.ResponseWriter, r *http.Request, typ string) error {
	req, hash, err := onPath(r)
	if err != nil {
		return err
	}
	d := httpx.Param(r, "did")
	if _, _, err := did.ParseWeid(d); err != nil {
		return errs.BadRequest("evidence.invalidDid", "DID in path: %v", err)
	}
	signer := req.Signer
	if signer == "" {
		signer = d
	}
	return h.write(w, r, typ, req.Tx, signer, about(hash, d), func(string, *keys.PrivateKey) (chain.Payload, error) {
		return &evidence.RevokePayload{Hash: hash, DID: d, Logs: req.Logs}, nil
	})
}

// Revoke revokes a signature: POST /v1/evidence/{hash}/signatures/{did}/revoke.
func (h *Handlers) Revoke(w http.ResponseWriter, r *http.Request) error {
	return h.changeSignature(w, r, evidence.TxRevoke)
}

// Restore restores a revoked signature:
// POST /v1/evidence/{hash}/signatures/{did}/restore.
func (h *Handlers) Restore(w http.ResponseWriter, r *http.Request) error {
	return h.changeSignature(w, r, evidence.TxRestore)
}

// AddLogs adds log lines to the evidence in the path (a signer's):
// POST /v1/evidence/{hash}/logs.
func (h *Handlers) AddLogs(w http.ResponseWriter, r *http.Request) error {
	req, hash, err := onPath(r)
	if err != nil {
		return err
	}
	return h.write(w, r, evidence.TxLog, req.Tx, req.Signer, about(hash, ""), func(string, *keys.PrivateKey) (chain.Payload, error) {
		return &evidence.LogPayload{Hash: hash, Logs: req.Logs}, nil
	})
}

// Batch records creations and signatures all or nothing:
// POST /v1/evidence/batch.
func (h *Handlers) Batch(w http.ResponseWriter, r *http.Request) error {
	var req api.EvidenceBatchRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	return h.write(w, r, evidence.TxBatch, req.Tx, req.Signer, nil, func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		return evidence.SignBatch(k, vm, req.Items)
	})
}

// Get returns the evidence of the hash in the path with the inclusion
// proofs of its transactions: GET /v1/evidence/{hash}.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) error {
	resp, err := h.Node.Evidence(httpx.Param(r, "hash"))
	return httpx.Reply(w, http.StatusOK, resp, err)
}

// Find returns the evidence recorded under a custom key, as Get does:
// GET /v1/evidence?key=….
func (h *Handlers) Find(w http.ResponseWriter, r *http.Request) error {
	key := r.URL.Query().Get("key")
	if key == "" {
		return errs.BadRequest("request.badQuery", "name the custom key: GET /v1/evidence?key=…")
	}
	resp, err := h.Node.EvidenceByKey(key)
	return httpx.Reply(w, http.StatusOK, resp, err)
}
