package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/weidgo/weid/schemas"
)

// SchemaResult is the answer to publishing a schema version.
type SchemaResult struct {
	ID      uint64 `json:"id"`
	Version uint64 `json:"version"`
	URL     string `json:"url"`
	TxHash  string `json:"txHash"`
	Height  uint64 `json:"height"`
}

// PublishSchema sends {"tx": signed} or the custodial fields to path
// (/v1/schemas to register, /v1/schemas/{id}/versions to update).
func (c *Client) PublishSchema(ctx context.Context, path string, body any) (*SchemaResult, error) {
	var r SchemaResult
	_, err := c.do(ctx, http.MethodPost, path, body, &r)
	return &r, err
}

// Schema returns version (0: the latest) of schema id.
func (c *Client) Schema(ctx context.Context, id, version uint64) (*schemas.Record, error) {
	path := "/v1/schemas/" + strconv.FormatUint(id, 10)
	if version != 0 {
		path += "/versions/" + strconv.FormatUint(version, 10)
	}
	var r schemas.Record
	_, err := c.do(ctx, http.MethodGet, path, nil, &r)
	return &r, err
}

// Schemas returns a page of schemas and the cursor of the next (0: last).
func (c *Client) Schemas(ctx context.Context, after uint64, limit int) ([]schemas.Record, uint64, error) {
	q := url.Values{}
	if after != 0 {
		q.Set("after", strconv.FormatUint(after, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var r struct {
		Schemas []schemas.Record `json:"schemas"`
		Next    uint64           `json:"next"`
	}
	_, err := c.do(ctx, http.MethodGet, "/v1/schemas?"+q.Encode(), nil, &r)
	return r.Schemas, r.Next, err
}
