package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/internal/proxytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// fakeChain is a second node of the same chain id as the one the user
// trusts, with a DID created on it: the transaction hash of its create.
func fakeChain(t *testing.T, cfg node.Config) (*servedNode, string) {
	t.Helper()
	fake := serveNode(t, cfg)
	_, txHash := fake.CreateDID(t)
	return fake, txHash
}

// TestTxProve_TrustAnchor_Solo: weid tx prove and weid ledger verify
// --remote against a fake solo chain with the same chain id: without an
// anchor they check out but say the keys came from the node itself; with
// the trusted node key (--node-key) they refuse it, naming the key; with
// the fake's own key they name it as the one trusted.
func TestTxProve_TrustAnchor_Solo(t *testing.T) {
	trusted := serveNode(t, node.Config{})
	trustedKey := trusted.NodeKey(t)
	fake, ftx := fakeChain(t, node.Config{})
	fakeKey := fake.NodeKey(t)
	for _, cmd := range [][]string{{"tx", "prove", ftx}, {"ledger", "verify", "--remote"}} {
		name := strings.Join(cmd[:2], " ")
		out, err := runCLI(t, append(cmd, "--node", fake.URL)...)
		t.Logf("weid %s, no anchor:\n%s", name, out)
		if err != nil || !strings.Contains(out, "came from the node itself") || !strings.Contains(out, "--node-key") {
			t.Errorf("%s without an anchor: %s %v", name, out, err)
		}
		out, err = runCLI(t, append(cmd, "--node", fake.URL, "--node-key", trustedKey)...)
		if err == nil || !strings.Contains(oneLine(err), "not the trusted node key "+trustedKey) {
			t.Errorf("%s of a fake chain with the trusted key: %s %v", name, out, err)
		}
		out, err = runCLI(t, append(cmd, "--node", fake.URL, "--node-key", fakeKey)...)
		t.Logf("weid %s --node-key:\n%s", name, out)
		if err != nil || !strings.Contains(out, "node key "+fakeKey) || strings.Contains(out, "came from the node itself") || !strings.Contains(out, " ago") {
			t.Errorf("%s with its own key: %s %v", name, out, err)
		}
		out, err = runCLI(t, append(cmd, "--node", fake.URL, "--node-key", fakeKey, "--max-age", "1ms")...)
		if err == nil || !strings.Contains(oneLine(err), "old, more than the 1ms allowed") {
			t.Errorf("%s --max-age 1ms: %s %v", name, out, err)
		}
	}
	if _, err := runCLI(t, "ledger", "verify", "--data", fake.Dir, "--node-key", fakeKey); err == nil || !strings.Contains(oneLine(err), "with --remote") {
		t.Errorf("ledger verify --data with an anchor: %v", err)
	}
	var proof struct {
		Verified bool
		Anchor   *struct{ SignedBy string }
	}
	mustCLIJSON(t, &proof, "tx", "prove", ftx, "--node", fake.URL, "--node-key", fakeKey)
	if !proof.Verified || proof.Anchor == nil || proof.Anchor.SignedBy != "node key "+fakeKey {
		t.Fatalf("tx prove -o json: %+v", proof)
	}
}

// TestTxProve_TrustAnchor_CometBFT: the same against a fake one-validator
// CometBFT chain with the same chain id: --trusted-validators with the
// trusted chain's genesis.json refuses its commit, the fake's own accepts it.
func TestTxProve_TrustAnchor_CometBFT(t *testing.T) {
	trusted := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	fake, ftx := fakeChain(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	for _, cmd := range [][]string{{"tx", "prove", ftx}, {"ledger", "verify", "--remote"}} {
		name := strings.Join(cmd[:2], " ")
		out, err := runCLI(t, append(cmd, "--node", fake.URL)...)
		if err != nil || !strings.Contains(out, "came from the node itself") {
			t.Errorf("%s without an anchor: %s %v", name, out, err)
		}
		out, err = runCLI(t, append(cmd, "--node", fake.URL, "--trusted-validators", trusted.Genesis(t))...)
		t.Logf("weid %s --trusted-validators (another chain's): %v", name, err)
		if err == nil || !strings.Contains(oneLine(err), "consensus commit") {
			t.Errorf("%s of a fake chain with the trusted validators: %s %v", name, out, err)
		}
		out, err = runCLI(t, append(cmd, "--node", fake.URL, "--trusted-validators", fake.Genesis(t))...)
		if err != nil || !strings.Contains(out, "signed by 1 of 1 validators") || strings.Contains(out, "came from the node itself") {
			t.Errorf("%s with its own validators: %s %v", name, out, err)
		}
	}
}

// TestProvenReads_MaxAge: did resolve --verify and vc verify
// --verify-state say how old the proven block is, and --max-age refuses
// one older than the bound, naming its age and the bound.
func TestProvenReads_MaxAge(t *testing.T) {
	ts := serveNode(t, node.Config{})
	nodeKey := ts.NodeKey(t)
	jwtFile, _ := issueRevocable(t, ts.URL, ts.Admin, t.TempDir())
	d := ts.AdminDID
	_, stderr, code := runChild(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--node-key", nodeKey, "--max-age", "1h")
	if code != 0 || !strings.Contains(stderr, "proven against block ") || !strings.Contains(stderr, " UTC, ") || !strings.Contains(stderr, " s ago") {
		t.Fatalf("did resolve --verify --max-age 1h: exit %d, %s", code, stderr)
	}
	out, err := runCLI(t, "vc", "verify", jwtFile, "--verify-state", "--node", ts.URL, "--node-key", nodeKey, "--max-age", "1h")
	if err != nil || !strings.Contains(out, "verified: true") || !strings.Contains(out, " ago") {
		t.Fatalf("vc verify --verify-state --max-age 1h: %s %v", out, err)
	}
	time.Sleep(300 * time.Millisecond) // the head is at least this old: nothing is written meanwhile
	for _, cmd := range [][]string{
		{"did", "resolve", d, "--verify"},
		{"vc", "verify", jwtFile, "--verify-state"},
	} {
		out, err := runCLI(t, append(cmd, "--node", ts.URL, "--node-key", nodeKey, "--max-age", "200ms")...)
		if err == nil || !strings.Contains(oneLine(err), "old, more than the 200ms allowed") || !strings.Contains(oneLine(err), "--max-age") {
			t.Errorf("%s --max-age 200ms: %s %v", cmd[0], out, err)
		}
	}
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--node-key", nodeKey, "--max-age", "-1s"); err == nil || !strings.Contains(oneLine(err), "--max-age") {
		t.Fatalf("a negative --max-age: %v", err)
	}
}

// replayer is a proxy that remembers the node's answers to GETs and, once
// replaying, serves a remembered answer again instead of asking the node:
// correctly signed, but old.
type replayer struct {
	upstream string
	mu       sync.Mutex
	replay   bool
	seen     map[string][]byte
}

func (p *replayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.RequestURI()
	p.mu.Lock()
	body, ok := p.seen[key]
	replay := p.replay
	p.mu.Unlock()
	if replay && ok {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	if r.Method == http.MethodGet && resp.StatusCode == http.StatusOK {
		p.mu.Lock()
		p.seen[key] = body
		p.mu.Unlock()
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// TestVCVerifyState_MaxAgeRefusesAReplay: a proxy that replays the node's
// answers from before a revocation gets the credential verified (each
// answer is signed); --max-age refuses the replayed, old block, naming
// its age and the bound, while the honest node's fresh head shows the
// revocation.
func TestVCVerifyState_MaxAgeRefusesAReplay(t *testing.T) {
	ts := serveNode(t, node.Config{})
	nodeKey := ts.NodeKey(t)
	jwtFile, acctToken := issueRevocable(t, ts.URL, ts.Admin, t.TempDir())
	p := &replayer{upstream: ts.URL, seen: map[string][]byte{}}
	proxy := httptest.NewServer(p)
	t.Cleanup(proxy.Close)
	verify := func(url string, flags ...string) (string, error) {
		return runCLI(t, append([]string{"vc", "verify", jwtFile, "--verify-state", "--node", url, "--node-key", nodeKey}, flags...)...)
	}
	if out, err := verify(proxy.URL); err != nil || !strings.Contains(out, "verified: true") {
		t.Fatalf("recording: %s %v", out, err)
	}
	time.Sleep(1100 * time.Millisecond)
	mustCLI(t, "vc", "revoke", "urn:uuid:8f9b7c1e-3d1a-4c6e-9a43-1f0e2d3c4b5a", "--token", acctToken, "--node", ts.URL)
	p.mu.Lock()
	p.replay = true
	p.mu.Unlock()
	if out, err := verify(proxy.URL); err != nil || !strings.Contains(out, "verified: true") || !strings.Contains(out, " s ago") {
		t.Fatalf("a replay without --max-age: the old answer checks out, and says how old it is: %s %v", out, err)
	}
	out, err := verify(proxy.URL, "--max-age", "1s")
	if err == nil || !strings.Contains(oneLine(err), "--max-age") || !strings.Contains(oneLine(err), "old, more than the 1s allowed") {
		t.Fatalf("a replay with --max-age 1s: %s %v", out, err)
	}
	if out, err := verify(ts.URL, "--max-age", "1m"); err == nil || !strings.Contains(out, "revoked") {
		t.Fatalf("the honest node with --max-age 1m: %s %v", out, err)
	}
}

// reSigningProxy edits the weid header of every answer that carries one
// (state proofs, transactions, blocks), re-hashes it and re-signs it with
// a key of its own: what a proxy holding no chain key can make. The
// CometBFT commit it leaves as the node served it.
func reSigningProxy(t *testing.T, upstream string, edit func(*chain.Header)) string {
	k, _ := keys.Generate(keys.Ed25519)
	var resign func(path string, m map[string]any)
	resign = func(path string, m map[string]any) {
		if sp, ok := m["stateProof"].(map[string]any); ok { // a proven resolution
			resign(path, sp)
		}
		hm, ok := m["header"].(map[string]any)
		if !ok || strings.HasSuffix(path, "/commit") {
			return
		}
		raw, _ := json.Marshal(hm)
		var h chain.Header
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Error(err)
			return
		}
		edit(&h)
		h.Proposer = k.Public().Multibase()
		raw, _ = json.Marshal(&h)
		c, _ := jcs.Transform(raw)
		sum := sha256.Sum256(c)
		sig, _ := k.Sign(sum[:])
		json.Unmarshal(raw, &hm)
		m["header"] = hm
		if _, ok := m["blockHash"]; ok { // a transaction, a state proof
			m["blockHash"] = hex.EncodeToString(sum[:])
		}
		if _, ok := m["txs"]; ok { // a block
			m["hash"] = hex.EncodeToString(sum[:])
		}
		if _, ok := m["signature"]; ok {
			m["signature"] = base64.RawURLEncoding.EncodeToString(sig)
		}
	}
	return proxytest.Rewriting(t, upstream, resign)
}

// TestTrustedValidators_HeaderByAnotherKeyIsRefused: under
// --trusted-validators the commit covers only the app hash; a proxy that
// keeps the real commit and app hash but re-dates the weid header to now
// and re-signs it with its own key (so --max-age would see a fresh block)
// is refused by did resolve --verify, vc verify --verify-state, tx prove
// and ledger verify --remote, naming the consortium's block key; the
// honest node passes, its age measured from when the validators signed.
func TestTrustedValidators_HeaderByAnotherKeyIsRefused(t *testing.T) {
	ts := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	genesis := ts.Genesis(t)
	nodeKey := ts.NodeKey(t)
	jwtFile, _ := issueRevocable(t, ts.URL, ts.Admin, t.TempDir())
	d, txHash := ts.CreateDID(t)
	now := time.Now().UTC().Format(chain.TimeFormat)
	redated := reSigningProxy(t, ts.URL, func(h *chain.Header) { h.Time = now })
	for _, cmd := range [][]string{
		{"did", "resolve", d, "--verify"},
		{"vc", "verify", jwtFile, "--verify-state"},
		{"tx", "prove", txHash},
		{"ledger", "verify", "--remote"},
	} {
		name := strings.Join(cmd[:2], " ")
		flags := []string{"--trusted-validators", genesis, "--max-age", "1m"}
		out, err := runCLI(t, append(append(cmd, "--node", ts.URL), flags...)...)
		if err != nil || strings.Contains(out, "came from the node itself") {
			t.Errorf("%s, the honest node: %s %v", name, out, err)
		}
		out, err = runCLI(t, append(append(cmd, "--node", redated), flags...)...)
		t.Logf("weid %s, a re-dated header re-signed by another key: %v", name, err)
		want := "not the consortium's block key " + nodeKey
		if cmd[0] == "ledger" { // its replay of the chain refuses the re-dated blocks first
			want = "ledger verification FAILED"
		}
		if err == nil || !strings.Contains(oneLine(err), want) {
			t.Errorf("%s, a re-dated header re-signed by another key: %s %v", name, out, err)
		}
	}
}
