package cli

import (
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
