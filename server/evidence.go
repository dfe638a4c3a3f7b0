package server

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
)

// EvidenceRequest is the body of the evidence write endpoints: a
// transaction signed by the client ("tx", of the endpoint's type), or, with
// a bearer token, the fields for the node to sign as "signer" (a DID of the
// token's account; default: the admin DID for the admin token). The node
// signs both the transaction and the evidence signature with that DID's key.
// Hash, extras and key apply to creation only (the other endpoints take the
// hash from the path).
type EvidenceRequest struct {
	Tx     json.RawMessage   `json:"tx,omitempty"`
	Signer string            `json:"signer,omitempty"`
	Hash   string            `json:"hash,omitempty"`
	Logs   []string          `json:"logs,omitempty"`
	Extras map[string]string `json:"extras,omitempty"`
	Key    string            `json:"key,omitempty"`
}

// EvidenceBatchRequest is the body of POST /v1/evidence/batch: a signed
// evidence.batch ("tx"), or, with a bearer token, items for the node to sign
// as "signer". A batch is all or nothing.
type EvidenceBatchRequest struct {
	Tx     json.RawMessage      `json:"tx,omitempty"`
	Signer string               `json:"signer,omitempty"`
	Items  []EvidenceBatchEntry `json:"items,omitempty"`
}

// EvidenceBatchEntry is one custodial batch item: a create or a signature
// (op "create" or "sign") on hash.
type EvidenceBatchEntry struct {
	Op     string            `json:"op"`
	Hash   string            `json:"hash"`
	Logs   []string          `json:"logs,omitempty"`
	Extras map[string]string `json:"extras,omitempty"`
	Key    string            `json:"key,omitempty"`
}

// EvidenceReceipt is the result of an evidence write.
type EvidenceReceipt struct {
	Hashes []string `json:"hashes"` // the evidence hashes the transaction touches
	TxHash string   `json:"txHash"`
	Height uint64   `json:"height,omitempty"`
	Status string   `json:"status"` // committed or pending
}

// EvidenceResponse is an evidence with the inclusion proofs of the
// transactions that recorded it (its creation, signatures, revocations and
// logs, at most MaxEvidenceProofs; the rest through GET /v1/txs/{hash}).
type EvidenceResponse struct {
	Evidence        *evidence.Evidence   `json:"evidence"`
	Proofs          []*chain.TxWithProof `json:"proofs"`
	ProofsTruncated bool                 `json:"proofsTruncated,omitempty"`
}

// MaxEvidenceProofs bounds the inclusion proofs of one evidence response.
const MaxEvidenceProofs = 32

func pathHash(r *http.Request) (string, error) {
	h := chi.URLParam(r, "hash")
	return h, evidence.ValidHash(h)
}

func pathSignerDID(r *http.Request) (string, error) {
	d := unescapedParam(r, "did")
	if _, _, err := did.ParseWeid(d); err != nil {
		return "", errs.BadRequest("evidence.invalidDid", "DID in path: %v", err)
	}
	return d, nil
}

// payloadHashes lists the hashes a checked evidence payload touches.
func payloadHashes(p chain.Payload) []string {
	switch p := p.(type) {
	case *evidence.CreatePayload:
		return []string{p.Hash}
	case *evidence.SignPayload:
		return []string{p.Hash}
	case *evidence.RevokePayload:
		return []string{p.Hash}
	case *evidence.LogPayload:
		return []string{p.Hash}
	case *evidence.BatchPayload:
		out := make([]string, len(p.Items))
		for i, it := range p.Items {
			out[i] = it.Hash
		}
		return out
	}
	return []string{}
}

// evidenceWrite runs an evidence write of type typ on the evidence of hash
// (for the endpoints under /v1/evidence/{hash}) and, for revoke and
// restore, the signature of signatureDID: a client-signed transaction, checked
// to be that operation, or a custodial one whose payload build makes.
func (s *Server) evidenceWrite(w http.ResponseWriter, r *http.Request, typ string, raw json.RawMessage, signer, hash, signatureDID string,
	build func(vm string, k *keys.PrivateKey) (chain.Payload, error)) {
	if len(raw) > 0 {
		async, err := asyncRequested(r)
		if err != nil {
			renderError(w, r, err)
			return
		}
		tx, err := chain.DecodeTx(raw)
		if err != nil {
			renderError(w, r, err)
			return
		}
		if tx.Type != typ {
			renderError(w, r, errs.BadRequest("tx.wrongEndpoint", "this endpoint takes %s transactions, not %s (use POST /v1/txs for any type)", typ, tx.Type))
			return
		}
		var p struct {
			Hash string `json:"hash"`
			DID  string `json:"did"`
		}
		_ = json.Unmarshal(tx.Payload, &p)
		if hash != "" && p.Hash != hash {
			renderError(w, r, errs.BadRequest("tx.wrongEndpoint", "the transaction is for evidence %s, the path names %s", p.Hash, hash))
			return
		}
		if signatureDID != "" && p.DID != signatureDID {
			renderError(w, r, errs.BadRequest("tx.wrongEndpoint", "the transaction changes the signature of %s, the path names %s", p.DID, signatureDID))
			return
		}
		rc, c, err := s.node.SubmitEvidence(r.Context(), tx, async)
		if err != nil {
			renderError(w, r, err)
			return
		}
		if async {
			writeJSON(w, http.StatusAccepted, EvidenceReceipt{Hashes: payloadHashes(c.Payload), TxHash: rc.TxHash, Status: "pending"})
			return
		}
		writeJSON(w, http.StatusCreated, EvidenceReceipt{Hashes: payloadHashes(c.Payload), TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
		return
	}
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if signatureDID != "" && signer == "" {
		signer = signatureDID // revoke and restore sign as the signature's DID
	}
	if signer, err = s.custodialSigner(acct, signer); err != nil {
		renderError(w, r, err)
		return
	}
	var hashes []string
	rc, err := s.node.CustodialEvidence(r.Context(), acct, signer, typ, func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		p, err := build(vm, k)
		if err == nil {
			hashes = payloadHashes(p)
		}
		return p, err
	})
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, EvidenceReceipt{Hashes: hashes, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

// sign makes the evidence signature of hash as vm with k. A malformed
// hash is refused by the payload's validation, before anything is submitted.
func sign(vm string, k *keys.PrivateKey, hash string) (string, error) {
	return evidence.Sign(k, vm, hash)
}

func (s *Server) createEvidence(w http.ResponseWriter, r *http.Request) {
	var req EvidenceRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	s.evidenceWrite(w, r, evidence.TxCreate, req.Tx, req.Signer, "", "", func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		sig, err := sign(vm, k, req.Hash)
		if err != nil {
			return nil, err
		}
		return &evidence.CreatePayload{Hash: req.Hash, Signer: vm, Signature: sig, Logs: req.Logs, Extras: req.Extras, Key: req.Key}, nil
	})
}

// pathRequest decodes an evidence request on the evidence in the path;
// creation fields are refused there.
func pathRequest(w http.ResponseWriter, r *http.Request) (EvidenceRequest, string, bool) {
	var req EvidenceRequest
	hash, err := pathHash(r)
	if err == nil {
		err = decodeJSON(r, &req)
	}
	if err == nil && (req.Hash != "" || len(req.Extras) > 0 || req.Key != "") {
		err = errs.BadRequest("request.malformed", "hash, extras and key belong to POST /v1/evidence; this endpoint takes the hash from its path")
	}
	if err != nil {
		renderError(w, r, err)
		return req, "", false
	}
	return req, hash, true
}

func (s *Server) signEvidence(w http.ResponseWriter, r *http.Request) {
	req, hash, ok := pathRequest(w, r)
	if !ok {
		return
	}
	s.evidenceWrite(w, r, evidence.TxSign, req.Tx, req.Signer, hash, "", func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		sig, err := sign(vm, k, hash)
		if err != nil {
			return nil, err
		}
		return &evidence.SignPayload{Hash: hash, Signer: vm, Signature: sig, Logs: req.Logs}, nil
	})
}

func (s *Server) changeEvidenceSignature(w http.ResponseWriter, r *http.Request, typ string) {
	req, hash, ok := pathRequest(w, r)
	if !ok {
		return
	}
	d, err := pathSignerDID(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	s.evidenceWrite(w, r, typ, req.Tx, req.Signer, hash, d, func(string, *keys.PrivateKey) (chain.Payload, error) {
		return &evidence.RevokePayload{Hash: hash, DID: d, Logs: req.Logs}, nil
	})
}

func (s *Server) revokeEvidenceSignature(w http.ResponseWriter, r *http.Request) {
	s.changeEvidenceSignature(w, r, evidence.TxRevoke)
}

func (s *Server) restoreEvidenceSignature(w http.ResponseWriter, r *http.Request) {
	s.changeEvidenceSignature(w, r, evidence.TxRestore)
}

func (s *Server) addEvidenceLogs(w http.ResponseWriter, r *http.Request) {
	req, hash, ok := pathRequest(w, r)
	if !ok {
		return
	}
	s.evidenceWrite(w, r, evidence.TxLog, req.Tx, req.Signer, hash, "", func(string, *keys.PrivateKey) (chain.Payload, error) {
		return &evidence.LogPayload{Hash: hash, Logs: req.Logs}, nil
	})
}

func (s *Server) evidenceBatch(w http.ResponseWriter, r *http.Request) {
	var req EvidenceBatchRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	s.evidenceWrite(w, r, evidence.TxBatch, req.Tx, req.Signer, "", "", func(vm string, k *keys.PrivateKey) (chain.Payload, error) {
		if len(req.Items) == 0 || len(req.Items) > evidence.MaxBatchItems {
			return nil, errs.BadRequest("evidence.invalidBatch", "a batch has 1 to %d items", evidence.MaxBatchItems)
		}
		p := &evidence.BatchPayload{Items: make([]evidence.BatchItem, len(req.Items))}
		for i, it := range req.Items {
			sig, err := sign(vm, k, it.Hash)
			if err != nil {
				return nil, err
			}
			p.Items[i] = evidence.BatchItem{Op: it.Op, Hash: it.Hash, Signer: vm, Signature: sig, Logs: it.Logs, Extras: it.Extras, Key: it.Key}
		}
		return p, nil
	})
}

func (s *Server) respondEvidence(w http.ResponseWriter, r *http.Request, ev *evidence.Evidence, err error) {
	if err != nil {
		renderError(w, r, err)
		return
	}
	resp := EvidenceResponse{Evidence: ev, Proofs: []*chain.TxWithProof{}}
	for _, h := range ev.TxHashes() {
		if len(resp.Proofs) == MaxEvidenceProofs {
			resp.ProofsTruncated = true
			break
		}
		p, err := s.node.Ledger.Tx(h)
		if err != nil {
			renderError(w, r, err)
			return
		}
		resp.Proofs = append(resp.Proofs, p)
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) getEvidence(w http.ResponseWriter, r *http.Request) {
	hash, err := pathHash(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	ev, err := evidence.Get(s.node.Ledger, hash)
	s.respondEvidence(w, r, ev, err)
}

func (s *Server) findEvidence(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	if key == "" {
		renderError(w, r, errs.BadRequest("request.badQuery", "name the custom key: GET /v1/evidence?key=…"))
		return
	}
	ev, err := evidence.GetByKey(s.node.Ledger, key)
	s.respondEvidence(w, r, ev, err)
}
