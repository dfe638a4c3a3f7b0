package evidence_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/evidence"
)

// getOnly is a chain.Reader that cannot scan, as a reader of proven values
// (client.ProvenState) cannot.
type getOnly struct{ r chain.Reader }

func (g getOnly) Get(key []byte) ([]byte, bool, error) { return g.r.Get(key) }

// TestGetNamed_EqualsGetAndRefusesAnIncompleteList: read key by key with
// the signers' DIDs, an evidence is the one Get scans — signatures in
// signing order whatever the order named, a revocation, logs —; a list
// that leaves a signer out, names one twice or names a stranger is
// refused.
func TestGetNamed_EqualsGetAndRefusesAnIncompleteList(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob, carol := e.user(t), e.user(t), e.user(t)
	h := hashOf("deal")
	e.Must(t, alice.create(t, h, func(c *evidence.CreatePayload) { c.Logs = []string{"one", "two"} }))
	e.Must(t, bob.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.VM(), Signature: bob.sig(t, h)}))
	e.Must(t, bob.Tx(t, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.DID, Logs: []string{"withdrawn"}}))
	want, _ := json.Marshal(e.get(t, h))
	ev, err := evidence.GetNamed(getOnly{e.L}, h, []string{bob.DID, alice.DID})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(ev); string(got) != string(want) {
		t.Fatalf("GetNamed:\n%s\nGet:\n%s", got, want)
	}
	for _, signers := range [][]string{{alice.DID}, {alice.DID, alice.DID}, {alice.DID, carol.DID}, {alice.DID, bob.DID, carol.DID}} {
		if _, err := evidence.GetNamed(getOnly{e.L}, h, signers); err == nil || !strings.Contains(err.Error(), h) {
			t.Errorf("signers %v: %v", signers, err)
		}
	}
	if _, err := evidence.GetNamed(getOnly{e.L}, hashOf("none"), nil); err == nil || !strings.Contains(err.Error(), "no evidence") {
		t.Errorf("no evidence: %v", err)
	}
}

// recording is a getOnly that remembers the keys read.
type recording struct {
	r    chain.Reader
	read map[string]bool
}

func (g *recording) Get(key []byte) ([]byte, bool, error) {
	g.read[string(key)] = true
	return g.r.Get(key)
}

// TestGetNamed_ReadsNamedKeysAndValidatesTheHash: GetNamed reads exactly
// the keys NamedKeys lists (what a client proves at one block first), and
// refuses a hash that is not one, as Get does, with a 400.
func TestGetNamed_ReadsNamedKeysAndValidatesTheHash(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.user(t), e.user(t)
	h := hashOf("deal")
	e.Must(t, alice.create(t, h, func(c *evidence.CreatePayload) { c.Logs = []string{"one", "two"} }))
	e.Must(t, bob.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.VM(), Signature: bob.sig(t, h)}))
	rec := &recording{r: e.L, read: map[string]bool{}}
	signers := []string{alice.DID, bob.DID}
	if _, err := evidence.GetNamed(rec, h, signers); err != nil {
		t.Fatal(err)
	}
	keys := evidence.NamedKeys(h, signers, 2)
	if len(keys) != len(rec.read) {
		t.Fatalf("GetNamed read %d keys, NamedKeys lists %d", len(rec.read), len(keys))
	}
	for _, k := range keys {
		if !rec.read[string(k)] {
			t.Errorf("NamedKeys lists %q, GetNamed did not read it", k)
		}
	}
	if _, err := evidence.GetNamed(getOnly{e.L}, "../"+h, nil); errs.Code(err) != "evidence.invalidHash" {
		t.Errorf("a bad hash: %v", err)
	}
}
