package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/weidgo/weid/api"
)

// VerifyBatch streams credentials — NDJSON, one JSON object or JSON string
// per line, read from src — to POST /v1/credentials/verify-batch and calls
// onResult with each result, in input order, as the node sends them. It
// returns the summary of the node's trailer. The request has no overall
// timeout: it lasts as long as the stream (cancel ctx to stop it).
func (c *Client) VerifyBatch(ctx context.Context, src io.Reader, o api.BatchOptions, onResult func(*api.BatchResult) error) (api.BatchSummary, error) {
	return c.VerifyBatchDetail(ctx, src, o, "", onResult)
}

// VerifyBatchDetail is VerifyBatch asking for the results in form detail,
// the endpoint's detail query parameter: "" or "full" for every named
// check, "failures" for checks named only when they fail (a result that
// verified then has neither Checks nor Errors).
func (c *Client) VerifyBatchDetail(ctx context.Context, src io.Reader, o api.BatchOptions, detail string, onResult func(*api.BatchResult) error) (api.BatchSummary, error) {
	q := url.Values{}
	if detail != "" {
		q.Set("detail", detail)
	}
	o.Query(q)
	u := c.BaseURL + api.PathVerifyBatch
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, src)
	if err != nil {
		return api.BatchSummary{}, err
	}
	req.Header.Set("Content-Type", api.MediaTypeNDJSON)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := *c.HTTP
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return api.BatchSummary{}, fmt.Errorf("POST %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		e := &Error{}
		if json.Unmarshal(raw, e) != nil || (e.Detail == "" && e.Code == "") {
			e.Detail = strings.TrimSpace(string(raw))
		}
		e.Status = resp.StatusCode
		return api.BatchSummary{}, e
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte(`{"summary"`)) {
			var tr api.VerifyBatchTrailer
			if err := json.Unmarshal(line, &tr); err != nil {
				return api.BatchSummary{}, fmt.Errorf("verify-batch trailer: %w", err)
			}
			if p := tr.Error; p != nil {
				return tr.Summary, &Error{Status: p.Status, Code: p.Code, Title: p.Title, Detail: p.Detail}
			}
			return tr.Summary, nil
		}
		var r api.BatchResult
		if err := json.Unmarshal(line, &r); err != nil {
			return api.BatchSummary{}, fmt.Errorf("verify-batch result: %w", err)
		}
		if err := onResult(&r); err != nil {
			return api.BatchSummary{}, err
		}
	}
	if err := sc.Err(); err != nil {
		return api.BatchSummary{}, fmt.Errorf("verify-batch stream: %w", err)
	}
	return api.BatchSummary{}, errors.New("verify-batch: the stream ended without its summary")
}
