package oid4vp

// The verifier (weid's side of §5 and §8): a Verifier makes presentation
// requests for an account's DID, serves their signed request objects, and
// verifies and records the wallets' answers. Its requests live in a Store
// (the node's keystore records); what it keeps in memory — the lock over
// request state changes, the answers in flight, the event streams'
// wake-ups — belongs to the Verifier value, one per server.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// Limits of a Verifier.
const (
	// RequestTTL and MaxRequestTTL bound how long a presentation request
	// may be answered.
	RequestTTL    = 10 * time.Minute
	MaxRequestTTL = time.Hour
	// RequestRetention is how long a request's record is kept after it
	// expires (answered or not).
	RequestRetention = 24 * time.Hour
	// MaxRequestsPerAccount bounds the request records of one account.
	MaxRequestsPerAccount = 1000
	// MaxEventStreams bounds the event streams open at once on a
	// Verifier, MaxEventStreamsPerAccount those of one account.
	MaxEventStreams           = 64
	MaxEventStreamsPerAccount = 8
	// SweepInterval is how often a serving node forgets old requests and
	// drops the keys of ended ones (Verifier.SweepEvery).
	SweepInterval = 10 * time.Minute
	// MaxPurposeBytes bounds a request's purpose.
	MaxPurposeBytes = 1000
)

// ErrNotFound is what a Store returns for a request it does not keep.
var ErrNotFound = errors.New("oid4vp: no such presentation request")

// Store keeps a Verifier's requests. The node keeps them as keystore
// records with an index per account (node.PresentationRequests); a
// request's record and its index entry are created and deleted together.
type Store interface {
	// Create stores a new request and its account's index entry.
	Create(rec *Record) error
	// Get returns request id, or ErrNotFound.
	Get(id string) (*Record, error)
	// Put replaces a request's record.
	Put(rec *Record) error
	// Delete forgets request id of account and its index entry.
	Delete(account, id string) error
	// Expiries calls fn with the id and expiry of each request of account
	// (a zero expiry for an index entry that cannot be read).
	Expiries(account string, fn func(id string, expires time.Time)) error
	// Each calls fn with every request of every account (skipping records
	// that cannot be read).
	Each(fn func(rec *Record)) error
}

// Keys are the verifier DIDs' keys, which the node keeps for the accounts.
type Keys interface {
	// SignerDIDs lists the DIDs whose keys the node keeps for account.
	SignerDIDs(account string) ([]string, error)
	// SignerKey returns the verification method and key that sign for
	// did, refusing (*errs.Error) a DID that is not account's.
	SignerKey(account, did string) (string, *keys.PrivateKey, error)
}

// Checker verifies presentations and names issuers: the node's credential
// verifier (the /presentations/verify pipeline) and trust registry.
type Checker interface {
	VerifyPresentation(ctx context.Context, raw json.RawMessage, o credential.PresentationOptions) (*credential.PresentationResult, error)
	// IssuerName is the trust registry's name of an authority issuer, ""
	// if did is none.
	IssuerName(did string) string
}

// Caller is the API account a request is made or read for.
type Caller struct {
	Account string
	// Admin reads the requests of every account.
	Admin bool
}

// Verifier is weid's OpenID4VP verifier. Its methods are safe for
// concurrent use.
type Verifier struct {
	store   Store
	keys    Keys
	checker Checker
	now     func() time.Time

	// mu orders request state changes (read, check, write) and guards the
	// maps and counters below.
	mu       sync.Mutex
	inflight map[string]bool // requests being answered
	watchers map[string]*watcher
	// streams counts the open event streams, all and per account.
	streams        int
	accountStreams map[string]int
	done           chan struct{}
	stop           sync.Once
}

// NewVerifier returns a verifier of the requests in store, signing with
// keys and verifying with checker.
func NewVerifier(store Store, keys Keys, checker Checker) *Verifier {
	return &Verifier{
		store: store, keys: keys, checker: checker, now: time.Now,
		inflight: map[string]bool{}, watchers: map[string]*watcher{}, accountStreams: map[string]int{},
		done: make(chan struct{}),
	}
}

// vpFormats is the client_metadata.vp_formats_supported of weid's verifier
// (§11.1, Appendix B).
func vpFormats() map[string]map[string][]string {
	algs := []string{jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K}
	return map[string]map[string][]string{
		FormatSDJWT:     {"sd-jwt_alg_values": algs, "kb-jwt_alg_values": algs},
		FormatJWTVCJSON: {"alg_values": algs},
		FormatLDPVC: {
			"proof_type_values":  {"DataIntegrityProof"},
			"cryptosuite_values": {"eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"},
		},
	}
}

func invalid(format string, args ...any) error {
	return errs.BadRequest("presentationRequest.invalid", format, args...)
}

// Create makes a presentation request of c's verifier DID, whose endpoints
// are under base, the node's URL. The request object is signed once, now.
func (v *Verifier) Create(ctx context.Context, c Caller, base string, req *api.PresentationRequestBody) (*api.PresentationRequestCreated, error) {
	rec, ttl, err := newRecord(c.Account, req)
	if err != nil {
		return nil, err
	}
	d, err := v.verifierDID(c.Account, req.DID)
	if err != nil {
		return nil, err
	}
	kid, key, err := v.keys.SignerKey(c.Account, d)
	if err != nil {
		return nil, err
	}
	if err := v.prune(c.Account); err != nil {
		return nil, err
	}
	now := v.now().UTC().Truncate(time.Second)
	rec.ID, rec.DID, rec.ClientID = randomToken(16), d, PrefixDecentralizedIdentifier+d
	rec.Nonce, rec.State = randomToken(32), randomToken(32)
	rec.Created, rec.Expires = now, now.Add(ttl)
	if rec.RequestObject, err = v.sign(rec, base, kid, key); err != nil {
		return nil, err
	}
	if err := v.store.Create(rec); err != nil {
		return nil, err
	}
	return &api.PresentationRequestCreated{
		ID: rec.ID, Status: api.VPPending, RequestURI: rec.DeepLink(base), RequestObjectURI: rec.RequestObjectURL(base),
		ClientID: rec.ClientID, ResponseMode: rec.ResponseMode, Expires: rec.Expires,
	}, nil
}

// newRecord checks a request's body and starts its record; it returns how
// long the request may be answered.
func newRecord(account string, req *api.PresentationRequestBody) (*Record, time.Duration, error) {
	rec := &Record{Account: account, ResponseMode: req.ResponseMode, Purpose: req.Purpose, Status: api.VPPending,
		RequireAccreditation: req.RequireAccreditation == nil || *req.RequireAccreditation}
	if err := rec.setQuery(req); err != nil {
		return nil, 0, err
	}
	switch rec.ResponseMode {
	case "":
		rec.ResponseMode = ResponseModeDirectPost
	case ResponseModeDirectPost, ResponseModeDirectPostJWT:
	default:
		return nil, 0, invalid("response_mode is direct_post or direct_post.jwt")
	}
	if len(req.Purpose) > MaxPurposeBytes {
		return nil, 0, invalid("purpose is at most 1000 bytes")
	}
	ttl := RequestTTL
	if req.ExpiresIn != 0 {
		if req.ExpiresIn < 30 || req.ExpiresIn > int64(MaxRequestTTL/time.Second) {
			return nil, 0, invalid("expiresIn must be 30 to %d seconds", int64(MaxRequestTTL/time.Second))
		}
		ttl = time.Duration(req.ExpiresIn) * time.Second
	}
	return rec, ttl, nil
}

// setQuery keeps the request's DCQL query, or its presentation
// definition and the DCQL query it translates to.
func (rec *Record) setQuery(req *api.PresentationRequestBody) error {
	var q *DCQL
	var err error
	switch {
	case len(req.DCQLQuery) > 0 && len(req.PresentationDefinition) > 0:
		return invalid("give dcql_query or presentation_definition, not both")
	case len(req.DCQLQuery) > 0:
		if q, err = ParseDCQL(req.DCQLQuery); err != nil {
			return invalid("%v", err)
		}
	case len(req.PresentationDefinition) > 0:
		if _, q, err = ParsePresentationDefinition(req.PresentationDefinition); err != nil {
			return invalid("%v", err)
		}
		rec.PD = req.PresentationDefinition
	default:
		return invalid("dcql_query (or presentation_definition) is required")
	}
	for _, cq := range q.Credentials {
		if len(cq.TrustedAuthorities) > 0 && string(cq.TrustedAuthorities) != "null" {
			// §6.1.1's authority types (aki, etsi_tl, openid_federation)
			// do not map to weid's trust registry; rather than ignore the
			// constraint, refuse it.
			return invalid("credential query %q: trusted_authorities is not supported; weid's trust registry decides which issuers are recognized (requireAccreditation, on by default)", cq.ID)
		}
	}
	rec.Query, _ = json.Marshal(q)
	return nil
}

// verifierDID returns the DID an account verifies as: the one asked for,
// which it must own, or its first custodial did:weid.
func (v *Verifier) verifierDID(account, asked string) (string, error) {
	if asked != "" {
		if _, _, err := v.keys.SignerKey(account, asked); err != nil {
			return "", err
		}
		return asked, nil
	}
	dids, err := v.keys.SignerDIDs(account)
	if err != nil {
		return "", err
	}
	for _, d := range dids {
		if strings.HasPrefix(d, "did:weid:") {
			return d, nil
		}
	}
	if len(dids) > 0 {
		return dids[0], nil
	}
	return "", invalid("the account has no custodial DID to verify as")
}

// sign makes rec's request object (typ oauth-authz-req+jwt) and, for
// direct_post.jwt, the request's ephemeral key.
func (v *Verifier) sign(rec *Record, base, kid string, key *keys.PrivateKey) (string, error) {
	ro := &RequestObject{
		ClientID: rec.ClientID, ResponseType: ResponseTypeVPToken, ResponseMode: rec.ResponseMode,
		ResponseURI: base + ResponsePath + rec.ID, Nonce: rec.Nonce, State: rec.State,
		Purpose: rec.Purpose, Aud: SelfIssuedAudience, Iat: rec.Created.Unix(), Exp: rec.Expires.Unix(),
		ClientMetadata: &ClientMetadata{ClientName: v.verifierName(rec.DID), VPFormatsSupported: vpFormats()},
	}
	if rec.PD != nil {
		ro.PresentationDefinition = rec.PD
	} else {
		ro.DCQLQuery = rec.Query
	}
	if rec.ResponseMode == ResponseModeDirectPostJWT {
		ek, err := NewEphemeralKey(randomToken(8))
		if err != nil {
			return "", err
		}
		pub, err := ek.PublicJWK()
		if err != nil {
			return "", err
		}
		if err := rec.setEphemeralKey(ek); err != nil {
			return "", err
		}
		ro.ClientMetadata.JWKS = &JWKS{Keys: []json.RawMessage{pub}}
		ro.ClientMetadata.EncryptedResponseEncValuesSupported = []string{EncA128GCM, EncA256GCM}
	}
	return SignRequestObject(key, kid, ro)
}

// verifierName is what the wallet is told the verifier is called: its
// trust registry name, or its DID (an account's name is internal).
func (v *Verifier) verifierName(d string) string {
	if name := v.checker.IssuerName(d); name != "" {
		return name
	}
	return d
}

// prune forgets the account's requests expired more than RequestRetention
// ago, and refuses a new one when MaxRequestsPerAccount remain.
func (v *Verifier) prune(account string) error {
	cutoff := v.now().Add(-RequestRetention)
	var old []string
	n := 0
	err := v.store.Expiries(account, func(id string, exp time.Time) {
		if !exp.IsZero() && exp.Before(cutoff) {
			old = append(old, id)
		} else {
			n++
		}
	})
	if err != nil {
		return err
	}
	for _, id := range old {
		if err := v.store.Delete(account, id); err != nil {
			return err
		}
	}
	if n >= MaxRequestsPerAccount {
		return errs.New(http.StatusTooManyRequests, "presentationRequest.tooMany", "the account has %d presentation requests kept (each until a day after it expires); wait for some to expire", n)
	}
	return nil
}

// Request returns c's presentation request id (any account's for an
// admin).
func (v *Verifier) Request(c Caller, id string) (*Record, error) {
	rec, err := v.store.Get(id)
	if errors.Is(err, ErrNotFound) || err == nil && rec.Account != c.Account && !c.Admin {
		return nil, errs.New(http.StatusNotFound, "presentationRequest.notFound", "no presentation request %q for this account", truncate(id, 64))
	}
	return rec, err
}

// Get returns request id whoever made it, or ErrNotFound: for a caller
// already authorized, such as an open event stream.
func (v *Verifier) Get(id string) (*Record, error) { return v.store.Get(id) }

// Status is the API view of a request now.
func (v *Verifier) Status(rec *Record) api.PresentationRequestStatus { return rec.View(v.now()) }

// RequestObject returns request id's signed request object (§5.7, RFC
// 9101 §5.2) while the request may be answered, and marks it retrieved.
func (v *Verifier) RequestObject(id string) (string, error) {
	v.mu.Lock()
	rec, err := v.store.Get(id)
	if err == nil && rec.StatusAt(v.now()) == api.VPPending {
		rec.Status = api.VPRetrieved
		if err = v.store.Put(rec); err == nil {
			v.notifyLocked(id)
		}
	}
	v.mu.Unlock()
	if errors.Is(err, ErrNotFound) || err == nil && rec.StatusAt(v.now()) != api.VPRetrieved {
		return "", errs.New(http.StatusNotFound, "presentationRequest.notFound", "no open presentation request here: it was never made, was answered or has expired")
	}
	if err != nil {
		return "", err
	}
	return rec.RequestObject, nil
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("weid: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
