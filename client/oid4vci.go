package client

import (
	"context"
	"net/http"
)

// CreateOffer asks the node for a credential offer (POST /v1/offers) with
// the client's account token. The wallet's side of OpenID4VCI is package
// wallet.
func (c *Client) CreateOffer(ctx context.Context, req any) (map[string]any, error) {
	var out map[string]any
	_, err := c.do(ctx, http.MethodPost, "/v1/offers", req, &out, http.StatusCreated)
	return out, err
}
