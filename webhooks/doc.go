// Package webhooks delivers the ledger's events (package events) to
// subscribers' URLs: signed per the Standard Webhooks specification
// (webhook-id, webhook-timestamp, webhook-signature: "v1," and the base64
// HMAC-SHA256 of "id.timestamp.body" under the secret), in cursor order,
// at least once — the cursor advances in the node's store only after the
// receiver answered 2xx, so a node killed mid-delivery sends that event
// again — retried with exponential backoff and jitter, and paused (not
// deleted) after too many failures. Receivers' URLs are checked against
// loopback, private, link-local and other internal addresses, at
// subscription and again at every connection (so DNS cannot point a
// subscription inside the network later), unless the operator allows the
// host. The node keeps each subscription's secret sealed in its keystore
// (keystore.SealSecret): a copy of the database alone does not reveal it.
package webhooks
