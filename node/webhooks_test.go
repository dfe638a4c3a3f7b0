package node

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// TestWebhooks_CursorSurvivesARestart: events committed while the receiver
// is down are delivered, in order, after the node restarts; nothing before
// the subscription's start is sent.
func TestWebhooks_CursorSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var up atomic.Bool
	var mu sync.Mutex
	var got []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
	}))
	defer rcv.Close()
	cfg := Config{DataDir: dir, WebhookAllowHosts: []string{"127.0.0.1"}, WebhookMaxFailures: 1000}
	n, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := n.CreateSubscription(ctx, AdminOwner, api.SubscriptionRequest{URL: rcv.URL, Types: []string{"did.created"}})
	if err != nil {
		t.Fatal(err)
	}
	var dids []string
	for range 3 {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(n.ChainID, k.Public())
		if _, err := n.Submit(ctx, mustSign(t, n, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}), false); err != nil {
			t.Fatal(err)
		}
		dids = append(dids, d)
	}
	for i := 0; ; i++ { // until a few attempts failed
		s, _ := n.Subscription(AdminOwner, sub.ID)
		if s.Failures >= 2 && strings.Contains(s.LastError, "HTTP 503") && s.Delivered == 0 {
			break
		}
		if i == 500 {
			t.Fatalf("before the restart: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	n.Close()

	up.Store(true)
	n, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		k := len(got)
		mu.Unlock()
		if k >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("after the restart the receiver got %d events", len(got))
	}
	for i, b := range got {
		if !strings.Contains(b, dids[i]) {
			t.Errorf("delivery %d: %s, want %s", i, b, dids[i])
		}
	}
}
