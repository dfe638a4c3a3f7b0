package oid4vci

// The credential issuer: the service behind weid's OpenID4VCI endpoints.
//
// Every issuer instance (an account's named issuance profile) is a
// credential issuer (§12.2) whose identifier is <base>/issuers/<account>/
// <instance>: instance names are per account, so the account is part of
// the identifier. It is its own OAuth 2.0 authorization server, for the
// pre-authorized code grant only (§12.3).
//
// The flow: the institution's backend asks for an offer of the claims it
// vouches for (CreateOffer) → the citizen's wallet reads the offer (§4.1,
// by value or from <identifier>/offers/{id}: Offer) → the token endpoint
// with the pre-authorized code and the PIN if asked (§6: Token) → the
// nonce endpoint (§7: Nonce) → the credential endpoint with one JWT key
// proof per credential it wants (§8, Appendix F.1: Authorize, then Issue)
// → the credentials, each bound to its proof's key (credentialSubject.id
// is the key's DID; an SD-JWT VC carries the key as cnf).
//
// Offers, their pre-authorized codes and access tokens are records of a
// Store (the node's keystore); an offer is redeemed once (one token, one
// credential request, up to BatchSize credentials) and expires. Nonces are
// single-use tokens of package internal/onetime, scoped to the issuer's
// identifier: stateless until used (an HMAC over expiry and randomness,
// under a key drawn when the Issuer is made); a used one is remembered in
// memory until it expires, so a restart fails closed.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/onetime"
	"github.com/weidgo/weid/jose"
)

// Limits of the issuer.
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
	// OfferRetention is how long an offer's record is kept after it
	// expires (issued or not), for the institution to read its state.
	OfferRetention = 24 * time.Hour
	// SweepInterval is how often a serving node sweeps offers.
	SweepInterval = 10 * time.Minute
)

// ErrNotFound is what a Store returns for a record it does not hold.
var ErrNotFound = errors.New("oid4vci: no such record")

// ErrExists is what a Store's Create returns for a key it already holds.
var ErrExists = errors.New("oid4vci: record exists")

// Store holds the issuer's records — offers (OfferKey), and the indexes
// that find one by the hash of its pre-authorized code (CodeKey) or of its
// access token (TokenKey) — as JSON values by key: the node keeps them in
// its keystore (node/oid4vci.go), node-local and never on the ledger.
type Store interface {
	// Get decodes the record at key into v, or returns ErrNotFound.
	Get(key string, v any) error
	// Put writes v at key; sync makes the write durable before it returns.
	Put(key string, v any, sync bool) error
	// Create writes v at key durably unless the key exists (ErrExists).
	Create(key string, v any) error
	// Delete removes the record at key, if any.
	Delete(key string) error
	// Each calls fn with the JSON of every record whose key starts with
	// prefix, until fn returns an error.
	Each(prefix string, fn func(raw []byte) error) error
}

// An Instance is an issuer instance as its credential issuer serves it.
type Instance struct {
	// Account and Name name the instance (names are per account).
	Account, Name string
	// Issuer is the issuer DID, whose key the node keeps.
	Issuer string
	// Format is the credential format it issues in (FormatSDJWT,
	// FormatJWTVCJSON, FormatLDPVC).
	Format string
	// Types are the credential types the instance adds.
	Types []string
}

// Backend is what the issuer needs of the node: its issuer instances, the
// issuing itself, and DID resolution. node.Node's credential issuer
// (node/oid4vci.go) implements it.
type Backend interface {
	// Instance returns account's issuer instance name, or an error with
	// code issuer.notFound.
	Instance(account, name string) (*Instance, error)
	// Describe returns what in's metadata shows: its issuer's name in the
	// trust registry ("" when not recognized) and the algorithms (or
	// cryptosuites) its credentials are signed with.
	Describe(in *Instance) (display string, algs []string)
	// Check dry-runs issuing cred, a credential without
	// credentialSubject.id, with in: an error says why it cannot be issued.
	// Nothing is recorded.
	Check(ctx context.Context, in *Instance, cred json.RawMessage) error
	// Issue issues cred with in, for in's account, and returns it as a
	// credential response carries it: a JSON string (a compact JWT or
	// SD-JWT) or object (Data Integrity). baseURL is the node's public URL.
	Issue(ctx context.Context, in *Instance, cred json.RawMessage, baseURL string) (json.RawMessage, error)
	// Resolve returns the document of a DID.
	Resolve(ctx context.Context, d string) (*did.Document, error)
}

// IssuerURL names one credential issuer: the node's public URL and the
// account and instance of the path.
type IssuerURL struct {
	Base, Account, Instance string
}

// String is the credential issuer identifier (§12.2.1).
func (u IssuerURL) String() string { return u.Base + "/issuers/" + u.Account + "/" + u.Instance }

// Account is the institution account that asks for or about an offer. The
// admin's account sees every account's offers.
type Account struct {
	Name  string
	Admin bool
}

// Issuer is the OpenID4VCI credential issuer of every issuer instance of a
// node. Its durable state is in its Store; in memory it keeps only the
// nonce key, the nonces used and the lock over offer state changes.
type Issuer struct {
	store   Store
	backend Backend
	// offers serializes an offer's state changes (read, check, write).
	offers sync.Mutex
	nonces *onetime.Tokens
}

// NewIssuer returns the issuer over store and backend, with a fresh nonce
// key.
func NewIssuer(store Store, backend Backend) *Issuer {
	return &Issuer{store: store, backend: backend, nonces: onetime.New(NonceTTL)}
}

// instance returns the instance a public OID4VCI URL names, or a 404
// problem.
func (iss *Issuer) instance(u IssuerURL) (*Instance, error) {
	in, err := iss.backend.Instance(u.Account, u.Instance)
	if errs.Code(err) == "issuer.notFound" {
		return nil, errs.New(http.StatusNotFound, "oid4vci.unknownIssuer", "no credential issuer at this URL")
	}
	return in, err
}

// Known returns nil when u names a credential issuer, else the 404 problem
// oid4vci.unknownIssuer that all of u's endpoints answer: the token
// endpoint checks it before it reads a request, since an OAuth error
// response (RFC 6749 §5.2, OpenID4VCI 1.0 §6.3) is about a request to an
// authorization server that exists, and none does at u (RFC 9110 §15.5.5).
func (iss *Issuer) Known(u IssuerURL) error {
	_, err := iss.instance(u)
	return err
}

// Metadata is the credential issuer metadata of the instance u names
// (§12.2.4): one credential configuration, named after the instance.
func (iss *Issuer) Metadata(u IssuerURL) (*IssuerMetadata, error) {
	in, err := iss.instance(u)
	if err != nil {
		return nil, err
	}
	display, algs := iss.backend.Describe(in)
	conf := CredentialConfiguration{
		Format:                               in.Format,
		CryptographicBindingMethodsSupported: []string{"jwk", "did:key", "did:jwk", "did:weid"},
		CredentialSigningAlgValuesSupported:  algs,
		ProofTypesSupported: map[string]ProofType{
			ProofTypeJWT: {ProofSigningAlgValuesSupported: []string{jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K, jose.AlgSM2}},
		},
	}
	types, name := in.CredentialTypes()
	switch in.Format {
	case FormatSDJWT:
		conf.Vct = name
	case FormatJWTVCJSON:
		conf.CredentialDefinition = &CredentialDefinition{Type: types}
	default:
		conf.CredentialDefinition = &CredentialDefinition{Context: []string{contextV2, contextUndefinedTerms}, Type: types}
	}
	conf.CredentialMetadata = &CredentialMetadata{Display: []Display{{Name: name, Locale: "en"}}}
	if display == "" {
		display = in.Account
	}
	id := u.String()
	return &IssuerMetadata{
		CredentialIssuer:                  id,
		CredentialEndpoint:                id + "/credential",
		NonceEndpoint:                     id + "/nonce",
		BatchCredentialIssuance:           &BatchIssuance{BatchSize: BatchSize},
		Display:                           []Display{{Name: display, Locale: "en"}},
		CredentialConfigurationsSupported: map[string]CredentialConfiguration{in.Name: conf},
	}, nil
}

// AuthorizationServer is the RFC 8414 metadata of the instance's own
// authorization server: the pre-authorized code grant only, no client
// authentication (§12.3: pre-authorized_grant_anonymous_access_supported).
func (iss *Issuer) AuthorizationServer(u IssuerURL) (*AuthorizationServerMetadata, error) {
	if _, err := iss.instance(u); err != nil {
		return nil, err
	}
	id := u.String()
	return &AuthorizationServerMetadata{
		Issuer:                                id,
		TokenEndpoint:                         id + "/token",
		ResponseTypesSupported:                []string{},
		GrantTypesSupported:                   []string{GrantPreAuthorizedCode},
		TokenEndpointAuthMethodsSupported:     []string{"none"},
		PreAuthorizedGrantAnonymousAccessSupp: true,
	}, nil
}

// W3C VC 2.0 names the issuer writes (VC DM 2.0 §4.2, §4.5).
const (
	contextV2 = "https://www.w3.org/ns/credentials/v2"
	// contextUndefinedTerms is named last by a credential whose contexts
	// do not define all its terms (VC DM 2.0 §5.2): an offer's claims
	// and an instance's types are the issuer's own.
	contextUndefinedTerms    = "https://www.w3.org/ns/credentials/undefined-terms/v2"
	typeVerifiableCredential = "VerifiableCredential"
)

// CredentialTypes returns the W3C types of the instance's credentials and
// the name of the most specific one (its SD-JWT VC vct; the instance's
// name when it sets no type).
func (in *Instance) CredentialTypes() ([]string, string) {
	types := []string{typeVerifiableCredential}
	for _, t := range in.Types {
		if t != typeVerifiableCredential {
			types = append(types, t)
		}
	}
	if len(types) == 1 {
		return types, in.Name
	}
	return types, types[len(types)-1]
}
