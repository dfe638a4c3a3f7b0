package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/weidgo/weid/api"
)

// Issue asks the node to sign a credential with the account's key for its
// issuer (needs Token): through the account's issuer instance named
// instance, if not "", whose choices o overrides. A credential object
// without an "issuer" member issued through an instance gets the
// instance's issuer DID here, before it is sent: the node requires the
// issuer (VC Data Model 2.0 §4.7) and fills in none; an issuer that is
// present, even null, is sent as it is. It returns the
// verifiableCredential the node answered: an EnvelopedVerifiableCredential
// for vc+jwt and dc+sd-jwt (see Compact), the secured credential for Data
// Integrity.
func (c *Client) Issue(ctx context.Context, cred json.RawMessage, instance string, o api.IssueOptions) (json.RawMessage, error) {
	path := "/credentials/issue"
	if instance != "" {
		path = "/issuers/" + url.PathEscape(instance) + "/credentials/issue"
		var err error
		if cred, err = c.withInstanceIssuer(ctx, cred, instance); err != nil {
			return nil, err
		}
	}
	var r struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if _, err := c.do(ctx, http.MethodPost, path, api.IssueRequest{Credential: cred, Options: &o}, &r); err != nil {
		return nil, err
	}
	return r.VerifiableCredential, nil
}

// withInstanceIssuer returns cred with the issuer DID of the account's
// issuer instance when cred is a JSON object without an "issuer" member,
// and cred unchanged otherwise (the node says what is wrong with it).
func (c *Client) withInstanceIssuer(ctx context.Context, cred json.RawMessage, instance string) (json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(cred, &doc) != nil || doc == nil {
		return cred, nil
	}
	if _, ok := doc["issuer"]; ok {
		return cred, nil
	}
	in, err := c.IssuerInstance(ctx, instance)
	if err != nil {
		return nil, fmt.Errorf("the credential has no issuer; reading issuer instance %q for it: %w", instance, err)
	}
	doc["issuer"], _ = json.Marshal(in.Issuer)
	return json.Marshal(doc)
}

// Compact returns the compact JWT or SD-JWT of an
// EnvelopedVerifiableCredential, and false for anything else.
func Compact(vc json.RawMessage) (string, bool) {
	var env api.EnvelopedCredential
	if json.Unmarshal(vc, &env) != nil || env.Type != api.TypeEnvelopedCredential {
		return "", false
	}
	for _, p := range []string{api.DataURLVCJWT, api.DataURLSDJWT} {
		if tok, ok := strings.CutPrefix(env.ID, p); ok {
			return tok, true
		}
	}
	return "", false
}

// IssueCredential issues a credential as vc+jwt (Issue with no options)
// and returns the compact JWT.
func (c *Client) IssueCredential(ctx context.Context, cred json.RawMessage) (string, error) {
	vc, err := c.Issue(ctx, cred, "", api.IssueOptions{})
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
func (c *Client) VerifyCredential(ctx context.Context, vc any, options map[string]any) (*api.VerifyResult, error) {
	raw, err := json.Marshal(vc)
	if err != nil {
		return nil, err
	}
	var r api.VerifyResult
	body := api.VerifyRequest{VerifiableCredential: raw, Options: options}
	if _, err := c.verify(ctx, "/credentials/verify", body, &r, api.CodeCredentialNotVerified); err != nil {
		return nil, err
	}
	return &r, nil
}

// verify posts a verification request to path and decodes its verdict
// into out: a 200 (verified), or a 400 problem of one of the codes
// verdicts whose extension members (a "checks" member) are the verdict of
// a credential or presentation that failed a check (W3C VCALM answers 200
// or 400). Any other answer, a 400 of another code or without a verdict
// (a malformed request) too, is an error.
func (c *Client) verify(ctx context.Context, path string, body, out any, verdicts ...string) (int, error) {
	st, raw, err := c.exchange(ctx, http.MethodPost, path, body)
	if err != nil {
		return st, err
	}
	if st != http.StatusOK {
		var verdict struct{ Checks []json.RawMessage }
		if e := NewError(st, raw); st != http.StatusBadRequest || !slices.Contains(verdicts, e.Code) || json.Unmarshal(raw, &verdict) != nil || len(verdict.Checks) == 0 {
			return st, e
		}
	}
	return st, decodeInto(http.MethodPost, path, raw, out)
}

// UpdateStatus sets (revoke, suspend) or clears (unsuspend) the status bit
// of purpose of a credential the node issued for the account.
func (c *Client) UpdateStatus(ctx context.Context, credentialID, purpose string, set bool) (*api.UpdateStatusResponse, error) {
	var r api.UpdateStatusResponse
	body := api.UpdateStatusRequest{
		CredentialID:     credentialID,
		CredentialStatus: &api.StatusEntryUpdate{Type: "BitstringStatusListEntry", StatusPurpose: purpose},
		Status:           &set,
	}
	if _, err := c.do(ctx, http.MethodPost, "/credentials/status", body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateIssuerInstance creates an issuer instance of the account.
func (c *Client) CreateIssuerInstance(ctx context.Context, in api.IssuerInstanceRequest) (*api.IssuerInstance, error) {
	var r api.IssuerInstance
	if _, err := c.do(ctx, http.MethodPost, "/v1/issuer-instances", in, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// IssuerInstances lists the account's issuer instances.
func (c *Client) IssuerInstances(ctx context.Context) ([]api.IssuerInstance, error) {
	var r api.IssuerInstanceList
	if _, err := c.do(ctx, http.MethodGet, "/v1/issuer-instances", nil, &r); err != nil {
		return nil, err
	}
	return r.Instances, nil
}

// IssuerInstance returns the account's issuer instance name.
func (c *Client) IssuerInstance(ctx context.Context, name string) (*api.IssuerInstance, error) {
	var r api.IssuerInstance
	if _, err := c.do(ctx, http.MethodGet, "/v1/issuer-instances/"+url.PathEscape(name), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
