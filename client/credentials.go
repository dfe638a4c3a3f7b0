package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/node"
)

// IssueOptions are the choices of an issuance: an issuer instance of the
// account, and options overriding it (see node.IssueProfile).
type IssueOptions struct {
	Instance    string   `json:"-"`
	Format      string   `json:"format,omitempty"`
	Schema      uint64   `json:"schema,omitempty"`
	Status      []string `json:"status,omitempty"`
	Disclosable []string `json:"disclosable,omitempty"`
}

// Issue asks the node to sign a credential with the account's key for its
// issuer (needs Token). It returns the verifiableCredential the node
// answered: an EnvelopedVerifiableCredential for vc+jwt and dc+sd-jwt (see
// Compact), the secured credential for Data Integrity.
func (c *Client) Issue(ctx context.Context, cred json.RawMessage, o IssueOptions) (json.RawMessage, error) {
	path := "/credentials/issue"
	if o.Instance != "" {
		path = "/issuers/" + url.PathEscape(o.Instance) + "/credentials/issue"
	}
	var r struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if _, err := c.do(ctx, http.MethodPost, path, map[string]any{"credential": cred, "options": o}, &r); err != nil {
		return nil, err
	}
	return r.VerifiableCredential, nil
}

// Compact returns the compact JWT or SD-JWT of an
// EnvelopedVerifiableCredential, and false for anything else.
func Compact(vc json.RawMessage) (string, bool) {
	var env struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if json.Unmarshal(vc, &env) != nil || env.Type != "EnvelopedVerifiableCredential" {
		return "", false
	}
	for _, p := range []string{credential.DataURLVCJWT, credential.DataURLSDJWT} {
		if tok, ok := strings.CutPrefix(env.ID, p); ok {
			return tok, true
		}
	}
	return "", false
}

// IssueCredential issues a credential as vc+jwt (Issue with no options)
// and returns the compact JWT.
func (c *Client) IssueCredential(ctx context.Context, cred json.RawMessage) (string, error) {
	vc, err := c.Issue(ctx, cred, IssueOptions{})
	if err != nil {
		return "", err
	}
	tok, ok := Compact(vc)
	if !ok {
		return "", errors.New("the node answered without a vc+jwt credential")
	}
	return tok, nil
}

// VerifyCredential verifies a credential: a compact JWT or SD-JWT (a
// string) or a credential object (JSON). A credential that fails a check
// is a Result with Verified false, not an error.
func (c *Client) VerifyCredential(ctx context.Context, vc any, options map[string]any) (*credential.Result, error) {
	var r credential.Result
	body := map[string]any{"verifiableCredential": vc, "options": options}
	if _, err := c.do(ctx, http.MethodPost, "/credentials/verify", body, &r, http.StatusUnprocessableEntity); err != nil {
		return nil, err
	}
	return &r, nil
}

// StatusUpdate is the answer of UpdateStatus.
type StatusUpdate struct {
	CredentialID  string `json:"credentialId,omitempty"`
	StatusPurpose string `json:"statusPurpose"`
	Status        bool   `json:"status"`
	List          string `json:"list"`
	Index         uint64 `json:"index"`
	TxHash        string `json:"txHash"`
	Height        uint64 `json:"height"`
}

// UpdateStatus sets (revoke, suspend) or clears (unsuspend) the status bit
// of purpose of a credential the node issued for the account.
func (c *Client) UpdateStatus(ctx context.Context, credentialID, purpose string, set bool) (*StatusUpdate, error) {
	var r StatusUpdate
	body := map[string]any{
		"credentialId":     credentialID,
		"credentialStatus": map[string]string{"type": "BitstringStatusListEntry", "statusPurpose": purpose},
		"status":           set,
	}
	if _, err := c.do(ctx, http.MethodPost, "/credentials/status", body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateIssuerInstance creates an issuer instance of the account.
func (c *Client) CreateIssuerInstance(ctx context.Context, in node.IssuerInstance) (*node.IssuerInstance, error) {
	body := map[string]any{"name": in.Name, "issuer": in.Issuer, "format": in.Format, "schema": in.Schema, "types": in.Types, "status": in.Status, "disclosable": in.Disclosable}
	var r node.IssuerInstance
	if _, err := c.do(ctx, http.MethodPost, "/v1/issuer-instances", body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// IssuerInstances lists the account's issuer instances.
func (c *Client) IssuerInstances(ctx context.Context) ([]node.IssuerInstance, error) {
	var r struct {
		Instances []node.IssuerInstance `json:"instances"`
	}
	if _, err := c.do(ctx, http.MethodGet, "/v1/issuer-instances", nil, &r); err != nil {
		return nil, err
	}
	return r.Instances, nil
}
