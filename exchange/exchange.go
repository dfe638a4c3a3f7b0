// Package exchange is the trusted data exchange of data authorization
// (package grants): a data holder — a university's data service, say —
// releases a citizen's data to an institution only under a grant the
// ledger keeps a receipt of, and records each release as an access receipt
// on the ledger.
//
// Both sides are here. Service is the data holder's: it issues single-use
// nonces (Nonce), and for a request (Release) checks, in order, each a
// named 4xx: the resource is served; the proof of possession
// (grants.ParseProof: a JWS of typ weid-pop+jwt over method, URL, body hash and
// nonce, in the spirit of DPoP, RFC 9449 §4) is well-formed and for this
// request; its signer is the grant's grantee; its signature verifies with an
// authentication key of the grantee's DID document; the nonce was issued
// for this resource and not used; the ledger's receipt has the grant's hash,
// is for this resource, is active and covers the claims. Only then does the
// Provider give the claims, the access receipt is committed, and the answer
// is encrypted to the key that signed the proof (grants.Encrypt, a compact
// JWE, RFC 7516, with ECDH-ES, RFC 7518 §4.6). No claim value appears in an
// error. Fetch is the grantee's side: nonce, proof, request, decryption.
//
// The service runs beside the data, not on the consortium node: it reads
// the ledger and records access receipts through a Ledger, normally the
// node's HTTP API (NodeLedger). server.NewExchange serves it over HTTP and
// `weid exchange serve` runs it.
package exchange

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
)

// Ledger is what a data holder needs of the ledger.
type Ledger interface {
	// Grant returns the receipt of grant id (404 grant.notFound if none).
	Grant(ctx context.Context, id string) (*grants.Receipt, error)
	// Resolve returns the current DID document of d.
	Resolve(ctx context.Context, d string) (*did.Document, error)
	// RecordAccess records an access receipt signed by the data holder
	// and returns its transaction hash once committed.
	RecordAccess(ctx context.Context, p grants.AccessPayload) (string, error)
}

// Config configures a data holder's exchange service.
type Config struct {
	Ledger   Ledger
	Provider grants.Provider
	// PublicURL is the URL the service is reached at; grants name their
	// resources under it (PublicURL + "/v1/exchange/" + name) and proofs
	// of possession sign URLs under it. "" takes it from each request
	// (Request.Origin).
	PublicURL string
	// Now returns the time (nil: time.Now).
	Now func() time.Time
}

// Service is a data holder's exchange service. Its nonces live in memory:
// one Service per process, shared by every request.
type Service struct {
	cfg    Config
	nonces *nonces
}

// New returns the exchange service cfg describes.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, nonces: newNonces(MaxNonces, NonceTTL)}
}

// Request is an exchange request as the data holder received it.
type Request struct {
	// Resource is the resource's name, from the path.
	Resource string
	// Method is the HTTP method and Path the request's escaped path: with
	// the base URL, what the proof of possession signs.
	Method, Path string
	// Origin is scheme://host as the request arrived (Config.PublicURL
	// overrides it).
	Origin string
	// Body is the request body: an api.ExchangeRequest.
	Body []byte
	// Proof is the proof of possession (the grants.ProofHeader header).
	Proof string
}

// Answer is what the data holder sends back.
type Answer struct {
	// JWE is the compact JWE of the api.ExchangeData, to the grantee's key
	// (media type grants.MediaTypeJWE).
	JWE string
	// AccessReceipt is the hash of the access receipt's transaction
	// (header api.AccessReceiptHeader).
	AccessReceipt string
}

func (s *Service) base(origin string) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	return origin
}

// resource checks a resource name and that the holder serves it.
func (s *Service) resource(ctx context.Context, name string) error {
	if err := grants.ValidResourceName(name); err != nil {
		return err
	}
	ok, err := s.cfg.Provider.Has(ctx, name)
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(http.StatusNotFound, "exchange.unknownResource", "this data holder serves no resource %q", name)
	}
	return nil
}

// Nonce issues a nonce for one request for resource (503 exchange.busy
// while MaxNonces are outstanding).
func (s *Service) Nonce(ctx context.Context, resource string) (*api.ExchangeNonce, error) {
	if err := s.resource(ctx, resource); err != nil {
		return nil, err
	}
	n, exp, err := s.nonces.issue(resource, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	return &api.ExchangeNonce{Nonce: n, Expires: exp.UTC()}, nil
}
