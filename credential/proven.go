package credential

import (
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/status"
)

// ProvenState is ledger state whose every value is proven against a trust
// anchor the verifier chose (client.ProvenState; issue 18): a
// chain.Reader that fails, naming what is wrong, rather than return a
// value its node cannot prove.
type ProvenState interface {
	chain.Reader
	// ChainID is the chain of the proven headers.
	ChainID() (string, error)
	// Summary says which block the reads so far were proven against and
	// who signed it (nil before the first read).
	Summary() *api.ProvenRead
}

// NewProvenVerifier returns a Verifier that reads every fact of the
// ledger from st: did:weid documents (latest, and as of issuance), the
// trust registry, schemas and status lists, so that a verifier pointed at
// a node it does not trust gets the verdict of one that reads its own
// ledger, or an error. did:key and did:jwk resolve from the identifier
// alone; did:web is not resolved (it would trust a web server), nor are
// an SD-JWT VC's Token Status Lists (the node signs them: status then
// warns). Results of VerifySecured and Verify carry st's Summary as
// StateProof. A read the node cannot prove makes the check that needed it
// fail with Result.Err set, wrapping txn.ErrStateProof.
func NewProvenVerifier(st ProvenState) (*Verifier, error) {
	id, err := st.ChainID()
	if err != nil {
		return nil, err
	}
	methods := map[string]did.MethodResolver{
		did.MethodWeid: weid.NewStateMethod(st, id),
		"key":          did.KeyMethod{},
		"jwk":          did.JWKMethod{},
	}
	return &Verifier{
		Resolver:  did.NewResolver(methods),
		State:     st,
		Status:    StatusLists{Checker: status.NewChecker(0)},
		ClockSkew: 5 * time.Minute,
		proven:    st,
	}, nil
}

// StatusLists is a StatusChecker over the ledger's Bitstring Status Lists
// (status.Checker).
type StatusLists struct{ Checker *status.Checker }

// CheckStatus implements StatusChecker.
func (s StatusLists) CheckStatus(st chain.Reader, issuer string, entry map[string]any) (StatusOutcome, error) {
	o, err := s.Checker.Check(st, issuer, entry)
	if err != nil {
		return StatusOutcome{}, err
	}
	return StatusOutcome{Known: o.Supported && o.Known, Purpose: o.Purpose, Set: o.Set, Where: o.Where()}, nil
}
