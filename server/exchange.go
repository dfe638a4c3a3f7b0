package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// The trusted data exchange is served by a data holder (a university's data
// service, say), not by the ledger's node: NewExchange returns its HTTP
// handler, which `weid exchange serve` runs. It reads the ledger — grant
// receipts, DID documents — and records access receipts through an
// ExchangeLedger, normally a node's API (client.HolderLedger).

// ExchangeLedger is what a data holder needs of the ledger.
type ExchangeLedger interface {
	// Grant returns the receipt of grant id (404 grant.notFound if none).
	Grant(ctx context.Context, id string) (*grants.Receipt, error)
	// Resolve returns the current DID document of d.
	Resolve(ctx context.Context, d string) (*did.Document, error)
	// RecordAccess records an access receipt signed by the data holder
	// and returns its transaction hash once committed.
	RecordAccess(ctx context.Context, p grants.AccessPayload) (string, error)
}

// ExchangeConfig configures a data holder's exchange.
type ExchangeConfig struct {
	Ledger   ExchangeLedger
	Provider grants.Provider
	// PublicURL is the URL the exchange is reached at; grants name their
	// resources under it (PublicURL + "/v1/exchange/" + name) and proofs
	// of possession sign URLs under it. "" takes it from each request.
	PublicURL string
	// Now returns the time (nil: time.Now).
	Now func() time.Time
}

// Nonces of the exchange.
const (
	// ExchangeNonceTTL is how long a nonce may be used.
	ExchangeNonceTTL = 5 * time.Minute
	// MaxExchangeNonces bounds the nonces kept at once (503 past it).
	MaxExchangeNonces = 100000
)

// ExchangeNonce is the body of a 201 from POST /v1/exchange/{resource}/nonce.
type ExchangeNonce struct {
	Nonce   string    `json:"nonce"`
	Expires time.Time `json:"expires"`
}

// ExchangeRequest is the body of POST /v1/exchange/{resource}: the grant
// (its compact JWS) and, optionally, the claims wanted (default: the
// grant's whole scope). The request carries a proof of possession in the
// WeID-Proof header.
type ExchangeRequest struct {
	Grant  string   `json:"grant"`
	Claims []string `json:"claims,omitempty"`
}

// ExchangeData is the plaintext of the encrypted response: the claims
// released and the access receipt's transaction.
type ExchangeData struct {
	GrantID       string         `json:"grantId"`
	Grantor       string         `json:"grantor"`
	Grantee       string         `json:"grantee"`
	Resource      string         `json:"resource"`
	Claims        map[string]any `json:"claims"`
	AccessReceipt string         `json:"accessReceipt"` // tx hash of grant.access
	Released      time.Time      `json:"released"`
}

// AccessReceiptHeader names the response header carrying the access
// receipt's transaction hash.
const AccessReceiptHeader = "WeID-Access-Receipt"

type nonceEntry struct {
	resource string
	expires  time.Time
	used     bool
}

type exchange struct {
	cfg ExchangeConfig
	mu  sync.Mutex
	// nonces issued: used ones are kept until they expire so that a replay
	// is named as such.
	nonces map[string]*nonceEntry
}

// NewExchange returns the HTTP handler of a data holder's exchange:
// POST /v1/exchange/{resource}/nonce and POST /v1/exchange/{resource}.
func NewExchange(cfg ExchangeConfig) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	x := &exchange{cfg: cfg, nonces: map[string]*nonceEntry{}}
	r := chi.NewRouter()
	r.Use(requestID, recoverer, limitBody)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { renderError(w, r, notFound(r)) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { renderError(w, r, methodNotAllowed(r)) })
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Post("/v1/exchange/{resource}/nonce", x.nonce)
	r.Post("/v1/exchange/{resource}", x.fetch)
	return r
}

func (x *exchange) base(r *http.Request) string {
	if x.cfg.PublicURL != "" {
		return strings.TrimRight(x.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// resource checks the path's resource name and that the holder serves it.
func (x *exchange) resource(r *http.Request) (string, error) {
	name := chi.URLParam(r, "resource")
	if err := grants.ValidResourceName(name); err != nil {
		return "", err
	}
	ok, err := x.cfg.Provider.Has(r.Context(), name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errs.New(http.StatusNotFound, "exchange.unknownResource", "this data holder serves no resource %q", name)
	}
	return name, nil
}

func (x *exchange) nonce(w http.ResponseWriter, r *http.Request) {
	name, err := x.resource(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		renderError(w, r, err)
		return
	}
	n := base64.RawURLEncoding.EncodeToString(b[:])
	now := x.cfg.Now()
	x.mu.Lock()
	if len(x.nonces) >= MaxExchangeNonces {
		for k, e := range x.nonces {
			if now.After(e.expires) {
				delete(x.nonces, k)
			}
		}
	}
	full := len(x.nonces) >= MaxExchangeNonces
	if !full {
		x.nonces[n] = &nonceEntry{resource: name, expires: now.Add(ExchangeNonceTTL)}
	}
	x.mu.Unlock()
	if full {
		renderError(w, r, errs.New(http.StatusServiceUnavailable, "exchange.busy", "too many outstanding nonces; retry later"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, ExchangeNonce{Nonce: n, Expires: now.Add(ExchangeNonceTTL).UTC()})
}

// consume uses nonce n for resource once.
func (x *exchange) consume(n, resource string, now time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.nonces[n]
	switch {
	case !ok || now.After(e.expires):
		return errs.New(http.StatusUnauthorized, "exchange.unknownNonce", "the proof's nonce was not issued by this data holder or has expired; get one from POST …/nonce")
	case e.used:
		return errs.New(http.StatusConflict, "exchange.replayed", "the proof's nonce was already used: a request is served once")
	case e.resource != resource:
		return errs.New(http.StatusUnauthorized, "exchange.unknownNonce", "the proof's nonce was issued for another resource")
	}
	e.used = true
	return nil
}

// fetch serves POST /v1/exchange/{resource}.
func (x *exchange) fetch(w http.ResponseWriter, r *http.Request) {
	data, kid, pk, err := x.check(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		renderError(w, r, err)
		return
	}
	jwe, err := grants.Encrypt(pk, kid, raw)
	if err != nil {
		renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", grants.MediaTypeJWE)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(AccessReceiptHeader, data.AccessReceipt)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(jwe))
}

// check runs every check of an exchange request, records the access
// receipt and returns the data with the key to encrypt it to.
func (x *exchange) check(r *http.Request) (data *ExchangeData, kid string, pk keys.PublicKey, err error) {
	ctx := r.Context()
	name, err := x.resource(r)
	if err != nil {
		return nil, "", pk, err
	}
	body, err := readBody(r)
	if err != nil {
		return nil, "", pk, err
	}
	tok := r.Header.Get(grants.ProofHeader)
	if tok == "" {
		return nil, "", pk, errs.New(http.StatusUnauthorized, "exchange.proofRequired", "send a proof of possession in the %s header", grants.ProofHeader)
	}
	proof, err := grants.ParseProof(tok)
	if err != nil {
		return nil, "", pk, err
	}
	now := x.cfg.Now()
	base := x.base(r)
	if err := proof.Check(r.Method, base+r.URL.EscapedPath(), body, now); err != nil {
		return nil, "", pk, err
	}
	var req ExchangeRequest
	if err := chain.DecodeStrict(body, &req); err != nil {
		return nil, "", pk, errs.BadRequest("request.malformed", "request body: %v", err)
	}
	g, err := grants.Parse(req.Grant)
	if err != nil {
		return nil, "", pk, err
	}
	if proof.DID != g.Grantee {
		return nil, "", pk, errs.New(http.StatusForbidden, "exchange.wrongGrantee", "the proof of possession is signed by %s, not by the grantee", proof.DID)
	}
	doc, err := x.cfg.Ledger.Resolve(ctx, proof.DID)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Status < 500 {
			return nil, "", pk, errs.New(http.StatusUnauthorized, "exchange.badProof", "the grantee's DID does not resolve: %s", e.Code)
		}
		return nil, "", pk, err
	}
	key, ok := grants.AuthenticationKey(doc, proof.Kid)
	if !ok {
		return nil, "", pk, errs.New(http.StatusUnauthorized, "exchange.badProof", "%s is not an authentication key of the grantee", proof.Kid)
	}
	if err := proof.JWS.Verify(key); err != nil {
		return nil, "", pk, errs.New(http.StatusUnauthorized, "exchange.badProof", "the proof of possession's signature does not verify with %s", proof.Kid)
	}
	if err := x.consume(proof.Nonce, name, now); err != nil {
		return nil, "", pk, err
	}
	rec, err := x.cfg.Ledger.Grant(ctx, g.ID)
	if err != nil {
		return nil, "", pk, err
	}
	if rec.Hash != g.Hash {
		return nil, "", pk, errs.New(http.StatusForbidden, "grant.hashMismatch", "the grant is not the one whose receipt the ledger keeps under %s (altered or forged)", g.ID)
	}
	if want := base + "/v1/exchange/" + name; rec.Resource != want {
		return nil, "", pk, errs.New(http.StatusForbidden, "grant.wrongResource", "the grant is for %s, not %s", truncateStr(rec.Resource, 256), want)
	}
	claims := req.Claims
	if len(claims) == 0 {
		claims = rec.Scope
	}
	if err := rec.Usable(now, claims); err != nil {
		return nil, "", pk, err
	}
	if err := grants.CanReceive(key); err != nil {
		return nil, "", pk, err
	}
	vals, err := x.cfg.Provider.Claims(ctx, name, rec.Grantor, claims)
	if err != nil {
		return nil, "", pk, err
	}
	released := make([]string, 0, len(vals))
	for _, c := range claims {
		if _, ok := vals[c]; ok {
			released = append(released, c)
		}
	}
	if len(released) == 0 {
		return nil, "", pk, errs.New(http.StatusNotFound, "exchange.noData", "the data holder has none of the claims asked for about the grantor")
	}
	txHash, err := x.cfg.Ledger.RecordAccess(ctx, grants.AccessPayload{GrantID: rec.ID, Claims: released, Request: grants.RequestHash(tok)})
	if err != nil {
		return nil, "", pk, err
	}
	return &ExchangeData{GrantID: rec.ID, Grantor: rec.Grantor, Grantee: rec.Grantee, Resource: rec.Resource, Claims: vals,
		AccessReceipt: txHash, Released: now.UTC().Truncate(time.Second)}, proof.Kid, key, nil
}

func truncateStr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
