package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/weidgo/weid/api"
)

// PublishSchema sends {"tx": signed} or the custodial fields to path
// (/v1/schemas to register, /v1/schemas/{id}/versions to update).
func (c *Client) PublishSchema(ctx context.Context, path string, body any) (*api.SchemaResponse, error) {
	return call[api.SchemaResponse](ctx, c, http.MethodPost, path, body)
}

// Schema returns version (0: the latest) of schema id.
func (c *Client) Schema(ctx context.Context, id, version uint64) (*api.SchemaRecord, error) {
	path := "/v1/schemas/" + strconv.FormatUint(id, 10)
	if version != 0 {
		path += "/versions/" + strconv.FormatUint(version, 10)
	}
	return call[api.SchemaRecord](ctx, c, http.MethodGet, path, nil)
}

// Schemas returns a page of schemas and the cursor of the next (0: last).
func (c *Client) Schemas(ctx context.Context, after uint64, limit int) ([]api.SchemaRecord, uint64, error) {
	q := url.Values{}
	if after != 0 {
		q.Set("after", strconv.FormatUint(after, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var r api.SchemaList
	_, err := c.do(ctx, http.MethodGet, "/v1/schemas?"+q.Encode(), nil, &r)
	return r.Schemas, r.Next, err
}
