package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/webhooks"
)

// TestSign_StandardWebhooksVector: the example of the Standard Webhooks
// specification's reference libraries.
func TestSign_StandardWebhooksVector(t *testing.T) {
	key, err := webhooks.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := webhooks.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

func TestParseSecret_RefusesShortOrMalformed(t *testing.T) {
	for _, s := range []string{"", "secret", "whsec_", "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)), "whsec_not base64!", "whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65))} {
		if _, err := webhooks.ParseSecret(s); errs.Code(err) != "subscription.badSecret" {
			t.Errorf("ParseSecret(%q): %v", s, err)
		}
	}
	if _, err := webhooks.ParseSecret(webhooks.NewSecret()); err != nil {
		t.Fatal(err)
	}
}

func TestGuard_RefusesInternalReceiversUnlessAllowed(t *testing.T) {
	ctx := context.Background()
	g := webhooks.Guard{}
	for raw, code := range map[string]string{
		"http://127.0.0.1:8080/hook":       "subscription.urlNotAllowed",
		"http://10.1.2.3/hook":             "subscription.urlNotAllowed",
		"http://192.168.0.1/hook":          "subscription.urlNotAllowed",
		"http://169.254.169.254/latest":    "subscription.urlNotAllowed",
		"http://[::1]/hook":                "subscription.urlNotAllowed",
		"http://[::ffff:127.0.0.1]/hook":   "subscription.urlNotAllowed",
		"http://localhost/hook":            "subscription.urlNotAllowed",
		"http://0.0.0.0/hook":              "subscription.urlNotAllowed",
		"ftp://example.org/hook":           "subscription.badUrl",
		"https://user:pw@example.org/hook": "subscription.badUrl",
		"/relative":                        "subscription.badUrl",
		"https://":                         "subscription.badUrl",
	} {
		if err := g.CheckURL(ctx, raw); errs.Code(err) != code {
			t.Errorf("CheckURL(%s): %v, want %s", raw, err, code)
		}
	}
	if err := g.CheckURL(ctx, "https://93.184.215.14/hook"); err != nil {
		t.Errorf("a public address: %v", err)
	}
	if err := (webhooks.Guard{AllowHosts: []string{"127.0.0.1"}}).CheckURL(ctx, "http://127.0.0.1:9/hook"); err != nil {
		t.Errorf("an allowed host: %v", err)
	}
	// The dialer checks again: a host not allowed cannot reach loopback.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	if _, err := g.Client(time.Second).Get(srv.URL); err == nil || !strings.Contains(err.Error(), "internal") {
		t.Fatalf("the guarded client reached %s: %v", srv.URL, err)
	}
}

// memStore keeps the subscription's saved states.
type memStore struct {
	mu    sync.Mutex
	saved []api.Subscription
}

func (m *memStore) SaveSubscription(s *api.Subscription) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append(m.saved, *s)
	return nil
}

func (m *memStore) last() api.Subscription {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.saved) == 0 {
		return api.Subscription{}
	}
	return m.saved[len(m.saved)-1]
}

// receiver records deliveries, failing the first fail ones.
type receiver struct {
	mu     sync.Mutex
	fail   int
	status int
	got    []http.Header
	bodies []string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		w.WriteHeader(r.status)
		return
	}
	r.got = append(r.got, req.Header.Clone())
	r.bodies = append(r.bodies, string(b))
}

func openNode(t *testing.T) (*node.Node, func() string) {
	t.Helper()
	n, err := node.Open(node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n, func() string {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(n.ChainID, k.Public())
		tx, _ := node.SignTx(n.ChainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
		if _, err := n.Submit(context.Background(), tx, false); err != nil {
			t.Fatal(err)
		}
		return d
	}
}

// TestDeliverer_RetriesThenDeliversInOrderSigned: a receiver that fails
// twice gets every event in order, each signed (checked with an
// independent HMAC), and the cursor advances only with deliveries.
func TestDeliverer_RetriesThenDeliversInOrderSigned(t *testing.T) {
	n, newDID := openNode(t)
	rcv := &receiver{fail: 2, status: 503}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	start, _ := n.EventStart("now")
	var dids []string
	for range 3 {
		dids = append(dids, newDID())
	}
	secret := webhooks.NewSecret()
	sub := &api.Subscription{ID: "s1", URL: srv.URL, Types: []string{"did.created"}, Secret: secret, Status: api.SubscriptionActive, Cursor: start.After}
	store := &memStore{}
	d := &webhooks.Deliverer{Source: n, Store: store, Client: webhooks.Guard{AllowHosts: []string{"127.0.0.1"}}.Client(time.Second),
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Poll: 5 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go d.Run(ctx, sub)
	for {
		rcv.mu.Lock()
		got := len(rcv.bodies)
		rcv.mu.Unlock()
		if got == 3 || ctx.Err() != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := 0; i < 500 && store.last().Delivered < 3; i++ { // the receiver answered; the save follows
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 3 {
		t.Fatalf("received %d deliveries", len(rcv.bodies))
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	for i, body := range rcv.bodies {
		h := rcv.got[i]
		if !strings.Contains(body, dids[i]) {
			t.Errorf("delivery %d is %s, want the creation of %s", i, body, dids[i])
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + body))
		if want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)); h.Get("webhook-signature") != want || !strings.HasPrefix(h.Get("webhook-id"), "evt_") {
			t.Errorf("delivery %d: headers %v, want signature %s", i, h, want)
		}
	}
	if s := store.last(); s.Delivered != 3 || s.Failures != 0 || s.Status != api.SubscriptionActive || s.Cursor == start.After {
		t.Fatalf("saved %+v", s)
	}
}

// TestDeliverer_PausesAfterFailuresAndFollowsNoRedirect: a receiver that
// redirects fails every attempt (the redirect is not followed); after
// MaxFailures the subscription is paused with the reason, its cursor
// before the undelivered event.
func TestDeliverer_PausesAfterFailuresAndFollowsNoRedirect(t *testing.T) {
	n, newDID := openNode(t)
	var hits int
	var mu sync.Mutex
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer target.Close()
	rcv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer rcv.Close()
	start, _ := n.EventStart("now")
	newDID()
	sub := &api.Subscription{ID: "s2", URL: rcv.URL, Types: []string{"did.*"}, Secret: webhooks.NewSecret(), Status: api.SubscriptionActive, Cursor: start.After}
	store := &memStore{}
	d := &webhooks.Deliverer{Source: n, Store: store, Client: webhooks.Guard{AllowHosts: []string{"127.0.0.1"}}.Client(time.Second),
		MaxFailures: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Run(ctx, sub); err != nil {
		t.Fatal(err)
	}
	s := store.last()
	if s.Status != api.SubscriptionPaused || s.Failures != 3 || !strings.Contains(s.Paused, "HTTP 307") || s.Cursor != start.After || s.Delivered != 0 {
		t.Fatalf("saved %+v", s)
	}
	if hits != 0 {
		t.Fatalf("the redirect was followed %d times", hits)
	}
}

// TestDeliverer_WakesOnCommitInsteadOfPolling: a subscription that caught
// up waits for the next commit (the node's NextCommit), not for a poll
// interval: with polling set to an hour, a DID created after it caught up
// is still delivered, and its cursor saved.
func TestDeliverer_WakesOnCommitInsteadOfPolling(t *testing.T) {
	n, newDID := openNode(t)
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	start, _ := n.EventStart("now")
	sub := &api.Subscription{ID: "s3", URL: srv.URL, Types: []string{"did.created"}, Secret: webhooks.NewSecret(), Status: api.SubscriptionActive, Cursor: start.After}
	store := &memStore{}
	d := &webhooks.Deliverer{Source: n, Store: store, Client: webhooks.Guard{AllowHosts: []string{"127.0.0.1"}}.Client(time.Second),
		Wake: n.NextCommit, Poll: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, sub) }()
	var dids []string
	for range 3 {
		dids = append(dids, newDID())
	}
	for store.last().Delivered < 3 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 3 {
		t.Fatalf("received %d deliveries, want 3 (the deliverer polled instead of waking on commit?)", len(rcv.bodies))
	}
	for i, body := range rcv.bodies {
		if !strings.Contains(body, dids[i]) {
			t.Errorf("delivery %d is %s, want the creation of %s", i, body, dids[i])
		}
	}
	if s := store.last(); s.Delivered != 3 || s.Cursor == start.After {
		t.Fatalf("saved %+v", s)
	}
}
