package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weidgo/weid/credential"
)

// IssueCredential asks the node to sign a credential as vc+jwt with the
// account's key for its issuer (needs Token); it returns the compact JWT.
func (c *Client) IssueCredential(ctx context.Context, cred json.RawMessage) (string, error) {
	var r struct {
		VerifiableCredential struct {
			ID string `json:"id"`
		} `json:"verifiableCredential"`
	}
	if _, err := c.do(ctx, http.MethodPost, "/credentials/issue", map[string]any{"credential": cred}, &r); err != nil {
		return "", err
	}
	const prefix = "data:application/vc+jwt,"
	if len(r.VerifiableCredential.ID) <= len(prefix) || r.VerifiableCredential.ID[:len(prefix)] != prefix {
		return "", errors.New("the node answered without a vc+jwt credential")
	}
	return r.VerifiableCredential.ID[len(prefix):], nil
}

// VerifyCredential verifies a compact vc+jwt; a credential that fails a
// check is a Result with Verified false, not an error.
func (c *Client) VerifyCredential(ctx context.Context, jwt string, options map[string]any) (*credential.Result, error) {
	var r credential.Result
	body := map[string]any{"verifiableCredential": jwt, "options": options}
	if _, err := c.do(ctx, http.MethodPost, "/credentials/verify", body, &r, http.StatusUnprocessableEntity); err != nil {
		return nil, err
	}
	return &r, nil
}
