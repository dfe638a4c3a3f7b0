package api

import "net/http"

// Problem is an RFC 9457 problem details object with weid's stable code.
// Every error the API returns is one, as application/problem+json.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Code      string `json:"code"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

// ProblemTypeBase prefixes a problem's code to make its type URI.
const ProblemTypeBase = "urn:weid:problem:"

// Error implements error, so that a client can return a problem as it is.
func (p *Problem) Error() string {
	if p.Code == "" {
		return p.Detail
	}
	return p.Code + ": " + p.Detail
}

// Receipt is the outcome of a ledger write: the transaction's hash, and
// once committed, its block height. Status is "committed", or "pending"
// for a write accepted with ?async=true.
type Receipt struct {
	TxHash string `json:"txHash"`
	Height uint64 `json:"height,omitempty"`
	Status string `json:"status"`
}

// Write statuses of a Receipt.
const (
	StatusCommitted = "committed"
	StatusPending   = "pending"
)

// SetChallenge adds to h, the header of an answer carrying problem p, the
// challenge a 401 must send (RFC 9110 §15.5.2: "MUST send a WWW-Authenticate
// header field containing at least one challenge"): the Bearer scheme of
// the node's API tokens (RFC 6750 §3), with error="invalid_token" when the
// token sent was refused and no error code when none was sent (§3.1). A
// challenge already set (the OAuth endpoints set their own) is kept.
func SetChallenge(h http.Header, p Problem) {
	if p.Status != http.StatusUnauthorized || h.Get("WWW-Authenticate") != "" {
		return
	}
	c := `Bearer realm="weid"`
	if p.Code == "auth.invalidToken" {
		c += `, error="invalid_token"`
	}
	h.Set("WWW-Authenticate", c)
}
