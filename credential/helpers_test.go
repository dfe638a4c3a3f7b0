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
	"github.com/weidgo/weid/internal/jsontest"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// The helpers follow schemas/helpers_test.go: a real ledger with the did,
// authz and schemas transaction types, committed block by block.

const testChain = ledgertest.ChainID

// actor is a did:weid identity with its current key and a nonce counter.
type actor = ledgertest.Actor

// signerOf is the credential signer of a's current key.
func signerOf(a *actor) credential.Signer {
	return credential.Signer{DID: a.DID, VerificationMethod: a.VM(), Key: a.Key}
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
	reg := ledgertest.Registry(weid.Register, authz.Register, schemas.Register)
	var system []func(*actor) *chain.Tx
	for _, s := range schemas.SystemSchemas() {
		system = append(system, func(admin *actor) *chain.Tx { return admin.Tx(t, schemas.TxRegister, s.Payload()) })
	}
	tl := ledgertest.Genesis(t, reg, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), system...)
	return &ledger{Ledger: tl, l: tl.L, admin: tl.Admin, resolver: did.NewResolver(map[string]did.MethodResolver{
		"weid": weid.NewMethod(tl.L),
		"key":  did.KeyMethod{},
		"jwk":  did.JWKMethod{},
	})}
}

// issuer registers a DID and has the admin recognize it as an authority
// issuer accredited for university degrees with the diploma schema (2).
func (e *ledger) issuer(t testing.TB, kt keys.Type, name string) *actor {
	t.Helper()
	a := e.User(t, kt)
	e.Must(t, e.admin.Tx(t, authz.TxRecognize, authz.RecognizePayload{
		DID: a.DID, Name: name, Types: []string{"UniversityDegreeCredential"}, Schemas: []uint64{diplomaSchema},
	}))
	return a
}

// rotate replaces a's current key by a new one of the same type, #newFrag.
func (e *ledger) rotate(t testing.TB, a *actor, newFrag string) {
	t.Helper()
	k, err := keys.Generate(a.Key.Type())
	if err != nil {
		t.Fatal(err)
	}
	e.Must(t, a.Tx(t, did.TxRotateKey, did.RotateKeyPayload{DID: a.DID, ID: a.Frag, NewID: newFrag, PublicKeyMultibase: k.Public().Multibase()}))
	a.Key, a.Frag = k, newFrag
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
	return jsontest.MergePatch(t, c, extra)
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
