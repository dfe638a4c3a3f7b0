package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/internal/eventually"
)

// TestCluster_EventStreamsIdentical: four validators on loopback; while
// every node streams its events (server-sent events from now), DIDs are
// written through node A; then every node's events from the genesis to a
// common height (JSON pages) and the streamed ones are compared: the same
// ids, cursors and bodies, in the same order, on all four.
func TestCluster_EventStreamsIdentical(t *testing.T) {
	skipUnlessCluster(t)
	ln := startLocalnet(t)
	cmds, cl := ln.Cmds, ln.Client
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	createFirstDID(t, ctx, cl(0))
	// A height every node has: "now" would differ between nodes that
	// are a block apart, so the streams start from it.
	first, err := cl(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		eventually.Nil(t, fmt.Sprintf("node %d reaches height %d", i, first.Height), 30*time.Second, func() error {
			if s, err := cl(i).Status(ctx); err != nil || s.Height < first.Height {
				return errString("behind")
			}
			return nil
		})
	}

	// Every node streams did.* events from that height on: the first DID
	// and the writes to come.
	const writes = 6 + 1
	streamed := make([][]api.Event, 4)
	var wg sync.WaitGroup
	sctx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	ready := make(chan struct{}, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready <- struct{}{}
			err := cl(i).Events(sctx, client.EventQuery{Types: []string{"did.*"}, From: strconv.FormatUint(first.Height, 10)}, func(e api.Event) error {
				streamed[i] = append(streamed[i], e)
				if len(streamed[i]) == writes {
					return errString("enough")
				}
				return nil
			})
			if err != nil && err.Error() != "enough" && sctx.Err() == nil {
				t.Errorf("node %d's stream: %v", i, err)
			}
		}()
	}
	for range 4 {
		<-ready
	}
	time.Sleep(500 * time.Millisecond) // the streams' requests reach the nodes
	for range writes - 1 {
		createDID(t, ctx, cl(0))
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		stopStreams()
		<-done
		t.Fatalf("streams did not get %d events within 60s: got %d %d %d %d", writes, len(streamed[0]), len(streamed[1]), len(streamed[2]), len(streamed[3]))
	}
	for i := 1; i < 4; i++ {
		if err := sameEvents(streamed[0], streamed[i]); err != nil {
			t.Errorf("streams of nodes A and %c differ: %v", 'A'+i, err)
		}
	}

	// Every event from the genesis up to A's head, on every node.
	head, err := cl(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	history := make([][]api.Event, 4)
	for i := range 4 {
		eventually.Nil(t, fmt.Sprintf("node %d reaches height %d", i, head.Height), 30*time.Second, func() error {
			if s, err := cl(i).Status(ctx); err != nil || s.Height < head.Height {
				return errString("behind")
			}
			return nil
		})
		from := "0"
		for {
			p, err := cl(i).EventPage(ctx, client.EventQuery{From: from, Limit: 1000})
			if err != nil {
				t.Fatalf("node %d: events from %s: %v", i, from, err)
			}
			stop := len(p.Events) == 0
			for _, e := range p.Events {
				if e.Height > head.Height {
					stop = true
					break
				}
				history[i] = append(history[i], e)
			}
			if stop {
				break
			}
			from = p.Next
		}
	}
	for i := 1; i < 4; i++ {
		if err := sameEvents(history[0], history[i]); err != nil {
			t.Errorf("events of nodes A and %c up to height %d differ: %v", 'A'+i, head.Height, err)
		}
	}
	t.Logf("%d events up to height %d and %d streamed events identical on 4 nodes", len(history[0]), head.Height, len(streamed[0]))
	for i := range 4 {
		stopNode(t, cmds[i])
	}
}

// sameEvents compares two sequences of events: ids, cursors and bodies.
func sameEvents(a, b []api.Event) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d events and %d", len(a), len(b))
	}
	for i := range a {
		ja, _ := json.Marshal(a[i])
		jb, _ := json.Marshal(b[i])
		if string(ja) != string(jb) {
			return fmt.Errorf("event %d:\n%s\n%s", i, ja, jb)
		}
	}
	return nil
}
