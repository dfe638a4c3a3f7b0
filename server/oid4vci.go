package server

// OpenID for Verifiable Credential Issuance 1.0 (OID4VCI): issuing an
// institution's certificate to a citizen's wallet with the pre-authorized
// code flow.
//
// Every issuer instance (an account's named issuance profile) is a
// credential issuer (§12.2) whose identifier is <base>/issuers/<account>/
// <instance>: instance names are per account, so the account is part of
// the identifier. Its metadata is at the identifier with
// /.well-known/openid-credential-issuer inserted after the host (§12.2.2),
// and it is its own OAuth 2.0 authorization server (RFC 8414 metadata at
// /.well-known/oauth-authorization-server inserted likewise; §12.2.4
// authorization_servers is omitted). The appended form of earlier drafts
// (<identifier>/.well-known/openid-credential-issuer) is served too.
//
// The flow: the institution's backend asks POST /v1/offers for an offer
// of the claims it vouches for → the citizen's wallet reads the offer
// (§4.1, by value or from <identifier>/offers/{id}) → POST <identifier>/
// token with the pre-authorized code and the PIN if asked (§6) → POST
// <identifier>/nonce for a c_nonce (§7) → POST <identifier>/credential with
// one JWT key proof per credential it wants (§8, Appendix F.1) → the
// credentials, each bound to its proof's key (credentialSubject.id is the
// key's DID; an SD-JWT VC carries the key as cnf).
//
// Offers, their pre-authorized codes and access tokens are node-local
// keystore records; an offer is redeemed once (one token, one credential
// request, up to BatchSize credentials) and expires. Nonces are stateless
// until used, as challenges are (an HMAC over expiry and randomness, under
// a key drawn at start); a used one is remembered until it expires.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/oid4vci/qr"
)

// OID4VCI limits.
const (
	// OfferDefaultTTL and OfferMaxTTL bound how long an offer may be
	// redeemed.
	OfferDefaultTTL = 24 * time.Hour
	OfferMaxTTL     = 30 * 24 * time.Hour
	// AccessTokenTTL is how long an access token may be used.
	AccessTokenTTL = 5 * time.Minute
	// NonceTTL is how long a c_nonce may be used.
	NonceTTL = 5 * time.Minute
	// ProofMaxAge bounds how old a key proof's iat may be.
	ProofMaxAge = 5 * time.Minute
	// BatchSize is the most credentials one credential request gets.
	BatchSize = 10
	// MaxTxCodeAttempts wrong PINs burn an offer.
	MaxTxCodeAttempts = 5
)

// Offer states.
const (
	offerOffered  = "offered"  // waiting for the token request
	offerRedeemed = "redeemed" // an access token was issued
	offerIssuing  = "issuing"  // a credential request is being served
	offerIssued   = "issued"   // the credentials were issued
	offerBurned   = "burned"   // too many wrong transaction codes
)

// OfferRequest is the body of POST /v1/offers.
type OfferRequest struct {
	// Instance is the name of the caller's issuer instance.
	Instance string `json:"instance"`
	// Credential is the unsecured credential to issue, without
	// credentialSubject.id (the wallet's DID fills it in); or Claims, the
	// members of its credentialSubject alone.
	Credential json.RawMessage `json:"credential,omitempty"`
	Claims     json.RawMessage `json:"claims,omitempty"`
	// TxCode, if set, makes the wallet ask its user for a transaction code
	// (PIN) sent to them another way.
	TxCode *OfferTxCode `json:"txCode,omitempty"`
	// ExpiresIn is how many seconds the offer may be redeemed (default one
	// day, at most 30 days).
	ExpiresIn int64 `json:"expiresIn,omitempty"`
}

// OfferTxCode is the transaction code an offer asks for: Value if the
// caller chooses it, else Length (default 6) random digits (or, with
// InputMode "text", letters and digits) the node draws and returns once.
type OfferTxCode struct {
	Value       string `json:"value,omitempty"`
	Length      int    `json:"length,omitempty"`
	InputMode   string `json:"inputMode,omitempty"`
	Description string `json:"description,omitempty"`
}

// OfferResponse is the body of a 201 from POST /v1/offers.
type OfferResponse struct {
	ID                         string   `json:"id"`
	CredentialIssuer           string   `json:"credentialIssuer"`
	CredentialConfigurationIDs []string `json:"credentialConfigurationIds"`
	// OfferURI carries the offer by value, OfferURIByReference points to
	// CredentialOfferURI, where the wallet fetches it (§4.1.2, §4.1.3).
	OfferURI            string `json:"offerUri"`
	OfferURIByReference string `json:"offerUriByReference"`
	CredentialOfferURI  string `json:"credentialOfferUri"`
	// QRPNG is a PNG of OfferURIByReference's QR code, base64; QRURL serves
	// it as image/png (?format=svg: image/svg+xml).
	QRPNG string `json:"qrPng"`
	QRURL string `json:"qrUrl"`
	// TxCode is the transaction code the node drew, to be sent to the
	// citizen another way; shown only here.
	TxCode  string    `json:"txCode,omitempty"`
	Expires time.Time `json:"expires"`
}

// OfferStatus is the body of GET /v1/offers/{id}.
type OfferStatus struct {
	ID               string    `json:"id"`
	Instance         string    `json:"instance"`
	CredentialIssuer string    `json:"credentialIssuer"`
	State            string    `json:"state"`
	TxCodeRequired   bool      `json:"txCodeRequired"`
	Issued           int       `json:"issued"`
	Created          time.Time `json:"created"`
	Expires          time.Time `json:"expires"`
}

// offerRecord is the keystore record of an offer.
type offerRecord struct {
	ID       string          `json:"id"`
	Account  string          `json:"account"`
	Instance string          `json:"instance"`
	Config   string          `json:"config"`
	Cred     json.RawMessage `json:"credential,omitempty"`
	Code     string          `json:"code"`
	TxCode   *oid4vci.TxCode `json:"txCode,omitempty"`
	// TxHash is SHA-256(offer id ":" transaction code), hex.
	TxHash   string    `json:"txHash,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
	State    string    `json:"state"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	// The access token's hash and expiry, once redeemed.
	TokenHash    string    `json:"tokenHash,omitempty"`
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
	Issued       int       `json:"issued,omitempty"`
}

// offerIndex is the record that finds an offer by a code's or token's hash.
type offerIndex struct {
	Offer string `json:"offer"`
}

func offerKey(id string) string { return "oid4vci/offer/" + id }
func codeKey(code string) string {
	return "oid4vci/code/" + hashHex(code)
}
func tokenKey(tok string) string { return tokenHashKey(hashHex(tok)) }

// tokenHashKey is the record of an access token by its hash.
func tokenHashKey(h string) string { return "oid4vci/token/" + h }

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// vciState is a server's OID4VCI state kept in memory: the nonce key and
// the used nonces, and the lock over offer state changes.
type vciState struct {
	offers    sync.Mutex
	nonceKey  [32]byte
	mu        sync.Mutex
	used      map[string]time.Time
	lastSweep time.Time
}

var vciStates sync.Map // *Server → *vciState

func (s *Server) vci() *vciState {
	if v, ok := vciStates.Load(s); ok {
		return v.(*vciState)
	}
	st := &vciState{used: map[string]time.Time{}}
	if _, err := rand.Read(st.nonceKey[:]); err != nil {
		panic("weid: no randomness for the nonce key: " + err.Error())
	}
	v, _ := vciStates.LoadOrStore(s, st)
	return v.(*vciState)
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("weid: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// issuerID is the credential issuer identifier of account's instance.
func (s *Server) issuerID(r *http.Request, account, instance string) string {
	return s.baseURL(r) + "/issuers/" + account + "/" + instance
}

// vciFormat maps a weid securing mechanism to its OID4VCI format.
func vciFormat(f string) string {
	switch f {
	case node.FormatSDJWT:
		return oid4vci.FormatSDJWT
	case node.FormatVCJWT, "":
		return oid4vci.FormatJWTVCJSON
	}
	return oid4vci.FormatLDPVC
}

// issuerInstance returns the instance a public OID4VCI URL names, or a 404
// problem.
func (s *Server) vciInstance(r *http.Request) (*node.IssuerInstance, error) {
	account, name := chi.URLParam(r, "account"), chi.URLParam(r, "instance")
	in, err := s.node.IssuerInstance(&keystore.Account{Name: account}, name)
	if err != nil {
		if errs.Code(err) == "issuer.notFound" {
			return nil, errs.New(http.StatusNotFound, "oid4vci.unknownIssuer", "no credential issuer at this URL")
		}
		return nil, err
	}
	return in, nil
}

// vciMetadata is the credential issuer metadata of an instance (§12.2.4).
func (s *Server) vciMetadata(r *http.Request, in *node.IssuerInstance) oid4vci.IssuerMetadata {
	id := s.issuerID(r, in.Account, in.Name)
	format := vciFormat(in.Format)
	conf := oid4vci.CredentialConfiguration{
		Format:                               format,
		CryptographicBindingMethodsSupported: []string{"jwk", "did:key", "did:jwk", "did:weid"},
		ProofTypesSupported: map[string]oid4vci.ProofType{
			oid4vci.ProofTypeJWT: {ProofSigningAlgValuesSupported: []string{jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K, jose.AlgSM2}},
		},
	}
	if format == oid4vci.FormatLDPVC {
		conf.CredentialSigningAlgValuesSupported = []string{in.Format}
	} else if _, k, _, err := s.node.CustodialKey(in.Issuer); err == nil {
		if alg, err := jose.AlgFor(k.Type()); err == nil {
			conf.CredentialSigningAlgValuesSupported = []string{alg}
		}
	}
	types, name := vciTypes(in)
	switch format {
	case oid4vci.FormatSDJWT:
		conf.Vct = name
	case oid4vci.FormatJWTVCJSON:
		conf.CredentialDefinition = &oid4vci.CredentialDefinition{Type: types}
	default:
		conf.CredentialDefinition = &oid4vci.CredentialDefinition{Context: []string{credential.ContextV2}, Type: types}
	}
	conf.CredentialMetadata = &oid4vci.CredentialMetadata{Display: []oid4vci.Display{{Name: name, Locale: "en"}}}
	display := in.Account
	if is, ok, err := authz.AuthorityIssuer(s.node.Ledger, in.Issuer); err == nil && ok && is.Name != "" {
		display = is.Name
	}
	return oid4vci.IssuerMetadata{
		CredentialIssuer:                  id,
		CredentialEndpoint:                id + "/credential",
		NonceEndpoint:                     id + "/nonce",
		BatchCredentialIssuance:           &oid4vci.BatchIssuance{BatchSize: BatchSize},
		Display:                           []oid4vci.Display{{Name: display, Locale: "en"}},
		CredentialConfigurationsSupported: map[string]oid4vci.CredentialConfiguration{in.Name: conf},
	}
}

// vciIssuerMetadata serves an instance's credential issuer metadata.
func (s *Server) vciIssuerMetadata(w http.ResponseWriter, r *http.Request) {
	in, err := s.vciInstance(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.vciMetadata(r, in))
}

// vciAuthorizationServer serves the RFC 8414 metadata of an instance's own
// authorization server: the pre-authorized code grant only, no client
// authentication (§12.3: pre-authorized_grant_anonymous_access_supported).
func (s *Server) vciAuthorizationServer(w http.ResponseWriter, r *http.Request) {
	in, err := s.vciInstance(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	id := s.issuerID(r, in.Account, in.Name)
	writeJSON(w, http.StatusOK, oid4vci.AuthorizationServerMetadata{
		Issuer:                                id,
		TokenEndpoint:                         id + "/token",
		ResponseTypesSupported:                []string{},
		GrantTypesSupported:                   []string{oid4vci.GrantPreAuthorizedCode},
		TokenEndpointAuthMethodsSupported:     []string{"none"},
		PreAuthorizedGrantAnonymousAccessSupp: true,
	})
}

// completeOfferCredential builds the credential an offer issues from the
// request, with the instance's types and schema, and checks that the
// instance can issue it: the credential library signs it (with a
// throwaway key, nothing recorded) for a stand-in wallet DID.
func (s *Server) completeOfferCredential(req *OfferRequest, in *node.IssuerInstance) (json.RawMessage, error) {
	bad := func(format string, args ...any) error { return errs.BadRequest("offer.invalid", format, args...) }
	var doc map[string]any
	switch {
	case len(req.Credential) > 0 && len(req.Claims) > 0:
		return nil, bad("give credential or claims, not both")
	case len(req.Credential) > 0:
		if err := json.Unmarshal(req.Credential, &doc); err != nil || doc == nil {
			return nil, bad("credential must be a JSON object")
		}
	case len(req.Claims) > 0:
		var claims map[string]any
		if err := json.Unmarshal(req.Claims, &claims); err != nil || claims == nil {
			return nil, bad("claims must be a JSON object")
		}
		doc = map[string]any{"@context": []any{credential.ContextV2}, "type": []any{credential.TypeVerifiableCredential}, "credentialSubject": claims}
	default:
		return nil, bad("credential or claims is required")
	}
	subj, ok := doc["credentialSubject"].(map[string]any)
	if !ok {
		return nil, bad("the credential needs one credentialSubject object")
	}
	if _, has := subj["id"]; has {
		return nil, bad("credentialSubject.id must be absent: the wallet's DID becomes it")
	}
	if v, has := doc["issuer"]; has && v != in.Issuer {
		return nil, bad("the issuer must be absent or the instance's issuer %s", in.Issuer)
	}
	doc["issuer"] = in.Issuer
	types, _ := doc["type"].([]any)
	if len(in.Types) > 0 {
		for _, t := range in.Types {
			if !slices.Contains(types, any(t)) {
				types = append(types, t)
			}
		}
		doc["type"] = types
	}
	if in.Schema != 0 && doc["credentialSchema"] == nil {
		doc["credentialSchema"] = map[string]any{"id": "weid-schema-placeholder", "type": credential.SchemaTypeJSONSchema}
	}
	// The stored template: without the placeholder schema URL, which
	// IssueCredential writes from the node's URL at issuance.
	tmpl := map[string]any{}
	for k, v := range doc {
		if k == "credentialSchema" {
			if m, ok := v.(map[string]any); ok && m["id"] == "weid-schema-placeholder" {
				continue
			}
		}
		tmpl[k] = v
	}
	out, err := json.Marshal(tmpl)
	if err != nil {
		return nil, err
	}
	// Dry run.
	kt := keys.Ed25519
	if in.Format == node.FormatECDSARDFC {
		kt = keys.P256
	}
	k, err := keys.Generate(kt)
	if err != nil {
		return nil, err
	}
	standIn := did.KeyDID(k.Public())
	subj["id"] = standIn
	if in.Schema != 0 {
		if m, ok := doc["credentialSchema"].(map[string]any); ok && m["id"] == "weid-schema-placeholder" {
			m["id"] = "https://weid.invalid/v1/schemas/" + big.NewInt(0).SetUint64(in.Schema).String()
		}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	signer := credential.Signer{DID: in.Issuer, VerificationMethod: in.Issuer + "#dry-run", Key: k}
	opts := credential.IssueOptions{State: s.node.Ledger, Schemas: s.node.Schemas}
	now := time.Now()
	switch in.Format {
	case node.FormatVCJWT, "":
		_, err = credential.IssueJWT(signer, body, now, opts)
	case node.FormatSDJWT:
		var tok string
		if tok, err = credential.IssueSDJWT(context.Background(), signer, body, now, opts, in.Disclosable, nil); err == nil {
			if _, name := vciTypes(in); sdjwtVct(tok) != name {
				err = bad("the credential's SD-JWT VC type (vct) would not be the instance's %q: give it no other type, or the instance's type last", name)
			}
		}
	default:
		if err = credential.CheckClaims(body, opts); err == nil {
			_, err = credential.SignDataIntegrity(signer, body, in.Format, now)
		}
	}
	if err != nil {
		if _, ok := errs.As(err); !ok {
			err = bad("the instance cannot issue this credential: %v", err)
		}
		return nil, err
	}
	return out, nil
}

// vciTypes returns the W3C types of an instance's credentials and the
// name of the most specific one (its SD-JWT VC vct; the instance's name
// when it sets no type).
func vciTypes(in *node.IssuerInstance) ([]string, string) {
	types := []string{credential.TypeVerifiableCredential}
	for _, t := range in.Types {
		if t != credential.TypeVerifiableCredential {
			types = append(types, t)
		}
	}
	if len(types) == 1 {
		return types, in.Name
	}
	return types, types[len(types)-1]
}

// sdjwtVct returns the vct claim of an SD-JWT's issuer JWT.
func sdjwtVct(tok string) string {
	issuerJWT, _, _ := strings.Cut(tok, "~")
	j, err := jose.Parse(issuerJWT)
	if err != nil {
		return ""
	}
	var c struct {
		Vct string `json:"vct"`
	}
	_ = json.Unmarshal(j.Payload, &c)
	return c.Vct
}

// createOffer makes a credential offer of the caller's issuer instance
// for the claims of the request.
func (s *Server) createOffer(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req OfferRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	in, err := s.node.IssuerInstance(acct, req.Instance)
	if err != nil {
		renderError(w, r, err)
		return
	}
	ttl := OfferDefaultTTL
	if req.ExpiresIn != 0 {
		if req.ExpiresIn < 60 || req.ExpiresIn > int64(OfferMaxTTL/time.Second) {
			renderError(w, r, errs.BadRequest("offer.invalid", "expiresIn must be 60 to %d seconds", int64(OfferMaxTTL/time.Second)))
			return
		}
		ttl = time.Duration(req.ExpiresIn) * time.Second
	}
	cred, err := s.completeOfferCredential(&req, in)
	if err != nil {
		renderError(w, r, err)
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	rec := offerRecord{
		ID: randomToken(16), Account: acct.Name, Instance: in.Name, Config: in.Name, Cred: cred,
		Code: randomToken(32), State: offerOffered, Created: now, Expires: now.Add(ttl),
	}
	generated := ""
	if t := req.TxCode; t != nil {
		value, tc, err := txCode(t)
		if err != nil {
			renderError(w, r, err)
			return
		}
		if t.Value == "" {
			generated = value
		}
		rec.TxCode = tc
		rec.TxHash = hashHex(rec.ID + ":" + value)
	}
	if err := s.node.Keystore.CreateRecord(codeKey(rec.Code), offerIndex{Offer: rec.ID}); err != nil {
		renderError(w, r, err)
		return
	}
	if err := s.node.Keystore.CreateRecord(offerKey(rec.ID), rec); err != nil {
		renderError(w, r, err)
		return
	}
	issuer := s.issuerID(r, acct.Name, in.Name)
	offer := rec.offer(issuer)
	byValue, err := oid4vci.OfferURI(offer)
	if err != nil {
		renderError(w, r, err)
		return
	}
	offerURL := issuer + "/offers/" + rec.ID
	byRef := oid4vci.OfferRefURI(offerURL)
	png, err := qrPNG(byRef)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, OfferResponse{
		ID: rec.ID, CredentialIssuer: issuer, CredentialConfigurationIDs: offer.CredentialConfigurationIDs,
		OfferURI: byValue, OfferURIByReference: byRef, CredentialOfferURI: offerURL,
		QRPNG: base64.StdEncoding.EncodeToString(png), QRURL: s.baseURL(r) + "/v1/offers/" + rec.ID + "/qr",
		TxCode: generated, Expires: rec.Expires,
	})
}

// offer is the credential offer of rec (§4.1.1).
func (rec *offerRecord) offer(issuer string) *oid4vci.CredentialOffer {
	return &oid4vci.CredentialOffer{
		CredentialIssuer:           issuer,
		CredentialConfigurationIDs: []string{rec.Config},
		Grants: &oid4vci.Grants{PreAuthorizedCode: &oid4vci.PreAuthorizedCodeGrant{
			PreAuthorizedCode: rec.Code, TxCode: rec.TxCode,
		}},
	}
}

// txCode returns the transaction code an offer asks for and its
// description in the offer.
func txCode(t *OfferTxCode) (string, *oid4vci.TxCode, error) {
	mode := t.InputMode
	if mode == "" {
		mode = "numeric"
	}
	if mode != "numeric" && mode != "text" {
		return "", nil, errs.BadRequest("offer.invalid", "txCode.inputMode must be \"numeric\" or \"text\"")
	}
	if len(t.Description) > 300 {
		return "", nil, errs.BadRequest("offer.invalid", "txCode.description is at most 300 characters")
	}
	value := t.Value
	if value == "" {
		n := t.Length
		if n == 0 {
			n = 6
		}
		if n < 4 || n > 16 {
			return "", nil, errs.BadRequest("offer.invalid", "txCode.length must be 4 to 16")
		}
		alphabet := "0123456789"
		if mode == "text" {
			alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
		}
		b := make([]byte, n)
		for i := range b {
			v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				return "", nil, err
			}
			b[i] = alphabet[v.Int64()]
		}
		value = string(b)
	} else {
		if t.Length != 0 && t.Length != len(value) {
			return "", nil, errs.BadRequest("offer.invalid", "txCode.length does not match the value's length")
		}
		if len(value) < 4 || len(value) > 16 {
			return "", nil, errs.BadRequest("offer.invalid", "txCode.value must be 4 to 16 characters")
		}
		for _, c := range value {
			if mode == "numeric" && (c < '0' || c > '9') || c < '!' || c > '~' {
				return "", nil, errs.BadRequest("offer.invalid", "txCode.value must be digits (or, with inputMode text, printable ASCII without spaces)")
			}
		}
	}
	return value, &oid4vci.TxCode{InputMode: mode, Length: len(value), Description: t.Description}, nil
}

// ownOffer returns the caller's offer of the path.
func (s *Server) ownOffer(r *http.Request) (*offerRecord, error) {
	acct, err := s.account(r)
	if err != nil {
		return nil, err
	}
	var rec offerRecord
	err = s.node.Keystore.GetRecord(offerKey(chi.URLParam(r, "id")), &rec)
	if errors.Is(err, keystore.ErrNotFound) || err == nil && rec.Account != acct.Name && !acct.Admin {
		return nil, errs.New(http.StatusNotFound, "offer.notFound", "no offer %q for this account", chi.URLParam(r, "id"))
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// getOffer reports the state of one of the caller's offers.
func (s *Server) getOffer(w http.ResponseWriter, r *http.Request) {
	rec, err := s.ownOffer(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	state := rec.State
	if (state == offerOffered || state == offerRedeemed) && time.Now().After(rec.Expires) {
		state = "expired"
	}
	writeJSON(w, http.StatusOK, OfferStatus{
		ID: rec.ID, Instance: rec.Instance, CredentialIssuer: s.issuerID(r, rec.Account, rec.Instance), State: state,
		TxCodeRequired: rec.TxHash != "", Issued: rec.Issued, Created: rec.Created, Expires: rec.Expires,
	})
}

// offerQR serves the QR code of one of the caller's offers (its link by
// reference): image/png, or image/svg+xml with ?format=svg.
func (s *Server) offerQR(w http.ResponseWriter, r *http.Request) {
	rec, err := s.ownOffer(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeQR(w, r, oid4vci.OfferRefURI(s.issuerID(r, rec.Account, rec.Instance)+"/offers/"+rec.ID), "offer.invalid")
}

// writeQR answers with the QR code of link: image/png, or image/svg+xml
// with ?format=svg; another format is a 400 problem with code badFormat.
func writeQR(w http.ResponseWriter, r *http.Request, link, badFormat string) {
	w.Header().Set("Cache-Control", "no-store")
	switch f := r.URL.Query().Get("format"); f {
	case "", "png":
		b, err := qrPNG(link)
		if err != nil {
			renderError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(b)
	case "svg":
		c, err := qr.Encode(link, qr.M)
		if err != nil {
			renderError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write(c.SVG(4))
	default:
		renderError(w, r, errs.BadRequest(badFormat, "format is png or svg"))
	}
}

// qrPNG is the PNG of text's QR code.
func qrPNG(text string) ([]byte, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, err
	}
	return c.PNG(8, 4)
}

// vciOffer serves an offer by reference (§4.1.3) while it may be redeemed.
func (s *Server) vciOffer(w http.ResponseWriter, r *http.Request) {
	var rec offerRecord
	err := s.node.Keystore.GetRecord(offerKey(chi.URLParam(r, "id")), &rec)
	if err == nil && (rec.Account != chi.URLParam(r, "account") || rec.Instance != chi.URLParam(r, "instance") || rec.State != offerOffered || time.Now().After(rec.Expires)) {
		err = keystore.ErrNotFound
	}
	if errors.Is(err, keystore.ErrNotFound) {
		renderError(w, r, errs.New(http.StatusNotFound, "offer.notFound", "no credential offer here: it was never made, was redeemed or has expired"))
		return
	}
	if err != nil {
		renderError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rec.offer(s.issuerID(r, rec.Account, rec.Instance)))
}

// writeOAuthError writes an OAuth error response: 400, or 401 with a
// WWW-Authenticate challenge for invalid_token and invalid_client.
func writeOAuthError(w http.ResponseWriter, e *oid4vci.Error) {
	status := http.StatusBadRequest
	switch e.Code {
	case oid4vci.ErrInvalidToken:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	case oid4vci.ErrInvalidClient:
		status = http.StatusUnauthorized
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, e)
}

// vciFail writes err as an OAuth error if it is one; anything else is
// logged and answered as a 500 problem.
func vciFail(w http.ResponseWriter, r *http.Request, err error) {
	var oe *oid4vci.Error
	if errors.As(err, &oe) {
		writeOAuthError(w, oe)
		return
	}
	renderError(w, r, err)
}

// vciToken is the token endpoint (§6): the pre-authorized code grant with
// the transaction code if the offer asks for one.
func (s *Server) vciToken(w http.ResponseWriter, r *http.Request) {
	tok, err := s.redeem(r)
	if err != nil {
		vciFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, oid4vci.TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(AccessTokenTTL / time.Second)})
}

func (s *Server) redeem(r *http.Request) (string, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "the token request is application/x-www-form-urlencoded")
	}
	body, err := readBody(r)
	if err != nil {
		return "", err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "the body is not form-encoded")
	}
	for k, v := range form {
		if len(v) > 1 {
			return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "parameter %q is repeated", k)
		}
	}
	if gt := form.Get("grant_type"); gt != oid4vci.GrantPreAuthorizedCode {
		if gt == "" {
			return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "grant_type is required")
		}
		return "", oid4vci.Errorf(oid4vci.ErrUnsupportedGrantType, "only the pre-authorized code grant is supported")
	}
	code := form.Get("pre-authorized_code")
	if code == "" {
		return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "pre-authorized_code is required")
	}
	invalid := oid4vci.Errorf(oid4vci.ErrInvalidGrant, "the pre-authorized code is not valid: unknown, already used or expired")
	var idx offerIndex
	if err := s.node.Keystore.GetRecord(codeKey(code), &idx); errors.Is(err, keystore.ErrNotFound) {
		return "", invalid
	} else if err != nil {
		return "", err
	}
	st := s.vci()
	st.offers.Lock()
	defer st.offers.Unlock()
	var rec offerRecord
	if err := s.node.Keystore.GetRecord(offerKey(idx.Offer), &rec); err != nil {
		if errors.Is(err, keystore.ErrNotFound) {
			return "", invalid
		}
		return "", err
	}
	if rec.Account != chi.URLParam(r, "account") || rec.Instance != chi.URLParam(r, "instance") ||
		rec.State != offerOffered || time.Now().After(rec.Expires) ||
		subtle.ConstantTimeCompare([]byte(rec.Code), []byte(code)) != 1 {
		return "", invalid
	}
	if rec.TxHash != "" {
		tx, given := form["tx_code"]
		if !given || tx[0] == "" {
			return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "this offer needs its transaction code (tx_code)")
		}
		if subtle.ConstantTimeCompare([]byte(hashHex(rec.ID+":"+tx[0])), []byte(rec.TxHash)) != 1 {
			rec.Attempts++
			if rec.Attempts >= MaxTxCodeAttempts {
				rec.State = offerBurned
			}
			if err := s.node.Keystore.PutRecord(offerKey(rec.ID), rec, true); err != nil {
				return "", err
			}
			if rec.State == offerBurned {
				if err := s.endOffer(&rec); err != nil {
					return "", err
				}
				return "", oid4vci.Errorf(oid4vci.ErrInvalidGrant, "the transaction code is wrong; too many wrong codes, the offer can no longer be redeemed")
			}
			return "", oid4vci.Errorf(oid4vci.ErrInvalidGrant, "the transaction code is wrong")
		}
	} else if _, given := form["tx_code"]; given {
		return "", oid4vci.Errorf(oid4vci.ErrInvalidRequest, "this offer has no transaction code; send none")
	}
	tok := randomToken(32)
	rec.State = offerRedeemed
	rec.TokenHash = hashHex(tok)
	rec.TokenExpires = time.Now().Add(AccessTokenTTL).UTC()
	if err := s.node.Keystore.PutRecord(tokenKey(tok), offerIndex{Offer: rec.ID}, false); err != nil {
		return "", err
	}
	if err := s.node.Keystore.PutRecord(offerKey(rec.ID), rec, true); err != nil {
		return "", err
	}
	return tok, nil
}

// nonce layout: 8 bytes of expiry (Unix seconds, big endian), 12 random
// bytes, 16 bytes of HMAC-SHA256 over them and the issuer identifier.
const nonceBytes = 8 + 12 + 16

func (st *vciState) mac(issuer string, b []byte) []byte {
	h := hmac.New(sha256.New, st.nonceKey[:])
	h.Write(b)
	h.Write([]byte(issuer))
	return h.Sum(nil)[:16]
}

// vciNonce is the nonce endpoint (§7): a fresh c_nonce for key proofs.
func (s *Server) vciNonce(w http.ResponseWriter, r *http.Request) {
	if _, err := s.vciInstance(r); err != nil {
		renderError(w, r, err)
		return
	}
	st := s.vci()
	b := make([]byte, 20, nonceBytes)
	binary.BigEndian.PutUint64(b, uint64(time.Now().Add(NonceTTL).Unix()))
	if _, err := rand.Read(b[8:20]); err != nil {
		renderError(w, r, err)
		return
	}
	b = append(b, st.mac(s.issuerID(r, chi.URLParam(r, "account"), chi.URLParam(r, "instance")), b)...)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, oid4vci.NonceResponse{CNonce: base64.RawURLEncoding.EncodeToString(b)})
}

// consumeNonce accepts a c_nonce of issuer once, until it expires.
func (st *vciState) consumeNonce(issuer, n string) bool {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != nonceBytes || !hmac.Equal(b[20:], st.mac(issuer, b[:20])) {
		return false
	}
	now := time.Now()
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if now.After(exp) {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if now.Sub(st.lastSweep) > NonceTTL/4 {
		for k, e := range st.used {
			if now.After(e) {
				delete(st.used, k)
			}
		}
		st.lastSweep = now
	}
	if _, used := st.used[n]; used {
		return false
	}
	st.used[n] = exp
	return true
}

// boundKey is a wallet key a proof proved possession of, and the DID the
// credential names as its subject.
type boundKey struct {
	subject string
	key     keys.PublicKey
}

// vciCredential is the credential endpoint (§8): one credential per JWT key
// proof, each bound to its key.
func (s *Server) vciCredential(w http.ResponseWriter, r *http.Request) {
	out, err := s.issueToWallet(r)
	if err != nil {
		vciFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) issueToWallet(r *http.Request) (*oid4vci.CredentialResponse, error) {
	// The access token.
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidToken, "an access token from the token endpoint is required: Authorization: Bearer <token>")
	}
	badToken := oid4vci.Errorf(oid4vci.ErrInvalidToken, "the access token is not valid: unknown, used or expired")
	var idx offerIndex
	if err := s.node.Keystore.GetRecord(tokenKey(tok), &idx); errors.Is(err, keystore.ErrNotFound) {
		return nil, badToken
	} else if err != nil {
		return nil, err
	}
	var rec offerRecord
	if err := s.node.Keystore.GetRecord(offerKey(idx.Offer), &rec); err != nil {
		if errors.Is(err, keystore.ErrNotFound) {
			return nil, badToken
		}
		return nil, err
	}
	if rec.State != offerRedeemed || rec.TokenHash != hashHex(tok) || time.Now().After(rec.TokenExpires) ||
		rec.Account != chi.URLParam(r, "account") || rec.Instance != chi.URLParam(r, "instance") {
		return nil, badToken
	}
	in, err := s.vciInstance(r)
	if err != nil {
		return nil, err
	}
	issuer := s.issuerID(r, rec.Account, rec.Instance)

	// The request.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidCredentialRequest, "the credential request is application/json")
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var req oid4vci.CredentialRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidCredentialRequest, "the body is not a credential request object")
	}
	switch {
	case req.CredentialIdentifier != "":
		return nil, oid4vci.Errorf(oid4vci.ErrUnknownCredentialIdentifier, "this issuer issues no credential identifiers; name the credential_configuration_id")
	case req.CredentialConfigurationID == "":
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidCredentialRequest, "credential_configuration_id is required")
	case req.CredentialConfigurationID != rec.Config:
		return nil, oid4vci.Errorf(oid4vci.ErrUnknownCredentialConfiguration, "the offer is for credential configuration %q", rec.Config)
	case len(req.CredentialResponseEncrypt) > 0:
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidEncryptionParameters, "this issuer does not encrypt credential responses")
	case len(req.Proof) > 0:
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidCredentialRequest, "\"proof\" was removed in OpenID4VCI 1.0: send \"proofs\": {\"jwt\": [...]}")
	case req.Proofs == nil || len(req.Proofs.JWT) == 0:
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidProof, "key proofs are required: \"proofs\": {\"jwt\": [...]}, one per credential")
	case len(req.Proofs.JWT) > BatchSize:
		return nil, oid4vci.Errorf(oid4vci.ErrInvalidCredentialRequest, "at most %d proofs (batch_size) per request", BatchSize)
	}

	// The key proofs: form, claims, key and signature, then the nonces.
	now := time.Now()
	check := oid4vci.ProofCheck{Audience: issuer, Now: now, MaxAge: ProofMaxAge, Skew: time.Minute}
	bound := make([]boundKey, 0, len(req.Proofs.JWT))
	var nonces []string
	for i, t := range req.Proofs.JWT {
		p, err := oid4vci.ParseProof(t, check)
		if err != nil {
			return nil, proofError(i, err)
		}
		b, err := s.proofKey(r.Context(), p, in.Format == node.FormatSDJWT)
		if err != nil {
			return nil, proofError(i, err)
		}
		if err := p.Verify(b.key); err != nil {
			return nil, proofError(i, err)
		}
		bound = append(bound, b)
		if !slices.Contains(nonces, p.Nonce) {
			nonces = append(nonces, p.Nonce)
		}
	}
	st := s.vci()
	for _, n := range nonces {
		if !st.consumeNonce(issuer, n) {
			return nil, oid4vci.Errorf(oid4vci.ErrInvalidNonce, "the proof's nonce is not a fresh c_nonce of this issuer: get one from the nonce endpoint")
		}
	}

	// Claim the offer, issue outside the lock, then record the outcome.
	st.offers.Lock()
	var cur offerRecord
	err = s.node.Keystore.GetRecord(offerKey(rec.ID), &cur)
	if err == nil && (cur.State != offerRedeemed || cur.TokenHash != rec.TokenHash) {
		st.offers.Unlock()
		return nil, badToken
	}
	if err == nil {
		cur.State = offerIssuing
		err = s.node.Keystore.PutRecord(offerKey(cur.ID), cur, true)
	}
	st.offers.Unlock()
	if err != nil {
		return nil, err
	}
	out := &oid4vci.CredentialResponse{Credentials: make([]oid4vci.IssuedCredential, 0, len(bound))}
	acct := &keystore.Account{Name: cur.Account}
	for _, b := range bound {
		var doc map[string]any
		if err = json.Unmarshal(cur.Cred, &doc); err != nil {
			break
		}
		subj, _ := doc["credentialSubject"].(map[string]any)
		if subj == nil {
			err = errors.New("stored offer credential has no credentialSubject")
			break
		}
		subj["id"] = b.subject
		var body []byte
		if body, err = json.Marshal(doc); err != nil {
			break
		}
		var issued *node.Issued
		if issued, err = s.node.IssueCredential(r.Context(), acct, body, in.IssueProfile, in.Issuer, s.baseURL(r)); err != nil {
			break
		}
		var c json.RawMessage
		if issued.Document != nil {
			c = issued.Document
		} else if c, err = json.Marshal(issued.Compact); err != nil {
			break
		}
		out.Credentials = append(out.Credentials, oid4vci.IssuedCredential{Credential: c})
	}
	st.offers.Lock()
	defer st.offers.Unlock()
	if err != nil {
		// The claims stay out of the answer and the log: only the code.
		slog.WarnContext(r.Context(), "oid4vci: issuance to a wallet failed", "offer", cur.ID, "code", errs.Code(err))
		cur.State = offerRedeemed
		if perr := s.node.Keystore.PutRecord(offerKey(cur.ID), cur, true); perr != nil {
			return nil, perr
		}
		return nil, oid4vci.Errorf(oid4vci.ErrCredentialRequestDenied, "the issuer could not issue the credential (%s)", errs.Code(err))
	}
	cur.State = offerIssued
	cur.Issued = len(out.Credentials)
	if err := s.endOffer(&cur); err != nil {
		return nil, err
	}
	return out, nil
}

// eachRecord calls fn with every keystore record under prefix decoded as
// a T, skipping any that does not decode: the sweepers' reading of their
// records.
func eachRecord[T any](ks *keystore.Store, prefix string, fn func(rec *T)) error {
	return ks.Records(prefix, func(_ string, raw []byte) error {
		var rec T
		if json.Unmarshal(raw, &rec) == nil {
			fn(&rec)
		}
		return nil
	})
}

// OfferRetention is how long an offer's record is kept after it expires
// (issued or not), for GET /v1/offers/{id}.
const OfferRetention = 24 * time.Hour

// sweepOffers drops the claims and code of every offer that expired
// unredeemed, or redeemed but not collected (once its access token has
// expired too), and forgets every offer expired more than OfferRetention
// before now, with its code and access-token records.
func (s *Server) sweepOffers(now time.Time) error {
	cutoff := now.Add(-OfferRetention)
	var old []offerRecord
	var lapsed []string
	err := eachRecord(s.node.Keystore, "oid4vci/offer/", func(rec *offerRecord) {
		switch {
		case rec.Expires.Before(cutoff):
			old = append(old, *rec)
		case offerLapsed(rec, now):
			lapsed = append(lapsed, rec.ID)
		}
	})
	if err != nil {
		return err
	}
	st := s.vci()
	for _, id := range lapsed {
		st.offers.Lock()
		var rec offerRecord
		err := s.node.Keystore.GetRecord(offerKey(id), &rec)
		if err == nil && offerLapsed(&rec, now) {
			err = s.endOffer(&rec)
		}
		st.offers.Unlock()
		if err != nil && !errors.Is(err, keystore.ErrNotFound) {
			return err
		}
	}
	for _, rec := range old {
		keys := []string{offerKey(rec.ID)}
		if rec.Code != "" {
			keys = append(keys, codeKey(rec.Code))
		}
		if rec.TokenHash != "" {
			keys = append(keys, tokenHashKey(rec.TokenHash))
		}
		for _, k := range keys {
			if err := s.node.Keystore.DeleteRecord(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// offerLapsed reports whether rec can no longer be redeemed nor collected
// but still keeps its claims.
func offerLapsed(rec *offerRecord, now time.Time) bool {
	open := rec.State == offerOffered || rec.State == offerRedeemed
	return open && rec.Cred != nil && now.After(rec.Expires) && now.After(rec.TokenExpires)
}

// endOffer records an offer that reached a final state (issued, burned)
// or lapsed (expired before the wallet collected it): the claims it
// carried and its code are dropped — the node keeps no copy
// of a citizen's certificate it no longer needs —, then the records that
// found it by code and by access token are deleted. A crash between the
// two leaves index records pointing at a final offer, which still refuses
// them. Called with the offers lock held.
func (s *Server) endOffer(rec *offerRecord) error {
	code, token := codeKey(rec.Code), tokenHashKey(rec.TokenHash)
	rec.Cred, rec.Code = nil, ""
	if err := s.node.Keystore.PutRecord(offerKey(rec.ID), rec, true); err != nil {
		return err
	}
	if code != codeKey("") {
		if err := s.node.Keystore.DeleteRecord(code); err != nil {
			return err
		}
	}
	if rec.TokenHash != "" {
		return s.node.Keystore.DeleteRecord(token)
	}
	return nil
}

// proofError numbers a proof's error in a batch.
func proofError(i int, err error) error {
	var oe *oid4vci.Error
	if errors.As(err, &oe) {
		return &oid4vci.Error{Code: oe.Code, Description: "proofs.jwt[" + itoa(i) + "]: " + oe.Description}
	}
	return err
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// proofKey returns the key a proof names and the DID the credential is
// bound to: the did:jwk of a "jwk", or the DID of a "kid", which must be
// one of its DID's authentication methods. An SD-JWT VC binds its
// subject's first authentication key as cnf, so for one the proof's key
// must be that key.
func (s *Server) proofKey(ctx context.Context, p *oid4vci.Proof, sdjwtBinding bool) (boundKey, error) {
	if p.Kid == "" {
		d, err := did.JWKDID(p.JWK)
		if err != nil {
			return boundKey{}, oid4vci.Errorf(oid4vci.ErrInvalidProof, "\"jwk\" has no did:jwk")
		}
		return boundKey{subject: d, key: p.Key}, nil
	}
	u, _ := did.ParseDIDURL(p.Kid)
	res, err := s.node.Resolver.Resolve(ctx, u.DID, did.Options{})
	if err != nil || res == nil || res.Document == nil {
		return boundKey{}, oid4vci.Errorf(oid4vci.ErrInvalidProof, "the DID of \"kid\" does not resolve")
	}
	doc := res.Document
	first := ""
	for _, vm := range doc.VerificationMethod {
		if doc.HasRelationship("authentication", vm.ID) {
			first = vm.ID
			break
		}
	}
	vm, ok := doc.Method(p.Kid)
	if !ok || !doc.HasRelationship("authentication", vm.ID) {
		return boundKey{}, oid4vci.Errorf(oid4vci.ErrInvalidProof, "\"kid\" is not an authentication method of its DID")
	}
	var pk keys.PublicKey
	switch {
	case vm.PublicKeyMultibase != "":
		pk, err = keys.ParseMultibase(vm.PublicKeyMultibase)
	case len(vm.PublicKeyJwk) != 0:
		pk, err = jose.ParsePublicJWK(vm.PublicKeyJwk)
	default:
		err = errors.New("no key")
	}
	if err != nil {
		return boundKey{}, oid4vci.Errorf(oid4vci.ErrInvalidProof, "the method \"kid\" names has no usable public key")
	}
	if sdjwtBinding && vm.ID != first {
		return boundKey{}, oid4vci.Errorf(oid4vci.ErrInvalidProof, "an SD-JWT VC is bound to its subject DID's first authentication key: sign the proof with it")
	}
	return boundKey{subject: u.DID, key: pk}, nil
}
