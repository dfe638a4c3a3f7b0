package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/sdjwt"
	"github.com/weidgo/weid/wallet"
)

// newHolder is a wallet's identity whose key never leaves the test: a
// did:key of a new Ed25519 key.
func newHolder(t *testing.T) wallet.Holder {
	t.Helper()
	s := credtest.Issuer(t, keys.Ed25519)
	return wallet.Holder{DID: s.DID, KID: s.VerificationMethod, Key: s.Key}
}

// vciSetup starts a node with a recognized university, its diploma schema
// and one issuer instance per OID4VCI format.
func vciSetup(t *testing.T) (*testNode, node.NewAccount) {
	t.Helper()
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university","keyType":"Ed25519"}`)
	if r := tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+uni.DID+`","name":"Example University","types":["UniversityDegreeCredential"]}`)); r.status != 201 {
		t.Fatalf("recognize: %d %s", r.status, r.body)
	}
	schema := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["degree","holderName"],` +
		`"properties":{"id":{"type":"string"},"holderName":{"type":"string"},"degree":{"type":"string"},"gpa":{"type":"number","maximum":4}}}`
	sch := decodeAs[api.SchemaResponse](t, tn.do(t, "POST", "/v1/schemas", uni.Token, []byte(`{"signer":"`+uni.DID+`","name":"diploma","schema":`+schema+`}`)), 201, "schema")
	for name, extra := range map[string]string{
		"diploma":     `"format":"dc+sd-jwt","status":["revocation"],"disclosable":["/credentialSubject/holderName","/credentialSubject/degree","/credentialSubject/gpa"]`,
		"diploma-jwt": `"format":"vc+jwt","status":["revocation"]`,
		"diploma-ldp": `"format":"eddsa-rdfc-2022"`,
	} {
		body := fmt.Sprintf(`{"name":"%s","issuer":"%s","schema":%d,"types":["UniversityDegreeCredential"],%s}`, name, uni.DID, sch.ID, extra)
		if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(body)); r.status != 201 {
			t.Fatalf("instance %s: %d %s", name, r.status, r.body)
		}
	}
	return tn, uni
}

const vciClaims = `{"holderName":"Alice Chen","degree":"Bachelor of Engineering","gpa":3.7}`

func createOffer(t *testing.T, tn *testNode, token, body string) api.OfferResponse {
	t.Helper()
	return decodeAs[api.OfferResponse](t, tn.do(t, "POST", "/v1/offers", token, []byte(body)), 201, "create offer")
}

// wantOAuth checks an OAuth error: its code, and 400 (401 for
// invalid_token).
func wantOAuth(t *testing.T, what string, err error, code string) {
	t.Helper()
	var oe *oid4vci.Error
	if !errors.As(err, &oe) || oe.Code != code {
		t.Errorf("%s: %v, want OAuth error %s", what, err, code)
		return
	}
	if strings.Contains(oe.Description, "Alice") || strings.Contains(oe.Description, "Bachelor") {
		t.Errorf("%s: the error shows the claims: %s", what, oe.Description)
	}
}

func TestOID4VCI_ReceiveEachFormatBoundToTheWalletKey(t *testing.T) {
	tn, uni := vciSetup(t)
	ctx := context.Background()
	wc := wallet.NewVCIClient()
	h := newHolder(t)
	hk, holder := h.Key, h.DID

	// Metadata, at the inserted well-known path and the appended one.
	issuer := tn.url + "/issuers/example-university/diploma"
	meta, err := wc.IssuerMetadata(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := meta.CredentialConfigurationsSupported["diploma"]
	if conf.Format != "dc+sd-jwt" || conf.Vct != "UniversityDegreeCredential" || meta.NonceEndpoint != issuer+"/nonce" || meta.Display[0].Name != "Example University" {
		t.Errorf("metadata: %+v", meta)
	}
	if r := tn.do(t, "GET", "/issuers/example-university/diploma/.well-known/openid-credential-issuer", "", nil); r.status != 200 {
		t.Errorf("appended metadata path: %d", r.status)
	}
	if as, err := wc.AuthorizationServerMetadata(ctx, issuer); err != nil || as.TokenEndpoint != issuer+"/token" || as.GrantTypesSupported[0] != oid4vci.GrantPreAuthorizedCode {
		t.Errorf("AS metadata: %+v %v", as, err)
	}
	wantProblem(t, "unknown issuer", tn.do(t, "GET", "/.well-known/openid-credential-issuer/issuers/example-university/nope", "", nil), 404, "oid4vci.unknownIssuer")
	wantProblem(t, "another account's instance", tn.do(t, "GET", "/.well-known/openid-credential-issuer/issuers/someone-else/diploma", "", nil), 404, "oid4vci.unknownIssuer")

	for _, tc := range []struct {
		instance, format string
		count            int
		byValue          bool
	}{
		{"diploma", oid4vci.FormatSDJWT, 2, false},
		{"diploma-jwt", oid4vci.FormatJWTVCJSON, 1, true},
		{"diploma-ldp", oid4vci.FormatLDPVC, 1, false},
	} {
		// Data Integrity needs the claims' terms defined by a context:
		// a whole credential with the examples context, for that one.
		what := `"claims":` + vciClaims
		if tc.format == oid4vci.FormatLDPVC {
			what = `"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential"],"credentialSubject":` + vciClaims + `}`
		}
		o := createOffer(t, tn, uni.Token, `{"instance":"`+tc.instance+`",`+what+`,"txCode":{"length":6,"description":"the PIN in your e-mail"}}`)
		if len(o.TxCode) != 6 || !strings.HasPrefix(o.OfferURI, "openid-credential-offer://?credential_offer=") ||
			o.OfferURIByReference != oid4vci.OfferRefURI(o.CredentialOfferURI) || o.Expires.Before(time.Now().Add(23*time.Hour)) {
			t.Fatalf("offer: %+v", o)
		}
		if strings.Contains(o.OfferURI, "Alice") {
			t.Errorf("the offer link carries the claims")
		}
		pngBytes, _ := base64.StdEncoding.DecodeString(o.QRPNG)
		if img, err := png.Decode(bytes.NewReader(pngBytes)); err != nil || img.Bounds().Dx() < 21*8 {
			t.Errorf("qrPng: %v", err)
		}
		link := o.OfferURIByReference
		if tc.byValue {
			link = o.OfferURI
		}
		if _, err := wc.ReceiveOffer(ctx, link, h, wallet.ReceiveOptions{}); !errors.Is(err, wallet.ErrTxCodeRequired) {
			t.Errorf("%s without the PIN: %v", tc.instance, err)
		}
		got, err := wc.ReceiveOffer(ctx, link, h, wallet.ReceiveOptions{TxCode: o.TxCode, Count: tc.count})
		if err != nil {
			t.Fatalf("%s: receive: %v", tc.instance, err)
		}
		if got.Format != tc.format || len(got.Credentials) != tc.count {
			t.Fatalf("%s: got %s ×%d", tc.instance, got.Format, len(got.Credentials))
		}
		for _, c := range got.Credentials {
			r := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(c)+`,"options":{"requireAccreditation":true}}`))
			var res credential.Result
			if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 || !res.Verified {
				t.Errorf("%s: verify: %d %s", tc.instance, r.status, r.body)
			}
			if sub := credentialSubjectID(t, tc.format, c, hk.Public()); sub != holder {
				t.Errorf("%s: subject %q, want the wallet's DID %s", tc.instance, sub, holder)
			}
		}
		// Single use: the code is spent, the offer is no longer served.
		code := got.Offer.Grants.PreAuthorizedCode.PreAuthorizedCode
		_, err = wc.Token(ctx, issuer[:strings.LastIndex(issuer, "/")]+"/"+tc.instance+"/token", code, o.TxCode)
		wantOAuth(t, tc.instance+": code used twice", err, oid4vci.ErrInvalidGrant)
		if _, err := wc.ResolveOffer(ctx, o.OfferURIByReference); err == nil {
			t.Errorf("%s: a redeemed offer is still served by reference", tc.instance)
		}
		r := tn.do(t, "GET", "/v1/offers/"+o.ID, uni.Token, nil)
		var st api.OfferStatus
		if err := json.Unmarshal(r.body, &st); err != nil || st.State != "issued" || st.Issued != tc.count || !st.TxCodeRequired {
			t.Errorf("%s: offer status %d %s", tc.instance, r.status, r.body)
		}
		// Issued, the offer keeps no claims, and nothing finds it by
		// code or access token any more.
		var rec oid4vci.OfferRecord
		if err := tn.n.Keystore.GetRecord(oid4vci.OfferKey(o.ID), &rec); err != nil || rec.Cred != nil || rec.Code != "" {
			t.Errorf("%s: the issued offer's record keeps %s (code %q, %v)", tc.instance, rec.Cred, rec.Code, err)
		}
		var idx oid4vci.OfferIndex
		for _, k := range []string{oid4vci.CodeKey(code), oid4vci.TokenKey(rec.TokenHash)} {
			if err := tn.n.Keystore.GetRecord(k, &idx); !errors.Is(err, keystore.ErrNotFound) {
				t.Errorf("%s: %s is still recorded (%v)", tc.instance, k, err)
			}
		}
	}
}

// credentialSubjectID returns the DID a received credential is bound to,
// checking for an SD-JWT that its cnf is the wallet's key.
func credentialSubjectID(t *testing.T, format string, c json.RawMessage, pk keys.PublicKey) string {
	t.Helper()
	var doc map[string]any
	switch format {
	case oid4vci.FormatLDPVC:
		_ = json.Unmarshal(c, &doc)
	default:
		var tok string
		_ = json.Unmarshal(c, &tok)
		jwt, _, _ := strings.Cut(tok, "~")
		j, err := jose.Parse(jwt)
		if err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(j.Payload, &doc)
		if format == oid4vci.FormatSDJWT {
			if _, err := sdjwt.Parse(tok, sdjwt.TypVC); err != nil {
				t.Fatal(err)
			}
			cnf, _ := doc["cnf"].(map[string]any)
			raw, _ := json.Marshal(cnf["jwk"])
			k, err := jose.ParsePublicJWK(raw)
			if err != nil || !k.Equal(pk) {
				t.Errorf("cnf %s is not the wallet's key", raw)
			}
			sub, _ := doc["sub"].(string)
			return sub
		}
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	id, _ := subj["id"].(string)
	return id
}

func TestOID4VCI_BadInputGetsTheProtocolsErrors(t *testing.T) {
	tn, uni := vciSetup(t)
	ctx := context.Background()
	wc := wallet.NewVCIClient()
	h := newHolder(t)
	hk, kid := h.Key, h.KID
	issuer := tn.url + "/issuers/example-university/diploma-jwt"

	// The institution's API.
	wantProblem(t, "no token", tn.do(t, "POST", "/v1/offers", "", []byte(`{}`)), 401, "auth.required")
	wantProblem(t, "unknown instance", tn.do(t, "POST", "/v1/offers", uni.Token, []byte(`{"instance":"nope","claims":{}}`)), 404, "issuer.notFound")
	wantProblem(t, "subject id given", tn.do(t, "POST", "/v1/offers", uni.Token, []byte(`{"instance":"diploma-jwt","claims":{"id":"did:example:x","holderName":"A","degree":"B"}}`)), 400, "offer.invalid")
	wantProblem(t, "schema violation", tn.do(t, "POST", "/v1/offers", uni.Token, []byte(`{"instance":"diploma-jwt","claims":{"holderName":"A","degree":"B","gpa":9.9}}`)), 422, "schema.violation")
	wantProblem(t, "bad pin", tn.do(t, "POST", "/v1/offers", uni.Token, []byte(`{"instance":"diploma-jwt","claims":`+vciClaims+`,"txCode":{"value":"12a4"}}`)), 400, "offer.invalid")
	wantProblem(t, "bad expiry", tn.do(t, "POST", "/v1/offers", uni.Token, []byte(`{"instance":"diploma-jwt","claims":`+vciClaims+`,"expiresIn":5}`)), 400, "offer.invalid")

	offer := func(pin string) (api.OfferResponse, *oid4vci.CredentialOffer) {
		t.Helper()
		body := `{"instance":"diploma-jwt","claims":` + vciClaims + `}`
		if pin != "" {
			body = `{"instance":"diploma-jwt","claims":` + vciClaims + `,"txCode":{"value":"` + pin + `"}}`
		}
		o := createOffer(t, tn, uni.Token, body)
		co, err := wc.ResolveOffer(ctx, o.OfferURIByReference)
		if err != nil {
			t.Fatal(err)
		}
		return o, co
	}
	code := func(co *oid4vci.CredentialOffer) string { return co.Grants.PreAuthorizedCode.PreAuthorizedCode }

	// Token endpoint: PIN missing, wrong, then right; an unknown code.
	o, co := offer("4321")
	if o.TxCode != "" {
		t.Errorf("a chosen PIN is echoed back")
	}
	_, err := wc.Token(ctx, issuer+"/token", code(co), "")
	wantOAuth(t, "no PIN", err, oid4vci.ErrInvalidRequest)
	_, err = wc.Token(ctx, issuer+"/token", code(co), "1234")
	wantOAuth(t, "wrong PIN", err, oid4vci.ErrInvalidGrant)
	_, err = wc.Token(ctx, issuer+"/token", "not-a-code", "")
	wantOAuth(t, "unknown code", err, oid4vci.ErrInvalidGrant)
	_, err = wc.Token(ctx, tn.url+"/issuers/example-university/diploma/token", code(co), "4321")
	wantOAuth(t, "another instance's token endpoint", err, oid4vci.ErrInvalidGrant)
	tok, err := wc.Token(ctx, issuer+"/token", code(co), "4321")
	if err != nil {
		t.Fatalf("right PIN: %v", err)
	}

	// Credential endpoint.
	request := func(proofs ...string) error {
		_, err := wc.Credential(ctx, issuer+"/credential", tok.AccessToken, &oid4vci.CredentialRequest{CredentialConfigurationID: "diploma-jwt", Proofs: &oid4vci.Proofs{JWT: proofs}})
		return err
	}
	nonce, err := wc.Nonce(ctx, issuer+"/nonce")
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *keys.PrivateKey, kid, aud, nonce string, at time.Time) string {
		p, err := oid4vci.SignProof(k, kid, aud, nonce, at)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	now := time.Now()
	other, _ := keys.Generate(keys.Ed25519)
	_, err = wc.Credential(ctx, issuer+"/credential", "", &oid4vci.CredentialRequest{CredentialConfigurationID: "diploma-jwt"})
	wantOAuth(t, "no access token", err, oid4vci.ErrInvalidToken)
	_, err = wc.Credential(ctx, issuer+"/credential", "forged", &oid4vci.CredentialRequest{CredentialConfigurationID: "diploma-jwt"})
	wantOAuth(t, "unknown access token", err, oid4vci.ErrInvalidToken)
	wantOAuth(t, "no proofs", request(), oid4vci.ErrInvalidProof)
	_, err = wc.Credential(ctx, issuer+"/credential", tok.AccessToken, &oid4vci.CredentialRequest{CredentialConfigurationID: "other", Proofs: &oid4vci.Proofs{JWT: []string{sign(hk, kid, issuer, nonce, now)}}})
	wantOAuth(t, "unknown configuration", err, oid4vci.ErrUnknownCredentialConfiguration)
	wantOAuth(t, "signed by another key", request(sign(other, kid, issuer, nonce, now)), oid4vci.ErrInvalidProof)
	wantOAuth(t, "wrong audience", request(sign(hk, kid, tn.url+"/issuers/example-university/diploma", nonce, now)), oid4vci.ErrInvalidProof)
	wantOAuth(t, "old iat", request(sign(hk, kid, issuer, nonce, now.Add(-time.Hour))), oid4vci.ErrInvalidProof)
	wantOAuth(t, "kid not the key's DID", request(sign(hk, did.KeyDID(other.Public())+"#"+other.Public().Multibase(), issuer, nonce, now)), oid4vci.ErrInvalidProof)
	wantOAuth(t, "forged nonce", request(sign(hk, kid, issuer, "AAAA", now)), oid4vci.ErrInvalidNonce)
	otherNonce, _ := wc.Nonce(ctx, tn.url+"/issuers/example-university/diploma/nonce")
	wantOAuth(t, "another issuer's nonce", request(sign(hk, kid, issuer, otherNonce, now)), oid4vci.ErrInvalidNonce)
	if err := request(sign(hk, kid, issuer, nonce, now)); err != nil {
		t.Fatalf("a good request after the bad ones: %v", err)
	}
	wantOAuth(t, "access token used twice", request(sign(hk, kid, issuer, nonce, now)), oid4vci.ErrInvalidToken)

	// A stale (used) nonce on another offer.
	_, co2 := offer("")
	tok2, err := wc.Token(ctx, issuer+"/token", code(co2), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = wc.Credential(ctx, issuer+"/credential", tok2.AccessToken, &oid4vci.CredentialRequest{CredentialConfigurationID: "diploma-jwt", Proofs: &oid4vci.Proofs{JWT: []string{sign(hk, kid, issuer, nonce, now)}}})
	wantOAuth(t, "used nonce", err, oid4vci.ErrInvalidNonce)
	// A proof with a jwk instead of a kid binds the key's did:jwk.
	fresh, _ := wc.Nonce(ctx, issuer+"/nonce")
	resp, err := wc.Credential(ctx, issuer+"/credential", tok2.AccessToken, &oid4vci.CredentialRequest{CredentialConfigurationID: "diploma-jwt", Proofs: &oid4vci.Proofs{JWT: []string{sign(hk, "", issuer, fresh, now)}}})
	if err != nil {
		t.Fatalf("jwk proof: %v", err)
	}
	jwk, _ := jose.PublicJWK(hk.Public())
	jwkDID, _ := did.JWKDID(jwk)
	if sub := credentialSubjectID(t, oid4vci.FormatJWTVCJSON, resp.Credentials[0].Credential, hk.Public()); sub != jwkDID {
		t.Errorf("jwk proof: subject %s, want %s", sub, jwkDID)
	}

	// An expired offer.
	o3, co3 := offer("")
	var rec oid4vci.OfferRecord
	if err := tn.n.Keystore.GetRecord(oid4vci.OfferKey(o3.ID), &rec); err != nil {
		t.Fatal(err)
	}
	rec.Expires = time.Now().Add(-time.Second)
	if err := tn.n.Keystore.PutRecord(oid4vci.OfferKey(o3.ID), rec, true); err != nil {
		t.Fatal(err)
	}
	_, err = wc.Token(ctx, issuer+"/token", code(co3), "")
	wantOAuth(t, "expired offer", err, oid4vci.ErrInvalidGrant)
	if r := tn.do(t, "GET", "/v1/offers/"+o3.ID, uni.Token, nil); !strings.Contains(string(r.body), `"state":"expired"`) {
		t.Errorf("expired offer status: %s", r.body)
	}

	// Too many wrong PINs burn an offer.
	_, co4 := offer("9876")
	for i := range oid4vci.MaxTxCodeAttempts {
		_, err = wc.Token(ctx, issuer+"/token", code(co4), fmt.Sprintf("000%d", i))
		wantOAuth(t, "wrong PIN", err, oid4vci.ErrInvalidGrant)
	}
	_, err = wc.Token(ctx, issuer+"/token", code(co4), "9876")
	wantOAuth(t, "right PIN after too many wrong ones", err, oid4vci.ErrInvalidGrant)

	// Token request forms.
	r := tn.do(t, "POST", "/issuers/example-university/diploma-jwt/token", "", []byte(`grant_type=authorization_code&code=x`))
	if r.status != 400 || !strings.Contains(string(r.body), oid4vci.ErrInvalidRequest) {
		t.Errorf("token request not form-encoded: %d %s", r.status, r.body)
	}

	// QR codes: the caller's own offers only.
	if r := tn.do(t, "GET", "/v1/offers/"+o.ID+"/qr", uni.Token, nil); r.status != 200 || r.ctype != "image/png" {
		t.Errorf("qr png: %d %s", r.status, r.ctype)
	}
	if r := tn.do(t, "GET", "/v1/offers/"+o.ID+"/qr?format=svg", uni.Token, nil); r.status != 200 || r.ctype != "image/svg+xml" || !bytes.Contains(r.body, []byte("<svg")) {
		t.Errorf("qr svg: %d %s", r.status, r.ctype)
	}
	ra := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"another","keyType":"Ed25519"}`))
	var another node.NewAccount
	_ = json.Unmarshal(ra.body, &another)
	wantProblem(t, "another account's offer", tn.do(t, "GET", "/v1/offers/"+o.ID+"/qr", another.Token, nil), 404, "offer.notFound")
}

// The sweeper drops the claims and code of an offer that expired before the
// wallet collected it, and forgets it a day later.
func TestOID4VCI_SweeperForgetsLapsedOffers(t *testing.T) {
	tn, uni := vciSetup(t)
	o := createOffer(t, tn, uni.Token, `{"instance":"diploma","claims":`+vciClaims+`}`)
	s := New(tn.n, nil)
	record := func() (oid4vci.OfferRecord, error) {
		var rec oid4vci.OfferRecord
		err := tn.n.Keystore.GetRecord(oid4vci.OfferKey(o.ID), &rec)
		return rec, err
	}
	if err := s.vci.Sweep(time.Now()); err != nil {
		t.Fatal(err)
	}
	rec, err := record()
	if err != nil || rec.Cred == nil || rec.Code == "" {
		t.Fatalf("an open offer lost its claims or code (%v)", err)
	}
	code := rec.Code
	if err := s.vci.Sweep(o.Expires.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rec, err = record(); err != nil || rec.Cred != nil || rec.Code != "" {
		t.Fatalf("a lapsed offer keeps its claims or code (%v)", err)
	}
	var idx oid4vci.OfferIndex
	if err := tn.n.Keystore.GetRecord(oid4vci.CodeKey(code), &idx); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("a lapsed offer's code is still recorded (%v)", err)
	}
	if err := s.vci.Sweep(o.Expires.Add(oid4vci.OfferRetention + time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := record(); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("an offer a day past its expiry is kept: %v", err)
	}
}

// The Go SDK makes an offer and follows it with the api types.
func TestOID4VCI_SDKCreatesAndFollowsAnOffer(t *testing.T) {
	tn, uni := vciSetup(t)
	c := client.New(tn.url)
	c.Token = uni.Token
	ctx := context.Background()
	o, err := c.CreateOffer(ctx, api.OfferRequest{Instance: "diploma-jwt", Claims: json.RawMessage(vciClaims), TxCode: &api.OfferTxCode{Length: 4}})
	if err != nil || len(o.TxCode) != 4 || o.QRURL != tn.url+"/v1/offers/"+o.ID+"/qr" || o.QRPNG == "" {
		t.Fatalf("offer: %+v %v", o, err)
	}
	st, err := c.Offer(ctx, o.ID)
	if err != nil || st.State != oid4vci.StateOffered || st.CredentialIssuer != tn.url+"/issuers/example-university/diploma-jwt" || !st.TxCodeRequired {
		t.Errorf("status: %+v %v", st, err)
	}
	if _, err := c.CreateOffer(ctx, api.OfferRequest{Instance: "nope", Claims: json.RawMessage(`{}`)}); err == nil || !strings.Contains(err.Error(), "issuer.notFound") {
		t.Errorf("unknown instance: %v", err)
	}
}

// TestOID4VCI_UnknownIssuerIs404: the token and credential endpoints of a
// credential issuer that does not exist answer 404 oid4vci.unknownIssuer,
// as its metadata and nonce endpoints do, whatever the request: an OAuth
// error (RFC 6749 §5.2, OpenID4VCI 1.0 §6.3) such as unsupported_grant_type
// would say an authorization server is there. A known issuer still answers
// a wrong grant type with it.
func TestOID4VCI_UnknownIssuerIs404(t *testing.T) {
	tn, _ := vciSetup(t)
	for _, base := range []string{"/issuers/nobody/nothing", "/issuers/example-university/nope"} {
		for _, c := range []struct{ name, path, ctype, body string }{
			{"token, pre-authorized code", "/token", "application/x-www-form-urlencoded", "grant_type=" + url.QueryEscape(oid4vci.GrantPreAuthorizedCode) + "&pre-authorized_code=abc"},
			{"token, another grant", "/token", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=abc"},
			{"token, empty", "/token", "application/x-www-form-urlencoded", ""},
			{"token, JSON", "/token", "application/json", "{}"},
			{"credential", "/credential", "application/json", `{"credential_configuration_id":"x"}`},
			{"nonce", "/nonce", "", ""},
		} {
			req, _ := http.NewRequest("POST", tn.url+base+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			req.Header.Set("Authorization", "Bearer some-token")
			wantProblem(t, base+": "+c.name, send(t, req), 404, "oid4vci.unknownIssuer")
		}
	}
	st, body := postForm(t, tn.url+"/issuers/example-university/diploma-jwt/token", url.Values{"grant_type": {"authorization_code"}, "code": {"abc"}})
	if st != 400 || !strings.Contains(body, oid4vci.ErrUnsupportedGrantType) {
		t.Errorf("a known issuer's token endpoint, another grant: %d %s, want 400 %s", st, body, oid4vci.ErrUnsupportedGrantType)
	}
}
