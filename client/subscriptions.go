package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/weidgo/weid/api"
)

// CreateSubscription subscribes a URL to the ledger's events (needs
// Token); the answer carries the signing secret, shown this once.
func (c *Client) CreateSubscription(ctx context.Context, req api.SubscriptionRequest) (*api.Subscription, error) {
	return call[api.Subscription](ctx, c, http.MethodPost, "/v1/subscriptions", req)
}

// Subscriptions lists the account's subscriptions.
func (c *Client) Subscriptions(ctx context.Context) ([]api.Subscription, error) {
	var l api.SubscriptionList
	_, err := c.do(ctx, http.MethodGet, "/v1/subscriptions", nil, &l)
	return l.Subscriptions, err
}

// Subscription returns a subscription: its cursor, deliveries and last
// error.
func (c *Client) Subscription(ctx context.Context, id string) (*api.Subscription, error) {
	return call[api.Subscription](ctx, c, http.MethodGet, "/v1/subscriptions/"+url.PathEscape(id), nil)
}

// SetSubscriptionActive pauses (false) or resumes (true) a subscription.
func (c *Client) SetSubscriptionActive(ctx context.Context, id string, active bool) (*api.Subscription, error) {
	action := "/pause"
	if active {
		action = "/resume"
	}
	return call[api.Subscription](ctx, c, http.MethodPost, "/v1/subscriptions/"+url.PathEscape(id)+action, nil)
}

// DeleteSubscription stops and deletes a subscription.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodDelete, "/v1/subscriptions/"+url.PathEscape(id), nil, nil)
	return err
}
