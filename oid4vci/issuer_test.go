package oid4vci

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// memStore is a Store in memory.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memStore) Get(key string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return ErrNotFound
	}
	return json.Unmarshal(b, v)
}

func (s *memStore) Put(key string, v any, _ bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = b
	return nil
}

func (s *memStore) Create(key string, v any) error {
	s.mu.Lock()
	_, ok := s.m[key]
	s.mu.Unlock()
	if ok {
		return ErrExists
	}
	return s.Put(key, v, true)
}

func (s *memStore) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) Each(prefix string, fn func(raw []byte) error) error {
	s.mu.Lock()
	var vals [][]byte
	for k, v := range s.m {
		if strings.HasPrefix(k, prefix) {
			vals = append(vals, v)
		}
	}
	s.mu.Unlock()
	for _, v := range vals {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// fakeBackend has one instance and issues "vc of <subject>" strings.
type fakeBackend struct {
	in       Instance
	checkErr error
	issueErr error
	mu       sync.Mutex
	issued   []map[string]any
}

func (b *fakeBackend) Instance(account, name string) (*Instance, error) {
	if account != b.in.Account || name != b.in.Name {
		return nil, errs.New(http.StatusNotFound, "issuer.notFound", "no issuer instance %q for this account", name)
	}
	in := b.in
	return &in, nil
}

func (b *fakeBackend) Describe(*Instance) (string, []string) {
	return "Example University", []string{"EdDSA"}
}

func (b *fakeBackend) Check(context.Context, *Instance, json.RawMessage) error { return b.checkErr }

func (b *fakeBackend) Issue(_ context.Context, _ *Instance, cred json.RawMessage, _ string) (json.RawMessage, error) {
	if b.issueErr != nil {
		return nil, b.issueErr
	}
	var doc map[string]any
	if err := json.Unmarshal(cred, &doc); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.issued = append(b.issued, doc)
	b.mu.Unlock()
	return json.Marshal("vc of " + doc["credentialSubject"].(map[string]any)["id"].(string))
}

func (b *fakeBackend) Resolve(ctx context.Context, d string) (*did.Document, error) {
	u, err := did.ParseDIDURL(d)
	if err != nil {
		return nil, err
	}
	res, err := did.KeyMethod{}.Resolve(ctx, u, did.Options{})
	if err != nil {
		return nil, err
	}
	return res.Document, nil
}

const base = "https://weid.example"

var (
	uni    = Account{Name: "example-university"}
	issURL = IssuerURL{Base: base, Account: "example-university", Instance: "diploma"}
)

func newTestIssuer(t *testing.T) (*Issuer, *memStore, *fakeBackend) {
	t.Helper()
	st := &memStore{m: map[string][]byte{}}
	b := &fakeBackend{in: Instance{Account: "example-university", Name: "diploma", Issuer: "did:weid:1:0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c", Format: FormatJWTVCJSON, Types: []string{"UniversityDegreeCredential"}}}
	return NewIssuer(st, b), st, b
}

func offer(t *testing.T, iss *Issuer, req string) *api.OfferResponse {
	t.Helper()
	var r api.OfferRequest
	if err := json.Unmarshal([]byte(req), &r); err != nil {
		t.Fatal(err)
	}
	o, err := iss.CreateOffer(context.Background(), base, uni, &r)
	if err != nil {
		t.Fatalf("offer %s: %v", req, err)
	}
	return o
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var oe *Error
	if errors.As(err, &oe) {
		if oe.Code != code {
			t.Errorf("%s: %v, want %s", what, err, code)
		}
		return
	}
	if errs.Code(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// code is the pre-authorized code of an offer made by CreateOffer.
func code(t *testing.T, o *api.OfferResponse) string {
	t.Helper()
	co, _, err := ParseOfferURI(o.OfferURI)
	if err != nil {
		t.Fatal(err)
	}
	return co.Grants.PreAuthorizedCode.PreAuthorizedCode
}

func proof(t *testing.T, k *keys.PrivateKey, kid, nonce string) string {
	t.Helper()
	p, err := SignProof(k, kid, issURL.String(), nonce, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// authorize is the access iss grants the access token tok at issURL;
// it fails the test if iss grants none.
func authorize(t *testing.T, iss *Issuer, tok string) *Access {
	t.Helper()
	a, err := iss.Authorize(issURL, tok)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func nonce(t *testing.T, iss *Issuer) string {
	t.Helper()
	n, err := iss.Nonce(issURL)
	if err != nil {
		t.Fatal(err)
	}
	return n.CNonce
}

func pin(s string) *string { return &s }

func TestIssuer_PreAuthorizedFlowIssuesOnceBoundToEachProofKey(t *testing.T) {
	iss, st, b := newTestIssuer(t)
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"Bachelor"},"txCode":{"length":6}}`)
	if o.CredentialIssuer != issURL.String() || o.CredentialOfferURI != issURL.String()+"/offers/"+o.ID || len(o.TxCode) != 6 || o.QRPNG != "" {
		t.Fatalf("offer: %+v", o)
	}
	if co, err := iss.Offer(issURL, o.ID); err != nil || co.CredentialConfigurationIDs[0] != "diploma" || co.Grants.PreAuthorizedCode.TxCode.Length != 6 {
		t.Fatalf("offer by reference: %+v %v", co, err)
	}
	c := code(t, o)
	_, err := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: c})
	wantCode(t, "no PIN", err, ErrInvalidRequest)
	tok, err := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: c, TxCode: &o.TxCode})
	if err != nil || tok.TokenType != "Bearer" || tok.ExpiresIn != 300 {
		t.Fatalf("token: %+v %v", tok, err)
	}
	_, err = iss.Token(issURL, &TokenRequest{PreAuthorizedCode: c, TxCode: &o.TxCode})
	wantCode(t, "code used twice", err, ErrInvalidGrant)
	_, err = iss.Offer(issURL, o.ID)
	wantCode(t, "redeemed offer by reference", err, "offer.notFound")

	a := authorize(t, iss, tok.AccessToken)
	k1, _ := keys.Generate(keys.Ed25519)
	k2, _ := keys.Generate(keys.P256)
	n := nonce(t, iss)
	kid := did.KeyDID(k2.Public()) + "#" + k2.Public().Multibase()
	resp, err := iss.Issue(context.Background(), a, &CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: []string{proof(t, k1, "", n), proof(t, k2, kid, n)}}})
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := jose.PublicJWK(k1.Public())
	jwkDID, _ := did.JWKDID(jwk)
	want := []string{`"vc of ` + jwkDID + `"`, `"vc of ` + did.KeyDID(k2.Public()) + `"`}
	if len(resp.Credentials) != 2 || string(resp.Credentials[0].Credential) != want[0] || string(resp.Credentials[1].Credential) != want[1] {
		t.Fatalf("credentials: %s, want %s", resp.Credentials, want)
	}
	doc := b.issued[0]
	if doc["issuer"] != b.in.Issuer || !slices.Contains(doc["type"].([]any), any("UniversityDegreeCredential")) || doc["credentialSubject"].(map[string]any)["degree"] != "Bachelor" {
		t.Errorf("issued %v", doc)
	}
	if s, err := iss.OfferStatus(base, uni, o.ID); err != nil || s.State != StateIssued || s.Issued != 2 || !s.TxCodeRequired {
		t.Errorf("status: %+v %v", s, err)
	}
	// Issued, the offer keeps no claims, and nothing finds it by code or
	// access token any more.
	var rec OfferRecord
	if err := st.Get(OfferKey(o.ID), &rec); err != nil || rec.Cred != nil || rec.Code != "" {
		t.Errorf("the issued offer's record keeps %s (code %q, %v)", rec.Cred, rec.Code, err)
	}
	for _, k := range []string{CodeKey(c), TokenKey(rec.TokenHash)} {
		if err := st.Get(k, &OfferIndex{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s is still recorded (%v)", k, err)
		}
	}
	_, err = iss.Authorize(issURL, tok.AccessToken)
	wantCode(t, "access token used twice", err, ErrInvalidToken)
}

func TestIssuer_WrongPINsBurnTheOffer(t *testing.T) {
	iss, _, _ := newTestIssuer(t)
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"B"},"txCode":{"value":"4321"}}`)
	if o.TxCode != "" {
		t.Errorf("a chosen PIN is echoed back")
	}
	c := code(t, o)
	for range MaxTxCodeAttempts {
		_, err := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: c, TxCode: pin("0000")})
		wantCode(t, "wrong PIN", err, ErrInvalidGrant)
	}
	_, err := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: c, TxCode: pin("4321")})
	wantCode(t, "right PIN after too many wrong ones", err, ErrInvalidGrant)
	if s, _ := iss.OfferStatus(base, uni, o.ID); s.State != StateBurned {
		t.Errorf("state %s, want burned", s.State)
	}
	o2 := offer(t, iss, `{"instance":"diploma","claims":{"degree":"B"}}`)
	_, err = iss.Token(issURL, &TokenRequest{PreAuthorizedCode: code(t, o2), TxCode: pin("")})
	wantCode(t, "a PIN for an offer without one", err, ErrInvalidRequest)
	_, err = iss.Token(IssuerURL{Base: base, Account: "example-university", Instance: "other"}, &TokenRequest{PreAuthorizedCode: code(t, o2)})
	wantCode(t, "another instance's token endpoint", err, ErrInvalidGrant)
}

// A failed issuance returns the offer to redeemed: the wallet may try
// again with the same access token and a fresh nonce.
func TestIssuer_FailedIssuanceCanBeRetried(t *testing.T) {
	iss, _, b := newTestIssuer(t)
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"B"}}`)
	tok, err := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: code(t, o)})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := keys.Generate(keys.Ed25519)
	req := func() *CredentialRequest {
		return &CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: []string{proof(t, k, "", nonce(t, iss))}}}
	}
	b.issueErr = errs.New(http.StatusUnprocessableEntity, "schema.violation", "degree must be a string")
	a := authorize(t, iss, tok.AccessToken)
	_, err = iss.Issue(context.Background(), a, req())
	wantCode(t, "issuance fails", err, ErrCredentialRequestDenied)
	if err == nil || !strings.Contains(err.Error(), "schema.violation") || strings.Contains(err.Error(), "degree") {
		t.Errorf("the error names the code only: %v", err)
	}
	b.issueErr = nil
	a = authorize(t, iss, tok.AccessToken)
	if _, err := iss.Issue(context.Background(), a, req()); err != nil {
		t.Fatalf("retry: %v", err)
	}
}

func TestIssuer_CredentialRequestsAreChecked(t *testing.T) {
	iss, _, _ := newTestIssuer(t)
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"B"}}`)
	tok, _ := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: code(t, o)})
	a := authorize(t, iss, tok.AccessToken)
	k, _ := keys.Generate(keys.Ed25519)
	other, _ := keys.Generate(keys.Ed25519)
	n := nonce(t, iss)
	good := proof(t, k, "", n)
	many := make([]string, BatchSize+1)
	for i := range many {
		many[i] = good
	}
	otherIssuer, _ := SignProof(k, "", base+"/issuers/example-university/other", n, time.Now())
	forged := proof(t, k, did.KeyDID(other.Public())+"#"+other.Public().Multibase(), n)
	for _, c := range []struct {
		what string
		req  CredentialRequest
		code string
	}{
		{"credential identifier", CredentialRequest{CredentialIdentifier: "x", CredentialConfigurationID: "diploma"}, ErrUnknownCredentialIdentifier},
		{"no configuration", CredentialRequest{Proofs: &Proofs{JWT: []string{good}}}, ErrInvalidCredentialRequest},
		{"another configuration", CredentialRequest{CredentialConfigurationID: "other", Proofs: &Proofs{JWT: []string{good}}}, ErrUnknownCredentialConfiguration},
		{"encryption", CredentialRequest{CredentialConfigurationID: "diploma", CredentialResponseEncrypt: json.RawMessage(`{}`), Proofs: &Proofs{JWT: []string{good}}}, ErrInvalidEncryptionParameters},
		{"proof (pre-1.0)", CredentialRequest{CredentialConfigurationID: "diploma", Proof: json.RawMessage(`{}`)}, ErrInvalidCredentialRequest},
		{"no proofs", CredentialRequest{CredentialConfigurationID: "diploma"}, ErrInvalidProof},
		{"too many proofs", CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: many}}, ErrInvalidCredentialRequest},
		{"another audience", CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: []string{otherIssuer}}}, ErrInvalidProof},
		{"kid of another key", CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: []string{forged}}}, ErrInvalidProof},
		{"forged nonce", CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: []string{proof(t, k, "", "AAAA")}}}, ErrInvalidNonce},
	} {
		_, err := iss.Issue(context.Background(), a, &c.req)
		wantCode(t, c.what, err, c.code)
	}
	if _, err := iss.Issue(context.Background(), a, &CredentialRequest{CredentialConfigurationID: "diploma", Proofs: &Proofs{JWT: []string{good}}}); err != nil {
		t.Fatalf("a good request after the bad ones: %v", err)
	}
}

func TestIssuer_NoncesAreSingleUseAndPerIssuer(t *testing.T) {
	iss, _, _ := newTestIssuer(t)
	n := nonce(t, iss)
	if iss.consumeNonce(base+"/issuers/example-university/other", n) {
		t.Error("another issuer's nonce accepted")
	}
	if !iss.consumeNonce(issURL.String(), n) {
		t.Fatal("a fresh nonce refused")
	}
	if iss.consumeNonce(issURL.String(), n) {
		t.Error("a nonce accepted twice")
	}
	if NewIssuer(&memStore{m: map[string][]byte{}}, &fakeBackend{}).consumeNonce(issURL.String(), nonce(t, iss)) {
		t.Error("another issuer's key (a restart) accepted a nonce")
	}
	_, err := iss.Nonce(IssuerURL{Base: base, Account: "someone-else", Instance: "diploma"})
	wantCode(t, "unknown issuer", err, "oid4vci.unknownIssuer")
}

func TestCreateOffer_RefusesWhatCannotBeIssued(t *testing.T) {
	iss, _, b := newTestIssuer(t)
	for _, c := range []struct{ what, req, code string }{
		{"unknown instance", `{"instance":"nope","claims":{}}`, "issuer.notFound"},
		{"credential and claims", `{"instance":"diploma","claims":{},"credential":{}}`, "offer.invalid"},
		{"neither", `{"instance":"diploma"}`, "offer.invalid"},
		{"claims not an object", `{"instance":"diploma","claims":[1]}`, "offer.invalid"},
		{"no credentialSubject", `{"instance":"diploma","credential":{"type":["VerifiableCredential"]}}`, "offer.invalid"},
		{"subject id", `{"instance":"diploma","claims":{"id":"did:example:x"}}`, "offer.invalid"},
		{"another issuer", `{"instance":"diploma","credential":{"issuer":"did:example:x","credentialSubject":{}}}`, "offer.invalid"},
		{"expiry too short", `{"instance":"diploma","claims":{},"expiresIn":5}`, "offer.invalid"},
		{"expiry too long", `{"instance":"diploma","claims":{},"expiresIn":2592001}`, "offer.invalid"},
		{"PIN not digits", `{"instance":"diploma","claims":{},"txCode":{"value":"12a4"}}`, "offer.invalid"},
		{"PIN too short", `{"instance":"diploma","claims":{},"txCode":{"length":3}}`, "offer.invalid"},
		{"PIN length mismatch", `{"instance":"diploma","claims":{},"txCode":{"value":"1234","length":6}}`, "offer.invalid"},
		{"PIN input mode", `{"instance":"diploma","claims":{},"txCode":{"inputMode":"emoji"}}`, "offer.invalid"},
	} {
		var r api.OfferRequest
		_ = json.Unmarshal([]byte(c.req), &r)
		_, err := iss.CreateOffer(context.Background(), base, uni, &r)
		wantCode(t, c.what, err, c.code)
	}
	b.checkErr = errors.New("undefined term holderName")
	var r api.OfferRequest
	_ = json.Unmarshal([]byte(`{"instance":"diploma","claims":{}}`), &r)
	_, err := iss.CreateOffer(context.Background(), base, uni, &r)
	wantCode(t, "the dry run fails", err, "offer.invalid")
	b.checkErr = errs.New(http.StatusUnprocessableEntity, "schema.violation", "x")
	_, err = iss.CreateOffer(context.Background(), base, uni, &r)
	wantCode(t, "the dry run's own code", err, "schema.violation")
}

func TestIssuer_OffersAreTheirAccountsOwn(t *testing.T) {
	iss, _, _ := newTestIssuer(t)
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"B"},"txCode":{"inputMode":"text","length":8}}`)
	if len(o.TxCode) != 8 || strings.Trim(o.TxCode, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789") != "" {
		t.Errorf("text PIN %q", o.TxCode)
	}
	_, err := iss.OfferStatus(base, Account{Name: "another"}, o.ID)
	wantCode(t, "another account's offer", err, "offer.notFound")
	link, err := iss.OfferLink(base, Account{Name: "admin", Admin: true}, o.ID)
	if err != nil || link != o.OfferURIByReference {
		t.Errorf("the admin's view: %q %v", link, err)
	}
}

// The sweeper drops the claims and code of an offer that expired before
// the wallet collected it, and forgets it a day later.
func TestIssuer_SweepForgetsLapsedOffers(t *testing.T) {
	iss, st, _ := newTestIssuer(t)
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"B"}}`)
	c := code(t, o)
	record := func() (OfferRecord, error) {
		var rec OfferRecord
		err := st.Get(OfferKey(o.ID), &rec)
		return rec, err
	}
	if err := iss.Sweep(time.Now()); err != nil {
		t.Fatal(err)
	}
	if rec, err := record(); err != nil || rec.Cred == nil || rec.Code == "" {
		t.Fatalf("an open offer lost its claims or code (%v)", err)
	}
	if err := iss.Sweep(o.Expires.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rec, err := record(); err != nil || rec.Cred != nil || rec.Code != "" {
		t.Fatalf("a lapsed offer keeps its claims or code (%v)", err)
	}
	if err := st.Get(CodeKey(c), &OfferIndex{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a lapsed offer's code is still recorded (%v)", err)
	}
	if s, _ := iss.OfferStatus(base, uni, o.ID); s.State != StateOffered {
		t.Errorf("a lapsed offer's state: %s", s.State)
	}
	if err := iss.Sweep(o.Expires.Add(OfferRetention + time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := record(); !errors.Is(err, ErrNotFound) {
		t.Errorf("an offer a day past its expiry is kept: %v", err)
	}
}

func TestIssuer_Metadata(t *testing.T) {
	iss, _, b := newTestIssuer(t)
	m, err := iss.Metadata(issURL)
	if err != nil {
		t.Fatal(err)
	}
	conf := m.CredentialConfigurationsSupported["diploma"]
	if m.CredentialIssuer != issURL.String() || m.NonceEndpoint != issURL.String()+"/nonce" || m.Display[0].Name != "Example University" ||
		conf.Format != FormatJWTVCJSON || !slices.Equal(conf.CredentialDefinition.Type, []string{"VerifiableCredential", "UniversityDegreeCredential"}) ||
		conf.CredentialMetadata.Display[0].Name != "UniversityDegreeCredential" || m.BatchCredentialIssuance.BatchSize != BatchSize {
		t.Errorf("metadata: %+v", m)
	}
	b.in.Format, b.in.Types = FormatSDJWT, nil
	if m, _ := iss.Metadata(issURL); m.CredentialConfigurationsSupported["diploma"].Vct != "diploma" {
		t.Errorf("an SD-JWT VC instance without types is named after itself: %+v", m)
	}
	as, err := iss.AuthorizationServer(issURL)
	if err != nil || as.TokenEndpoint != issURL.String()+"/token" || as.GrantTypesSupported[0] != GrantPreAuthorizedCode {
		t.Errorf("AS metadata: %+v %v", as, err)
	}
	_, err = iss.Metadata(IssuerURL{Base: base, Account: "example-university", Instance: "nope"})
	wantCode(t, "unknown issuer", err, "oid4vci.unknownIssuer")
}

// TestIssuer_UnknownIssuerIsNotFoundBeforeAnyToken: Known and Authorize
// answer 404 oid4vci.unknownIssuer for a URL where no credential issuer is,
// even with a valid access token of another; a known one is nil.
func TestIssuer_UnknownIssuerIsNotFoundBeforeAnyToken(t *testing.T) {
	iss, _, _ := newTestIssuer(t)
	if err := iss.Known(issURL); err != nil {
		t.Fatalf("Known(%s): %v", issURL, err)
	}
	o := offer(t, iss, `{"instance":"diploma","claims":{"degree":"Bachelor"}}`)
	tok, err := iss.Token(issURL, &TokenRequest{PreAuthorizedCode: code(t, o)})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []IssuerURL{{Base: base, Account: "nobody", Instance: "diploma"}, {Base: base, Account: issURL.Account, Instance: "nope"}} {
		wantCode(t, "Known "+u.String(), iss.Known(u), "oid4vci.unknownIssuer")
		for _, token := range []string{"", "not-a-token", tok.AccessToken} {
			_, err := iss.Authorize(u, token)
			wantCode(t, "Authorize "+u.String(), err, "oid4vci.unknownIssuer")
		}
	}
	if _, err := iss.Authorize(issURL, tok.AccessToken); err != nil {
		t.Errorf("Authorize at its issuer: %v", err)
	}
}
