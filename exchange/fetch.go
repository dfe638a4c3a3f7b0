package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// The grantee's side of the exchange.

// maxAnswer bounds what the grantee reads of an answer.
const maxAnswer = 16 << 20

// ProofLifetime is how long the proofs of possession Fetch signs are valid.
const ProofLifetime = time.Minute

// post sends body to u (with proof, if any) and returns the answer of a
// 2xx, or the problem of any other status as a *client.Error.
func post(ctx context.Context, hc *http.Client, u string, body []byte, proof string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if proof != "" {
		req.Header.Set(grants.ProofHeader, proof)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, client.NewError(resp.StatusCode, raw)
	}
	return raw, nil
}

// FetchNonce asks the data holder of resourceURL (…/v1/exchange/{name})
// for a nonce.
func FetchNonce(ctx context.Context, hc *http.Client, resourceURL string) (string, error) {
	raw, err := post(ctx, hc, resourceURL+"/nonce", nil, "")
	if err != nil {
		return "", err
	}
	var n api.ExchangeNonce
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("decode the nonce of %s: %w", resourceURL, err)
	}
	return n.Nonce, nil
}

// Fetch runs a whole exchange as the grantee: a nonce from the data holder
// at resourceURL, a proof of possession signed with k as verification
// method kid (an authentication key of the grantee), the request with the
// grant (and the claims wanted, or nil for the grant's scope), and the
// decryption of the answer with k. hc nil is a client with a minute's
// timeout.
func Fetch(ctx context.Context, hc *http.Client, resourceURL, grant string, claims []string, k *keys.PrivateKey, kid string) (*api.ExchangeData, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	nonce, err := FetchNonce(ctx, hc, resourceURL)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(api.ExchangeRequest{Grant: grant, Claims: claims})
	if err != nil {
		return nil, err
	}
	proof, err := grants.SignProof(k, kid, http.MethodPost, resourceURL, body, nonce, time.Now(), ProofLifetime)
	if err != nil {
		return nil, err
	}
	jwe, err := post(ctx, hc, resourceURL, body, proof)
	if err != nil {
		return nil, err
	}
	pt, err := grants.Decrypt(k, strings.TrimSpace(string(jwe)))
	if err != nil {
		return nil, err
	}
	var d api.ExchangeData
	if err := json.Unmarshal(pt, &d); err != nil {
		return nil, fmt.Errorf("decode the decrypted answer: %w", err)
	}
	return &d, nil
}
