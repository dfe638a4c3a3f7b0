package credential_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
)

// errUnproven stands for a proof that does not check out.
var errUnproven = errors.New("state proof invalid")

// provenLedger is a credential.ProvenState over a ledger that records the
// keys read and refuses those starting with refuse, as client.ProvenState
// refuses what a node cannot prove.
type provenLedger struct {
	st     chain.Reader
	refuse string

	mu   sync.Mutex
	read []string
}

func (p *provenLedger) Get(key []byte) ([]byte, bool, error) {
	p.mu.Lock()
	p.read = append(p.read, string(key))
	p.mu.Unlock()
	if p.refuse != "" && bytes.HasPrefix(key, []byte(p.refuse)) {
		return nil, false, fmt.Errorf("proven read of %q: %w", key, errUnproven)
	}
	return p.st.Get(key)
}

func (p *provenLedger) ChainID() (string, error) { return testChain, nil }

func (p *provenLedger) Summary() *api.ProvenRead {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &api.ProvenRead{ChainID: testChain, Height: 9, SignedBy: "node key z6Mk…", Keys: len(p.read)}
}

func (p *provenLedger) readPrefix(prefix string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.read {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// TestNewProvenVerifier_ReadsEverythingThroughTheProvenState: a verifier
// made by NewProvenVerifier reads the issuer's DID document (as of
// issuance, its key since rotated), its registry entry and the schema
// from the proven state, names what it was proven against, and reports a
// read the state cannot prove as the verifier's error, not a verdict on
// the credential.
func TestNewProvenVerifier_ReadsEverythingThroughTheProvenState(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	holder := e.User(t, keys.Ed25519)
	tok := issue(t, e, signerOf(uni), diploma(t, uni.DID, holder.DID, nil))
	e.Now = e.Now.Add(time.Minute) // the key is rotated a minute later
	e.rotate(t, uni, "key-2")

	st := &provenLedger{st: e.l}
	v, err := credential.NewProvenVerifier(st)
	if err != nil {
		t.Fatal(err)
	}
	v.Now = func() time.Time { return e.Now }
	sec, err := credential.Classify([]byte(`"` + tok + `"`))
	if err != nil {
		t.Fatal(err)
	}
	r := v.VerifySecured(ctx, sec, credential.Policy{RequireAccreditation: true})
	if !r.Verified || r.Err != nil || !strings.Contains(r.Checks[1].Detail, "as of its issuance") {
		t.Fatalf("verdict %+v, err %v", r.Checks, r.Err)
	}
	if r.StateProof == nil || r.StateProof.Height != 9 || r.StateProof.Keys == 0 {
		t.Fatalf("stateProof %+v", r.StateProof)
	}
	for _, prefix := range []string{"did/latest/" + uni.DID, "did/version/" + uni.DID, "issuer/did/" + uni.DID, "schema/"} {
		if !st.readPrefix(prefix) {
			t.Errorf("%s was not read through the proven state", prefix)
		}
	}

	for _, refuse := range []string{"did/", "issuer/did/", "schema/"} {
		st := &provenLedger{st: e.l, refuse: refuse}
		v, _ := credential.NewProvenVerifier(st)
		v.Now = func() time.Time { return e.Now }
		r := v.VerifySecured(ctx, sec, credential.Policy{RequireAccreditation: true})
		if r.Verified || !errors.Is(r.Err, errUnproven) || !strings.Contains(r.Err.Error(), refuse) {
			t.Errorf("unprovable %s: verified %v, err %v", refuse, r.Verified, r.Err)
		}
	}
}
