package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/node"
)

// TestSubscriptions_DeliverSignedEventsAndBelongToTheirAccount: an account
// subscribes a receiver; new DIDs' events arrive signed (checked with an
// independent HMAC) and the subscription's cursor follows; another
// account cannot see it; bad URLs and secrets are refused; pause, resume
// and delete work; the subscription survives a restart of the node.
func TestSubscriptions_DeliverSignedEventsAndBelongToTheirAccount(t *testing.T) {
	dir := t.TempDir()
	cfg := node.Config{DataDir: dir, WebhookAllowHosts: []string{"127.0.0.1"}}
	n, err := node.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(n, prometheus.NewRegistry()))
	defer func() { ts.Close(); n.Close() }()
	tok, _ := os.ReadFile(filepath.Join(dir, node.TokenFile))
	admin := client.New(ts.URL)
	admin.Token = strings.TrimSpace(string(tok))
	ctx := context.Background()

	var mu sync.Mutex
	var bodies []string
	var headers []http.Header
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, string(b))
		headers = append(headers, r.Header.Clone())
	}))
	defer rcv.Close()

	for req, code := range map[*api.SubscriptionRequest]string{
		{URL: "ftp://example.org/x"}:                "subscription.badUrl",
		{URL: "http://10.0.0.1/hook"}:               "subscription.urlNotAllowed",
		{URL: rcv.URL, Secret: "whsec_c2hvcnQ="}:    "subscription.badSecret",
		{URL: rcv.URL, Types: []string{"did.born"}}: "events.unknownType",
		{URL: rcv.URL, From: "999"}:                 "events.cursorBeyondHead",
	} {
		var ce *client.Error
		if _, err := admin.CreateSubscription(ctx, *req); !errors.As(err, &ce) || ce.Code != code || ce.Status != 400 {
			t.Errorf("subscribe %+v: %v, want 400 %s", *req, err, code)
		}
	}
	if _, err := client.New(ts.URL).CreateSubscription(ctx, api.SubscriptionRequest{URL: rcv.URL}); err == nil {
		t.Error("a subscription without a token was created")
	}
	sub, err := admin.CreateSubscription(ctx, api.SubscriptionRequest{URL: rcv.URL, Types: []string{"did.created"}})
	if err != nil || !strings.HasPrefix(sub.Secret, "whsec_") || sub.Status != api.SubscriptionActive {
		t.Fatalf("subscribe: %+v, %v", sub, err)
	}
	var dids []string
	for range 2 {
		tx, _, d := newDIDTx(t, n.ChainID)
		if _, err := n.Submit(ctx, tx, false); err != nil {
			t.Fatal(err)
		}
		dids = append(dids, d)
	}
	eventually.True(t, "two deliveries", 30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(bodies) >= 2 })
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sub.Secret, "whsec_"))
	mu.Lock()
	for i, b := range bodies[:2] {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(headers[i].Get("webhook-id") + "." + headers[i].Get("webhook-timestamp") + "." + b))
		if !strings.Contains(b, dids[i]) || headers[i].Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			t.Errorf("delivery %d: %s %v", i, b, headers[i])
		}
	}
	mu.Unlock()
	eventually.True(t, "the delivered count of 2", 30*time.Second, func() bool { s, err := admin.Subscription(ctx, sub.ID); return err == nil && s.Delivered == 2 })
	got, _ := admin.Subscription(ctx, sub.ID)
	if got.Secret != "" || got.Cursor == "" {
		t.Fatalf("read back %+v", got)
	}

	other, err := admin.CreateAccount(ctx, "bank", "", false)
	if err != nil {
		t.Fatal(err)
	}
	bank := client.New(ts.URL)
	bank.Token = other.Token
	var ce *client.Error
	if _, err := bank.Subscription(ctx, sub.ID); !errors.As(err, &ce) || ce.Code != "subscription.notFound" {
		t.Fatalf("another account read the subscription: %v", err)
	}
	if err := bank.DeleteSubscription(ctx, sub.ID); !errors.As(err, &ce) || ce.Code != "subscription.notFound" {
		t.Fatalf("another account deleted the subscription: %v", err)
	}
	if l, err := bank.Subscriptions(ctx); err != nil || len(l) != 0 {
		t.Fatalf("another account lists %v, %v", l, err)
	}

	// The bank account's custodial DID is delivered too.
	eventually.True(t, "the delivery of the bank's custodial DID", 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) == 3 && strings.Contains(bodies[2], other.DID)
	})
	if s, err := admin.SetSubscriptionActive(ctx, sub.ID, false); err != nil || s.Status != api.SubscriptionPaused {
		t.Fatalf("pause: %+v, %v", s, err)
	}
	tx, _, paused := newDIDTx(t, n.ChainID)
	if _, err := n.Submit(ctx, tx, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	if len(bodies) != 3 {
		t.Fatalf("a paused subscription delivered: %d", len(bodies))
	}
	mu.Unlock()
	if _, err := admin.SetSubscriptionActive(ctx, sub.ID, true); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, "the delivery after resuming", 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) == 4 && strings.Contains(bodies[3], paused)
	})
	if err := admin.DeleteSubscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Subscription(ctx, sub.ID); !errors.As(err, &ce) || ce.Code != "subscription.notFound" {
		t.Fatalf("a deleted subscription: %v", err)
	}
}
