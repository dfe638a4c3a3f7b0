package natsjs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/events/natsjs"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/internal/natstest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

func createDIDs(t *testing.T, n *node.Node, count int) {
	t.Helper()
	for i := 0; i < count; i++ {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(n.ChainID, k.Public())
		tx, _ := node.SignTx(n.ChainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
		if _, err := n.Submit(context.Background(), tx, false); err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerEvents is every event of the node's ledger, in order.
func ledgerEvents(t *testing.T, n *node.Node) []api.Event {
	t.Helper()
	var out []api.Event
	from := "0"
	for {
		s, err := n.EventStart(from)
		if err != nil {
			t.Fatal(err)
		}
		p, err := n.EventPage(&events.Filter{}, s, 1000)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Events...)
		if len(p.Events) == 0 {
			return out
		}
		from = p.Next
	}
}

// streamMessages reads every message of the stream in order.
func streamMessages(t *testing.T, url string) []jetstream.Msg {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, natsjs.DefaultStream)
	if err != nil {
		return nil
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for uint64(len(out)) < info.State.Msgs {
		m, err := c.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatalf("message %d of %d: %v", len(out)+1, info.State.Msgs, err)
		}
		out = append(out, m)
	}
	return out
}

// sameStream checks that the stream holds exactly the ledger's events, in
// order, once each, on their types' subjects with their ids as Nats-Msg-Id.
func sameStream(t *testing.T, url string, want []api.Event) error {
	got := streamMessages(t, url)
	if len(got) != len(want) {
		return fmt.Errorf("the stream has %d messages, the ledger %d events", len(got), len(want))
	}
	for i, m := range got {
		var e api.Event
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			return err
		}
		w := want[i]
		if e.ID != w.ID || e.Cursor != w.Cursor || m.Subject() != "weid.events."+w.Type || m.Headers().Get("Nats-Msg-Id") != w.ID {
			return fmt.Errorf("message %d: %s %s on %s (id header %s), want %s %s on weid.events.%s", i, e.ID, e.Cursor, m.Subject(), m.Headers().Get("Nats-Msg-Id"), w.ID, w.Cursor, w.Type)
		}
	}
	return nil
}

// TestPublisher_EveryEventOnceInOrderAcrossRestarts: a node publishes its
// history and new events to JetStream; while the NATS server is down and
// while the node runs without --events-nats, events accumulate; after the
// server and the node come back, the stream holds every event of the
// ledger exactly once, in order, on subjects by type, with Nats-Msg-Id =
// the event id.
func TestPublisher_EveryEventOnceInOrderAcrossRestarts(t *testing.T) {
	storeDir, dataDir := t.TempDir(), t.TempDir()
	ns := natstest.Start(t, filepath.Join(storeDir, "js"), -1)
	url := ns.ClientURL()
	cfg := node.Config{DataDir: dataDir, EventsNATS: url}
	n, err := node.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	createDIDs(t, n, 20)
	eventually.Nil(t, "the stream holds the ledger's events", 10*time.Second, func() error { return sameStream(t, url, ledgerEvents(t, n)) })

	// The broker goes away; the node goes on; the broker comes back on
	// the same port and store.
	port := ns.Addr().(*net.TCPAddr).Port
	ns.Shutdown()
	ns.WaitForShutdown()
	createDIDs(t, n, 15)
	natstest.Start(t, filepath.Join(storeDir, "js"), port)
	createDIDs(t, n, 5)
	eventually.Nil(t, "the stream holds the ledger's events", 20*time.Second, func() error { return sameStream(t, url, ledgerEvents(t, n)) })

	// The node restarts without NATS, writes, and restarts with it.
	n.Close()
	cfg.EventsNATS = ""
	if n, err = node.Open(cfg); err != nil {
		t.Fatal(err)
	}
	createDIDs(t, n, 10)
	n.Close()
	cfg.EventsNATS = url
	if n, err = node.Open(cfg); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	createDIDs(t, n, 3)
	eventually.Nil(t, "the stream holds the ledger's events", 10*time.Second, func() error { return sameStream(t, url, ledgerEvents(t, n)) })
}

func TestCheck_RefusesBadURLsAndStreamNames(t *testing.T) {
	for _, c := range []struct{ url, stream string }{{"", "S"}, {"localhost:4222", "S"}, {"nats://h:4222", "a.b"}, {"nats://h:4222", "a b"}, {"nats://h:4222,h2", "S"}} {
		if err := natsjs.Check(c.url, c.stream); err == nil {
			t.Errorf("Check(%q, %q) passed", c.url, c.stream)
		}
	}
	if err := natsjs.Check("nats://127.0.0.1:4222,tls://h:4222", "WEID_EVENTS"); err != nil {
		t.Error(err)
	}
}

// TestPublisher_EventsOverMaxPayloadArePublishedAsReferences: an event
// larger than the server's max_payload does not stop the stream: it is
// published in its place with only its id, cursor, type, height and time,
// marked Weid-Truncated.
func TestPublisher_EventsOverMaxPayloadArePublishedAsReferences(t *testing.T) {
	ns := natstest.Start(t, t.TempDir(), -1, func(o *server.Options) { o.MaxPayload = 1500 })
	url := ns.ClientURL()
	n, err := node.Open(node.Config{DataDir: t.TempDir(), EventsNATS: url})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	createDIDs(t, n, 5)
	eventually.Nil(t, "the stream holds the ledger's events", 10*time.Second, func() error { return sameStream(t, url, ledgerEvents(t, n)) })
	truncated := 0
	for _, m := range streamMessages(t, url) {
		big := len(m.Data()) > 1500-1024
		if m.Headers().Get(natsjs.TruncatedHeader) == "true" {
			truncated++
			var e map[string]any
			_ = json.Unmarshal(m.Data(), &e)
			if _, ok := e["did"]; ok || big {
				t.Errorf("a truncated message carries the whole event: %s", m.Data())
			}
		} else if big {
			t.Errorf("a message of %d bytes is not truncated", len(m.Data()))
		}
	}
	if truncated < 5 {
		t.Fatalf("%d messages truncated, want at least the 5 did.created", truncated)
	}
}
