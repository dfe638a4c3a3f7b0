package exchange

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
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// fakeLedger is a Ledger in memory: DID documents, receipts and the access
// receipts recorded.
type fakeLedger struct {
	mu       sync.Mutex
	docs     map[string]*did.Document
	receipts map[string]*grants.Receipt
	accesses []grants.AccessPayload
	fail     error // RecordAccess's error, if set
}

func (l *fakeLedger) Grant(_ context.Context, id string) (*grants.Receipt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.receipts[id]
	if !ok {
		return nil, errs.New(http.StatusNotFound, "grant.notFound", "no grant %s", id)
	}
	c := *r
	return &c, nil
}

func (l *fakeLedger) Resolve(_ context.Context, d string) (*did.Document, error) {
	doc, ok := l.docs[d]
	if !ok {
		return nil, errs.New(http.StatusNotFound, "did.notFound", "%s", d)
	}
	return doc, nil
}

func (l *fakeLedger) RecordAccess(_ context.Context, p grants.AccessPayload) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return "", l.fail
	}
	l.accesses = append(l.accesses, p)
	return strings.Repeat("ab", 32), nil
}

// mapProvider serves one resource from memory.
type mapProvider map[string]map[string]any // subject → claims

func (p mapProvider) Has(_ context.Context, resource string) (bool, error) {
	return resource == "transcripts", nil
}

func (p mapProvider) Claims(_ context.Context, _, subject string, names []string) (map[string]any, error) {
	all, ok := p[subject]
	if !ok {
		return nil, errs.New(http.StatusNotFound, "exchange.noData", "none")
	}
	out := map[string]any{}
	for _, n := range names {
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

// party is a DID with one key, an authentication method.
type party struct {
	did, kid string
	key      *keys.PrivateKey
}

func newParty(t testing.TB, l *fakeLedger, typ keys.Type) party {
	t.Helper()
	k := keytest.New(t, typ)
	d := did.WeidDID("1", k.Public())
	p := party{did: d, kid: d + "#key-1", key: k}
	l.docs[d] = &did.Document{ID: d, VerificationMethod: []did.VerificationMethod{{ID: p.kid, Type: "Multikey", Controller: d, PublicKeyMultibase: k.Public().Multibase()}},
		Authentication: []string{p.kid}, AssertionMethod: []string{p.kid}}
	return p
}

const (
	base     = "https://uni.example"
	resource = base + "/v1/exchange/transcripts"
	secret   = "Bachelor of Engineering"
)

type world struct {
	svc                *Service
	ledger             *fakeLedger
	alice, bank, eve   party
	now                time.Time
	grant              string
	grantID, grantHash string
}

// newWorld is a data holder serving Alice's transcript, and a grant from
// Alice to the bank for two of its claims, whose receipt the ledger keeps.
func newWorld(t testing.TB) *world {
	t.Helper()
	l := &fakeLedger{docs: map[string]*did.Document{}, receipts: map[string]*grants.Receipt{}}
	w := &world{ledger: l, now: time.Now().UTC().Truncate(time.Second)}
	w.alice, w.bank, w.eve = newParty(t, l, keys.Ed25519), newParty(t, l, keys.P256), newParty(t, l, keys.Ed25519)
	w.svc = New(Config{Ledger: l, Provider: mapProvider{w.alice.did: {"degree": secret, "awardedDate": "2026-07-01", "gpa": 3.71}},
		PublicURL: base + "/", Now: func() time.Time { return w.now }})
	w.grant, w.grantID, w.grantHash = w.record(t, resource, []string{"degree", "awardedDate"})
	return w
}

// record makes a grant from Alice to the bank and the ledger's receipt of it.
func (w *world) record(t testing.TB, res string, scope []string) (tok, id, hash string) {
	t.Helper()
	id, err := grants.NewID()
	if err != nil {
		t.Fatal(err)
	}
	g := grants.Grant{ID: id, Grantor: w.alice.did, Grantee: w.bank.did, Resource: res, Scope: scope, Purpose: "mortgage",
		NotBefore: w.now.Add(-time.Minute), Expires: w.now.Add(time.Hour)}
	tok, err = g.Sign(w.alice.key, w.alice.kid, "https://weid.example")
	if err != nil {
		t.Fatal(err)
	}
	w.ledger.receipts[id] = &grants.Receipt{ID: id, Hash: grants.Hash(tok), Grantor: g.Grantor, Grantee: g.Grantee, Resource: res, Scope: scope,
		NotBefore: g.NotBefore.Format(time.RFC3339), Expires: g.Expires.Format(time.RFC3339), Status: grants.StatusActive}
	return tok, id, grants.Hash(tok)
}

// request is an exchange request for the grant tok, with a proof signed by
// p over a fresh nonce, which change may alter before it is sent.
func (w *world) request(t testing.TB, p party, tok string, claims []string, change func(*Request)) Request {
	t.Helper()
	n, err := w.svc.Nonce(context.Background(), "transcripts")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(api.ExchangeRequest{Grant: tok, Claims: claims})
	proof, err := grants.SignProof(p.key, p.kid, http.MethodPost, resource, body, n.Nonce, w.now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Resource: "transcripts", Method: http.MethodPost, Path: "/v1/exchange/transcripts", Origin: "http://ignored", Body: body, Proof: proof}
	if change != nil {
		change(&req)
	}
	return req
}

func TestService_ReleasesOnlyTheClaimsAskedToTheGrantee(t *testing.T) {
	w := newWorld(t)
	req := w.request(t, w.bank, w.grant, []string{"degree"}, nil)
	a, err := w.svc.Release(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.JWE, secret) {
		t.Fatal("the answer is in the clear")
	}
	if _, err := grants.Decrypt(w.eve.key, a.JWE); err == nil {
		t.Fatal("another key decrypts the answer")
	}
	pt, err := grants.Decrypt(w.bank.key, a.JWE)
	if err != nil {
		t.Fatal(err)
	}
	var data api.ExchangeData
	if err := json.Unmarshal(pt, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Claims) != 1 || data.Claims["degree"] != secret || data.GrantID != w.grantID || data.Resource != resource || data.AccessReceipt != a.AccessReceipt {
		t.Fatalf("data %+v", data)
	}
	if len(w.ledger.accesses) != 1 || !slices.Equal(w.ledger.accesses[0].Claims, []string{"degree"}) || w.ledger.accesses[0].Request != grants.RequestHash(req.Proof) {
		t.Fatalf("access receipts %+v", w.ledger.accesses)
	}
	// The whole scope when no claim is named.
	if _, err := w.svc.Release(context.Background(), w.request(t, w.bank, w.grant, nil, nil)); err != nil || !slices.Equal(w.ledger.accesses[1].Claims, []string{"degree", "awardedDate"}) {
		t.Fatalf("whole scope: %v %+v", err, w.ledger.accesses)
	}
}

func TestService_RefusesEachBadRequestByName(t *testing.T) {
	w := newWorld(t)
	other, _, _ := w.record(t, base+"/v1/exchange/payslips", []string{"degree"})
	revoked, revokedID, _ := w.record(t, resource, []string{"degree"})
	w.ledger.receipts[revokedID].Status = grants.StatusRevoked
	parts := strings.Split(w.grant, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for _, c := range []struct {
		name   string
		by     party
		grant  string
		claims []string
		change func(*Request)
		status int
		code   string
	}{
		{"unknown resource", w.bank, w.grant, nil, func(r *Request) { r.Resource = "payslips" }, 404, "exchange.unknownResource"},
		{"invalid resource name", w.bank, w.grant, nil, func(r *Request) { r.Resource = "../etc" }, 400, "exchange.invalidResource"},
		{"no proof", w.bank, w.grant, nil, func(r *Request) { r.Proof = "" }, 401, "exchange.proofRequired"},
		{"proof for another body", w.bank, w.grant, nil, func(r *Request) { r.Body = []byte(`{"grant":"x"}`) }, 400, "exchange.proofMismatch"},
		{"malformed body", w.bank, w.grant, nil, func(r *Request) {
			r.Body = []byte(`{"grant":1}`)
			r.Proof, _ = grants.SignProof(w.bank.key, w.bank.kid, http.MethodPost, resource, r.Body, "n", w.now, time.Minute)
		}, 400, "request.malformed"},
		{"signed by someone else", w.eve, w.grant, nil, nil, 403, "exchange.wrongGrantee"},
		{"another key as the grantee", party{w.bank.did, w.bank.kid, w.eve.key}, w.grant, nil, nil, 401, "exchange.badProof"},
		{"unknown nonce", w.bank, w.grant, nil, func(r *Request) {
			r.Proof, _ = grants.SignProof(w.bank.key, w.bank.kid, http.MethodPost, resource, r.Body, "never-issued", w.now, time.Minute)
		}, 401, "exchange.unknownNonce"},
		{"altered grant", w.bank, forged, nil, nil, 403, "grant.hashMismatch"},
		{"another resource's grant", w.bank, other, nil, nil, 403, "grant.wrongResource"},
		{"out of scope", w.bank, w.grant, []string{"gpa"}, nil, 403, "grant.outOfScope"},
		{"revoked", w.bank, revoked, nil, nil, 403, "grant.revoked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.svc.Release(context.Background(), w.request(t, c.by, c.grant, c.claims, c.change))
			e, ok := errs.As(err)
			if !ok || e.Status != c.status || e.Code != c.code {
				t.Fatalf("got %v, want %d %s", err, c.status, c.code)
			}
			if strings.Contains(e.Detail, secret) {
				t.Fatalf("the error carries protected data: %s", e.Detail)
			}
		})
	}
	if len(w.ledger.accesses) != 0 {
		t.Fatalf("refused requests recorded accesses: %+v", w.ledger.accesses)
	}
}

func TestService_ServesARequestOnce(t *testing.T) {
	w := newWorld(t)
	req := w.request(t, w.bank, w.grant, nil, nil)
	if _, err := w.svc.Release(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Release(context.Background(), req); errs.Code(err) != "exchange.replayed" {
		t.Fatalf("replay: %v", err)
	}
	// An expired nonce is unknown, even in a fresh proof.
	req = w.request(t, w.bank, w.grant, nil, nil)
	w.now = w.now.Add(NonceTTL + time.Second)
	p, err := grants.ParseProof(req.Proof)
	if err != nil {
		t.Fatal(err)
	}
	if req.Proof, err = grants.SignProof(w.bank.key, w.bank.kid, http.MethodPost, resource, req.Body, p.Nonce, w.now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Release(context.Background(), req); errs.Code(err) != "exchange.unknownNonce" {
		t.Fatalf("expired nonce: %v", err)
	}
}

func TestService_NothingReleasedWhenTheAccessReceiptFails(t *testing.T) {
	w := newWorld(t)
	w.ledger.fail = errors.New("the node is down")
	a, err := w.svc.Release(context.Background(), w.request(t, w.bank, w.grant, nil, nil))
	if err == nil || a != nil {
		t.Fatalf("released without an access receipt: %+v %v", a, err)
	}
}

func TestNonces_BoundedAndPerResource(t *testing.T) {
	now := time.Now()
	ns := newNonces(2, time.Minute)
	a, _, err := ns.issue("a", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ns.issue("a", now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ns.issue("a", now); errs.Code(err) != "exchange.busy" {
		t.Fatalf("third nonce of two: %v", err)
	}
	if err := ns.consume(a, "b", now); errs.Code(err) != "exchange.unknownNonce" {
		t.Fatalf("nonce of another resource: %v", err)
	}
	// Once they expire, the full store makes room.
	if _, _, err := ns.issue("a", now.Add(2*time.Minute)); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}
