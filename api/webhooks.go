package api

// Webhook subscriptions (POST /v1/subscriptions): the node delivers the
// ledger's events to a URL, signed per the Standard Webhooks
// specification, at least once and in order, from a cursor kept durably
// in the node's local store.

// Subscription states.
const (
	SubscriptionActive = "active"
	SubscriptionPaused = "paused"
)

// SubscriptionRequest is the body of POST /v1/subscriptions: where to
// deliver, which events (as GET /v1/events filters them) and from where
// (a cursor, a height or now, the default), and the signing secret
// ("whsec_" and the base64 of 24 to 64 random bytes; generated if absent
// and returned once).
type SubscriptionRequest struct {
	URL        string   `json:"url"`
	Types      []string `json:"types,omitempty"`
	DID        string   `json:"did,omitempty"`
	StatusList string   `json:"statusList,omitempty"`
	From       string   `json:"from,omitempty"`
	Secret     string   `json:"secret,omitempty"`
}

// Subscription is a webhook subscription as the node keeps it. Cursor is
// the last event delivered (or the start); Failures counts the failed
// attempts at the next event, LastError says why the last one failed;
// a subscription paused after too many failures says why in Paused.
type Subscription struct {
	ID         string   `json:"id"`
	Account    string   `json:"account"`
	URL        string   `json:"url"`
	Types      []string `json:"types,omitempty"`
	DID        string   `json:"did,omitempty"`
	StatusList string   `json:"statusList,omitempty"`
	// Secret is only in the node's store and in the answer that creates it.
	Secret      string `json:"secret,omitempty"`
	Status      string `json:"status"`
	Paused      string `json:"paused,omitempty"`
	Cursor      string `json:"cursor"`
	Delivered   uint64 `json:"delivered"`
	Failures    int    `json:"failures"`
	LastError   string `json:"lastError,omitempty"`
	LastAttempt string `json:"lastAttempt,omitempty"`
	Created     string `json:"created"`
}

// SubscriptionList is the answer of GET /v1/subscriptions.
type SubscriptionList struct {
	Subscriptions []Subscription `json:"subscriptions"`
}
