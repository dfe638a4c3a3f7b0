package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/weidgo/weid/api"
)

// GrantPath returns the path of a grant, or of op ("revoke", "accesses")
// on it.
func GrantPath(id, op string) string {
	p := "/v1/grants/" + url.PathEscape(id)
	if op != "" {
		p += "/" + op
	}
	return p
}

func (c *Client) grantWrite(ctx context.Context, path string, body any) (*api.GrantReceipt, error) {
	return call[api.GrantReceipt](ctx, c, http.MethodPost, path, body)
}

// RecordGrant records a grant's receipt (POST /v1/grants): req.Tx is a
// grant.record signed by the grantor, or, with the client's Token, req
// holds the fields of the grant for the node to make and sign as
// req.Signer.
func (c *Client) RecordGrant(ctx context.Context, req api.GrantRequest) (*api.GrantReceipt, error) {
	return c.grantWrite(ctx, "/v1/grants", req)
}

// RevokeGrant revokes grant id (POST /v1/grants/{id}/revoke): req.Tx is a
// grant.revoke signed by the grantor, or, with the client's Token, the
// node signs as req.Signer (default the grantor).
func (c *Client) RevokeGrant(ctx context.Context, id string, req api.GrantWriteRequest) (*api.GrantReceipt, error) {
	return c.grantWrite(ctx, GrantPath(id, "revoke"), req)
}

// RecordAccess records an access receipt of grant id (POST
// /v1/grants/{id}/accesses): req.Tx is a grant.access signed by the data
// holder, or, with the client's Token, the node signs as req.Signer.
func (c *Client) RecordAccess(ctx context.Context, id string, req api.GrantWriteRequest) (*api.GrantReceipt, error) {
	return c.grantWrite(ctx, GrantPath(id, "accesses"), req)
}

// Grant returns the receipt of grant id.
func (c *Client) Grant(ctx context.Context, id string) (*api.GrantView, error) {
	return call[api.GrantView](ctx, c, http.MethodGet, GrantPath(id, ""), nil)
}

// Grants returns a page of the grants q asks for; its Next continues
// after it.
func (c *Client) Grants(ctx context.Context, q api.GrantQuery) (*api.GrantList, error) {
	v := url.Values{}
	for k, s := range map[string]string{"grantor": q.Grantor, "grantee": q.Grantee, "hash": q.Hash, "after": q.After} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return call[api.GrantList](ctx, c, http.MethodGet, "/v1/grants?"+v.Encode(), nil)
}

// Accesses returns the access receipts of grant id from sequence number
// from; its Next is the number to continue from (0 at the end).
func (c *Client) Accesses(ctx context.Context, id string, from int) (*api.AccessList, error) {
	return call[api.AccessList](ctx, c, http.MethodGet, GrantPath(id, "accesses")+"?from="+strconv.Itoa(from), nil)
}
