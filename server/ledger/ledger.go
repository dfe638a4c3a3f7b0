// Package ledger serves the ledger itself: the chain's status (GET
// /v1/status), any signed transaction (POST /v1/txs), a transaction with its
// header and RFC 6962 inclusion proof, or its state while pending or rejected
// (GET /v1/txs/{hash}), blocks (GET /v1/blocks, /v1/blocks/{height}), the
// cometbft engine's commit that signs a block's app hash (GET
// /v1/blocks/{height}/commit) and state proofs at the head (/v1/state/proof).
package ledger

import (
	"net/http"
	"strconv"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the ledger endpoints of one node.
type Handlers struct {
	Node *node.Node
	// Version is weid's version, reported by GET /v1/status.
	Version string
}

// Status reports the chain, its head, the engine and, under a replicating
// engine, its consensus: GET /v1/status.
func (h *Handlers) Status(w http.ResponseWriter, r *http.Request) error {
	s := h.Node.ChainStatus()
	s.Version = h.Version
	return httpx.JSON(w, http.StatusOK, s)
}

// Submit submits a signed transaction of any type: POST /v1/txs; 201 once
// committed, 202 once in the mempool with ?async=true.
func (h *Handlers) Submit(w http.ResponseWriter, r *http.Request) error {
	async, err := httpx.Async(r)
	if err != nil {
		return err
	}
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	rc, err := h.Node.SubmitRaw(r.Context(), body, async)
	if err != nil {
		return err
	}
	if async {
		return httpx.Pending(w, rc.TxHash)
	}
	return httpx.JSON(w, http.StatusCreated, api.Receipt{TxHash: rc.TxHash, Height: rc.Height, Status: api.StatusCommitted})
}

// Tx returns a committed transaction with its block header and inclusion
// proof, or the state of one its engine still knows: GET /v1/txs/{hash}.
func (h *Handlers) Tx(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Node.Tx(httpx.Param(r, "hash"))
	if err != nil {
		return err
	}
	resp := api.TxResponse{Status: st.Status, TxWithProof: *st.Tx}
	if st.Err != nil {
		p := httpx.ProblemFor(st.Err)
		resp.Error = &p
	}
	return httpx.JSON(w, http.StatusOK, resp)
}

// Block returns the block at a height, or the latest: GET
// /v1/blocks/{height}.
func (h *Handlers) Block(w http.ResponseWriter, r *http.Request) error {
	p := httpx.Param(r, "height")
	var height uint64
	if p == "latest" {
		height = h.Node.Head().Height
	} else if n, err := strconv.ParseUint(p, 10, 64); err == nil {
		height = n
	} else {
		return errs.BadRequest("block.badHeight", "height must be a non-negative integer or \"latest\"")
	}
	b, err := h.Node.Block(height)
	return httpx.Reply(w, http.StatusOK, b, err)
}

// Commit returns the consensus commit of a block: under the cometbft
// engine, the CometBFT header carrying the block's app hash and the
// validators' commit of it: GET /v1/blocks/{height}/commit.
func (h *Handlers) Commit(w http.ResponseWriter, r *http.Request) error {
	height, err := strconv.ParseUint(httpx.Param(r, "height"), 10, 64)
	if err != nil {
		return errs.BadRequest("block.badHeight", "height must be a non-negative integer")
	}
	proof, err := h.Node.CommitProof(height)
	return httpx.Reply(w, http.StatusOK, proof, err)
}

// Blocks lists the headers of the latest blocks, newest first, or of the
// blocks below ?before=, ?limit= at a time: GET /v1/blocks.
func (h *Handlers) Blocks(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, api.DefaultBlockList, api.MaxBlockList)
	if err != nil {
		return err
	}
	before, err := httpx.QueryUint(r, "before", 1, "a positive block height")
	if err != nil {
		return err
	}
	list, err := h.Node.Blocks(before, limit)
	return httpx.Reply(w, http.StatusOK, list, err)
}

// StateProof proves state keys at the head: GET /v1/state/proof?key=…
// (UTF-8) or ?key64=… (base64url, for binary keys), repeatable, at most
// api.MaxStateProofKeys in all (node.ProveState; issue 18; txn/stateproof.go).
func (h *Handlers) StateProof(w http.ResponseWriter, r *http.Request) error {
	keys, err := api.StateProofQueryKeys(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := h.Node.ProveState(r.Context(), keys...)
	return httpx.Reply(w, http.StatusOK, p, err)
}

// StateProofs proves up to api.MaxStateProofBodyKeys state keys at one
// head in one answer: POST /v1/state/proof {"keys64": […]}
// (api.ParseStateProofRequest, node.ProveStateKeys).
func (h *Handlers) StateProofs(w http.ResponseWriter, r *http.Request) error {
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	keys, err := api.ParseStateProofRequest(body)
	if err != nil {
		return err
	}
	p, err := h.Node.ProveStateKeys(r.Context(), keys)
	return httpx.Reply(w, http.StatusOK, p, err)
}
