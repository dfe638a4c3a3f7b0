package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// StatusResponse is the body of GET /v1/status.
type StatusResponse struct {
	ChainID string `json:"chainId"`
	Height  uint64 `json:"height"`
	Hash    string `json:"blockHash"`
	AppHash string `json:"appHash"`
	Time    string `json:"time"`
	Engine  string `json:"engine"`
	// Crypto is the chain's crypto suite, fixed at genesis: "standard"
	// (SHA-256) or "gm" (国密: SM3 hashes, SM2 signers).
	Crypto   string `json:"crypto"`
	AdminDID string `json:"adminDid"`
	Version  string `json:"version"`
	// Consensus: under a replicating engine (cometbft), its peers,
	// readiness, validator set and height.
	Consensus *chain.ConsensusStatus `json:"consensus,omitempty"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	h := s.node.Ledger.Head()
	resp := StatusResponse{ChainID: s.node.ChainID, Height: h.Height, Hash: h.Hash, AppHash: h.AppHash, Time: h.Time,
		Engine: s.node.Engine.Name(), Crypto: s.node.Crypto(), AdminDID: s.node.AdminDID, Version: Version}
	if c, ok := s.node.Engine.(chain.ConsensusReporter); ok {
		cs := c.Consensus()
		resp.Consensus = &cs
	}
	writeJSON(w, http.StatusOK, resp)
}

// TxReceipt is the response to a submitted transaction.
type TxReceipt struct {
	TxHash string `json:"txHash"`
	Height uint64 `json:"height,omitempty"`
	Status string `json:"status"` // "committed" or "pending"
}

func asyncRequested(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("async")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errs.BadRequest("request.badQuery", "async must be true or false")
	}
	return b, nil
}

func (s *Server) submitTx(w http.ResponseWriter, r *http.Request) {
	async, err := asyncRequested(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	rc, err := s.node.SubmitRaw(r.Context(), body, async)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if async {
		writeJSON(w, http.StatusAccepted, TxReceipt{TxHash: rc.TxHash, Status: "pending"})
		return
	}
	writeJSON(w, http.StatusCreated, TxReceipt{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

// TxResponse is the body of GET /v1/txs/{hash}: a committed transaction with
// its block header and Merkle inclusion proof, or the state of one that is
// not committed.
type TxResponse struct {
	Status string `json:"status"` // committed, pending, rejected
	*chain.TxWithProof
	Error *Problem `json:"error,omitempty"`
}

func (s *Server) getTx(w http.ResponseWriter, r *http.Request) {
	hash := chi.URLParam(r, "hash")
	tx, err := s.node.Ledger.Tx(hash)
	if err == nil {
		writeJSON(w, http.StatusOK, TxResponse{Status: "committed", TxWithProof: tx})
		return
	}
	if errs.Code(err) == "tx.notFound" {
		if state, rerr, ok := s.node.Engine.Status(hash); ok {
			resp := TxResponse{Status: state, TxWithProof: &chain.TxWithProof{Hash: hash}}
			if rerr != nil {
				p := problemFor(rerr)
				resp.Error = &p
			}
			writeJSON(w, http.StatusOK, resp)
			return
		}
	}
	renderError(w, r, err)
}

func (s *Server) getBlock(w http.ResponseWriter, r *http.Request) {
	p := chi.URLParam(r, "height")
	var h uint64
	var err error
	if p == "latest" {
		h = s.node.Ledger.Head().Height
	} else if h, err = strconv.ParseUint(p, 10, 64); err != nil {
		renderError(w, r, errs.BadRequest("block.badHeight", "height must be a non-negative integer or \"latest\""))
		return
	}
	b, err := s.node.Ledger.Block(h)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// getBlockCommit answers GET /v1/blocks/{height}/commit: under the
// cometbft engine, the CometBFT header carrying the block's app hash and
// the validators' commit of it.
func (s *Server) getBlockCommit(w http.ResponseWriter, r *http.Request) {
	p := chi.URLParam(r, "height")
	h, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		renderError(w, r, errs.BadRequest("block.badHeight", "height must be a non-negative integer"))
		return
	}
	cp, ok := s.node.Engine.(interface {
		CommitProof(uint64) (*chain.CommitProof, error)
	})
	if !ok {
		renderError(w, r, errs.New(http.StatusNotFound, "ledger.noCommitProof", "the %s engine makes no consensus commits: its blocks are signed by the node key alone", s.node.Engine.Name()))
		return
	}
	proof, err := cp.CommitProof(h)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, proof)
}

// BlockSummary is a block in GET /v1/blocks: its header and hash, without
// its transactions.
type BlockSummary struct {
	Header chain.Header `json:"header"`
	Hash   string       `json:"hash"`
}

// BlockList is the body of GET /v1/blocks: blocks from the newest down.
// Next, when set, is the before= value of the following page.
type BlockList struct {
	Blocks []BlockSummary `json:"blocks"`
	Next   *uint64        `json:"next,omitempty"`
}

// maxBlockList bounds a page of GET /v1/blocks.
const maxBlockList = 100

// listBlocks returns the headers of the latest blocks, newest first, or of
// the blocks below ?before=.
func (s *Server) listBlocks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := uint64(20)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n < 1 || n > maxBlockList {
			renderError(w, r, errs.BadRequest("request.badQuery", "limit must be an integer from 1 to %d", maxBlockList))
			return
		}
		limit = n
	}
	head := s.node.Ledger.Head().Height
	top := head
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			renderError(w, r, errs.BadRequest("request.badQuery", "before must be a positive block height"))
			return
		}
		if n-1 < top {
			top = n - 1
		}
	}
	out := BlockList{Blocks: []BlockSummary{}}
	h := top
	for uint64(len(out.Blocks)) < limit {
		b, err := s.node.Ledger.Block(h)
		if err != nil {
			renderError(w, r, err)
			return
		}
		out.Blocks = append(out.Blocks, BlockSummary{Header: b.Header, Hash: b.Hash})
		if h == 0 {
			break
		}
		h--
	}
	if last := out.Blocks[len(out.Blocks)-1].Header.Height; last > 0 {
		out.Next = &last
	}
	writeJSON(w, http.StatusOK, out)
}

// decodeJSON strictly decodes a request body into v, a pointer to a new
// value. A body {"tx": {…}} carrying a signed transaction, the most common
// write, goes to the request's "tx" field without a decode: the handler
// decodes the transaction with chain.DecodeTx, which refuses what strict
// decoding of the body would.
func decodeJSON(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if raw, ok := chain.TxMember(body); ok {
		if f := txField(v); f.IsValid() {
			f.SetBytes(raw)
			return nil
		}
	}
	if err := chain.DecodeStrict(body, v); err != nil {
		return errs.BadRequest("request.malformed", "request body: %v", err)
	}
	return nil
}

var txFields sync.Map // reflect.Type → index of its `json:"tx"` json.RawMessage field, or -1

// txField returns the json.RawMessage field named "tx" in JSON of the
// struct v points to, if it has one.
func txField(v any) reflect.Value {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	t := rv.Elem().Type()
	i, ok := txFields.Load(t)
	if !ok {
		i = -1
		for j := range t.NumField() {
			f := t.Field(j)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "tx" && f.Type == reflect.TypeFor[json.RawMessage]() {
				i = j
			}
		}
		txFields.Store(t, i)
	}
	if i.(int) < 0 {
		return reflect.Value{}
	}
	return rv.Elem().Field(i.(int))
}
