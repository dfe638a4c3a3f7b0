// Package client is the Go SDK of weid's HTTP API. The CLI and the tests use
// it; applications can too. Of weid's packages it imports api, txn and did
// (internal/archtest allows jose and keys too), so an application links no
// ledger, store or CometBFT. Transactions are signed by the caller (txn.New
// or txn.Tx.Sign): keys never travel to the node, except in the custodial
// calls that name an account token.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/txn"
)

// DefaultNode is the URL of a node started with defaults.
const DefaultNode = "http://127.0.0.1:8080"

// Client talks to one node.
type Client struct {
	BaseURL string
	Token   string // bearer token for custodial calls, optional
	HTTP    *http.Client
}

// New returns a client of the node at baseURL.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// Error is a problem (RFC 9457) returned by the node.
type Error struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Detail)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Detail)
}

func (c *Client) do(ctx context.Context, method, path string, body, out any, okStatus ...int) (int, error) {
	st, raw, err := c.exchange(ctx, method, path, body)
	if err != nil {
		return st, err
	}
	ok := st >= 200 && st < 300
	for _, s := range okStatus {
		ok = ok || st == s
	}
	if !ok {
		return st, NewError(st, raw)
	}
	return st, decodeInto(method, path, raw, out)
}

// call sends a request as do does and returns the answer decoded into a
// new T, with do's error: the one-line body of most of the SDK's methods.
func call[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	var out T
	_, err := c.do(ctx, method, path, body, &out)
	return &out, err
}

// exchange sends body (JSON, if not nil) and returns the answer's status
// and body, whatever the status.
func (c *Client) exchange(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, c.BaseURL+path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err == nil && len(raw) > maxAnswer {
		err = fmt.Errorf("%s %s: the answer is larger than %d bytes, the most the client reads", method, c.BaseURL+path, maxAnswer)
	}
	return resp.StatusCode, raw, err
}

// maxAnswer bounds the answer the client reads: the largest a node sends
// is a state proof of txn.MaxStateProofs keys (txn.MaxStateProofsBytes).
const maxAnswer = txn.MaxStateProofsBytes

// decodeInto decodes the answer raw of method path into out, if not nil.
func decodeInto(method, path string, raw []byte, out any) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode response of %s %s: %w", method, path, err)
	}
	return nil
}

// BlockCommit returns the consensus commit of the block at height (under
// the cometbft engine; 404 ledger.noCommitProof otherwise).
func (c *Client) BlockCommit(ctx context.Context, height uint64) (*txn.CommitProof, error) {
	return call[txn.CommitProof](ctx, c, http.MethodGet, "/v1/blocks/"+strconv.FormatUint(height, 10)+"/commit", nil)
}

// Status returns the node's chain id, head and engine.
func (c *Client) Status(ctx context.Context) (*api.StatusResponse, error) {
	return call[api.StatusResponse](ctx, c, http.MethodGet, "/v1/status", nil)
}

// SubmitTx submits any signed transaction; with async it returns once the
// node accepted it, without waiting for its block.
func (c *Client) SubmitTx(ctx context.Context, tx *txn.Tx, async bool) (*api.Receipt, error) {
	return call[api.Receipt](ctx, c, http.MethodPost, "/v1/txs"+asyncQuery(async), tx)
}

func asyncQuery(async bool) string {
	if async {
		return "?async=true"
	}
	return ""
}

// DIDResult is the answer to a DID operation.
type DIDResult struct {
	DID         string        `json:"did"`
	DIDDocument *did.Document `json:"didDocument"`
	TxHash      string        `json:"txHash"`
	Height      uint64        `json:"height"`
	Status      string        `json:"status"`
}

// CreateDID registers a DID with a did.create transaction signed by its key.
func (c *Client) CreateDID(ctx context.Context, tx *txn.Tx) (*DIDResult, error) {
	return call[DIDResult](ctx, c, http.MethodPost, "/v1/dids", map[string]any{"tx": tx})
}

// CreateCustodialDID asks the node to generate and keep a key for the
// client's account (needs Token) and register its DID.
func (c *Client) CreateCustodialDID(ctx context.Context, keyType string) (*DIDResult, error) {
	return call[DIDResult](ctx, c, http.MethodPost, "/v1/dids", map[string]any{"keyType": keyType})
}

// UpdateDID submits a signed DID update transaction to its endpoint.
func (c *Client) UpdateDID(ctx context.Context, tx *txn.Tx) (*DIDResult, error) {
	var p struct {
		DID string `json:"did"`
		ID  string `json:"id"`
	}
	_ = json.Unmarshal(tx.Payload, &p)
	base := "/v1/dids/" + url.PathEscape(p.DID)
	method, path := http.MethodPost, ""
	switch tx.Type {
	case did.TxAddMethod:
		path = "/keys"
	case did.TxRemoveMethod:
		method, path = http.MethodDelete, "/keys/"+url.PathEscape(p.ID)
	case did.TxAddService:
		path = "/services"
	case did.TxRemoveService:
		method, path = http.MethodDelete, "/services/"+url.PathEscape(p.ID)
	case did.TxRotateKey:
		path = "/rotate"
	case did.TxDeactivate:
		path = "/deactivate"
	case did.TxReportCompromised:
		path = "/compromised-keys"
	default:
		return nil, fmt.Errorf("%s is not a DID update", tx.Type)
	}
	return call[DIDResult](ctx, c, method, base+path, map[string]any{"tx": tx})
}

// Resolve resolves a DID through the DID Resolution binding. A deactivated
// DID returns its result and an *Error with status 410. Given a DID URL it
// resolves the URL's DID (the binding would dereference the URL instead).
func (c *Client) Resolve(ctx context.Context, d string, opts did.Options) (*did.ResolutionResult, error) {
	if u, err := did.ParseDIDURL(d); err == nil {
		d = u.DID
	}
	q := url.Values{}
	if opts.VersionID != "" {
		q.Set("versionId", opts.VersionID)
	}
	if !opts.VersionTime.IsZero() {
		q.Set("versionTime", opts.VersionTime.UTC().Format(time.RFC3339))
	}
	if opts.PublicKeyFormat != "" {
		q.Set("publicKeyFormat", opts.PublicKeyFormat)
	}
	if opts.EnableExperimentalPublicKeyTypes {
		q.Set("enableExperimentalPublicKeyTypes", "true")
	}
	path := "/1.0/identifiers/" + url.PathEscape(d)
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var r did.ResolutionResult
	st, err := c.do(ctx, http.MethodGet, path, nil, &r, http.StatusGone)
	if err == nil && st == http.StatusGone {
		return &r, &Error{Status: st, Code: "did.deactivated", Detail: d + " is deactivated"}
	}
	return &r, err
}

// Tx returns a committed transaction with its block header and inclusion
// proof, or the state of one the node's engine still knows (pending, or
// rejected with the problem).
func (c *Client) Tx(ctx context.Context, hash string) (*api.TxResponse, error) {
	return call[api.TxResponse](ctx, c, http.MethodGet, "/v1/txs/"+url.PathEscape(hash), nil)
}

// Block returns the block at height.
func (c *Client) Block(ctx context.Context, height uint64) (*txn.Block, error) {
	return call[txn.Block](ctx, c, http.MethodGet, "/v1/blocks/"+strconv.FormatUint(height, 10), nil)
}
