package node

import (
	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/evidence"
)

// Evidence returns the evidence of hash with the inclusion proofs of the
// transactions that recorded it (up to api.MaxEvidenceProofs), or a 404
// evidence.notFound.
func (n *Node) Evidence(hash string) (api.EvidenceResponse, error) {
	ev, err := evidence.Get(n.Ledger, hash)
	if err != nil {
		return api.EvidenceResponse{}, err
	}
	return n.withProofs(ev)
}

// EvidenceByKey returns the evidence recorded under a custom key, as
// Evidence does.
func (n *Node) EvidenceByKey(key string) (api.EvidenceResponse, error) {
	ev, err := evidence.GetByKey(n.Ledger, key)
	if err != nil {
		return api.EvidenceResponse{}, err
	}
	return n.withProofs(ev)
}

func (n *Node) withProofs(ev *evidence.Evidence) (api.EvidenceResponse, error) {
	resp := api.EvidenceResponse{Evidence: ev, Proofs: []*chain.TxWithProof{}}
	for _, h := range ev.TxHashes() {
		if len(resp.Proofs) == api.MaxEvidenceProofs {
			resp.ProofsTruncated = true
			break
		}
		p, err := n.Ledger.Tx(h)
		if err != nil {
			return api.EvidenceResponse{}, err
		}
		resp.Proofs = append(resp.Proofs, p)
	}
	return resp, nil
}
