package web_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/emmansun/gmsm/sm3"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// TestBrowser_ExplorerGM: on a 国密 chain the explorer shows the crypto
// suite and checks inclusion proofs with SM3: the page's own SM3 agrees
// with Go's on messages around the block boundaries, its RFC 6962 check
// over SM3 accepts the chain's audit paths (and refuses them under
// SHA-256), and a genesis transaction's proof shows as checked.
func TestBrowser_ExplorerGM(t *testing.T) {
	ctx := tab(t)
	dir := t.TempDir()
	n, err := node.Open(node.Config{DataDir: dir, Crypto: chain.CryptoGM})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(n, nil))
	t.Cleanup(func() { srv.Close(); n.Close(); _ = os.RemoveAll(dir) })

	run(t, ctx, "explorer of a gm chain",
		chromedp.Navigate(srv.URL+"/explorer"),
		chromedp.WaitVisible(chromedp.CSS("#blocks tbody tr")))
	if s := text(t, ctx, "section.card .stat"); !strings.Contains(s, "gm") {
		t.Errorf("the chain's stats do not name the gm suite: %q", s)
	}

	// SM3 in the page against Go's SM3.
	type vec struct {
		Msg  string `json:"msg"`
		Hash string `json:"hash"`
	}
	var vs []vec
	for _, l := range []int{0, 1, 3, 55, 56, 63, 64, 65, 119, 128, 1000, 4097} {
		m := make([]byte, l)
		for i := range m {
			m[i] = byte(i*7 + l)
		}
		h := sm3.Sum(m)
		vs = append(vs, vec{hex.EncodeToString(m), hex.EncodeToString(h[:])})
	}
	vj, _ := json.Marshal(vs)
	if bad := eval[[]string](t, ctx, `(() => {
		const w = window.weid, bad = [];
		for (const v of `+string(vj)+`) {
			const got = w.bytesToHex(w.sm3js(w.hexToBytes(v.msg)));
			if (got !== v.hash) bad.push(v.msg.length / 2 + " bytes: " + got);
		}
		return bad;
	})()`); len(bad) > 0 {
		t.Errorf("the page's SM3 disagrees with Go's: %q", bad)
	}

	// Every genesis transaction's proof, as the node serves it: valid with
	// SM3 in the page, not with SHA-256.
	b, err := n.Ledger.Block(0)
	if err != nil {
		t.Fatal(err)
	}
	var proofs []*chain.TxWithProof
	for _, tx := range b.Txs {
		p, err := n.Ledger.Tx(chain.GM.TxHash(tx))
		if err != nil {
			t.Fatal(err)
		}
		proofs = append(proofs, p)
	}
	pj, _ := json.Marshal(proofs)
	if bad := eval[[]string](t, ctx, `(async () => {
		const w = window.weid, bad = [];
		for (const t of `+string(pj)+`) {
			const leaf = w.hexToBytes(t.hash), p = t.proof;
			if (!(await w.verifyInclusion(leaf, p.leafIndex, p.treeSize, p.hashes, t.header.txRoot, w.sm3)).ok) bad.push(t.index + " refused with SM3");
			if ((await w.verifyInclusion(leaf, p.leafIndex, p.treeSize, p.hashes, t.header.txRoot, w.sha256)).ok) bad.push(t.index + " accepted with SHA-256");
			if ((await w.jcsHash(t.tx, w.sm3)) !== t.hash) bad.push(t.index + ": tx hash");
			if ((await w.jcsHash(t.header, w.sm3)) !== t.blockHash) bad.push(t.index + ": block hash");
		}
		if ((await w.chainHash()) !== w.sm3) bad.push("chainHash is not SM3 on a gm chain");
		return bad;
	})()`, chromedp.EvalAwaitPromise); len(bad) > 0 {
		t.Errorf("the page's SM3 proof check: %q", bad)
	}

	run(t, ctx, "a genesis transaction of the gm chain",
		chromedp.Navigate(srv.URL+"/explorer#tx="+proofs[2].Hash),
		chromedp.WaitVisible(chromedp.CSS(`#proof[data-proof]`)))
	if p := attr(t, ctx, "#proof", "data-proof"); p != "valid" {
		t.Fatalf("proof %q: %s", p, text(t, ctx, "#proof"))
	}
	if m := text(t, ctx, "#proof"); !strings.Contains(m, fmt.Sprintf("leaf 2 of %d in block 0", len(proofs))) {
		t.Errorf("proof message %q", m)
	}
}
