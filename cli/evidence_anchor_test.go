package cli

import (
	"strings"
	"testing"

	"github.com/weidgo/weid/internal/hant"
	"github.com/weidgo/weid/internal/proxytest"
	"github.com/weidgo/weid/node"
)

// TestEvidenceVerify_TrustAnchor_Solo: weid evidence verify against a fake
// solo chain with the trusted one's chain id. Without an anchor it checks
// out but says the keys and documents came from the node itself; with the
// trusted node key (--node-key) it refuses the fake's blocks naming the
// transaction; with the fake's own key it names the anchor and proves the
// signer's document, which a proxy that alters documents cannot pass; and
// --max-age bounds the blocks the record and the document are proven at.
func TestEvidenceVerify_TrustAnchor_Solo(t *testing.T) {
	trustedKey := serveNode(t, node.Config{}).NodeKey(t)
	fake := serveNode(t, node.Config{})
	fakeKey := fake.NodeKey(t)
	doc := contractFile(t)
	var created struct{ TxHash string }
	mustCLIJSON(t, &created, "evidence", "create", doc, "--token", fake.Admin, "--node", fake.URL)

	out, err := runCLI(t, "evidence", "verify", doc, "--node", fake.URL)
	if err != nil || !strings.Contains(out, "came from the node itself") || !strings.Contains(out, "--node-key") || !strings.Contains(out, "signature verified") {
		t.Fatalf("evidence verify without an anchor: %s %v", out, err)
	}
	var plain struct {
		Unanchored string
		Anchor     []any
	}
	mustCLIJSON(t, &plain, "evidence", "verify", doc, "--node", fake.URL)
	if !strings.Contains(plain.Unanchored, "came from the node itself") || plain.Anchor != nil {
		t.Fatalf("evidence verify -o json without an anchor: %+v", plain)
	}

	out, err = runCLI(t, "evidence", "verify", doc, "--node", fake.URL, "--node-key", trustedKey)
	if err == nil || !strings.Contains(oneLine(err), "tx "+created.TxHash) || !strings.Contains(oneLine(err), "not the trusted node key "+trustedKey) {
		t.Fatalf("evidence verify of a fake chain with the trusted key: %s %v", out, err)
	}

	out, err = runCLI(t, "evidence", "verify", doc, "--node", fake.URL, "--node-key", fakeKey)
	t.Logf("weid evidence verify --node-key:\n%s", out)
	if err != nil || !strings.Contains(out, "node key "+fakeKey) || strings.Contains(out, "came from the node itself") || !strings.Contains(out, "document proven at block") || !strings.Contains(out, " ago") {
		t.Fatalf("evidence verify with the fake's own key: %s %v", out, err)
	}
	var anchored struct {
		Unanchored string
		Anchor     []struct{ SignedBy string }
		Signers    []struct{ Verified string }
	}
	mustCLIJSON(t, &anchored, "evidence", "verify", doc, "--node", fake.URL, "--node-key", fakeKey)
	if anchored.Unanchored != "" || len(anchored.Anchor) != 1 || anchored.Anchor[0].SignedBy != "node key "+fakeKey || len(anchored.Signers) != 1 || !strings.Contains(anchored.Signers[0].Verified, "proven") {
		t.Fatalf("evidence verify -o json with an anchor: %+v", anchored)
	}

	liar := lyingProxy(t, fake.URL)
	if _, err := runCLI(t, "evidence", "verify", doc, "--node", liar, "--node-key", fakeKey); err == nil || !strings.Contains(oneLine(err), fake.AdminDID) || !strings.Contains(oneLine(err), "document the node returned differs") {
		t.Fatalf("evidence verify through a proxy that alters documents: %v", err)
	}
	if _, err := runCLI(t, "evidence", "verify", doc, "--node", fake.URL, "--node-key", fakeKey, "--max-age", "1ms"); err == nil || !strings.Contains(oneLine(err), "old, more than the 1ms allowed") || !strings.Contains(oneLine(err), "--max-age") {
		t.Fatalf("evidence verify --max-age 1ms: %v", err)
	}
	if _, err := runCLI(t, "evidence", "verify", doc, "--node", fake.URL, "--max-age", "-1s"); err == nil || !strings.Contains(oneLine(err), "--max-age") {
		t.Fatalf("a negative --max-age: %v", err)
	}
}

// TestEvidenceVerify_TrustAnchor_CometBFT: the same against a fake
// one-validator CometBFT chain with the trusted one's chain id: without an
// anchor the commit is checked against the validators the node's own chain
// records and the output says so; --trusted-validators with the trusted
// chain's genesis.json refuses the fake's commit naming the transaction,
// the fake's own accepts it and proves the signer's document.
func TestEvidenceVerify_TrustAnchor_CometBFT(t *testing.T) {
	trusted := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	fake := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	doc := contractFile(t)
	var created struct{ TxHash string }
	mustCLIJSON(t, &created, "evidence", "create", doc, "--token", fake.Admin, "--node", fake.URL)
	out, err := runCLI(t, "evidence", "verify", doc, "--node", fake.URL)
	if err != nil || !strings.Contains(out, "committed: CometBFT block") || !strings.Contains(out, "came from the node itself") {
		t.Fatalf("without an anchor: %s %v", out, err)
	}
	out, err = runCLI(t, "evidence", "verify", doc, "--node", fake.URL, "--trusted-validators", trusted.Genesis(t))
	if err == nil || !strings.Contains(oneLine(err), "tx "+created.TxHash) || !strings.Contains(oneLine(err), "consensus commit") {
		t.Fatalf("a fake chain with the trusted validators: %s %v", out, err)
	}
	out, err = runCLI(t, "evidence", "verify", doc, "--node", fake.URL, "--trusted-validators", fake.Genesis(t))
	if err != nil || !strings.Contains(out, "signed by 1 of 1 validators") || !strings.Contains(out, "document proven at block") || strings.Contains(out, "came from the node itself") {
		t.Fatalf("with its own validators: %s %v", out, err)
	}
}

// TestEvidenceVerify_TrustAnchor_ProvesTheRecord: with an anchor the
// evidence record itself — its signatures, their revocations, its logs —
// is read with state proofs, so a proxy that hides a revocation or adds a
// log line is refused naming what differs; without one its answer is
// shown as the node gave it.
func TestEvidenceVerify_TrustAnchor_ProvesTheRecord(t *testing.T) {
	ts, nodeKey, doc := servedEvidence(t, "--log", "signed in Beijing")
	out := mustCLI(t, "evidence", "verify", doc, "--node", ts.URL, "--node-key", nodeKey)
	if !strings.Contains(out, "log ") || !strings.Contains(out, "signed in Beijing") || !strings.Contains(out, "record proven: ") || !strings.Contains(out, "keys proven against block") {
		t.Fatalf("an honest node: %s", out)
	}
	for name, rewrite := range map[string]func(ev map[string]any){
		"a revocation": func(ev map[string]any) { ev["signatures"].([]any)[0].(map[string]any)["revoked"] = true },
		"a log line":   func(ev map[string]any) { ev["logs"] = append(ev["logs"].([]any), ev["logs"].([]any)[0]) },
		"a signature":  func(ev map[string]any) { ev["signatures"] = []any{} },
	} {
		liar := proxytest.Rewriting(t, ts.URL, func(_ string, m map[string]any) {
			if ev, ok := m["evidence"].(map[string]any); ok {
				rewrite(ev)
			}
		})
		if out, err := runCLI(t, "evidence", "verify", doc, "--node", liar); err != nil && name != "a signature" {
			t.Errorf("%s, no anchor: the node's answer is shown as it is: %s %v", name, out, err)
		}
		out, err := runCLI(t, "evidence", "verify", doc, "--node", liar, "--node-key", nodeKey)
		t.Logf("%s: %v", name, err)
		if err == nil || !strings.Contains(oneLine(err), "the evidence the node returned differs from the proven state") || (name == "a revocation" && !strings.Contains(oneLine(err), "is revoked, the ledger that it is valid")) {
			t.Errorf("%s with an anchor: %s %v", name, out, err)
		}
	}
}

// TestEvidenceVerify_WarnsWithoutMaxAge: with a trust anchor but no
// --max-age, evidence verify still verifies (exit 0, the same output) but
// warns on stderr, in the locale's language, that the proven state's age
// is not bounded and suggests a --max-age; with --max-age, or without an
// anchor (which says it is unanchored), it does not warn.
func TestEvidenceVerify_WarnsWithoutMaxAge(t *testing.T) {
	n := serveNode(t, node.Config{})
	key := n.NodeKey(t)
	doc := contractFile(t)
	mustCLI(t, "evidence", "create", doc, "--token", n.Admin, "--node", n.URL)
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	for _, c := range []struct{ lang, want string }{
		{"C.UTF-8", "warning: without --max-age the age of the proven state is not bounded"},
		{"zh_CN.UTF-8", "警告：未给出 --max-age，所证明状态的时效没有上限"},
		{"zh_HK.UTF-8", "警告：未給出 --max-age，所證明狀態的時效沒有上限"},
	} {
		t.Setenv("LANG", c.lang)
		stdout, stderr, code := runChild(t, "evidence", "verify", doc, "--node", n.URL, "--node-key", key)
		if code != 0 || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "--max-age 24h") || !strings.Contains(stdout, "node key "+key) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want a verdict and the warning %q", c.lang, code, stdout, stderr, c.want)
		}
		if c.lang == "zh_HK.UTF-8" && hant.SimplifiedOnly(stderr) != "" {
			t.Errorf("zh_HK: the Simplified %s", hant.SimplifiedOnly(stderr))
		}
		for _, args := range [][]string{{"--node-key", key, "--max-age", "24h"}, nil} {
			if _, stderr, code := runChild(t, append([]string{"evidence", "verify", doc, "--node", n.URL}, args...)...); code != 0 || stderr != "" {
				t.Errorf("%s evidence verify %v: exit %d, stderr %q; want no warning", c.lang, args, code, stderr)
			}
		}
	}
}
