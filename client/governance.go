package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/weidgo/weid/api"
)

// Govern sends a governance request: body is {"tx": signed} or the custodial
// fields (with Token). method and path name the endpoint, such as
// POST /v1/issuers or DELETE /v1/committee/{did}.
func (c *Client) Govern(ctx context.Context, method, path string, body any) (*api.GovResponse, error) {
	return call[api.GovResponse](ctx, c, method, path, body)
}

// Issuers returns a page of authority issuers and the cursor of the next.
func (c *Client) Issuers(ctx context.Context, after string, limit int) ([]api.Issuer, string, error) {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var r api.IssuerList
	_, err := c.do(ctx, http.MethodGet, "/v1/issuers?"+q.Encode(), nil, &r)
	return r.Issuers, r.Next, err
}

// IssuerByName finds the authority issuer with a name.
func (c *Client) IssuerByName(ctx context.Context, name string) (*api.Issuer, error) {
	var r api.IssuerList
	if _, err := c.do(ctx, http.MethodGet, "/v1/issuers?name="+url.QueryEscape(name), nil, &r); err != nil {
		return nil, err
	}
	if len(r.Issuers) == 0 {
		return nil, &Error{Status: http.StatusNotFound, Code: "issuer.notFound", Detail: "no authority issuer is named " + strconv.Quote(name)}
	}
	return &r.Issuers[0], nil
}

// Issuer returns an authority issuer and, if typ or schema is given, whether
// it is accredited for them.
func (c *Client) Issuer(ctx context.Context, did, typ string, schema uint64) (*api.Issuer, *bool, error) {
	q := url.Values{}
	if typ != "" {
		q.Set("type", typ)
	}
	if schema != 0 {
		q.Set("schema", strconv.FormatUint(schema, 10))
	}
	var r api.IssuerResponse
	_, err := c.do(ctx, http.MethodGet, "/v1/issuers/"+url.PathEscape(did)+"?"+q.Encode(), nil, &r)
	return r.Issuer, r.Accredited, err
}

// Committee lists the committee members.
func (c *Client) Committee(ctx context.Context) ([]api.Member, error) {
	var r api.CommitteeList
	_, err := c.do(ctx, http.MethodGet, "/v1/committee", nil, &r)
	return r.Members, err
}

// Validators lists the validators the ledger records, with their count and
// total power.
func (c *Client) Validators(ctx context.Context) (*api.ValidatorList, error) {
	return call[api.ValidatorList](ctx, c, http.MethodGet, "/v1/validators", nil)
}

// Observers lists the observer nodes the ledger records.
func (c *Client) Observers(ctx context.Context) ([]api.Observer, error) {
	var r api.ObserverList
	_, err := c.do(ctx, http.MethodGet, "/v1/observers", nil, &r)
	return r.Observers, err
}
