package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/weidgo/weid/api"
)

// CreateAccount creates an institution account (needs the admin Token).
func (c *Client) CreateAccount(ctx context.Context, name, keyType string, didKey bool) (*api.NewAccount, error) {
	return call[api.NewAccount](ctx, c, http.MethodPost, "/v1/accounts", api.AccountRequest{Name: name, KeyType: keyType, DIDKey: didKey})
}

// Accounts lists the node's institution accounts (needs the admin Token).
func (c *Client) Accounts(ctx context.Context) ([]api.Account, error) {
	var r api.AccountList
	_, err := c.do(ctx, http.MethodGet, "/v1/accounts", nil, &r)
	return r.Accounts, err
}

// ReplaceAccountToken gives institution account name a new API token and
// revokes its others (needs the admin Token): for a token that leaked.
// Named "admin", it rotates the node's admin token, which the node also
// writes to its admin.token; the Token used stops working.
func (c *Client) ReplaceAccountToken(ctx context.Context, name string) (*api.AccountToken, error) {
	return call[api.AccountToken](ctx, c, http.MethodPost, "/v1/accounts/"+url.PathEscape(name)+"/token", nil)
}

// ImportAccount creates an institution account whose custodial DIDs are
// the key it brings, sent as a private JWK (keys.MarshalPrivateJWK; needs
// the admin Token). keyType may be empty.
func (c *Client) ImportAccount(ctx context.Context, name string, jwk json.RawMessage, keyType string, didKey bool) (*api.NewAccount, error) {
	return call[api.NewAccount](ctx, c, http.MethodPost, "/v1/accounts", api.AccountRequest{Name: name, KeyType: keyType, DIDKey: didKey, ImportKey: jwk})
}
