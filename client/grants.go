package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// GrantReceipt is the answer to a grant write.
type GrantReceipt struct {
	ID     string `json:"id"`
	Hash   string `json:"hash,omitempty"`
	Grant  string `json:"grant,omitempty"`
	TxHash string `json:"txHash"`
	Height uint64 `json:"height,omitempty"`
	Status string `json:"status"`
}

// GrantView is a grant's receipt with its status now.
type GrantView struct {
	grants.Receipt
	State string `json:"state"`
}

// GrantPath returns the path of a grant, or of op ("revoke", "accesses")
// on it.
func GrantPath(id, op string) string {
	p := "/v1/grants/" + url.PathEscape(id)
	if op != "" {
		p += "/" + op
	}
	return p
}

// GrantWrite posts body ({"tx": signed} or custodial fields) to path:
// "/v1/grants" or one of GrantPath's.
func (c *Client) GrantWrite(ctx context.Context, path string, body any) (*GrantReceipt, error) {
	var r GrantReceipt
	_, err := c.do(ctx, http.MethodPost, path, body, &r)
	return &r, err
}

// SubmitGrantTx submits a signed grant transaction to its endpoint.
func (c *Client) SubmitGrantTx(ctx context.Context, tx *chain.Tx, id string) (*GrantReceipt, error) {
	path := "/v1/grants"
	switch tx.Type {
	case grants.TxRevoke:
		path = GrantPath(id, "revoke")
	case grants.TxAccess:
		path = GrantPath(id, "accesses")
	}
	return c.GrantWrite(ctx, path, map[string]any{"tx": tx})
}

// Grant returns the receipt of grant id.
func (c *Client) Grant(ctx context.Context, id string) (*GrantView, error) {
	var v GrantView
	_, err := c.do(ctx, http.MethodGet, GrantPath(id, ""), nil, &v)
	return &v, err
}

// Grants lists the grants whose grantor (by "grantor") or grantee (by
// "grantee") is d, after the id after; it returns the id to continue after.
func (c *Client) Grants(ctx context.Context, by, d, after string, limit int) ([]GrantView, string, error) {
	q := url.Values{by: {d}}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out struct {
		Grants []GrantView `json:"grants"`
		Next   string      `json:"next"`
	}
	_, err := c.do(ctx, http.MethodGet, "/v1/grants?"+q.Encode(), nil, &out)
	return out.Grants, out.Next, err
}

// Accesses lists the access receipts of grant id from sequence number from;
// it returns the number to continue from (0 at the end).
func (c *Client) Accesses(ctx context.Context, id string, from int) ([]grants.Access, int, error) {
	var out struct {
		Accesses []grants.Access `json:"accesses"`
		Next     int             `json:"next"`
	}
	_, err := c.do(ctx, http.MethodGet, GrantPath(id, "accesses")+"?from="+strconv.Itoa(from), nil, &out)
	return out.Accesses, out.Next, err
}

// asErrs turns a problem from the node into an *errs.Error with the same
// status and code, so that a service relaying it renders it as the node did.
func asErrs(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code != "" && e.Status >= 400 && e.Status < 500 {
		return errs.New(e.Status, e.Code, "%s", e.Detail)
	}
	return err
}

// HolderLedger is a data holder's view of the ledger through a node's API
// (server.ExchangeLedger): it reads receipts and DID documents, and records
// access receipts signed by the node for Holder, a DID of the account whose
// token the client carries.
type HolderLedger struct {
	Client *Client
	Holder string
}

// Grant implements server.ExchangeLedger.
func (h HolderLedger) Grant(ctx context.Context, id string) (*grants.Receipt, error) {
	v, err := h.Client.Grant(ctx, id)
	if err != nil {
		return nil, asErrs(err)
	}
	return &v.Receipt, nil
}

// Resolve implements server.ExchangeLedger.
func (h HolderLedger) Resolve(ctx context.Context, d string) (*did.Document, error) {
	res, err := h.Client.Resolve(ctx, d, did.Options{})
	if err != nil {
		return nil, asErrs(err)
	}
	if res.Document == nil {
		return nil, errs.New(http.StatusNotFound, "did.notFound", "%s resolves to no document", d)
	}
	return res.Document, nil
}

// RecordAccess implements server.ExchangeLedger.
func (h HolderLedger) RecordAccess(ctx context.Context, p grants.AccessPayload) (string, error) {
	r, err := h.Client.GrantWrite(ctx, GrantPath(p.GrantID, "accesses"), map[string]any{"signer": h.Holder, "claims": p.Claims, "request": p.Request})
	if err != nil {
		return "", asErrs(err)
	}
	return r.TxHash, nil
}

// ExchangeData is the decrypted answer of a data holder.
type ExchangeData struct {
	GrantID       string         `json:"grantId"`
	Grantor       string         `json:"grantor"`
	Grantee       string         `json:"grantee"`
	Resource      string         `json:"resource"`
	Claims        map[string]any `json:"claims"`
	AccessReceipt string         `json:"accessReceipt"`
	Released      time.Time      `json:"released"`
}

// ExchangeNonce asks the data holder of resourceURL (…/v1/exchange/{name})
// for a nonce.
func ExchangeNonce(ctx context.Context, hc *http.Client, resourceURL string) (string, error) {
	c := &Client{BaseURL: "", HTTP: hc}
	var out struct {
		Nonce string `json:"nonce"`
	}
	_, err := c.do(ctx, http.MethodPost, resourceURL+"/nonce", nil, &out)
	return out.Nonce, err
}

// ExchangeFetch posts body to resourceURL with proof as its proof of
// possession and returns the compact JWE of the answer.
func ExchangeFetch(ctx context.Context, hc *http.Client, resourceURL string, body []byte, proof string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, resourceURL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(grants.ProofHeader, proof)
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST %s: %w", resourceURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		if jsonUnmarshal(raw, e) != nil || (e.Detail == "" && e.Code == "") {
			e.Detail = strings.TrimSpace(string(raw))
		}
		e.Status = resp.StatusCode
		return "", e
	}
	return strings.TrimSpace(string(raw)), nil
}

// Fetch runs a whole exchange as the grantee: a nonce from the data holder
// at resourceURL, a proof of possession signed with k as verification
// method kid (an authentication key of the grantee), the request with the
// grant (and the claims wanted, or nil for the grant's scope), and the
// decryption of the answer with k.
func Fetch(ctx context.Context, hc *http.Client, resourceURL, grant string, claims []string, k *keys.PrivateKey, kid string) (*ExchangeData, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	nonce, err := ExchangeNonce(ctx, hc, resourceURL)
	if err != nil {
		return nil, err
	}
	body, err := jsonMarshal(map[string]any{"grant": grant, "claims": claims})
	if err != nil {
		return nil, err
	}
	proof, err := grants.SignProof(k, kid, http.MethodPost, resourceURL, body, nonce, time.Now(), time.Minute)
	if err != nil {
		return nil, err
	}
	jwe, err := ExchangeFetch(ctx, hc, resourceURL, body, proof)
	if err != nil {
		return nil, err
	}
	pt, err := grants.Decrypt(k, jwe)
	if err != nil {
		return nil, err
	}
	var d ExchangeData
	if err := jsonUnmarshal(pt, &d); err != nil {
		return nil, fmt.Errorf("decode the decrypted answer: %w", err)
	}
	return &d, nil
}

func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
