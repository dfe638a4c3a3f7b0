package server

// OpenID for Verifiable Presentations 1.0 (OID4VP): a verifier's backend
// (an account) asks a citizen's wallet for credentials and learns what was
// presented.
//
// The verifier is the account's custodial DID: client_id is
// decentralized_identifier:<DID> (§5.9.3) and the request object (§5, RFC
// 9101, typ oauth-authz-req+jwt) is signed with the DID's current key,
// named by its verification method. The flow: POST
// /v1/presentation-requests with a DCQL query (§6) or a Presentation
// Exchange definition → an openid4vp:// link and QR code with client_id and
// request_uri (§5.7) → the wallet fetches the signed request object from
// GET /oid4vp/requests/{id} → it posts its response to response_uri, POST
// /oid4vp/responses/{id}, as a form (direct_post, §8.2) or a JWE to the
// request's ephemeral P-256 key (direct_post.jwt, §8.3) → the node verifies
// each presentation with the /presentations/verify pipeline, with the
// request's nonce as the challenge and client_id as the domain (the KB-JWT
// nonce and aud, the vp+jwt nonce and aud, the Data Integrity challenge
// and domain: Appendix B.1.3, B.3.6), checks that the credentials answer
// the query, and records the outcome, which GET
// /v1/presentation-requests/{id} and its event stream report.
//
// Requests are node-local keystore records (oid4vp/request/<id>), kept a
// day after they expire; an account holds at most MaxOpenVPRequests of
// them. A request is answered once.

import (
	"context"
	"crypto/ecdsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/sdjwt"
)

// OID4VP limits.
const (
	// VPRequestDefaultTTL and VPRequestMaxTTL bound how long a
	// presentation request may be answered.
	VPRequestDefaultTTL = 10 * time.Minute
	VPRequestMaxTTL     = time.Hour
	// VPRequestRetention is how long a request's record is kept after it
	// expires (answered or not).
	VPRequestRetention = 24 * time.Hour
	// MaxOpenVPRequests bounds the request records of one account.
	MaxOpenVPRequests = 1000
	// MaxVPEventStreams bounds the event streams open at once on a node,
	// MaxVPEventStreamsPerAccount those of one account.
	MaxVPEventStreams           = 64
	MaxVPEventStreamsPerAccount = 8
	// VPSweepInterval is how often a serving node forgets old requests
	// and drops the keys of ended ones.
	VPSweepInterval = 10 * time.Minute
	// VPEventHeartbeat is how often a quiet event stream sends a comment.
	VPEventHeartbeat = 15 * time.Second
)

// Presentation request statuses.
const (
	vpPending   = "pending"   // made, not fetched
	vpRetrieved = "retrieved" // the wallet fetched the request object
	vpVerified  = "verified"  // answered, and everything checked out
	vpRejected  = "rejected"  // answered, and something did not
	vpExpired   = "expired"   // not answered in time
)

// PresentationRequestBody is the body of POST /v1/presentation-requests.
type PresentationRequestBody struct {
	// Exactly one of DCQLQuery (OID4VP 1.0 §6) and PresentationDefinition
	// (DIF Presentation Exchange 2.0, for older wallets).
	DCQLQuery              json.RawMessage `json:"dcql_query,omitempty"`
	PresentationDefinition json.RawMessage `json:"presentation_definition,omitempty"`
	// ResponseMode is direct_post (default) or direct_post.jwt.
	ResponseMode string `json:"response_mode,omitempty"`
	// Purpose is shown by the wallet (weid's extension parameter).
	Purpose string `json:"purpose,omitempty"`
	// ExpiresIn is how many seconds the request may be answered (default
	// 600, at most 3600).
	ExpiresIn int64 `json:"expiresIn,omitempty"`
	// DID is the verifier: one of the account's custodial DIDs (default:
	// its first did:weid).
	DID string `json:"did,omitempty"`
	// RequireAccreditation (default true) accepts only credentials whose
	// issuer the trust registry accredits for their types and schemas
	// (credential.Policy.RequireAccreditation); false makes an unrecognized
	// issuer a warning.
	RequireAccreditation *bool `json:"requireAccreditation,omitempty"`
}

// PresentationRequestCreated is the body of a 201 from POST
// /v1/presentation-requests.
type PresentationRequestCreated struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// RequestURI is the openid4vp:// deep link (client_id, request_uri);
	// RequestObjectURI is the URL of the signed request object.
	RequestURI       string    `json:"requestUri"`
	RequestObjectURI string    `json:"request_uri"`
	ClientID         string    `json:"clientId"`
	ResponseMode     string    `json:"responseMode"`
	Expires          time.Time `json:"expires"`
	QR               VPQRLinks `json:"qr"`
}

// VPQRLinks are the URLs of a request's QR code images.
type VPQRLinks struct {
	PNG string `json:"png"`
	SVG string `json:"svg"`
}

// PresentationRequestStatus is the body of GET
// /v1/presentation-requests/{id} and of its status events.
type PresentationRequestStatus struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	ClientID     string    `json:"clientId"`
	ResponseMode string    `json:"responseMode"`
	Purpose      string    `json:"purpose,omitempty"`
	Created      time.Time `json:"created"`
	Expires      time.Time `json:"expires"`
	// Query is the DCQL query (a presentation definition's translation);
	// PresentationDefinition the definition if one was given.
	Query                  json.RawMessage            `json:"query"`
	PresentationDefinition json.RawMessage            `json:"presentationDefinition,omitempty"`
	RequireAccreditation   bool                       `json:"requireAccreditation"`
	Answered               *time.Time                 `json:"answered,omitempty"`
	Result                 *PresentationRequestResult `json:"result,omitempty"`
}

// PresentationRequestResult is what the node found in a wallet's answer.
// It keeps the checks, the holder, and of each credential its issuer, types
// and the claims the query asked for — never a whole credential or
// presentation, so that what a wallet disclosed beyond the query is not
// stored or served.
type PresentationRequestResult struct {
	Verified bool               `json:"verified"`
	Checks   []credential.Check `json:"checks"`
	// Warnings and Errors are the result's own warnings and failures and
	// those of each presentation and credential, their details prefixed
	// with where they were found (queryId[n], credential n).
	Warnings []credential.Check `json:"warnings"`
	Errors   []credential.Check `json:"errors"`
	// Holder is the DID whose key made the holder proofs, if known.
	Holder      string                `json:"holder,omitempty"`
	Credentials []PresentedCredential `json:"credentials"`
	// Presentations has each presentation's checks and its credentials'
	// checks, issuers and types.
	Presentations []PresentationQueryVerdict `json:"presentations,omitempty"`
	// WalletError is the error response of a wallet that declined (§8.5).
	WalletError string `json:"walletError,omitempty"`

	// unproven names the checks that say the answer is not bound to this
	// request by its holder (holderProof, nonce, audience): anyone who saw
	// the QR code could have sent it, so it does not end the request.
	unproven []string
}

// PresentationQueryVerdict is one presentation's verdict, reduced to its
// checks, and the query it answered.
type PresentationQueryVerdict struct {
	QueryID     string              `json:"queryId"`
	Format      string              `json:"format"`
	Verified    bool                `json:"verified"`
	Holder      string              `json:"holder,omitempty"`
	Checks      []credential.Check  `json:"checks"`
	Credentials []CredentialVerdict `json:"credentials"`
}

// CredentialVerdict is one presented credential's checks, issuer and types.
type CredentialVerdict struct {
	Verified bool               `json:"verified"`
	Issuer   string             `json:"issuer,omitempty"`
	Types    []string           `json:"types,omitempty"`
	Checks   []credential.Check `json:"checks"`
}

// PresentedCredential is one credential a wallet presented, reduced to
// what the query asked for.
type PresentedCredential struct {
	QueryID    string   `json:"queryId"`
	Format     string   `json:"format"`
	Verified   bool     `json:"verified"`
	Issuer     string   `json:"issuer,omitempty"`
	IssuerName string   `json:"issuerName,omitempty"`
	Types      []string `json:"types,omitempty"`
	// Claims are the requested claims' values, nested as in the
	// credential (the claims paths of the query).
	Claims map[string]any `json:"claims"`
	// Status is the credential's status check and entry.
	Status *CredentialStatusFacts `json:"status,omitempty"`
}

// CredentialStatusFacts is what the status check found.
type CredentialStatusFacts struct {
	Check  string `json:"check"`
	Detail string `json:"detail,omitempty"`
	Entry  any    `json:"entry,omitempty"`
}

// vpRecord is the keystore record of a presentation request.
type vpRecord struct {
	ID           string          `json:"id"`
	Account      string          `json:"account"`
	DID          string          `json:"did"`
	ClientID     string          `json:"clientId"`
	Query        json.RawMessage `json:"query"`
	PD           json.RawMessage `json:"presentationDefinition,omitempty"`
	ResponseMode string          `json:"responseMode"`
	Purpose      string          `json:"purpose,omitempty"`
	// RequireAccreditation is the verification policy's.
	RequireAccreditation bool   `json:"requireAccreditation,omitempty"`
	Nonce                string `json:"nonce"`
	State                string `json:"state"`
	// EncKey is a direct_post.jwt request's ephemeral P-256 key: its kid,
	// ".", its PKCS #8 DER in base64url; a key for this request only,
	// dropped once the request is answered.
	EncKey        string                     `json:"encKey,omitempty"`
	RequestObject string                     `json:"requestObject"`
	Status        string                     `json:"status"`
	Created       time.Time                  `json:"created"`
	Expires       time.Time                  `json:"expires"`
	Answered      time.Time                  `json:"answered,omitzero"`
	Result        *PresentationRequestResult `json:"result,omitempty"`
}

func vpKey(id string) string { return "oid4vp/request/" + id }
func vpAccountKey(account, id string) string {
	return "oid4vp/account/" + account + "/" + id
}

// status is the record's status now: an unanswered request past its
// expiry is expired.
func (rec *vpRecord) status(now time.Time) string {
	if (rec.Status == vpPending || rec.Status == vpRetrieved) && now.After(rec.Expires) {
		return vpExpired
	}
	return rec.Status
}

func vpFinal(st string) bool { return st == vpVerified || st == vpRejected || st == vpExpired }

// vpState is a server's OID4VP state in memory: the lock over request
// state changes, the requests being answered, the event streams' wake-ups.
type vpState struct {
	mu       sync.Mutex
	inflight map[string]bool
	watchers map[string]*vpWatcher
	// streams counts the open event streams, all and per account.
	streams        int
	accountStreams map[string]int
	done           chan struct{}
	stop           sync.Once
}

// vpWatcher is the wake-up channel of one request and how many streams
// wait on it.
type vpWatcher struct {
	ch chan struct{}
	n  int
}

func newVPState() *vpState {
	return &vpState{inflight: map[string]bool{}, watchers: map[string]*vpWatcher{}, accountStreams: map[string]int{}, done: make(chan struct{})}
}

// openStream counts a new event stream of account, or says which bound
// (MaxVPEventStreams, MaxVPEventStreamsPerAccount) it would pass.
func (st *vpState) openStream(account string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.streams >= MaxVPEventStreams {
		return errs.New(http.StatusServiceUnavailable, "presentationRequest.tooManyStreams", "too many event streams are open on this node; poll GET /v1/presentation-requests/{id} instead")
	}
	if st.accountStreams[account] >= MaxVPEventStreamsPerAccount {
		return errs.New(http.StatusServiceUnavailable, "presentationRequest.tooManyStreams", "the account has %d event streams open; close one or poll GET /v1/presentation-requests/{id}", MaxVPEventStreamsPerAccount)
	}
	st.streams++
	st.accountStreams[account]++
	return nil
}

// closeStream uncounts an event stream of account.
func (st *vpState) closeStream(account string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.streams--
	if st.accountStreams[account]--; st.accountStreams[account] <= 0 {
		delete(st.accountStreams, account)
	}
}

// shutdown ends the event streams (the HTTP server's shutdown waits for
// them otherwise).
func (st *vpState) shutdown() { st.stop.Do(func() { close(st.done) }) }

// watch returns a channel closed at the next change of request id, and
// the function that says the caller no longer waits on it (the last to
// leave forgets the channel: a request that expires while watched leaves
// nothing behind).
func (st *vpState) watch(id string) (<-chan struct{}, func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	w, ok := st.watchers[id]
	if !ok {
		w = &vpWatcher{ch: make(chan struct{})}
		st.watchers[id] = w
	}
	w.n++
	return w.ch, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if w.n--; w.n == 0 && st.watchers[id] == w {
			delete(st.watchers, id)
		}
	}
}

// notify wakes the watchers of id; st.mu is held.
func (st *vpState) notifyLocked(id string) {
	if w, ok := st.watchers[id]; ok {
		close(w.ch)
		delete(st.watchers, id)
	}
}

// vpFormats is the client_metadata.vp_formats_supported of weid's
// verifier (§11.1, Appendix B).
var vpFormats = map[string]map[string][]string{
	oid4vp.FormatSDJWT: {
		"sd-jwt_alg_values": {jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K, jose.AlgSM2},
		"kb-jwt_alg_values": {jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K, jose.AlgSM2},
	},
	oid4vp.FormatJWTVCJSON: {"alg_values": {jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K, jose.AlgSM2}},
	oid4vp.FormatLDPVC: {
		"proof_type_values":  {"DataIntegrityProof"},
		"cryptosuite_values": {"eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019"},
	},
}

// verifierDID returns the DID an account verifies as: the one asked for,
// which it must own, or its first custodial did:weid.
func (s *Server) verifierDID(acct *keystore.Account, asked string) (string, error) {
	if asked != "" {
		if _, _, err := s.node.SignerKey(acct, asked); err != nil {
			return "", err
		}
		return asked, nil
	}
	dids, err := s.node.Keystore.SignerDIDs(acct.Name)
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
	return "", errs.BadRequest("presentationRequest.invalid", "the account has no custodial DID to verify as")
}

// createPresentationRequest makes a presentation request of the caller's
// verifier DID.
func (s *Server) createPresentationRequest(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req PresentationRequestBody
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	out, err := s.newPresentationRequest(r, acct, &req)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) newPresentationRequest(r *http.Request, acct *keystore.Account, req *PresentationRequestBody) (*PresentationRequestCreated, error) {
	bad := func(format string, args ...any) error {
		return errs.BadRequest("presentationRequest.invalid", format, args...)
	}
	rec := vpRecord{Account: acct.Name, ResponseMode: req.ResponseMode, Purpose: req.Purpose, Status: vpPending,
		RequireAccreditation: req.RequireAccreditation == nil || *req.RequireAccreditation}
	var q *oid4vp.DCQL
	switch {
	case len(req.DCQLQuery) > 0 && len(req.PresentationDefinition) > 0:
		return nil, bad("give dcql_query or presentation_definition, not both")
	case len(req.DCQLQuery) > 0:
		var err error
		if q, err = oid4vp.ParseDCQL(req.DCQLQuery); err != nil {
			return nil, bad("%v", err)
		}
		rec.Query, _ = json.Marshal(q)
	case len(req.PresentationDefinition) > 0:
		var err error
		if _, q, err = oid4vp.ParsePresentationDefinition(req.PresentationDefinition); err != nil {
			return nil, bad("%v", err)
		}
		rec.Query, _ = json.Marshal(q)
		rec.PD = req.PresentationDefinition
	default:
		return nil, bad("dcql_query (or presentation_definition) is required")
	}
	for _, cq := range q.Credentials {
		if len(cq.TrustedAuthorities) > 0 && string(cq.TrustedAuthorities) != "null" {
			// §6.1.1's authority types (aki, etsi_tl, openid_federation)
			// do not map to weid's trust registry; rather than ignore the
			// constraint, refuse it.
			return nil, bad("credential query %q: trusted_authorities is not supported; weid's trust registry decides which issuers are recognized (requireAccreditation, on by default)", cq.ID)
		}
	}
	switch rec.ResponseMode {
	case "":
		rec.ResponseMode = oid4vp.ResponseModeDirectPost
	case oid4vp.ResponseModeDirectPost, oid4vp.ResponseModeDirectPostJWT:
	default:
		return nil, bad("response_mode is direct_post or direct_post.jwt")
	}
	if len(req.Purpose) > 1000 {
		return nil, bad("purpose is at most 1000 bytes")
	}
	ttl := VPRequestDefaultTTL
	if req.ExpiresIn != 0 {
		if req.ExpiresIn < 30 || req.ExpiresIn > int64(VPRequestMaxTTL/time.Second) {
			return nil, bad("expiresIn must be 30 to %d seconds", int64(VPRequestMaxTTL/time.Second))
		}
		ttl = time.Duration(req.ExpiresIn) * time.Second
	}
	d, err := s.verifierDID(acct, req.DID)
	if err != nil {
		return nil, err
	}
	kid, key, err := s.node.SignerKey(acct, d)
	if err != nil {
		return nil, err
	}
	if err := s.pruneVPRequests(acct.Name); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	rec.ID, rec.DID, rec.ClientID = randomToken(16), d, oid4vp.PrefixDecentralizedIdentifier+d
	rec.Nonce, rec.State = randomToken(32), randomToken(32)
	rec.Created, rec.Expires = now, now.Add(ttl)
	base := s.baseURL(r)
	ro := &oid4vp.RequestObject{
		ClientID: rec.ClientID, ResponseType: oid4vp.ResponseTypeVPToken, ResponseMode: rec.ResponseMode,
		ResponseURI: base + "/oid4vp/responses/" + rec.ID, Nonce: rec.Nonce, State: rec.State,
		Purpose: rec.Purpose, Aud: oid4vp.SelfIssuedAudience, Iat: now.Unix(), Exp: rec.Expires.Unix(),
		ClientMetadata: &oid4vp.ClientMetadata{ClientName: s.verifierName(d), VPFormatsSupported: vpFormats},
	}
	if rec.PD != nil {
		ro.PresentationDefinition = rec.PD
	} else {
		ro.DCQLQuery = rec.Query
	}
	if rec.ResponseMode == oid4vp.ResponseModeDirectPostJWT {
		ek, err := oid4vp.NewEphemeralKey(randomToken(8))
		if err != nil {
			return nil, err
		}
		pub, err := ek.PublicJWK()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(ek.Private)
		if err != nil {
			return nil, err
		}
		rec.EncKey = ek.KID + "." + base64.RawURLEncoding.EncodeToString(der)
		ro.ClientMetadata.JWKS = &oid4vp.JWKS{Keys: []json.RawMessage{pub}}
		ro.ClientMetadata.EncryptedResponseEncValuesSupported = []string{oid4vp.EncA128GCM, oid4vp.EncA256GCM}
	}
	if rec.RequestObject, err = oid4vp.SignRequestObject(key, kid, ro); err != nil {
		return nil, err
	}
	if err := s.node.Keystore.CreateRecord(vpAccountKey(acct.Name, rec.ID), rec.Expires); err != nil {
		return nil, err
	}
	if err := s.node.Keystore.CreateRecord(vpKey(rec.ID), rec); err != nil {
		return nil, err
	}
	objURL := base + "/oid4vp/requests/" + rec.ID
	qrURL := base + "/v1/presentation-requests/" + rec.ID + "/qr?format="
	return &PresentationRequestCreated{
		ID: rec.ID, Status: vpPending, RequestURI: oid4vp.RequestURI(rec.ClientID, objURL), RequestObjectURI: objURL,
		ClientID: rec.ClientID, ResponseMode: rec.ResponseMode, Expires: rec.Expires,
		QR: VPQRLinks{PNG: qrURL + "png", SVG: qrURL + "svg"},
	}, nil
}

// verifierName is what the wallet is told the verifier is called: its
// trust registry name, or its DID (an account's name is internal).
func (s *Server) verifierName(d string) string {
	if is, ok, err := authz.AuthorityIssuer(s.node.Ledger, d); err == nil && ok && is.Name != "" {
		return is.Name
	}
	return d
}

// pruneVPRequests forgets the account's requests expired more than
// VPRequestRetention ago, and refuses a new one when MaxOpenVPRequests
// remain.
func (s *Server) pruneVPRequests(account string) error {
	cutoff := time.Now().Add(-VPRequestRetention)
	var old []string
	n := 0
	err := s.node.Keystore.Records("oid4vp/account/"+account+"/", func(id string, raw []byte) error {
		var exp time.Time
		if json.Unmarshal(raw, &exp) == nil && exp.Before(cutoff) {
			old = append(old, id)
		} else {
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range old {
		if err := s.node.Keystore.DeleteRecord(vpKey(id)); err != nil {
			return err
		}
		if err := s.node.Keystore.DeleteRecord(vpAccountKey(account, id)); err != nil {
			return err
		}
	}
	if n >= MaxOpenVPRequests {
		return errs.New(http.StatusTooManyRequests, "presentationRequest.tooMany", "the account has %d presentation requests kept (each until a day after it expires); wait for some to expire", n)
	}
	return nil
}

// sweepVPRequests forgets every request expired more than
// VPRequestRetention before now (whichever account made it), and drops the
// decryption key of every request that can no longer be answered.
func (s *Server) sweepVPRequests(now time.Time) error {
	cutoff := now.Add(-VPRequestRetention)
	var old []vpRecord
	var ended []string
	err := eachRecord(s.node.Keystore, "oid4vp/request/", func(rec *vpRecord) {
		switch {
		case rec.Expires.Before(cutoff):
			old = append(old, *rec)
		case rec.EncKey != "" && vpFinal(rec.status(now)):
			ended = append(ended, rec.ID)
		}
	})
	if err != nil {
		return err
	}
	for _, rec := range old {
		if err := s.node.Keystore.DeleteRecord(vpKey(rec.ID)); err != nil {
			return err
		}
		if err := s.node.Keystore.DeleteRecord(vpAccountKey(rec.Account, rec.ID)); err != nil {
			return err
		}
	}
	st := s.vp
	for _, id := range ended {
		st.mu.Lock()
		var rec vpRecord
		err := s.node.Keystore.GetRecord(vpKey(id), &rec)
		if err == nil && rec.EncKey != "" && vpFinal(rec.status(now)) {
			rec.EncKey = ""
			err = s.node.Keystore.PutRecord(vpKey(id), rec, true)
		}
		st.mu.Unlock()
		if err != nil && !errors.Is(err, keystore.ErrNotFound) {
			return err
		}
	}
	return nil
}

// sweepEvery forgets what the node no longer needs to keep — old
// presentation requests (sweepVPRequests) and old credential offers
// (sweepOffers) — every interval until ctx ends.
func (s *Server) sweepEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := s.sweepVPRequests(now); err != nil {
				slog.WarnContext(ctx, "oid4vp: sweeping presentation requests", "err", err)
			}
			if err := s.sweepOffers(now); err != nil {
				slog.WarnContext(ctx, "oid4vci: sweeping credential offers", "err", err)
			}
		}
	}
}

// ownVPRequest returns the caller's presentation request of the path.
func (s *Server) ownVPRequest(r *http.Request) (*vpRecord, error) {
	acct, err := s.account(r)
	if err != nil {
		return nil, err
	}
	id := chi.URLParam(r, "id")
	var rec vpRecord
	err = s.node.Keystore.GetRecord(vpKey(id), &rec)
	if errors.Is(err, keystore.ErrNotFound) || err == nil && rec.Account != acct.Name && !acct.Admin {
		return nil, errs.New(http.StatusNotFound, "presentationRequest.notFound", "no presentation request %q for this account", truncateID(id))
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

func truncateID(id string) string {
	if len(id) > 64 {
		return id[:64] + "…"
	}
	return id
}

// statusOf is the API view of a record.
func (rec *vpRecord) view(now time.Time) PresentationRequestStatus {
	v := PresentationRequestStatus{
		ID: rec.ID, Status: rec.status(now), ClientID: rec.ClientID, ResponseMode: rec.ResponseMode, Purpose: rec.Purpose,
		Created: rec.Created, Expires: rec.Expires, Query: rec.Query, PresentationDefinition: rec.PD, Result: rec.Result,
		RequireAccreditation: rec.RequireAccreditation,
	}
	if !rec.Answered.IsZero() {
		a := rec.Answered
		v.Answered = &a
	}
	return v
}

// getPresentationRequest reports one of the caller's requests.
func (s *Server) getPresentationRequest(w http.ResponseWriter, r *http.Request) {
	rec, err := s.ownVPRequest(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rec.view(time.Now()))
}

// presentationRequestQR serves the QR code of a request's deep link:
// image/png, or image/svg+xml with ?format=svg.
func (s *Server) presentationRequestQR(w http.ResponseWriter, r *http.Request) {
	rec, err := s.ownVPRequest(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeQR(w, r, oid4vp.RequestURI(rec.ClientID, s.baseURL(r)+"/oid4vp/requests/"+rec.ID), "presentationRequest.invalid")
}

// presentationRequestEvents streams a request's status as server-sent
// events: an "status" event with the GET body now and at every change,
// until a final status (verified, rejected, expired); a comment every
// VPEventHeartbeat keeps proxies from closing a quiet stream.
func (s *Server) presentationRequestEvents(w http.ResponseWriter, r *http.Request) {
	rec, err := s.ownVPRequest(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	st := s.vp
	if err := st.openStream(rec.Account); err != nil { // counted to the request's account
		renderError(w, r, err)
		return
	}
	defer st.closeStream(rec.Account)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	heartbeat := time.NewTicker(VPEventHeartbeat)
	defer heartbeat.Stop()
	last := ""
	for s.streamStatus(w, rc, r, rec.ID, heartbeat, &last) {
	}
}

// streamStatus writes request id's status if it is not last and waits for
// the next change, the expiry, a heartbeat, the client leaving or the
// server stopping; false ends the stream.
func (s *Server) streamStatus(w http.ResponseWriter, rc *http.ResponseController, r *http.Request, id string, heartbeat *time.Ticker, last *string) bool {
	st := s.vp
	changed, release := st.watch(id)
	defer release()
	var cur vpRecord
	if err := s.node.Keystore.GetRecord(vpKey(id), &cur); err != nil {
		return false
	}
	v := cur.view(time.Now())
	if v.Status != *last {
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", b); err != nil || rc.Flush() != nil {
			return false
		}
		*last = v.Status
	}
	if vpFinal(v.Status) {
		return false
	}
	expiry := time.NewTimer(time.Until(cur.Expires) + 500*time.Millisecond)
	defer expiry.Stop()
	select {
	case <-changed:
	case <-expiry.C:
	case <-heartbeat.C:
		if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
			return false
		}
	case <-r.Context().Done():
		return false
	case <-st.done:
		return false
	}
	return true
}

// vpRequestObject serves a request's signed request object (§5.7, RFC
// 9101 §5.2) to the wallet while the request may be answered, and marks
// it retrieved.
func (s *Server) vpRequestObject(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	st := s.vp
	st.mu.Lock()
	var rec vpRecord
	err := s.node.Keystore.GetRecord(vpKey(id), &rec)
	if err == nil && rec.status(time.Now()) == vpPending {
		rec.Status = vpRetrieved
		if err = s.node.Keystore.PutRecord(vpKey(id), rec, true); err == nil {
			st.notifyLocked(id)
		}
	}
	st.mu.Unlock()
	if errors.Is(err, keystore.ErrNotFound) || err == nil && rec.status(time.Now()) != vpRetrieved {
		renderError(w, r, errs.New(http.StatusNotFound, "presentationRequest.notFound", "no open presentation request here: it was never made, was answered or has expired"))
		return
	}
	if err != nil {
		renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", oid4vp.MediaTypeRequestObject)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(rec.RequestObject))
}

// vpResponse is the response endpoint (§8.2): the wallet's answer to a
// request. Protocol errors — an unknown, expired or answered request, a
// wrong state, a malformed or undecryptable response, a vp_token that
// does not fit the query's shape — are OAuth errors (§8.5) and change
// nothing; so is an answer whose holder proofs are not bound to this
// request (holderProof, nonce, audience), which anyone who saw the QR code
// could send. Another well-formed answer is verified and recorded, once:
// verified (200 {}) or rejected (400 invalid_request naming the failed
// checks, never a claim).
func (s *Server) vpResponse(w http.ResponseWriter, r *http.Request) {
	out, err := s.answerPresentationRequest(r)
	if err != nil {
		vciFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) answerPresentationRequest(r *http.Request) (map[string]any, error) {
	id := chi.URLParam(r, "id")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the response is application/x-www-form-urlencoded (§8.2)")
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var rec vpRecord
	if err := s.node.Keystore.GetRecord(vpKey(id), &rec); errors.Is(err, keystore.ErrNotFound) {
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "no presentation request answers here")
	} else if err != nil {
		return nil, err
	}
	switch rec.status(time.Now()) {
	case vpExpired:
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation request has expired")
	case vpVerified, vpRejected:
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation request was already answered")
	}
	// A state sent beside an encrypted response is checked before the
	// (costly) decryption; inside or not, it is checked below.
	if form, err := url.ParseQuery(string(body)); err == nil && len(form["state"]) == 1 && form.Get("state") != "" &&
		subtle.ConstantTimeCompare([]byte(form.Get("state")), []byte(rec.State)) != 1 {
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "state is not this request's")
	}
	resp, err := oid4vp.ParseResponseForm(body, rec.ResponseMode, func(token string) ([]byte, error) {
		ek, err := rec.ephemeralKey()
		if err != nil {
			return nil, err
		}
		return ek.Decrypt(token)
	})
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(resp.State), []byte(rec.State)) != 1 {
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "state is not this request's")
	}
	// Read as it was checked when the request was made (integers as
	// json.Number, which the matcher compares).
	q, err := oid4vp.ParseDCQL(rec.Query)
	if err != nil {
		return nil, fmt.Errorf("presentation request %s: its stored query: %w", id, err)
	}
	var pd *oid4vp.PresentationDefinition
	if rec.PD != nil {
		if pd, _, err = oid4vp.ParsePresentationDefinition(rec.PD); err != nil {
			return nil, err
		}
	}
	var byID map[string][]json.RawMessage
	if resp.Error == "" {
		if byID, err = resp.Presentations(q, pd); err != nil {
			return nil, err
		}
	}

	// Claim the request: one answer is verified, others are replays.
	st := s.vp
	st.mu.Lock()
	if st.inflight[id] {
		st.mu.Unlock()
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation request is being answered")
	}
	st.inflight[id] = true
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		delete(st.inflight, id)
		st.mu.Unlock()
	}()

	var res *PresentationRequestResult
	if resp.Error != "" {
		res = &PresentationRequestResult{
			Checks:      []credential.Check{{Name: "wallet", Status: credential.StatusFailed, Detail: "the wallet declined: " + truncateID(resp.Error)}},
			Credentials: []PresentedCredential{}, Warnings: []credential.Check{}, WalletError: truncateID(resp.Error),
		}
		res.Errors = res.Checks
	} else if res, err = s.verifyVPToken(r.Context(), &rec, q, byID); err != nil {
		return nil, err
	} else if len(res.unproven) > 0 {
		// Not the holder's answer to this request (no valid holder proof,
		// another nonce or audience): refused, and the request stays open
		// for the wallet the QR code was meant for (§14.2).
		slog.InfoContext(r.Context(), "oid4vp: an answer not bound to the request was refused", "request", id, "failed", res.unproven)
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation was refused: %s failed; the request stays open", strings.Join(res.unproven, ", "))
	}

	// Record the outcome, unless the request changed meanwhile.
	st.mu.Lock()
	var cur vpRecord
	err = s.node.Keystore.GetRecord(vpKey(id), &cur)
	if err == nil {
		switch cur.status(time.Now()) {
		case vpPending, vpRetrieved:
			cur.Result, cur.Answered = res, time.Now().UTC().Truncate(time.Second)
			cur.Status = vpRejected
			if res.Verified {
				cur.Status = vpVerified
			}
			cur.EncKey = "" // the key has done its work
			if err = s.node.Keystore.PutRecord(vpKey(id), cur, true); err == nil {
				st.notifyLocked(id)
			}
		case vpExpired:
			err = oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation request has expired")
		default:
			err = oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation request was already answered")
		}
	}
	st.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if !res.Verified {
		if resp.Error != "" {
			return map[string]any{}, nil // §8.2: an error response processed is a 200
		}
		var failed []string
		for _, c := range res.Errors {
			if !slices.Contains(failed, c.Name) {
				failed = append(failed, c.Name)
			}
		}
		slog.InfoContext(r.Context(), "oid4vp: a presentation was rejected", "request", id, "failed", failed)
		return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the presentation was rejected: %s failed", strings.Join(failed, ", "))
	}
	return map[string]any{}, nil
}

// ephemeralKey is a direct_post.jwt request's decryption key.
func (rec *vpRecord) ephemeralKey() (*oid4vp.EphemeralKey, error) {
	kid, der, ok := strings.Cut(rec.EncKey, ".")
	b, err := base64.RawURLEncoding.DecodeString(der)
	if !ok || err != nil {
		return nil, errors.New("the request has no decryption key")
	}
	k, err := x509.ParsePKCS8PrivateKey(b)
	ek, isEC := k.(*ecdsa.PrivateKey)
	if err != nil || !isEC {
		return nil, errors.New("the request has no decryption key")
	}
	return &oid4vp.EphemeralKey{Private: ek, KID: kid}, nil
}

// Names of the checks of a presentation response.
const (
	vpCheckPresentations = "presentations" // every presentation and its credentials verify
	vpCheckNonce         = "nonce"         // every holder proof carries the request's nonce
	vpCheckAudience      = "audience"      // every holder proof is for the request's client_id
	vpCheckHolderBinding = "holderBinding" // every credential is the holder's
	vpCheckQuery         = "query"         // the credentials answer the query
	vpCheckDisclosure    = "disclosure"    // nothing disclosed beyond the query
)

// verifyVPToken verifies the presentations of a response and matches
// them against the query. Its error is a malformed presentation (an OAuth
// invalid_request) or a failure on this side.
func (s *Server) verifyVPToken(ctx context.Context, rec *vpRecord, q *oid4vp.DCQL, byID map[string][]json.RawMessage) (*PresentationRequestResult, error) {
	res := &PresentationRequestResult{Checks: []credential.Check{}, Warnings: []credential.Check{}, Errors: []credential.Check{}, Credentials: []PresentedCredential{}}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	v := s.verifier()
	o := credential.PresentationOptions{Challenge: rec.Nonce, Domain: rec.ClientID, Policy: credential.Policy{RequireAccreditation: rec.RequireAccreditation}}
	var badPres, badNonce, badAud, unbound, unanswered, extra, holders []string
	var found []credential.Check // the presentations' and credentials' warnings and errors
	for _, id := range ids {
		cq := q.Query(id)
		for i, raw := range byID[id] {
			where := fmt.Sprintf("%s[%d]", id, i)
			verdict, err := v.VerifyPresentation(ctx, raw, o)
			if err != nil {
				detail := err.Error()
				if e, ok := errs.As(err); ok {
					detail = e.Detail
				}
				return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "vp_token %s: %s", where, detail)
			}
			if verdict.Err != nil {
				return nil, verdict.Err
			}
			if len(verdict.Checks) > 0 && verdict.Checks[0].Name == credential.CheckStructure && verdict.Checks[0].Status == credential.StatusFailed {
				// Not a presentation at all: a malformed vp_token (§8.5
				// invalid_request), not a presentation that failed.
				return nil, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "vp_token %s is not a presentation weid reads: %s", where, verdict.Checks[0].Detail)
			}
			format := presentationFormat(raw)
			inner := innerCredentials(format, raw, verdict)
			res.Presentations = append(res.Presentations, reduceVerdict(id, format, verdict, inner))
			if verdict.Holder != "" && !slices.Contains(holders, verdict.Holder) {
				holders = append(holders, verdict.Holder)
			}
			found = append(found, located(where, verdict.Warnings, verdict.Errors)...)
			var failedCreds []string
			for j, cr := range verdict.Credentials {
				found = append(found, located(fmt.Sprintf("%s credential %d", where, j), cr.Warnings, cr.Errors)...)
				for _, c := range cr.Errors {
					failedCreds = append(failedCreds, c.Name)
				}
			}
			if !verdict.Verified {
				why := where
				if len(failedCreds) > 0 {
					slices.Sort(failedCreds)
					why += " (" + strings.Join(slices.Compact(failedCreds), ", ") + ")"
				}
				badPres = append(badPres, why)
			}
			for _, c := range verdict.Checks {
				if c.Name == credential.CheckHolderProof && c.Status != credential.StatusPassed && !slices.Contains(res.unproven, c.Name) {
					res.unproven = append(res.unproven, c.Name)
				}
				if c.Name == credential.CheckChallenge && c.Status != credential.StatusPassed {
					badNonce = append(badNonce, where)
				}
				if c.Name == credential.CheckDomain && c.Status != credential.StatusPassed {
					badAud = append(badAud, where)
				}
			}
			if why := holderBound(format, verdict); why != "" {
				unbound = append(unbound, where+": "+why)
			}
			pc, asked, why := s.answer(cq, format, raw, verdict, inner)
			if pc == nil {
				unanswered = append(unanswered, where+": "+why)
				continue
			}
			pc.QueryID = id
			res.Credentials = append(res.Credentials, *pc)
			if format == oid4vp.FormatSDJWT {
				for _, name := range undisclosedAsk(raw, asked) {
					extra = append(extra, where+": "+name)
				}
			}
		}
	}
	if len(holders) > 0 {
		res.Holder = holders[0]
	}
	add := func(name string, failed []string, okDetail, failDetail string) {
		if len(failed) == 0 {
			res.Checks = append(res.Checks, credential.Check{Name: name, Status: credential.StatusPassed, Detail: okDetail})
		} else {
			res.Checks = append(res.Checks, credential.Check{Name: name, Status: credential.StatusFailed, Detail: failDetail + strings.Join(failed, "; ")})
		}
	}
	if len(badNonce) > 0 {
		res.unproven = append(res.unproven, vpCheckNonce)
	}
	if len(badAud) > 0 {
		res.unproven = append(res.unproven, vpCheckAudience)
	}
	add(vpCheckPresentations, badPres, "every presentation and the credentials in it verify", "presentations that do not verify (failed credential checks): ")
	add(vpCheckNonce, badNonce, "every holder proof carries this request's nonce", "holder proofs without this request's nonce: ")
	add(vpCheckAudience, badAud, "every holder proof is for "+rec.ClientID, "holder proofs not for this verifier (client_id): ")
	switch {
	case len(unbound) > 0:
		add(vpCheckHolderBinding, unbound, "", "credentials not bound to the holder who presented them: ")
	case len(holders) > 1:
		// Each credential is its presenter's, but the presentations are by
		// different DIDs: one wallet with several identities, or not.
		res.Checks = append(res.Checks, credential.Check{Name: vpCheckHolderBinding, Status: credential.StatusWarning,
			Detail: "each credential is bound to its presentation's holder, but the presentations are by different holders: " + strings.Join(holders, ", ")})
	default:
		add(vpCheckHolderBinding, nil, "every credential is bound to the holder who proved the presentation (cnf key or credentialSubject.id)", "")
	}
	add(vpCheckQuery, unanswered, "the credentials answer the query", "presentations that do not answer their credential query: ")
	if len(extra) == 0 {
		res.Checks = append(res.Checks, credential.Check{Name: vpCheckDisclosure, Status: credential.StatusPassed, Detail: "nothing was disclosed beyond the query"})
	} else {
		// §6.4.1 asks wallets to return only what was asked; more is not
		// a reason to refuse the answer, but the verifier keeps only the
		// requested claims and says what else came.
		res.Checks = append(res.Checks, credential.Check{Name: vpCheckDisclosure, Status: credential.StatusWarning, Detail: "claims disclosed though not asked for (not kept): " + strings.Join(extra, ", ")})
	}
	res.Verified = true
	for _, c := range res.Checks {
		switch c.Status {
		case credential.StatusFailed:
			res.Verified = false
			res.Errors = append(res.Errors, c)
		case credential.StatusWarning:
			res.Warnings = append(res.Warnings, c)
		}
	}
	for _, c := range found {
		if c.Status == credential.StatusFailed {
			res.Errors = append(res.Errors, c)
		} else {
			res.Warnings = append(res.Warnings, c)
		}
	}
	return res, nil
}

// located returns warnings and errors with where they were found before
// their detail.
func located(where string, lists ...[]credential.Check) []credential.Check {
	var out []credential.Check
	for _, l := range lists {
		for _, c := range l {
			c.Detail = where + ": " + c.Detail
			out = append(out, c)
		}
	}
	return out
}

// reduceVerdict keeps of a presentation's verdict what a result stores:
// its checks and, of each credential, its checks, issuer and types.
func reduceVerdict(id, format string, verdict *credential.PresentationResult, inner []credential.Secured) PresentationQueryVerdict {
	out := PresentationQueryVerdict{QueryID: id, Format: format, Verified: verdict.Verified, Holder: verdict.Holder, Checks: verdict.Checks, Credentials: []CredentialVerdict{}}
	for _, cr := range verdict.Credentials {
		cv := CredentialVerdict{Verified: cr.Verified, Checks: cr.Checks}
		if cr.Credential != nil {
			cv.Issuer, cv.Types = issuerOf(cr.Credential), credential.Strings(cr.Credential["type"])
		}
		out.Credentials = append(out.Credentials, cv)
	}
	return out
}

// holderBound says why a verified presentation's credentials are not its
// holder's, or "" if they are. OID4VP requires cryptographic holder binding
// unless a query waives it (§6.1), and weid always requires it: an SD-JWT
// VC's cnf key is the key of the key-binding JWT (VerifyPresentation checks
// it), and every credentialSubject.id of a W3C credential must be the DID
// that signed the presentation — else anyone could wrap another's vc+jwt
// in a presentation of their own.
func holderBound(format string, verdict *credential.PresentationResult) string {
	if format == oid4vp.FormatSDJWT {
		return "" // the key-binding JWT is the cnf key's (holderProof, credentials)
	}
	if verdict.Holder == "" {
		return "no holder proved the presentation"
	}
	for j, cr := range verdict.Credentials {
		if cr.Credential == nil {
			continue // it does not verify: the presentations check says so
		}
		var subjects []any
		switch cs := cr.Credential["credentialSubject"].(type) {
		case map[string]any:
			subjects = []any{cs}
		case []any:
			subjects = cs
		}
		if len(subjects) == 0 {
			return fmt.Sprintf("credential %d has no credentialSubject", j)
		}
		for _, e := range subjects {
			m, _ := e.(map[string]any)
			id, _ := m["id"].(string)
			switch {
			case id == "":
				return fmt.Sprintf("credential %d has a credentialSubject without an id: it is bound to no holder", j)
			case id != verdict.Holder:
				return fmt.Sprintf("credential %d is about %s, not the holder %s", j, truncateID(id), verdict.Holder)
			}
		}
	}
	return ""
}

// presentationFormat is the OID4VP format of a presentation: an SD-JWT
// (with '~'), a vp+jwt (jwt_vc_json), or a presentation object (ldp_vc).
func presentationFormat(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.Contains(s, "~") {
			return oid4vp.FormatSDJWT
		}
		return oid4vp.FormatJWTVCJSON
	}
	var head struct {
		Type any    `json:"type"`
		ID   string `json:"id"`
	}
	if json.Unmarshal(raw, &head) == nil && head.Type == "EnvelopedVerifiablePresentation" {
		if strings.HasPrefix(head.ID, credential.DataURLSDJWT) {
			return oid4vp.FormatSDJWT
		}
		return oid4vp.FormatJWTVCJSON
	}
	return oid4vp.FormatLDPVC
}

// innerCredentials classifies the credentials of a presentation, in the
// order of verdict.Credentials (a zero Secured where one is unreadable).
func innerCredentials(format string, raw json.RawMessage, verdict *credential.PresentationResult) []credential.Secured {
	out := make([]credential.Secured, len(verdict.Credentials))
	if format == oid4vp.FormatSDJWT {
		if tok := sdjwtToken(raw); tok != "" && len(out) > 0 {
			out[0] = credential.Secured{Format: credential.FormatSDJWT, Token: tok}
		}
		return out
	}
	var items []any
	switch vc := verdict.Presentation["verifiableCredential"].(type) {
	case []any:
		items = vc
	case map[string]any, string:
		items = []any{vc}
	}
	for i := range min(len(items), len(out)) {
		b, err := json.Marshal(items[i])
		if err != nil {
			continue
		}
		out[i], _ = credential.Classify(b)
	}
	return out
}

// credentialFormats is how a credential of each OID4VP format is secured
// (Appendix B): the query's format names the credential's, not only the
// presentation's.
var credentialFormats = map[string]credential.Format{
	oid4vp.FormatSDJWT:     credential.FormatSDJWT,
	oid4vp.FormatJWTVCJSON: credential.FormatJWT,
	oid4vp.FormatLDPVC:     credential.FormatDataIntegrity,
}

// answer finds the credential of a verified presentation that answers the
// credential query and reduces it to the requested claims. It returns the
// claims paths asked (for the disclosure check), or why nothing answers.
func (s *Server) answer(cq *oid4vp.CredentialQuery, format string, raw json.RawMessage, verdict *credential.PresentationResult, inner []credential.Secured) (*PresentedCredential, []oid4vp.ClaimsQuery, string) {
	if format != cq.Format {
		return nil, nil, fmt.Sprintf("a %s presentation, the query asks for %s", format, cq.Format)
	}
	why := "it holds no credential"
	for i, cr := range verdict.Credentials {
		doc := cr.Credential
		if doc == nil {
			continue
		}
		if got := inner[i].Format; got != credentialFormats[format] {
			why = fmt.Sprintf("credential %d is secured as %s; a %s query asks for %s", i, orUnknown(string(got)), format, credentialFormats[format])
			continue
		}
		c := &oid4vp.Credential{Format: format}
		if format == oid4vp.FormatSDJWT {
			claims, err := sdjwtClaims(inner[i].Token)
			if err != nil {
				why = err.Error()
				continue
			}
			c.Claims = claims
			c.VCT, _ = c.Claims["vct"].(string)
		} else {
			c.Claims, c.Types = doc, oid4vp.W3CTypes(doc)
		}
		m, err := cq.Match(c)
		if err != nil {
			why = err.Error()
			continue
		}
		pc := &PresentedCredential{Format: format, Verified: cr.Verified, Issuer: issuerOf(doc), Types: credential.Strings(doc["type"]), Claims: m.Disclosed}
		if pc.Issuer != "" {
			if is, ok, err := authz.AuthorityIssuer(s.node.Ledger, pc.Issuer); err == nil && ok {
				pc.IssuerName = is.Name
			}
		}
		for _, ch := range cr.Checks {
			if ch.Name == credential.CheckStatus {
				pc.Status = &CredentialStatusFacts{Check: ch.Status, Detail: ch.Detail, Entry: doc["credentialStatus"]}
			}
		}
		return pc, m.Claims, ""
	}
	return nil, nil, why
}

func orUnknown(s string) string {
	if s == "" {
		return "nothing weid reads"
	}
	return s
}

// sdjwtClaims is an SD-JWT VC's processed payload (Appendix B.3: the
// claims paths apply to it), with the disclosures it was presented with.
// The presentation has verified, so the disclosures are the issuer's.
func sdjwtClaims(tok string) (map[string]any, error) {
	sd, err := sdjwt.Parse(tok)
	if err != nil {
		return nil, fmt.Errorf("the SD-JWT: %v", err)
	}
	claims, _, err := sd.Processed()
	if err != nil {
		return nil, fmt.Errorf("the SD-JWT's claims: %v", err)
	}
	return claims, nil
}

// sdjwtToken is the compact SD-JWT of a dc+sd-jwt presentation: the
// vp_token element itself or an enveloped presentation's data URL.
func sdjwtToken(raw json.RawMessage) string {
	var tok string
	if json.Unmarshal(raw, &tok) != nil {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head)
		tok = strings.TrimPrefix(head.ID, credential.DataURLSDJWT)
	}
	return tok
}

// undisclosedAsk lists the selectively disclosed claim names of an SD-JWT
// presentation that no requested claims path names.
func undisclosedAsk(raw json.RawMessage, asked []oid4vp.ClaimsQuery) []string {
	sd, err := sdjwt.Parse(sdjwtToken(raw))
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range sd.Disclosures {
		if d.Name == "" {
			continue
		}
		named := false
		for _, cl := range asked {
			named = named || slices.Contains([]any(cl.Path), any(d.Name))
		}
		if !named && !slices.Contains(out, d.Name) {
			out = append(out, d.Name)
		}
	}
	return out
}

func issuerOf(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}
