package cli

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// servedNode is a node opened in the test's process and served over HTTP,
// for the tests that need its Go API beside the CLI's view of it (a node
// child is testNode).
type servedNode struct {
	*node.Node
	Dir   string // the node's data directory
	URL   string
	Admin string // the admin bearer token its first start wrote
}

// serveNode opens a node with cfg in a new data directory and serves it
// until the test ends.
func serveNode(t *testing.T, cfg node.Config) *servedNode {
	t.Helper()
	cfg.DataDir = t.TempDir()
	n, err := node.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(n, nil))
	t.Cleanup(func() { ts.Close(); n.Close() })
	tok, err := os.ReadFile(filepath.Join(cfg.DataDir, node.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	return &servedNode{Node: n, Dir: cfg.DataDir, URL: ts.URL, Admin: strings.TrimSpace(string(tok))}
}

// Genesis is the path of the CometBFT genesis.json in the node's home.
func (s *servedNode) Genesis(t *testing.T) string {
	t.Helper()
	var genesis string
	filepath.WalkDir(s.Dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Name() == "genesis.json" {
			genesis = p
		}
		return nil
	})
	if genesis == "" {
		t.Fatal("no genesis.json in the node's home")
	}
	return genesis
}

// NodeKey is the node key its chain's init record names: the trust anchor
// the verifying commands take as --node-key.
func (s *servedNode) NodeKey(t *testing.T) string {
	t.Helper()
	init, err := chain.InitRecord(s.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	return init.NodeKey
}

// CreateDID submits the creation of a DID of a new key and returns the
// DID and the hash of its transaction.
func (s *servedNode) CreateDID(t *testing.T) (d, txHash string) {
	t.Helper()
	d, tx, err := newDIDTx(s.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s.Submit(context.Background(), tx, false)
	if err != nil {
		t.Fatal(err)
	}
	return d, rc.TxHash
}

// AdminClient is a client of the node that holds its admin token.
func (s *servedNode) AdminClient() *client.Client {
	c := client.New(s.URL)
	c.Token = s.Admin
	return c
}

// contractFile writes the small document the evidence tests record in a
// new directory and returns its path.
func contractFile(t *testing.T) string {
	t.Helper()
	doc := filepath.Join(t.TempDir(), "contract.txt")
	if err := os.WriteFile(doc, []byte("the parties agree\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return doc
}

// servedEvidence serves a solo node and records an evidence of a contract
// file on it (weid evidence create, plus extra flags); it returns the node,
// its node key and the file.
func servedEvidence(t *testing.T, extra ...string) (ts *servedNode, nodeKey, doc string) {
	t.Helper()
	ts = serveNode(t, node.Config{})
	doc = contractFile(t)
	mustCLI(t, append([]string{"evidence", "create", doc, "--token", ts.Admin, "--node", ts.URL}, extra...)...)
	return ts, ts.NodeKey(t), doc
}

// evidenceHash is the hash under which the node records the evidence of doc.
func evidenceHash(t *testing.T, ts *servedNode, doc string) string {
	t.Helper()
	h, err := hashFileFor(context.Background(), client.New(ts.URL), doc)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
