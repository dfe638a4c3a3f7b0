package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/weidgo/weid/api"
)

// CreateOffer asks the node for an OpenID4VCI credential offer of one of
// the account's issuer instances (POST /v1/offers) with the client's
// account token.
func (c *Client) CreateOffer(ctx context.Context, req api.OfferRequest) (*api.OfferResponse, error) {
	var out api.OfferResponse
	if _, err := c.do(ctx, http.MethodPost, "/v1/offers", req, &out, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// Offer reports the state of one of the account's offers
// (GET /v1/offers/{id}).
func (c *Client) Offer(ctx context.Context, id string) (*api.OfferStatus, error) {
	var out api.OfferStatus
	if _, err := c.do(ctx, http.MethodGet, "/v1/offers/"+url.PathEscape(id), nil, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}
