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
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/oid4vci/qr"
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
	// MaxVPEventStreams bounds the event streams open at once.
	MaxVPEventStreams = 64
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
	Answered               *time.Time                 `json:"answered,omitempty"`
	Result                 *PresentationRequestResult `json:"result,omitempty"`
}

// PresentationRequestResult is what the node found in a wallet's answer.
type PresentationRequestResult struct {
	Verified bool               `json:"verified"`
	Checks   []credential.Check `json:"checks"`
	Warnings []credential.Check `json:"warnings"`
	Errors   []credential.Check `json:"errors"`
	// Holder is the DID whose key made the holder proofs, if known.
	Holder      string                `json:"holder,omitempty"`
	Credentials []PresentedCredential `json:"credentials"`
	// Presentation is the verdict of the (first) presentation as POST
	// /presentations/verify returns it; Presentations has every one when
	// there are several.
	Presentation  *credential.PresentationResult `json:"presentation,omitempty"`
	Presentations []PresentationQueryVerdict     `json:"presentations,omitempty"`
	// WalletError is the error response of a wallet that declined (§8.5).
	WalletError string `json:"walletError,omitempty"`
}

// PresentationQueryVerdict is one presentation's verdict and the query it answered.
type PresentationQueryVerdict struct {
	QueryID string                         `json:"queryId"`
	Format  string                         `json:"format"`
	Verdict *credential.PresentationResult `json:"verdict"`
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
	Nonce        string          `json:"nonce"`
	State        string          `json:"state"`
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
	watchers map[string]chan struct{}
	streams  atomic.Int32
	done     chan struct{}
	stop     sync.Once
}

func newVPState() *vpState {
	return &vpState{inflight: map[string]bool{}, watchers: map[string]chan struct{}{}, done: make(chan struct{})}
}

// shutdown ends the event streams (the HTTP server's shutdown waits for
// them otherwise).
func (st *vpState) shutdown() { st.stop.Do(func() { close(st.done) }) }

// watch returns a channel closed at the next change of request id.
func (st *vpState) watch(id string) <-chan struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	ch, ok := st.watchers[id]
	if !ok {
		ch = make(chan struct{})
		st.watchers[id] = ch
	}
	return ch
}

// notify wakes the watchers of id; st.mu is held.
func (st *vpState) notifyLocked(id string) {
	if ch, ok := st.watchers[id]; ok {
		close(ch)
		delete(st.watchers, id)
	}
}

// vpFormats is the client_metadata.vp_formats_supported of weid's
// verifier (§11.1, Appendix B).
var vpFormats = map[string]map[string][]string{
	oid4vp.FormatSDJWT: {
		"sd-jwt_alg_values": {jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K},
		"kb-jwt_alg_values": {jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K},
	},
	oid4vp.FormatJWTVCJSON: {"alg_values": {jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K}},
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
	rec := vpRecord{Account: acct.Name, ResponseMode: req.ResponseMode, Purpose: req.Purpose, Status: vpPending}
	switch {
	case len(req.DCQLQuery) > 0 && len(req.PresentationDefinition) > 0:
		return nil, bad("give dcql_query or presentation_definition, not both")
	case len(req.DCQLQuery) > 0:
		q, err := oid4vp.ParseDCQL(req.DCQLQuery)
		if err != nil {
			return nil, bad("%v", err)
		}
		rec.Query, _ = json.Marshal(q)
	case len(req.PresentationDefinition) > 0:
		_, q, err := oid4vp.ParsePresentationDefinition(req.PresentationDefinition)
		if err != nil {
			return nil, bad("%v", err)
		}
		rec.Query, _ = json.Marshal(q)
		rec.PD = req.PresentationDefinition
	default:
		return nil, bad("dcql_query (or presentation_definition) is required")
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
		ClientMetadata: &oid4vp.ClientMetadata{ClientName: s.verifierName(acct.Name, d), VPFormatsSupported: vpFormats},
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
// trust registry name, or the account's name.
func (s *Server) verifierName(account, d string) string {
	if is, ok, err := authz.AuthorityIssuer(s.node.Ledger, d); err == nil && ok && is.Name != "" {
		return is.Name
	}
	return account
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
	link := oid4vp.RequestURI(rec.ClientID, s.baseURL(r)+"/oid4vp/requests/"+rec.ID)
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
		renderError(w, r, errs.BadRequest("presentationRequest.invalid", "format is png or svg"))
	}
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
	if st.streams.Add(1) > MaxVPEventStreams {
		st.streams.Add(-1)
		renderError(w, r, errs.New(http.StatusServiceUnavailable, "presentationRequest.tooManyStreams", "too many event streams are open; poll GET /v1/presentation-requests/{id} instead"))
		return
	}
	defer st.streams.Add(-1)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	heartbeat := time.NewTicker(VPEventHeartbeat)
	defer heartbeat.Stop()
	last := ""
	for {
		changed := st.watch(rec.ID)
		var cur vpRecord
		if err := s.node.Keystore.GetRecord(vpKey(rec.ID), &cur); err != nil {
			return
		}
		now := time.Now()
		v := cur.view(now)
		if v.Status != last {
			b, err := json.Marshal(v)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", b); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			last = v.Status
		}
		if vpFinal(v.Status) {
			return
		}
		expiry := time.NewTimer(time.Until(cur.Expires) + 500*time.Millisecond)
		select {
		case <-changed:
		case <-expiry.C:
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				expiry.Stop()
				return
			}
		case <-r.Context().Done():
			expiry.Stop()
			return
		case <-st.done:
			expiry.Stop()
			return
		}
		expiry.Stop()
	}
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
// nothing. A well-formed answer is verified and recorded, once: verified
// (200 {}) or rejected (400 invalid_request naming the failed checks,
// never a claim).
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
	var q oid4vp.DCQL
	if err := json.Unmarshal(rec.Query, &q); err != nil {
		return nil, err
	}
	var pd *oid4vp.PresentationDefinition
	if rec.PD != nil {
		if pd, _, err = oid4vp.ParsePresentationDefinition(rec.PD); err != nil {
			return nil, err
		}
	}
	var byID map[string][]json.RawMessage
	if resp.Error == "" {
		if byID, err = resp.Presentations(&q, pd); err != nil {
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
	} else if res, err = s.verifyVPToken(r.Context(), &rec, &q, byID); err != nil {
		return nil, err
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
			failed = append(failed, c.Name)
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
	o := credential.PresentationOptions{Challenge: rec.Nonce, Domain: rec.ClientID}
	var badPres, badNonce, badAud, unanswered, extra []string
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
			res.Presentations = append(res.Presentations, PresentationQueryVerdict{QueryID: id, Format: format, Verdict: verdict})
			if res.Presentation == nil {
				res.Presentation = verdict
			}
			if res.Holder == "" {
				res.Holder = verdict.Holder
			}
			if !verdict.Verified {
				badPres = append(badPres, where)
			}
			for _, c := range verdict.Checks {
				if c.Name == credential.CheckChallenge && c.Status != credential.StatusPassed {
					badNonce = append(badNonce, where)
				}
				if c.Name == credential.CheckDomain && c.Status != credential.StatusPassed {
					badAud = append(badAud, where)
				}
			}
			pc, asked, why := s.answer(cq, format, raw, verdict)
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
	if len(res.Presentations) == 1 {
		res.Presentations = nil // the one verdict is Presentation
	}
	add := func(name string, failed []string, okDetail, failDetail string) {
		if len(failed) == 0 {
			res.Checks = append(res.Checks, credential.Check{Name: name, Status: credential.StatusPassed, Detail: okDetail})
		} else {
			res.Checks = append(res.Checks, credential.Check{Name: name, Status: credential.StatusFailed, Detail: failDetail + strings.Join(failed, "; ")})
		}
	}
	add(vpCheckPresentations, badPres, "every presentation and the credentials in it verify", "presentations that do not verify: ")
	add(vpCheckNonce, badNonce, "every holder proof carries this request's nonce", "holder proofs without this request's nonce: ")
	add(vpCheckAudience, badAud, "every holder proof is for "+rec.ClientID, "holder proofs not for this verifier (client_id): ")
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
	return res, nil
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

// answer finds the credential of a verified presentation that answers the
// credential query and reduces it to the requested claims. It returns the
// claims paths asked (for the disclosure check), or why nothing answers.
func (s *Server) answer(cq *oid4vp.CredentialQuery, format string, raw json.RawMessage, verdict *credential.PresentationResult) (*PresentedCredential, []oid4vp.ClaimsQuery, string) {
	if format != cq.Format {
		return nil, nil, fmt.Sprintf("a %s presentation, the query asks for %s", format, cq.Format)
	}
	why := "it holds no credential"
	for _, cr := range verdict.Credentials {
		doc := cr.Credential
		if doc == nil {
			continue
		}
		c := &oid4vp.Credential{Format: format}
		if format == oid4vp.FormatSDJWT {
			c.Claims = sdjwtClaims(doc)
			c.VCT, _ = c.Claims["vct"].(string)
		} else {
			c.Claims, c.Types = doc, oid4vp.W3CTypes(doc)
		}
		m, err := cq.Match(c)
		if err != nil {
			why = err.Error()
			continue
		}
		pc := &PresentedCredential{Format: format, Verified: cr.Verified, Issuer: issuerOf(doc), Types: stringList(doc["type"]), Claims: m.Disclosed}
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

// sdjwtClaims rebuilds an SD-JWT VC's processed claims (Appendix B.3) from
// the credential the verifier mapped it to: the subject's claims, sub,
// iss and vct.
func sdjwtClaims(doc map[string]any) map[string]any {
	out := map[string]any{}
	if subj, ok := doc["credentialSubject"].(map[string]any); ok {
		for k, v := range subj {
			if k == "id" {
				out["sub"] = v
				continue
			}
			out[k] = v
		}
	}
	if iss := issuerOf(doc); iss != "" {
		out["iss"] = iss
	}
	if t := stringList(doc["type"]); len(t) > 1 {
		out["vct"] = t[len(t)-1]
	}
	return out
}

// undisclosedAsk lists the selectively disclosed claim names of an SD-JWT
// presentation that no requested claims path names.
func undisclosedAsk(raw json.RawMessage, asked []oid4vp.ClaimsQuery) []string {
	var tok string
	if json.Unmarshal(raw, &tok) != nil {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head)
		tok = strings.TrimPrefix(head.ID, credential.DataURLSDJWT)
	}
	sd, err := sdjwt.Parse(tok)
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

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
