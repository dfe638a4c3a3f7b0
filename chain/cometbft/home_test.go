package cometbft

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"
)

// TestWriteNetworkAndJoiner_WriteWholeHomes: a network's and a joiner's
// homes hold the node key they report, the same genesis (CometBFT's own
// format, readable by it) and their settings, and no temporary file.
func TestWriteNetworkAndJoiner_WriteWholeHomes(t *testing.T) {
	t.Parallel()
	first, joiner := t.TempDir(), filepath.Join(t.TempDir(), "node1")
	s := Settings{Moniker: "node0", P2PListen: "tcp://127.0.0.1:1", APIListen: "127.0.0.1:2", TimeoutCommit: "100ms"}
	var netNodes []NetNode
	genesis := func(ns []NetNode) (GenesisState, error) { netNodes = ns; return GenesisState{ChainID: "1"}, nil }
	if err := WriteNetwork([]Member{{Home: first, Settings: s, Power: 10}}, "weid-1", genesis, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	c := s.cometConfig(first)
	doc, err := cmttypes.GenesisDocFromFile(c.GenesisFile())
	if err != nil {
		t.Fatalf("genesis: %v", err)
	}
	// A new chain dates its blocks when they are proposed (PBTS) from
	// its first height, with the synchrony weid chose.
	if p := doc.ConsensusParams; p.Feature.PbtsEnableHeight != 1 || p.Synchrony.Precision != PBTSPrecision || p.Synchrony.MessageDelay != PBTSMessageDelay || !p.Feature.PbtsEnabled(1) {
		t.Fatalf("genesis consensus params: feature %+v, synchrony %+v", p.Feature, p.Synchrony)
	}
	if nk, err := p2p.LoadNodeKey(c.NodeKeyFile()); err != nil || string(nk.ID()) != netNodes[0].NodeID {
		t.Fatalf("node key: %v, %v; want id %s", nk, err, netNodes[0].NodeID)
	}

	s.Moniker = "node1"
	id, _, err := WriteJoiner(joiner, s, c.GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	jc := s.cometConfig(joiner)
	if nk, err := p2p.LoadNodeKey(jc.NodeKeyFile()); err != nil || string(nk.ID()) != id {
		t.Fatalf("joiner's node key: %v, %v; want id %s", nk, err, id)
	}
	a, _ := os.ReadFile(c.GenesisFile())
	b, _ := os.ReadFile(jc.GenesisFile())
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the joiner's genesis is not the network's")
	}
	if got, err := LoadSettings(joiner); err != nil || got.Moniker != "node1" {
		t.Fatalf("joiner's settings: %+v %v", got, err)
	}
	for _, home := range []string{first, joiner} {
		for _, d := range []string{home, filepath.Dir(s.cometConfig(home).GenesisFile())} {
			ents, _ := os.ReadDir(d)
			for _, e := range ents {
				if e.Name()[0] == '.' {
					t.Errorf("%s holds a temporary file %s", d, e.Name())
				}
			}
		}
	}
}
