package credential_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// The helpers follow schemas/helpers_test.go: a real ledger with the did,
// authz and schemas transaction types, committed block by block.

const testChain = ledgertest.ChainID

// actor is a did:weid identity with its current key and a nonce counter.
type actor struct {
	key   *keys.PrivateKey
	did   string
	frag  string
	nonce uint64
}

func newActor(t testing.TB, kt keys.Type) *actor {
	t.Helper()
	k, err := keys.Generate(kt)
	if err != nil {
		t.Fatal(err)
	}
	return &actor{key: k, did: did.WeidDID(testChain, k.Public()), frag: did.FirstKeyFragment}
}

func (a *actor) vm() string { return a.did + "#" + a.frag }

func (a *actor) signer() credential.Signer {
	return credential.Signer{DID: a.did, VerificationMethod: a.vm(), Key: a.key}
}

func (a *actor) tx(t testing.TB, typ string, payload any) *chain.Tx {
	t.Helper()
	a.nonce++
	return ledgertest.SignTx(t, a.key, a.vm(), a.nonce, typ, payload)
}

func (a *actor) create(t testing.TB) *chain.Tx {
	t.Helper()
	return a.tx(t, did.TxCreate, did.CreatePayload{DID: a.did, PublicKeyMultibase: a.key.Public().Multibase()})
}

// ledger is a chain.Ledger with did, authz and schemas registered, the
// system schemas published at genesis, and a verifier over it.
type ledger struct {
	*ledgertest.Ledger
	l        *chain.Ledger
	admin    *actor
	resolver *did.Resolver
}

func newLedger(t testing.TB) *ledger {
	t.Helper()
	reg := chain.NewRegistry()
	weid.Register(reg)
	authz.Register(reg)
	schemas.Register(reg)
	tl := ledgertest.Open(t, reg, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	l := tl.L
	e := &ledger{Ledger: tl, l: l, admin: newActor(t, keys.Ed25519)}
	txs := []*chain.Tx{
		e.admin.create(t),
		e.admin.tx(t, chain.TypeChainInit, chain.InitPayload{NodeKey: tl.Node.Public().Multibase(), Admins: []string{e.admin.did}}),
	}
	for _, s := range schemas.SystemSchemas() {
		txs = append(txs, e.admin.tx(t, schemas.TxRegister, s.Payload()))
	}
	e.MustGenesis(t, txs...)
	e.resolver = did.NewResolver(map[string]did.MethodResolver{
		"weid": weid.NewMethod(l),
		"key":  did.KeyMethod{},
		"jwk":  did.JWKMethod{},
	})
	return e
}

// commit checks txs and commits them as the next block, one second after
// the previous one; it returns each one's error.
func (e *ledger) commit(t testing.TB, txs ...*chain.Tx) []error {
	t.Helper()
	return e.Commit(t, txs...)
}

func (e *ledger) must(t testing.TB, tx *chain.Tx) {
	t.Helper()
	if err := e.commit(t, tx)[0]; err != nil {
		t.Fatalf("%s: %v", tx.Type, err)
	}
}

// user registers a new did:weid DID with a key of type kt.
func (e *ledger) user(t testing.TB, kt keys.Type) *actor {
	t.Helper()
	a := newActor(t, kt)
	e.must(t, a.create(t))
	return a
}

// issuer registers a DID and has the admin recognize it as an authority
// issuer accredited for university degrees with the diploma schema (2).
func (e *ledger) issuer(t testing.TB, kt keys.Type, name string) *actor {
	t.Helper()
	a := e.user(t, kt)
	e.must(t, e.admin.tx(t, authz.TxRecognize, authz.RecognizePayload{
		DID: a.did, Name: name, Types: []string{"UniversityDegreeCredential"}, Schemas: []uint64{diplomaSchema},
	}))
	return a
}

// rotate replaces a's current key by a new one of the same type, #newFrag.
func (e *ledger) rotate(t testing.TB, a *actor, newFrag string) {
	t.Helper()
	k, err := keys.Generate(a.key.Type())
	if err != nil {
		t.Fatal(err)
	}
	e.must(t, a.tx(t, did.TxRotateKey, did.RotateKeyPayload{DID: a.did, ID: a.frag, NewID: newFrag, PublicKeyMultibase: k.Public().Multibase()}))
	a.key, a.frag = k, newFrag
}

// verifier returns a verifier over the ledger whose clock is at.
func (e *ledger) verifier(at time.Time) *credential.Verifier {
	return &credential.Verifier{
		Resolver: e.resolver,
		State:    e.l,
		Schemas:  schemas.NewValidator(0),
		Now:      func() time.Time { return at },
	}
}

// diplomaSchema is the genesis university diploma schema.
const diplomaSchema = 2

const schemaURL = "https://weid.example/v1/schemas/2"

// diploma returns an unsecured diploma credential issued by issuer to
// holder, with extra members replacing or adding to the defaults.
func diploma(t testing.TB, issuer, holder string, extra map[string]any) json.RawMessage {
	t.Helper()
	c := map[string]any{
		"@context": []any{credential.ContextV2, "https://www.w3.org/ns/credentials/examples/v2"},
		"id":       "urn:uuid:3f1c7a52-8e0b-4c1e-9a35-2d6f0e1b7c44",
		"type":     []any{"VerifiableCredential", "UniversityDegreeCredential"},
		"issuer":   issuer,
		"credentialSubject": map[string]any{
			"id":            holder,
			"holderName":    "Alice Chen",
			"degree":        "Bachelor of Engineering",
			"degreeLevel":   "bachelor",
			"fieldOfStudy":  "Computer Science",
			"institution":   "Example University",
			"awardedDate":   "2025-07-01",
			"diplomaNumber": "EU-2025-0001",
		},
		"credentialSchema": map[string]any{"id": schemaURL, "type": "JsonSchema"},
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statuses returns name → status of a result's checks, and fails unless
// every check is reported once, in order.
func statuses(t testing.TB, r *credential.Result) map[string]string {
	t.Helper()
	if len(r.Checks) != len(credential.CheckNames) {
		t.Fatalf("got %d checks, want %d: %+v", len(r.Checks), len(credential.CheckNames), r.Checks)
	}
	m := map[string]string{}
	for i, c := range r.Checks {
		if c.Name != credential.CheckNames[i] {
			t.Fatalf("check %d is %q, want %q", i, c.Name, credential.CheckNames[i])
		}
		m[c.Name] = c.Status
		checkCode(t, c)
	}
	return m
}

// checkCode fails unless c has a code: one of credential.CheckCodes for
// its check (or the skipped-because-invalid one), or its DefaultCode.
func checkCode(t testing.TB, c credential.Check) {
	t.Helper()
	if c.Code == credential.DefaultCode(c.Name, c.Status) || c.Code == credential.ReasonSkippedStructure && c.Status == credential.StatusSkipped {
		return
	}
	if !slices.Contains(credential.CheckCodes, c.Code) || !strings.HasPrefix(c.Code, c.Name+".") {
		t.Errorf("check %s (%s): code %q is not one of its codes", c.Name, c.Status, c.Code)
	}
}

// want fails unless the result's checks have the given statuses (others
// unconstrained) and Verified is verified.
func want(t testing.TB, r *credential.Result, verified bool, st map[string]string) {
	t.Helper()
	got := statuses(t, r)
	for n, s := range st {
		if got[n] != s {
			t.Errorf("check %s: %s, want %s\n%s", n, got[n], s, dump(r))
		}
	}
	if r.Verified != verified {
		t.Errorf("Verified = %v, want %v\n%s", r.Verified, verified, dump(r))
	}
	if r.Err != nil {
		t.Errorf("internal error: %v", r.Err)
	}
}

func dump(r *credential.Result) string {
	var sb strings.Builder
	for _, c := range r.Checks {
		sb.WriteString("  " + c.Name + ": " + c.Status + " — " + c.Detail + "\n")
	}
	return sb.String()
}

// allPassed is every check passed except status, skipped without a
// credentialStatus.
var allPassed = map[string]string{
	credential.CheckStructure:      credential.StatusPassed,
	credential.CheckProof:          credential.StatusPassed,
	credential.CheckIssuerBinding:  credential.StatusPassed,
	credential.CheckAccreditation:  credential.StatusPassed,
	credential.CheckValidityPeriod: credential.StatusPassed,
	credential.CheckSchema:         credential.StatusPassed,
	credential.CheckStatus:         credential.StatusSkipped,
}

// with returns allPassed with some statuses changed.
func with(kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range allPassed {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
