package wallet

// A wallet's side of OpenID for Verifiable Credential Issuance 1.0: the
// pre-authorized code flow from a credential offer to the credentials,
// against any issuer that follows the specification (weid's among them).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/oid4vci"
)

// VCIClient talks to credential issuers as a wallet.
type VCIClient struct {
	HTTP *http.Client
}

// NewVCIClient returns a wallet's issuance client.
func NewVCIClient() *VCIClient {
	return &VCIClient{HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// http returns c.HTTP (or the default client) made to follow no
// redirect: the issuer's endpoints are the ones its offer and metadata
// name, and a redirect would re-send what a request carries — the
// pre-authorized code, the transaction code (PIN), the access token —
// to a URL no one checked.
func (c *VCIClient) http() *http.Client {
	return withRedirects(c.HTTP, func(req *http.Request) error {
		return fmt.Errorf("the issuer redirected the request to %s: a wallet sends an issuer's requests only to the endpoints its metadata names", redirectTarget(req))
	})
}

// maxVCIResponse bounds what the wallet reads of one response.
const maxVCIResponse = 8 << 20

// send makes a request and decodes a 200 JSON answer into out. An OAuth
// error body ({"error": …}) is returned as an *oid4vci.Error, a problem as
// an *Error.
func (c *VCIClient) send(ctx context.Context, method, u, contentType, bearer string, body []byte, out any) error {
	if err := oid4vci.CheckURL(u); err != nil {
		return fmt.Errorf("endpoint: %w", err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, transportError(err))
	}
	defer resp.Body.Close()
	raw, err := readAnswer(resp.Body, maxVCIResponse)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var oe oid4vci.Error
		if json.Unmarshal(raw, &oe) == nil && oe.Code != "" {
			return oauthError(&oe)
		}
		return fmt.Errorf("%s %s: %w", method, u, answerError(resp.StatusCode, raw))
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", method, u, err)
	}
	return nil
}

// ResolveOffer reads a credential offer link (§4.1), fetching the offer
// when it is passed by reference (§4.1.3).
func (c *VCIClient) ResolveOffer(ctx context.Context, link string) (*oid4vci.CredentialOffer, error) {
	offer, ref, err := oid4vci.ParseOfferURI(link)
	if err != nil || offer != nil {
		return offer, err
	}
	var raw json.RawMessage
	if err := c.send(ctx, http.MethodGet, ref, "", "", nil, &raw); err != nil {
		return nil, fmt.Errorf("fetch the credential offer: %w", err)
	}
	return oid4vci.ParseOffer(raw)
}

// IssuerMetadata fetches a credential issuer's metadata (§12.2.2) and
// checks that it is the issuer's (§12.2.3).
func (c *VCIClient) IssuerMetadata(ctx context.Context, issuer string) (*oid4vci.IssuerMetadata, error) {
	return wellKnownMetadata(ctx, c, issuer, oid4vci.WellKnownIssuer, "credential issuer",
		func(m *oid4vci.IssuerMetadata) string { return m.CredentialIssuer })
}

// AuthorizationServerMetadata fetches an authorization server's RFC 8414
// metadata and checks its issuer (RFC 8414 §3.3).
func (c *VCIClient) AuthorizationServerMetadata(ctx context.Context, as string) (*oid4vci.AuthorizationServerMetadata, error) {
	return wellKnownMetadata(ctx, c, as, oid4vci.WellKnownAuthorizationServer, "authorization server",
		func(m *oid4vci.AuthorizationServerMetadata) string { return m.Issuer })
}

// wellKnownMetadata fetches the metadata of id, what names it, at its
// well-known path, and checks that the metadata names id as its own
// (OpenID4VCI §12.2.3, RFC 8414 §3.3); self reads that name.
func wellKnownMetadata[M any](ctx context.Context, c *VCIClient, id, wellKnown, what string, self func(*M) string) (*M, error) {
	u, err := oid4vci.WellKnownURL(id, wellKnown)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var m M
	if err := c.send(ctx, http.MethodGet, u, "", "", nil, &m); err != nil {
		return nil, fmt.Errorf("%s metadata: %w", what, err)
	}
	if got := self(&m); got != id {
		return nil, fmt.Errorf("%s metadata: it is %q's, not %q's", what, got, id)
	}
	return &m, nil
}

// Token redeems a pre-authorized code (§6.1), with the transaction code if
// txCode is not "".
func (c *VCIClient) Token(ctx context.Context, tokenEndpoint, code, txCode string) (*oid4vci.TokenResponse, error) {
	form := url.Values{"grant_type": {oid4vci.GrantPreAuthorizedCode}, "pre-authorized_code": {code}}
	if txCode != "" {
		form.Set("tx_code", txCode)
	}
	var t oid4vci.TokenResponse
	if err := c.send(ctx, http.MethodPost, tokenEndpoint, "application/x-www-form-urlencoded", "", []byte(form.Encode()), &t); err != nil {
		return nil, err
	}
	if t.AccessToken == "" || !strings.EqualFold(t.TokenType, "Bearer") {
		return nil, errors.New("token response: no Bearer access token")
	}
	return &t, nil
}

// Nonce gets a fresh c_nonce (§7.1).
func (c *VCIClient) Nonce(ctx context.Context, nonceEndpoint string) (string, error) {
	var n oid4vci.NonceResponse
	if err := c.send(ctx, http.MethodPost, nonceEndpoint, "", "", nil, &n); err != nil {
		return "", err
	}
	if n.CNonce == "" {
		return "", errors.New("nonce response: no c_nonce")
	}
	return n.CNonce, nil
}

// Credential sends a credential request (§8.1) with an access token.
func (c *VCIClient) Credential(ctx context.Context, endpoint, accessToken string, req *oid4vci.CredentialRequest) (*oid4vci.CredentialResponse, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var out oid4vci.CredentialResponse
	if err := c.send(ctx, http.MethodPost, endpoint, "application/json", accessToken, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReceiveOptions tune ReceiveOffer.
type ReceiveOptions struct {
	// TxCode is the transaction code (PIN), if the offer asks for one.
	TxCode string
	// Count is how many credentials to ask for (one proof each, all with
	// the holder's key); 0 means 1.
	Count int
}

// Received is the outcome of an offer.
type Received struct {
	Offer           *oid4vci.CredentialOffer
	Issuer          *oid4vci.IssuerMetadata
	ConfigurationID string
	Format          string
	// Credentials are as the issuer sent them: a JSON string (dc+sd-jwt,
	// jwt_vc_json) or object (ldp_vc).
	Credentials []json.RawMessage
}

// ErrTxCodeRequired reports an offer that asks for a transaction code
// the caller did not give.
var ErrTxCodeRequired = errors.New("the offer asks for a transaction code (PIN)")

// ReceiveOffer runs the pre-authorized code flow: it resolves the offer,
// reads the issuer's and its authorization server's metadata, redeems the
// code, gets a c_nonce and requests the offer's first credential
// configuration with key proofs signed by h (h.DID is not used: a proof
// names the key by h.KID).
func (c *VCIClient) ReceiveOffer(ctx context.Context, link string, h Holder, o ReceiveOptions) (*Received, error) {
	offer, err := c.ResolveOffer(ctx, link)
	if err != nil {
		return nil, err
	}
	grant, err := preAuthorized(offer, o.TxCode)
	if err != nil {
		return nil, err
	}
	meta, err := c.IssuerMetadata(ctx, offer.CredentialIssuer)
	if err != nil {
		return nil, err
	}
	out := &Received{Offer: offer, Issuer: meta, ConfigurationID: offer.CredentialConfigurationIDs[0]}
	count := max(o.Count, 1)
	if out.Format, err = checkConfiguration(meta, out.ConfigurationID, h, count); err != nil {
		return nil, err
	}
	as, err := authorizationServer(offer, meta)
	if err != nil {
		return nil, err
	}
	asMeta, err := c.AuthorizationServerMetadata(ctx, as)
	if err != nil {
		return nil, err
	}
	tok, err := c.Token(ctx, asMeta.TokenEndpoint, grant.PreAuthorizedCode, o.TxCode)
	if err != nil {
		return nil, err
	}
	resp, err := c.requestCredentials(ctx, meta, out.ConfigurationID, tok.AccessToken, h, count)
	if err != nil {
		return nil, err
	}
	for _, ic := range resp.Credentials {
		out.Credentials = append(out.Credentials, ic.Credential)
	}
	return out, nil
}

// preAuthorized returns the offer's pre-authorized code grant, once the
// transaction code is given exactly when the offer asks for one.
func preAuthorized(offer *oid4vci.CredentialOffer, txCode string) (*oid4vci.PreAuthorizedCodeGrant, error) {
	if offer.Grants == nil || offer.Grants.PreAuthorizedCode == nil {
		return nil, errors.New("the offer has no pre-authorized code grant; the authorization code flow is not supported")
	}
	grant := offer.Grants.PreAuthorizedCode
	if grant.TxCode != nil && txCode == "" {
		return nil, ErrTxCodeRequired
	}
	if grant.TxCode == nil && txCode != "" {
		return nil, errors.New("the offer asks for no transaction code")
	}
	return grant, nil
}

// checkConfiguration checks that the issuer describes the offered
// credential configuration, takes key proofs signed with h's key and issues
// count credentials in one request; it returns the credential's format.
func checkConfiguration(meta *oid4vci.IssuerMetadata, configID string, h Holder, count int) (string, error) {
	conf, ok := meta.CredentialConfigurationsSupported[configID]
	if !ok {
		return "", fmt.Errorf("the issuer's metadata does not describe the offered credential %q", configID)
	}
	alg, err := jose.AlgFor(h.Key.Type())
	if err != nil {
		return "", err
	}
	if pt, ok := conf.ProofTypesSupported[oid4vci.ProofTypeJWT]; len(conf.ProofTypesSupported) > 0 && (!ok || !slices.Contains(pt.ProofSigningAlgValuesSupported, alg)) {
		return "", fmt.Errorf("the issuer takes no jwt key proof signed with %s", alg)
	}
	if count > 1 && (meta.BatchCredentialIssuance == nil || meta.BatchCredentialIssuance.BatchSize < count) {
		return "", fmt.Errorf("the issuer does not issue %d credentials in one request", count)
	}
	return conf.Format, nil
}

// authorizationServer is the authorization server of the offer's grant:
// the one it names, else the issuer's only one, else the issuer itself
// (§4.1.1, §12.2.4).
func authorizationServer(offer *oid4vci.CredentialOffer, meta *oid4vci.IssuerMetadata) (string, error) {
	switch grant := offer.Grants.PreAuthorizedCode; {
	case grant.AuthorizationServer != "":
		return grant.AuthorizationServer, nil
	case len(meta.AuthorizationServers) == 1:
		return meta.AuthorizationServers[0], nil
	case len(meta.AuthorizationServers) > 1:
		return "", errors.New("the issuer names several authorization servers and the offer none")
	}
	return offer.CredentialIssuer, nil
}

// requestCredentials gets a c_nonce and requests count credentials of
// configID, each with a key proof signed by h over it.
func (c *VCIClient) requestCredentials(ctx context.Context, meta *oid4vci.IssuerMetadata, configID, accessToken string, h Holder, count int) (*oid4vci.CredentialResponse, error) {
	if meta.NonceEndpoint == "" {
		return nil, errors.New("the issuer has no nonce endpoint")
	}
	nonce, err := c.Nonce(ctx, meta.NonceEndpoint)
	if err != nil {
		return nil, err
	}
	req := &oid4vci.CredentialRequest{CredentialConfigurationID: configID, Proofs: &oid4vci.Proofs{}}
	now := time.Now()
	for range count {
		p, err := oid4vci.SignProof(h.Key, h.KID, meta.CredentialIssuer, nonce, now)
		if err != nil {
			return nil, err
		}
		req.Proofs.JWT = append(req.Proofs.JWT, p)
	}
	resp, err := c.Credential(ctx, meta.CredentialEndpoint, accessToken, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Credentials) == 0 {
		return nil, errors.New("the credential response holds no credential (deferred issuance is not supported)")
	}
	// Each credential answers a key proof, bound to its key (§8.2, §8.3):
	// a credential beyond the proofs sent answers none of them.
	if n := len(resp.Credentials); n > count {
		proofs := "1 key proof"
		if count > 1 {
			proofs = fmt.Sprintf("%d key proofs", count)
		}
		return nil, fmt.Errorf("the issuer sent %d credentials for %s: one credential answers one proof (OpenID4VCI 1.0 §8.3); nothing was stored", n, proofs)
	}
	return resp, nil
}
