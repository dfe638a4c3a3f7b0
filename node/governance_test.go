package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// haltingEngine is an engine whose every validator change would stop the
// chain (chain.QuorumChecker).
type haltingEngine struct{ chain.Engine }

func (haltingEngine) QuorumAfter(chain.ValidatorChange) (bool, string) {
	return false, "the validators this node reaches would hold 0 of 10"
}

func newValidatorKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pub)
}

// TestQuorumAdmit_LeavesTheLedgersRefusalToTheLedger: a change the ledger
// refuses anyway — a key already a validator added again, an unknown key
// removed — is not answered gov.wouldHalt, whatever the quorum, so the
// caller reads the ledger's clearer gov.validatorExists or unknown key; a
// change the ledger would take is judged.
func TestQuorumAdmit_LeavesTheLedgersRefusalToTheLedger(t *testing.T) {
	dir := t.TempDir()
	n := openTest(t, dir)
	defer n.Close()
	tok, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := n.Authenticate(strings.TrimSpace(string(tok)))
	if err != nil {
		t.Fatal(err)
	}
	known := newValidatorKey(t)
	if _, _, err := n.Write(context.Background(), Write{Type: authz.TxAddValidator, Account: admin,
		Build: func(string, *keys.PrivateKey) (chain.Payload, error) {
			return &authz.AddValidatorPayload{PubKey: known, Power: 10}, nil
		}}); err != nil {
		t.Fatal(err)
	}
	n.Engine = haltingEngine{n.Engine}
	admit := n.QuorumAdmit(false)
	for _, c := range []struct {
		name  string
		p     chain.Payload
		halts bool
	}{
		{"add a key already a validator", &authz.AddValidatorPayload{PubKey: known, Power: 10}, false},
		{"remove an unknown key", &authz.RemoveValidatorPayload{PubKey: newValidatorKey(t)}, false},
		{"add a new key", &authz.AddValidatorPayload{PubKey: newValidatorKey(t), Power: 10}, true},
		{"remove a validator", &authz.RemoveValidatorPayload{PubKey: known}, true},
	} {
		err := admit(n.Ledger, c.p)
		var e *errs.Error
		if halts := errors.As(err, &e) && e.Code == "gov.wouldHalt" && e.Status == http.StatusConflict; halts != c.halts || (!c.halts && err != nil) {
			t.Errorf("%s: %v, want gov.wouldHalt %v", c.name, err, c.halts)
		}
	}
	if err := n.QuorumAdmit(true)(n.Ledger, &authz.RemoveValidatorPayload{PubKey: known}); err != nil {
		t.Errorf("forced: %v", err)
	}
}
