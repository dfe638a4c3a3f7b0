package stateproof

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

func TestStateProof_SecondVerifier(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the second verifier (verify.py) cannot run")
	}
	for _, crypto := range []string{"standard", "gm"} {
		t.Run(crypto, func(t *testing.T) {
			if crypto == "gm" && exec.Command(py, "-c", "import hashlib,sys; sys.exit(0 if 'sm3' in hashlib.algorithms_available else 1)").Run() != nil {
				t.Skip("this python's hashlib has no SM3")
			}
			n, err := node.Open(node.Config{DataDir: t.TempDir(), Crypto: crypto})
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			kt := keys.Ed25519
			if crypto == "gm" {
				kt = keys.SM2
			}
			k, _ := keys.Generate(kt)
			missing := did.WeidDID(n.ChainID, k.Public())
			p, err := n.ProveState(context.Background(), did.LatestKey(n.AdminDID), did.LatestKey(missing), []byte("chain/init"))
			if err != nil {
				t.Fatal(err)
			}
			for _, sp := range p.Proofs {
				raw, _ := json.Marshal(sp)
				cmd := exec.Command(py, "verify.py", p.Header.AppHash)
				cmd.Stdin = bytes.NewReader(raw)
				out, err := cmd.CombinedOutput()
				got := strings.TrimSpace(string(out))
				want := sp.Value
				if !sp.Exists {
					want = "absent"
				}
				if err != nil || got != want {
					t.Fatalf("verify.py on %s: %s %v (want %s)", sp.Key, got, err, want)
				}
				// A changed root is refused.
				cmd = exec.Command(py, "verify.py", strings.Repeat("0", 64))
				cmd.Stdin = bytes.NewReader(raw)
				if cmd.Run() == nil {
					t.Fatalf("verify.py accepted %s under another root", sp.Key)
				}
			}
		})
	}
}
