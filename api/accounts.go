package api

import "encoding/json"

// AccountRequest is the body of POST /v1/accounts, which creates an
// institution account (admin token only). ImportKey, if present, is the key
// of its DIDs (a private JWK object or a PEM string) instead of a new one.
type AccountRequest struct {
	Name      string          `json:"name"`
	KeyType   string          `json:"keyType,omitempty"`
	DIDKey    bool            `json:"didKey,omitempty"`
	ImportKey json.RawMessage `json:"importKey,omitempty"`
}

// NewAccount is what creating an institution account returns. The token is
// shown once: the node keeps only its hash. Status is that of the creation
// of its DID (TxHash): StatusCommitted, or StatusPending when its block
// did not come in time (answered 202; the account and its token are made).
type NewAccount struct {
	Name   string `json:"name"`
	Token  string `json:"token"`
	DID    string `json:"did"`
	TxHash string `json:"txHash"`
	Height uint64 `json:"height"`
	Status string `json:"status"`
	DIDKey string `json:"didKey,omitempty"`
}

// AccountList answers GET /v1/accounts.
type AccountList struct {
	Accounts []Account `json:"accounts"`
}

// AccountToken answers POST /v1/accounts/{name}/token: the account's new
// API token, shown once (the node keeps only its hash); its others no
// longer authenticate.
type AccountToken struct {
	Name  string `json:"name"`
	Token string `json:"token"`
}
