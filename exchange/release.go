package exchange

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// grantee is who asks, once its proof of possession checked out: the
// grant it holds, the claims it asks for and the key it proved it holds.
type grantee struct {
	grant  *grants.Signed
	claims []string
	// proof is the proof of possession as sent: its hash is the access
	// receipt's request, which the ledger accepts once.
	proof string
	kid   string
	key   keys.PublicKey
}

// Release runs every check of an exchange request, records the access
// receipt and returns the data encrypted to the grantee.
func (s *Service) Release(ctx context.Context, req Request) (*Answer, error) {
	if err := s.resource(ctx, req.Resource); err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	base := s.base(req.Origin)
	who, err := s.authenticate(ctx, &req, base, now)
	if err != nil {
		return nil, err
	}
	data, err := s.release(ctx, who, req.Resource, base+"/v1/exchange/"+req.Resource, now)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	jwe, err := grants.Encrypt(who.key, who.kid, raw)
	if err != nil {
		return nil, err
	}
	return &Answer{JWE: jwe, AccessReceipt: data.AccessReceipt}, nil
}

// authenticate checks the proof of possession of req against the grant it
// carries and the grantee's DID document, and uses its nonce.
func (s *Service) authenticate(ctx context.Context, req *Request, base string, now time.Time) (*grantee, error) {
	if req.Proof == "" {
		return nil, errs.New(http.StatusUnauthorized, "exchange.proofRequired", "send a proof of possession in the %s header", grants.ProofHeader)
	}
	proof, err := grants.ParseProof(req.Proof)
	if err != nil {
		return nil, err
	}
	if err := proof.Check(req.Method, base+req.Path, req.Body, now); err != nil {
		return nil, err
	}
	var body api.ExchangeRequest
	if err := chain.DecodeStrict(req.Body, &body); err != nil {
		return nil, errs.BadRequest("request.malformed", "request body: %v", err)
	}
	g, err := grants.Parse(body.Grant)
	if err != nil {
		return nil, err
	}
	if proof.DID != g.Grantee {
		return nil, errs.New(http.StatusForbidden, "exchange.wrongGrantee", "the proof of possession is signed by %s, not by the grantee", proof.DID)
	}
	key, err := s.proofKey(ctx, proof)
	if err != nil {
		return nil, err
	}
	if err := s.nonces.consume(proof.Nonce, req.Resource, now); err != nil {
		return nil, err
	}
	return &grantee{grant: g, claims: body.Claims, proof: req.Proof, kid: proof.Kid, key: key}, nil
}

// proofKey returns the key that signed proof, once it is an authentication
// key of the signer's DID and the signature verifies with it.
func (s *Service) proofKey(ctx context.Context, proof *grants.ParsedProof) (keys.PublicKey, error) {
	var key keys.PublicKey
	doc, err := s.cfg.Ledger.Resolve(ctx, proof.DID)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Status < 500 {
			return key, errs.New(http.StatusUnauthorized, "exchange.badProof", "the grantee's DID does not resolve: %s", e.Code)
		}
		return key, err
	}
	key, ok := grants.AuthenticationKey(doc, proof.Kid)
	if !ok {
		return key, errs.New(http.StatusUnauthorized, "exchange.badProof", "%s is not an authentication key of the grantee", proof.Kid)
	}
	if err := proof.JWS.Verify(key); err != nil {
		return key, errs.New(http.StatusUnauthorized, "exchange.badProof", "the proof of possession's signature does not verify with %s", proof.Kid)
	}
	return key, nil
}

// release checks the ledger's receipt of the grant for resource name (at
// URL resource), gets the claims and records the access receipt.
func (s *Service) release(ctx context.Context, who *grantee, name, resource string, now time.Time) (*api.ExchangeData, error) {
	rec, err := s.cfg.Ledger.Grant(ctx, who.grant.ID)
	if err != nil {
		return nil, err
	}
	if rec.Hash != who.grant.Hash {
		return nil, errs.New(http.StatusForbidden, "grant.hashMismatch", "the grant is not the one whose receipt the ledger keeps under %s (altered or forged)", who.grant.ID)
	}
	if rec.Resource != resource {
		return nil, errs.New(http.StatusForbidden, "grant.wrongResource", "the grant is for %s, not %s", strictjson.Truncate(rec.Resource, 256), resource)
	}
	claims := who.claims
	if len(claims) == 0 {
		claims = rec.Scope
	}
	if err := rec.Usable(now, claims); err != nil {
		return nil, err
	}
	if err := grants.CanReceive(who.key); err != nil {
		return nil, err
	}
	vals, released, err := s.claims(ctx, name, rec.Grantor, claims)
	if err != nil {
		return nil, err
	}
	txHash, err := s.cfg.Ledger.RecordAccess(ctx, grants.AccessPayload{GrantID: rec.ID, Claims: released, Request: grants.RequestHash(who.proof)})
	if err != nil {
		return nil, err
	}
	return &api.ExchangeData{GrantID: rec.ID, Grantor: rec.Grantor, Grantee: rec.Grantee, Resource: rec.Resource, Claims: vals,
		AccessReceipt: txHash, Released: now.UTC().Truncate(time.Second)}, nil
}

// claims returns the values the provider has of the claims of resource
// name about subject, and the claims released, in the order asked (404
// exchange.noData if none).
func (s *Service) claims(ctx context.Context, name, subject string, claims []string) (map[string]any, []string, error) {
	vals, err := s.cfg.Provider.Claims(ctx, name, subject, claims)
	if err != nil {
		return nil, nil, err
	}
	released := make([]string, 0, len(vals))
	for _, c := range claims {
		if _, ok := vals[c]; ok {
			released = append(released, c)
		}
	}
	if len(released) == 0 {
		return nil, nil, errs.New(http.StatusNotFound, "exchange.noData", "the data holder has none of the claims asked for about the grantor")
	}
	return vals, released, nil
}
