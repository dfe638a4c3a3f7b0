package events_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/status"
)

// chainTest is a node and a few signers for building blocks.
type chainTest struct {
	t     *testing.T
	n     *node.Node
	dir   string
	admin *keys.PrivateKey
}

func newChain(t *testing.T, cfg node.Config) *chainTest {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	n, err := node.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	admin, _, err := n.Keystore.Key(n.AdminDID + "#" + did.FirstKeyFragment)
	if err != nil {
		t.Fatal(err)
	}
	return &chainTest{t: t, n: n, dir: cfg.DataDir, admin: admin}
}

func (c *chainTest) submit(from string, k *keys.PrivateKey, typ string, p any) chain.Receipt {
	c.t.Helper()
	tx, err := node.SignTx(c.n.ChainID, from, k, typ, p)
	if err != nil {
		c.t.Fatal(err)
	}
	rc, err := c.n.Submit(context.Background(), tx, false)
	if err != nil {
		c.t.Fatalf("%s: %v", typ, err)
	}
	return rc
}

// newDID registers a DID and returns it, its key-1 URL and key.
func (c *chainTest) newDID() (string, string, *keys.PrivateKey) {
	c.t.Helper()
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(c.n.ChainID, k.Public())
	vm := d + "#" + did.FirstKeyFragment
	c.submit(vm, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	return d, vm, k
}

func (c *chainTest) all(f *events.Filter) []api.Event {
	c.t.Helper()
	var out []api.Event
	s, err := c.n.EventStart("0")
	if err != nil {
		c.t.Fatal(err)
	}
	for {
		p, err := c.n.EventPage(f, s, api.MaxEventPage)
		if err != nil {
			c.t.Fatal(err)
		}
		out = append(out, p.Events...)
		if len(p.Events) == 0 || p.Next == s.After {
			return out
		}
		if s, err = c.n.EventStart(p.Next); err != nil {
			c.t.Fatal(err)
		}
		if h := c.n.Head().Height; s.Pos.Height > h {
			return out
		}
	}
}

func types(evs []api.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

func mustFilter(t *testing.T, typs []string, d, list string) *events.Filter {
	t.Helper()
	f, err := events.ParseFilter(typs, d, list)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDerive_GenesisYieldsAdminChainAndSystemSchemas(t *testing.T) {
	c := newChain(t, node.Config{})
	evs := c.all(nil)
	if evs[0].Type != api.EventDIDCreated || evs[0].DID != c.n.AdminDID || evs[0].Cursor != "0.0.0" {
		t.Fatalf("first event %+v", evs[0])
	}
	if evs[1].Type != api.EventChainInitialized || evs[1].Cursor != "0.1.0" {
		t.Fatalf("second event %+v", evs[1])
	}
	last := evs[len(evs)-1]
	if last.Type != api.EventBlockCommitted || last.Height != 0 || last.BlockHash == "" || last.Cursor != fmt.Sprintf("0.%d.0", last.TxCount) {
		t.Fatalf("last event %+v", last)
	}
	for _, e := range evs[2 : len(evs)-1] {
		if e.Type != api.EventSchemaRegistered || e.SchemaID == 0 || e.SchemaVersion != 1 {
			t.Fatalf("genesis schema event %+v", e)
		}
	}
}

func TestDerive_EachTransactionTypeYieldsItsEvents(t *testing.T) {
	c := newChain(t, node.Config{})
	d, vm, k := c.newDID()
	k2, _ := keys.Generate(keys.Ed25519)
	c.submit(vm, k, did.TxAddService, &did.AddServicePayload{DID: d, Service: did.Service{ID: d + "#home", Type: "LinkedDomains", ServiceEndpoint: []byte(`"https://example.org"`)}})
	c.submit(vm, k, did.TxRotateKey, &did.RotateKeyPayload{DID: d, ID: "key-1", NewID: "key-2", PublicKeyMultibase: k2.Public().Multibase(), Compromised: true})
	vm2 := d + "#key-2"
	schemaRC := c.submit(vm2, k2, schemas.TxRegister, &schemas.RegisterPayload{Name: "diploma", Schema: []byte(`{"type":"object"}`)})
	c.submit(vm2, k2, status.TxCreate, &status.CreatePayload{ID: "list-1", Purpose: status.PurposeRevocation})
	c.submit(vm2, k2, status.TxUpdate, &status.UpdatePayload{List: "list-1", Set: []uint64{7, 42}})
	hash := strings.Repeat("ab", 32)
	sig, _ := evidence.Sign(k2, vm2, hash)
	c.submit(vm2, k2, evidence.TxCreate, &evidence.CreatePayload{Hash: hash, Signer: vm2, Signature: sig})
	c.submit(vm2, k2, evidence.TxLog, &evidence.LogPayload{Hash: hash, Logs: []string{"checked"}})
	adminVM := c.n.AdminDID + "#" + did.FirstKeyFragment
	c.submit(adminVM, c.admin, authz.TxRecognize, &authz.RecognizePayload{DID: d, Name: "University"})
	c.submit(adminVM, c.admin, authz.TxDerecognize, &authz.DerecognizePayload{DID: d})
	c.submit(vm2, k2, did.TxDeactivate, &did.DeactivatePayload{DID: d})

	got := c.all(mustFilter(t, nil, d, ""))
	want := []string{api.EventDIDCreated, api.EventDIDUpdated, api.EventDIDKeyRotated, api.EventDIDKeyCompromised,
		api.EventSchemaRegistered, api.EventStatusListCreated, api.EventStatusChanged, api.EventEvidenceCreated,
		api.EventEvidenceLogAdded, api.EventIssuerRecognized, api.EventIssuerDerecognized, api.EventDIDDeactivated}
	if !slices.Equal(types(got), want) {
		t.Fatalf("events about %s:\n got %v\nwant %v", d, types(got), want)
	}
	byType := map[string]api.Event{}
	for _, e := range got {
		byType[e.Type] = e
	}
	if e := byType[api.EventDIDKeyRotated]; e.Method != d+"#key-1" || e.NewMethod != vm2 || e.PublicKeyMultibase != k2.Public().Multibase() {
		t.Errorf("keyRotated %+v", e)
	}
	if e := byType[api.EventSchemaRegistered]; e.SchemaID < schemas.FirstPublicID || e.SchemaVersion != 1 || e.TxHash != schemaRC.TxHash {
		t.Errorf("schema.registered %+v (tx %s)", e, schemaRC.TxHash)
	}
	if e := byType[api.EventStatusChanged]; e.StatusList != "list-1" || e.Purpose != status.PurposeRevocation || !slices.Equal(e.Set, []uint64{7, 42}) {
		t.Errorf("status.changed %+v", e)
	}
	if e := byType[api.EventEvidenceCreated]; e.Evidence != hash || e.Method != vm2 {
		t.Errorf("evidence.created %+v", e)
	}
	for i, e := range got {
		if e.ID == "" || !strings.HasPrefix(e.ID, "evt_") || e.Time == "" || e.TxHash == "" || e.Signer == "" {
			t.Errorf("event %d lacks its common members: %+v", i, e)
		}
		if i > 0 && got[i].ID == got[i-1].ID {
			t.Errorf("events %d and %d share id %s", i-1, i, e.ID)
		}
	}
	if got := c.all(mustFilter(t, nil, "", "list-1")); !slices.Equal(types(got), []string{api.EventStatusListCreated, api.EventStatusChanged}) {
		t.Errorf("statusList filter: %v", types(got))
	}
	if got := c.all(mustFilter(t, []string{"did.*"}, d, "")); len(got) != 5 {
		t.Errorf("did.* about %s: %v", d, types(got))
	}
}

func TestPage_ResumingFromNextGivesEveryEventOnce(t *testing.T) {
	c := newChain(t, node.Config{})
	for range 5 {
		c.newDID()
	}
	all := c.all(nil)
	var got []api.Event
	s, _ := c.n.EventStart("0")
	for range 1000 {
		p, err := c.n.EventPage(nil, s, 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Events...)
		if len(p.Events) < 3 {
			break
		}
		if s, err = c.n.EventStart(p.Next); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.EqualFunc(got, all, func(a, b api.Event) bool { return a.ID == b.ID }) {
		t.Fatalf("pages of 3 gave %d events, one page %d", len(got), len(all))
	}
	// now: an empty page whose next is the head's last event.
	s, _ = c.n.EventStart("now")
	p, err := c.n.EventPage(nil, s, 10)
	if err != nil || len(p.Events) != 0 || p.Next != all[len(all)-1].Cursor {
		t.Fatalf("page from now: %+v, %v (last %s)", p, err, all[len(all)-1].Cursor)
	}
}

func TestPage_SameEventsAfterRestart(t *testing.T) {
	dir := t.TempDir()
	c := newChain(t, node.Config{DataDir: dir})
	c.newDID()
	before := c.all(nil)
	c.n.Close()
	c2 := newChain(t, node.Config{DataDir: dir})
	if after := c2.all(nil); !slices.EqualFunc(before, after, func(a, b api.Event) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
		t.Fatalf("events differ after a restart:\n%v\n%v", before, after)
	}
}

func TestResolveStart_RefusesBadAndFutureCursors(t *testing.T) {
	c := newChain(t, node.Config{})
	head := c.n.Head().Height
	for from, code := range map[string]string{
		fmt.Sprint(head + 1):          "events.cursorBeyondHead",
		fmt.Sprintf("%d.0.0", head+1): "events.cursorBeyondHead",
		"0.9999.0":                    "events.badCursor",
		"0.1":                         "events.badCursor",
		"01.0.0":                      "events.badCursor",
		"-1":                          "events.badCursor",
		"yesterday":                   "events.badCursor",
		"0.0.0.0":                     "events.badCursor",
		"18446744073709551616":        "events.badCursor",
	} {
		_, err := c.n.EventStart(from)
		if errs.Code(err) != code || httpStatus(err) != 400 {
			t.Errorf("from %q: %v (code %q), want 400 %s", from, err, errs.Code(err), code)
		}
	}
}

func TestFollow_ReplaysHistoryThenFollowsNewBlocks(t *testing.T) {
	c := newChain(t, node.Config{})
	c.newDID()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := c.n.EventStart("0")
	var mu sync.Mutex
	var got []api.Event
	done := make(chan error, 1)
	go func() {
		done <- c.n.FollowEvents(ctx, nil, s, events.Stream{Event: func(e *api.Event) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, *e)
			return nil
		}})
	}()
	for range 10 {
		c.newDID()
	}
	want := c.all(nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, func(a, b api.Event) bool { return a.ID == b.ID }) {
		t.Fatalf("followed %d events, the chain has %d:\n%v\n%v", len(got), len(want), types(got), types(want))
	}
	if n := c.n.EventSubscribers(); n != 0 {
		t.Fatalf("%d subscriptions left open", n)
	}
}

func TestFollow_SlowConsumerIsCutOff(t *testing.T) {
	c := newChain(t, node.Config{EventBuffer: 4})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := c.n.EventStart("now")
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.n.FollowEvents(ctx, nil, s, events.Stream{Event: func(*api.Event) error {
			<-release // a reader that does not read
			return nil
		}})
	}()
	for c.n.EventSubscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	for range 10 {
		c.newDID()
	}
	close(release)
	select {
	case err := <-done:
		if !errors.Is(err, events.ErrSlowConsumer) {
			t.Fatalf("a slow reader ended with %v, want ErrSlowConsumer", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a slow reader was not cut off")
	}
}

func TestFollow_EndsWhenTheNodeCloses(t *testing.T) {
	c := newChain(t, node.Config{})
	s, _ := c.n.EventStart("now")
	done := make(chan error, 1)
	go func() {
		done <- c.n.FollowEvents(context.Background(), nil, s, events.Stream{Event: func(*api.Event) error { return nil }})
	}()
	for c.n.EventSubscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.n.Close()
	if err := <-done; !errors.Is(err, events.ErrClosed) {
		t.Fatalf("stream ended with %v, want ErrClosed", err)
	}
}

func httpStatus(err error) int {
	if e, ok := errs.As(err); ok {
		return e.Status
	}
	return 0
}
