package node

// Webhook subscriptions (package webhooks): kept in the node's local store
// (not on the ledger: a subscription is one node's service to one
// account), each delivered by its own goroutine from its durable cursor.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/webhooks"
)

// MaxSubscriptions bounds one account's webhook subscriptions.
const MaxSubscriptions = 32

const subscriptionPrefix = "subscription/"

// hooks runs the deliveries of the node's subscriptions.
type hooks struct {
	guard     webhooks.Guard
	deliverer *webhooks.Deliverer
	ctx       context.Context
	cancel    context.CancelFunc

	mu      sync.Mutex // serializes changes of subscriptions
	running map[string]*delivery
	wg      sync.WaitGroup
}

// delivery is one subscription's running goroutine.
type delivery struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startWebhooks starts the deliveries of the stored active subscriptions.
func (n *Node) startWebhooks(cfg Config) error {
	ctx, cancel := context.WithCancel(context.Background())
	g := webhooks.Guard{AllowHosts: cfg.WebhookAllowHosts}
	n.hooks = &hooks{guard: g, ctx: ctx, cancel: cancel, running: map[string]*delivery{},
		deliverer: &webhooks.Deliverer{Source: n, Store: n, Client: g.Client(webhooks.DefaultTimeout), MaxFailures: cfg.WebhookMaxFailures, Wake: n.NextCommit}}
	var subs []api.Subscription
	var clear []string // records with the secret in the clear
	err := n.Keystore.Records(subscriptionPrefix, func(_ string, raw []byte) error {
		s, err := n.decodeSubscription(raw, true)
		if err != nil {
			return err
		}
		var rec subscriptionRecord
		if json.Unmarshal(raw, &rec) == nil && rec.Secret != "" {
			clear = append(clear, s.ID)
		}
		subs = append(subs, *s)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read webhook subscriptions: %w", err)
	}
	n.hooks.mu.Lock()
	defer n.hooks.mu.Unlock()
	for i := range subs {
		if slices.Contains(clear, subs[i].ID) {
			if err := n.putSubscription(&subs[i], true); err != nil {
				return fmt.Errorf("seal the secret of webhook subscription %s: %w", subs[i].ID, err)
			}
		}
	}
	for i := range subs {
		if subs[i].Status == api.SubscriptionActive {
			n.runSubscription(subs[i])
		}
	}
	return nil
}

// stopWebhooks stops every delivery and waits for them.
func (n *Node) stopWebhooks() {
	if n.hooks != nil {
		n.hooks.cancel()
		n.hooks.wg.Wait()
	}
}

// runSubscription starts s's delivery (called with hooks.mu held).
func (n *Node) runSubscription(s api.Subscription) {
	ctx, cancel := context.WithCancel(n.hooks.ctx)
	d := &delivery{cancel: cancel, done: make(chan struct{})}
	n.hooks.running[s.ID] = d
	n.hooks.wg.Add(1)
	go func() {
		defer n.hooks.wg.Done()
		defer close(d.done)
		if err := n.hooks.deliverer.Run(ctx, &s); err != nil && ctx.Err() == nil {
			s.Status, s.Paused = api.SubscriptionPaused, err.Error()
			_ = n.SaveSubscription(&s)
		}
	}()
}

// stopSubscription stops id's delivery and waits for it (hooks.mu held).
func (n *Node) stopSubscription(id string) {
	if d, ok := n.hooks.running[id]; ok {
		d.cancel()
		<-d.done
		delete(n.hooks.running, id)
	}
}

// subscriptionRecord is a subscription as the keystore keeps it: its
// secret sealed under the keystore's key encryption key (bound to the
// subscription's id), never in the clear. Records written before secrets
// were sealed carry Secret in the clear; they are sealed when the node
// starts.
type subscriptionRecord struct {
	api.Subscription
	SealedSecret []byte `json:"sealedSecret,omitempty"`
}

// putSubscription stores s with its secret sealed.
func (n *Node) putSubscription(s *api.Subscription, sync bool) error {
	rec := subscriptionRecord{Subscription: *s}
	rec.Secret = ""
	if s.Secret != "" {
		rec.SealedSecret = n.Keystore.SealSecret(subscriptionPrefix+s.ID, []byte(s.Secret))
	}
	return n.Keystore.PutRecord(subscriptionPrefix+s.ID, &rec, sync)
}

// decodeSubscription reads a stored subscription; with open, its secret
// is opened, else left out.
func (n *Node) decodeSubscription(raw []byte, open bool) (*api.Subscription, error) {
	var rec subscriptionRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	s := rec.Subscription
	switch {
	case !open:
		s.Secret = ""
	case len(rec.SealedSecret) > 0:
		b, err := n.Keystore.OpenSecret(subscriptionPrefix+s.ID, rec.SealedSecret)
		if err != nil {
			return nil, err
		}
		s.Secret = string(b)
	}
	return &s, nil
}

// getSubscription reads subscription id (keystore.ErrNotFound if none).
func (n *Node) getSubscription(id string, open bool) (*api.Subscription, error) {
	var raw json.RawMessage
	if err := n.Keystore.GetRecord(subscriptionPrefix+id, &raw); err != nil {
		return nil, err
	}
	return n.decodeSubscription(raw, open)
}

// SaveSubscription stores s (webhooks.Store). Not synced: after a crash
// the cursor may be behind, and events are delivered again: at least once.
func (n *Node) SaveSubscription(s *api.Subscription) error {
	return n.putSubscription(s, false)
}

// CreateSubscription subscribes a URL of the account to the events the
// request selects, from its start (default now), and starts delivering.
// The answer carries the secret, which no later read shows.
func (n *Node) CreateSubscription(ctx context.Context, account string, req api.SubscriptionRequest) (*api.Subscription, error) {
	if err := n.hooks.guard.CheckURL(ctx, req.URL); err != nil {
		return nil, err
	}
	if _, err := events.ParseFilter(req.Types, req.DID, req.StatusList); err != nil {
		return nil, err
	}
	if req.Secret == "" {
		req.Secret = webhooks.NewSecret()
	} else if _, err := webhooks.ParseSecret(req.Secret); err != nil {
		return nil, err
	}
	start, err := n.EventStart(req.From)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	s := api.Subscription{ID: "sub_" + hex.EncodeToString(id), Account: account, URL: req.URL, Types: req.Types, DID: req.DID,
		StatusList: req.StatusList, Secret: req.Secret, Status: api.SubscriptionActive, Cursor: start.After,
		Created: time.Now().UTC().Format(time.RFC3339)}
	n.hooks.mu.Lock()
	defer n.hooks.mu.Unlock()
	own, err := n.subscriptions(account)
	if err != nil {
		return nil, err
	}
	if len(own) >= MaxSubscriptions {
		return nil, errs.New(http.StatusConflict, "subscription.limit", "an account has at most %d subscriptions; delete one first", MaxSubscriptions)
	}
	if err := n.putSubscription(&s, true); err != nil {
		return nil, err
	}
	n.runSubscription(s)
	return &s, nil
}

// subscriptions returns the account's subscriptions (all with ""),
// secrets removed.
func (n *Node) subscriptions(account string) ([]api.Subscription, error) {
	out := []api.Subscription{}
	err := n.Keystore.Records(subscriptionPrefix, func(_ string, raw []byte) error {
		s, err := n.decodeSubscription(raw, false)
		if err != nil {
			return err
		}
		if account == "" || s.Account == account {
			out = append(out, *s)
		}
		return nil
	})
	return out, err
}

// Subscriptions lists an account's subscriptions, without their secrets.
func (n *Node) Subscriptions(account string) ([]api.Subscription, error) {
	return n.subscriptions(account)
}

// Subscription returns an account's subscription id, without its secret;
// another account's is 404 subscription.notFound, like one that does not
// exist.
func (n *Node) Subscription(account, id string) (*api.Subscription, error) {
	s, err := n.getSubscription(id, false)
	if errors.Is(err, keystore.ErrNotFound) || (err == nil && s.Account != account) {
		return nil, errs.New(http.StatusNotFound, "subscription.notFound", "no subscription %s of this account", id)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DeleteSubscription stops and deletes an account's subscription.
func (n *Node) DeleteSubscription(account, id string) error {
	n.hooks.mu.Lock()
	defer n.hooks.mu.Unlock()
	if _, err := n.Subscription(account, id); err != nil {
		return err
	}
	n.stopSubscription(id)
	return n.Keystore.DeleteRecord(subscriptionPrefix + id)
}

// SetSubscriptionActive pauses (false) or resumes (true) an account's
// subscription; resuming clears its failures and delivers from its cursor.
func (n *Node) SetSubscriptionActive(account, id string, active bool) (*api.Subscription, error) {
	n.hooks.mu.Lock()
	defer n.hooks.mu.Unlock()
	if _, err := n.Subscription(account, id); err != nil {
		return nil, err
	}
	n.stopSubscription(id)
	sp, err := n.getSubscription(id, true)
	if err != nil {
		return nil, err
	}
	s := *sp
	if active {
		s.Status, s.Paused, s.Failures = api.SubscriptionActive, "", 0
	} else {
		s.Status, s.Paused = api.SubscriptionPaused, "paused by its account"
	}
	if err := n.putSubscription(&s, true); err != nil {
		return nil, err
	}
	if active {
		n.runSubscription(s)
	}
	s.Secret = ""
	return &s, nil
}
