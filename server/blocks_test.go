package server

import (
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
)

// TestAPI_ListBlocks: GET /v1/blocks pages through headers newest first,
// each hash the SHA-256 of its header, and refuses bad queries.
func TestAPI_ListBlocks(t *testing.T) {
	tn := startNode(t)
	for i := 0; i < 3; i++ {
		tn.newDID(t)
	}
	head := tn.n.Ledger.Head().Height
	if head != 3 {
		t.Fatalf("head %d, want 3", head)
	}
	list := func(q string) api.BlockList {
		t.Helper()
		return decodeAs[api.BlockList](t, tn.do(t, "GET", "/v1/blocks"+q, "", nil), 200, "GET /v1/blocks"+q)
	}
	l := list("")
	if len(l.Blocks) != 4 || l.Next != nil || l.Blocks[0].Header.Height != 3 || l.Blocks[3].Header.Height != 0 {
		t.Fatalf("all blocks: %+v", l)
	}
	for _, b := range l.Blocks {
		if h, _ := chain.HeaderHash(&b.Header); h != b.Hash {
			t.Errorf("block %d: hash %s, header hashes to %s", b.Header.Height, b.Hash, h)
		}
	}
	l = list("?limit=2")
	if len(l.Blocks) != 2 || l.Blocks[0].Header.Height != 3 || l.Next == nil || *l.Next != 2 {
		t.Fatalf("limit=2: %+v", l)
	}
	l = list("?limit=2&before=2")
	if len(l.Blocks) != 2 || l.Blocks[0].Header.Height != 1 || l.Blocks[1].Header.Height != 0 || l.Next != nil {
		t.Fatalf("before=2: %+v", l)
	}
	if l = list("?before=99"); len(l.Blocks) != 4 {
		t.Fatalf("before beyond the head: %+v", l)
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?limit=x", "?before=0", "?before=-1"} {
		wantProblem(t, q, tn.do(t, "GET", "/v1/blocks"+q, "", nil), 400, "request.badQuery")
	}
}
