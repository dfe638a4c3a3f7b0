package node

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/webhooks"
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

// TestWebhooks_SecretSealedAtRest: the keystore's record of a subscription
// holds its secret sealed (not in the clear, and bound to the record: it
// does not open as another subscription's); deliveries are still signed
// with it after a restart; a record written in the clear by an earlier
// version is sealed when the node starts.
func TestWebhooks_SecretSealedAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var mu sync.Mutex
	var sigs []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		sigs = append(sigs, r.Header.Get("webhook-id")+" "+r.Header.Get("webhook-timestamp")+" "+r.Header.Get("webhook-signature")+" "+string(b))
	}))
	defer rcv.Close()
	cfg := Config{DataDir: dir, WebhookAllowHosts: []string{"127.0.0.1"}}
	n, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := n.CreateSubscription(ctx, "admin", api.SubscriptionRequest{URL: rcv.URL, From: "0", Types: []string{"chain.initialized"}})
	if err != nil {
		t.Fatal(err)
	}
	raw := func(id string) string {
		var m map[string]any
		if err := n.Keystore.GetRecord(subscriptionPrefix+id, &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	if r := raw(s.ID); strings.Contains(r, s.Secret) || strings.Contains(r, strings.TrimPrefix(s.Secret, "whsec_")) || !strings.Contains(r, "sealedSecret") {
		t.Fatalf("stored record: %s", r)
	}
	var rec subscriptionRecord
	_ = n.Keystore.GetRecord(subscriptionPrefix+s.ID, &rec)
	if _, err := n.Keystore.OpenSecret(subscriptionPrefix+"sub_other", rec.SealedSecret); err == nil {
		t.Fatal("the sealed secret opens as another subscription's")
	}
	// A record in the clear, as written before secrets were sealed.
	old := api.Subscription{ID: "sub_000000000000000000000001", Account: "admin", URL: rcv.URL + "/old", Types: []string{"chain.initialized"},
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Status: api.SubscriptionPaused, Cursor: "", Created: "2026-01-01T00:00:00Z"}
	if err := n.Keystore.PutRecord(subscriptionPrefix+old.ID, &old, true); err != nil {
		t.Fatal(err)
	}
	n.Close()
	if n, err = Open(cfg); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if r := raw(old.ID); strings.Contains(r, old.Secret) || !strings.Contains(r, "sealedSecret") {
		t.Fatalf("the record in the clear was not sealed at start: %s", r)
	}
	if _, err := n.SetSubscriptionActive("admin", old.ID, true); err != nil {
		t.Fatal(err)
	}
	key, _ := webhooks.ParseSecret(old.Secret)
	key2, _ := webhooks.ParseSecret(s.Secret)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := slices.Clone(sigs)
		mu.Unlock()
		verified := 0
		for _, g := range got {
			f := strings.SplitN(g, " ", 4)
			sec, _ := strconv.ParseInt(f[1], 10, 64)
			for _, k := range [][]byte{key, key2} {
				if webhooks.Sign(k, f[0], time.Unix(sec, 0), []byte(f[3])) == f[2] {
					verified++
				}
			}
		}
		if len(got) >= 2 && verified == len(got) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries, %d verified: %q", len(got), verified, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
