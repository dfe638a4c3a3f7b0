package wallet

// A wallet's side of OpenID for Verifiable Presentations 1.0: read a
// request by reference, check who asks (the decentralized_identifier
// client identifier prefix, §5.9.3: the request object is signed by a key
// of the verifier's DID), choose the credentials that answer its query,
// disclose only what it asks, bind each presentation to the request's
// nonce and client_id, and post the response (direct_post, §8.2, or
// direct_post.jwt, §8.3).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/sdjwt"
)

// DIDResolver resolves a DID: a node's resolver API (*Client) or a local
// resolver.
type DIDResolver interface {
	Resolve(ctx context.Context, d string, opts did.Options) (*did.ResolutionResult, error)
}

// VPClient answers presentation requests as a wallet.
type VPClient struct {
	HTTP *http.Client
	// Resolver resolves the verifier's DID.
	Resolver DIDResolver
	// Now is the current time; nil means time.Now.
	Now func() time.Time
}

// NewVPClient returns a wallet's presentation client that resolves
// verifier DIDs with r.
func NewVPClient(r DIDResolver) *VPClient {
	return &VPClient{HTTP: &http.Client{Timeout: 60 * time.Second}, Resolver: r}
}

func (c *VPClient) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// http returns c.HTTP (or the default client) made to follow no redirect
// to a URL that CheckURL refuses, and none at all when posting: a 307 or
// 308 from the response_uri would re-send the presentations elsewhere.
func (c *VPClient) http(post bool) *http.Client {
	return withRedirects(c.HTTP, func(req *http.Request) error {
		if post {
			return fmt.Errorf("the verifier redirected the response to %s: a presentation is posted only to the request's response_uri", redirectTarget(req))
		}
		return oid4vp.CheckURL(req.URL.String())
	})
}

// FetchRequest reads an openid4vp:// link, fetches its request object
// (request_uri, method get), checks it (oid4vp.ParseRequestObject) and its
// signature with the verifier's DID document, resolved by c.Resolver.
func (c *VPClient) FetchRequest(ctx context.Context, link string) (*oid4vp.Request, error) {
	clientID, reqURI, err := oid4vp.ParseRequestURI(link)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reqURI, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", oid4vp.MediaTypeRequestObject)
	resp, err := c.http(false).Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch the request object: %w", transportError(err))
	}
	defer resp.Body.Close()
	raw, err := readAnswer(resp.Body, jose.MaxTokenBytes)
	if err != nil {
		return nil, fmt.Errorf("fetch the request object: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch the request object: %w", answerError(resp.StatusCode, raw))
	}
	if err := oid4vp.CheckRequestObjectType(resp.Header.Get("Content-Type")); err != nil {
		return nil, fmt.Errorf("fetch the request object: %w", err)
	}
	r, err := oid4vp.ParseRequestObject(strings.TrimSpace(string(raw)), clientID, c.now())
	if err != nil {
		return nil, err
	}
	if c.Resolver == nil {
		return nil, errors.New("no DID resolver to check the verifier's signature")
	}
	res, err := c.Resolver.Resolve(ctx, r.VerifierDID, did.Options{})
	if err != nil {
		return nil, fmt.Errorf("resolve the verifier %s: %w", r.VerifierDID, err)
	}
	if res == nil || res.Document == nil || res.DocumentMetadata.Deactivated {
		return nil, fmt.Errorf("the verifier %s does not resolve to an active DID", r.VerifierDID)
	}
	if err := r.VerifyRequestObject(res.Document); err != nil {
		return nil, err
	}
	return r, nil
}

// Selection is the credential chosen to answer one credential query, and
// what of it the query asks for.
type Selection struct {
	QueryID string
	// Credential is the credential chosen, as the wallet holds it (Select
	// reads only its ID and Credential).
	Credential *Stored
	Format     string
	Match      *oid4vp.Match
	// Disclose are the SD-JWT pointers that will be revealed.
	Disclose []string
	// Standing is what is known against the credential (SelectOptions.
	// Standing: revoked, suspended, expired), "" when nothing is: it was
	// chosen because no other credential answers the query.
	Standing string

	sec credential.Secured
}

// Select chooses the credentials that answer the request, and no more
// (§6.4.1, §6.4.2): for each credential query, the first credential of
// creds that answers it (oid4vp.CredentialQuery.Match, on the credential
// as the verifier will read it); then, without credential_sets, every
// query, and with them, for each required set the first option whose
// queries all have a credential — the other options and the optional sets
// are not presented. It fails, saying why, when a required set (or query)
// cannot be answered.
func Select(req *oid4vp.Request, creds []Stored) ([]Selection, error) {
	return SelectWith(req, creds, SelectOptions{})
}

// SelectWithOptional is Select that also answers each optional credential
// set the wallet can (its first satisfiable option): for a user who agreed
// to share what the verifier would like but does not need.
func SelectWithOptional(req *oid4vp.Request, creds []Stored) ([]Selection, error) {
	return SelectWith(req, creds, SelectOptions{Optional: true})
}

// SelectOptions tune SelectWith.
type SelectOptions struct {
	// Optional answers the optional credential sets too
	// (SelectWithOptional).
	Optional bool
	// Standing, if not nil, says what is known against a credential that
	// answers a query ("" for nothing; see the Standing function): such a
	// credential is chosen only when no other one answers the query, and
	// its Selection says why it may not stand.
	Standing func(*Stored) string
}

// SelectWith is Select with options.
func SelectWith(req *oid4vp.Request, creds []Stored, o SelectOptions) ([]Selection, error) {
	q := req.DCQL
	found := map[string]*Selection{}
	reasons := map[string]string{}
	for _, cq := range q.Credentials {
		for i := range creds {
			sel, err := selectOne(&cq, &creds[i])
			if err != nil {
				if _, seen := reasons[cq.ID]; !seen {
					reasons[cq.ID] = err.Error()
				}
				continue
			}
			if o.Standing != nil {
				sel.Standing = o.Standing(&creds[i])
			}
			if prev := found[cq.ID]; prev == nil || (prev.Standing != "" && sel.Standing == "") {
				found[cq.ID] = sel
			}
			if sel.Standing == "" {
				break
			}
		}
	}
	chosen := map[string]bool{}
	if len(q.CredentialSets) == 0 {
		for id := range found {
			chosen[id] = true
		}
	}
	for _, set := range q.CredentialSets {
		if set.Required != nil && !*set.Required && !o.Optional {
			continue
		}
		for _, opt := range set.Options {
			if !slices.ContainsFunc(opt, func(id string) bool { return found[id] == nil }) {
				for _, id := range opt {
					chosen[id] = true
				}
				break
			}
		}
	}
	if err := q.Satisfied(chosen); err != nil {
		var why []string
		for _, cq := range q.Credentials {
			if found[cq.ID] == nil {
				r := reasons[cq.ID]
				if r == "" {
					r = "the wallet holds no credential"
				}
				why = append(why, fmt.Sprintf("%s (%s): %s", cq.ID, cq.Format, r))
			}
		}
		return nil, fmt.Errorf("the wallet cannot answer the request: %v; %s", err, strings.Join(why, "; "))
	}
	var out []Selection
	for _, cq := range q.Credentials {
		if chosen[cq.ID] {
			out = append(out, *found[cq.ID])
		}
	}
	return out, nil
}

func selectOne(cq *oid4vp.CredentialQuery, wc *Stored) (*Selection, error) {
	sec, err := credential.Classify(wc.Credential)
	if err != nil {
		return nil, err
	}
	c := &oid4vp.Credential{}
	var disclosable []string
	switch sec.Format {
	case credential.FormatSDJWT:
		sd, err := sdjwt.Parse(sec.Token)
		if err != nil {
			return nil, err
		}
		claims, ptrs, err := sd.Processed()
		if err != nil {
			return nil, err
		}
		c.Format, c.Claims, disclosable = oid4vp.FormatSDJWT, claims, ptrs
		c.VCT, _ = claims["vct"].(string)
	case credential.FormatJWT:
		j, err := jose.Parse(sec.Token)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(j.Payload, &c.Claims); err != nil {
			return nil, err
		}
		c.Format = oid4vp.FormatJWTVCJSON
	case credential.FormatDataIntegrity:
		if err := json.Unmarshal(sec.Doc, &c.Claims); err != nil {
			return nil, err
		}
		c.Format = oid4vp.FormatLDPVC
	default:
		return nil, fmt.Errorf("format %s is not presented over OpenID4VP", sec.Format)
	}
	if c.Format != oid4vp.FormatSDJWT {
		c.Types = oid4vp.W3CTypes(c.Claims)
	}
	m, err := cq.Match(c)
	if err != nil {
		return nil, err
	}
	sel := &Selection{QueryID: cq.ID, Credential: wc, Format: c.Format, Match: m, sec: sec}
	if c.Format == oid4vp.FormatSDJWT {
		// For each claim asked, the longest disclosable pointer on its
		// path: Present brings the enclosing disclosures along; a claim
		// with none is always visible.
		for _, p := range m.Pointers() {
			for q := p; q != ""; q = q[:strings.LastIndexByte(q, '/')] {
				if slices.Contains(disclosable, q) {
					if !slices.Contains(sel.Disclose, q) {
						sel.Disclose = append(sel.Disclose, q)
					}
					break
				}
			}
		}
	}
	return sel, nil
}

// PresentOutcome is what the verifier answered.
type PresentOutcome struct {
	// RedirectURI is where the verifier sends the user next, if anywhere.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Warning says why a redirect_uri the verifier answered with was not
	// kept (not an https URL): the presentation was accepted all the same.
	Warning string `json:"warning,omitempty"`
}

// Present builds one presentation per selection, bound to the request
// (Appendix B: an SD-JWT's key-binding JWT with nonce and aud = client_id,
// revealing only sel.Disclose; a vp+jwt with nonce and aud; a Data
// Integrity presentation with challenge and domain), and posts them to
// the response_uri (encrypted with direct_post.jwt). A verifier's OAuth
// error comes back as an *oid4vp.Error.
func (c *VPClient) Present(ctx context.Context, req *oid4vp.Request, sels []Selection, h Holder) (*PresentOutcome, error) {
	resp, err := BuildResponse(req, sels, h, c.now())
	if err != nil {
		return nil, err
	}
	return c.post(ctx, req, resp)
}

// Decline tells the verifier that the user refused (§8.5 access_denied).
func (c *VPClient) Decline(ctx context.Context, req *oid4vp.Request) error {
	_, err := c.post(ctx, req, &oid4vp.Response{Error: oid4vp.ErrAccessDenied, State: req.State})
	return err
}

// BuildResponse makes the authorization response of the selections: a
// vp_token keyed by credential query id (§8.1) or, for a presentation
// definition, the presentations and their presentation_submission.
func BuildResponse(req *oid4vp.Request, sels []Selection, h Holder, now time.Time) (*oid4vp.Response, error) {
	byID := map[string][]json.RawMessage{}
	var list []json.RawMessage
	sub := &oid4vp.PresentationSubmission{ID: "submission-" + fmt.Sprint(now.UnixNano())}
	for _, s := range sels {
		p, err := buildPresentation(req, &s, h, now)
		if err != nil {
			return nil, fmt.Errorf("credential %s: %w", s.Credential.ID, err)
		}
		byID[s.QueryID] = append(byID[s.QueryID], p)
		sub.DescriptorMap = append(sub.DescriptorMap, oid4vp.DescriptorMap{ID: s.QueryID, Format: s.Format, Path: fmt.Sprintf("$[%d]", len(list))})
		list = append(list, p)
	}
	r := &oid4vp.Response{State: req.State}
	var err error
	if req.PresentationDef != nil {
		sub.DefinitionID = req.PresentationDef.ID
		if len(list) == 1 {
			sub.DescriptorMap[0].Path = "$"
			r.VPToken = list[0]
		} else if r.VPToken, err = json.Marshal(list); err != nil {
			return nil, err
		}
		r.PresentationSubmission = sub
		return r, nil
	}
	if r.VPToken, err = json.Marshal(byID); err != nil {
		return nil, err
	}
	return r, nil
}

func buildPresentation(req *oid4vp.Request, s *Selection, h Holder, now time.Time) (json.RawMessage, error) {
	signer := h.signer()
	switch s.Format {
	case oid4vp.FormatSDJWT:
		p, err := sdjwt.Present(s.sec.Token, s.Disclose, &sdjwt.KeyBinding{Key: h.Key, Audience: req.ClientID, Nonce: req.Nonce, IssuedAt: now})
		if err != nil {
			return nil, err
		}
		return json.Marshal(p)
	case oid4vp.FormatJWTVCJSON:
		tok, err := credential.SignPresentationJWT(signer, presentationOf(h.DID, []any{envelope(s.sec.Token)}), req.Nonce, req.ClientID, now)
		if err != nil {
			return nil, err
		}
		return json.Marshal(tok)
	case oid4vp.FormatLDPVC:
		var doc any
		if err := json.Unmarshal(s.sec.Doc, &doc); err != nil {
			return nil, err
		}
		suite := "eddsa-rdfc-2022"
		if h.Key.Type() == keys.P256 {
			suite = "ecdsa-rdfc-2019"
		}
		return credential.SignPresentationDataIntegrity(signer, presentationOf(h.DID, []any{doc}), suite, req.Nonce, req.ClientID, now)
	}
	return nil, fmt.Errorf("format %s cannot be presented", s.Format)
}

// post sends a response to the request's response_uri.
func (c *VPClient) post(ctx context.Context, req *oid4vp.Request, r *oid4vp.Response) (*PresentOutcome, error) {
	if err := oid4vp.CheckURL(req.ResponseURI); err != nil {
		return nil, fmt.Errorf("response_uri: %w", err)
	}
	form := r.Form()
	if req.ResponseMode == oid4vp.ResponseModeDirectPostJWT && r.Error == "" {
		enc, err := oid4vp.EncryptResponse(req.ClientMetadata, r)
		if err != nil {
			return nil, err
		}
		form = url.Values{"response": {enc}}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.ResponseURI, bytes.NewReader([]byte(form.Encode())))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hr.Header.Set("Accept", "application/json")
	resp, err := c.http(true).Do(hr)
	if err != nil {
		return nil, fmt.Errorf("post the response: %w", transportError(err))
	}
	defer resp.Body.Close()
	raw, err := readAnswer(resp.Body, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("post the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var oe oid4vp.Error
		if json.Unmarshal(raw, &oe) == nil && oe.Code != "" {
			return nil, oauthError(&oe)
		}
		return nil, fmt.Errorf("post the response: %w", answerError(resp.StatusCode, raw))
	}
	var out PresentOutcome
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("post the response: the answer is not JSON: %w", err)
		}
	}
	if out.RedirectURI != "" {
		if err := oid4vp.CheckURL(out.RedirectURI); err != nil {
			out.Warning = TerminalText(fmt.Sprintf("the verifier's redirect_uri was not followed: %v", err), MaxShown)
			out.RedirectURI = ""
		}
	}
	return &out, nil
}
