package interop_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/interop"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/ldproof"
)

// ariesDir is the aries-compat module, relative to this package.
const ariesDir = "../compat/aries"

// buildAries builds aries-compat into a temporary directory. On a cold
// module cache the build downloads aries-framework-go v0.3.2 and its
// dependencies through the Go module proxy; if that is impossible the test
// fails (it does not skip), saying so.
func buildAries(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build aries-compat (%s): %v", ariesDir, err)
	}
	bin := filepath.Join(t.TempDir(), "aries-compat")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".")
	cmd.Dir = ariesDir
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		proxy, _ := exec.Command(goTool, "env", "GOPROXY").Output()
		t.Fatalf("building aries-compat (cd %s && go build) failed after %v: %v\n%s\n"+
			"It needs aries-framework-go v0.3.2 and its dependencies; on a cold module cache they come from the "+
			"Go module proxy (GOPROXY=%s), so check that the proxy is reachable.",
			ariesDir, time.Since(start).Round(time.Millisecond), err, out, strings.TrimSpace(string(proxy)))
	}
	t.Logf("built aries-compat in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// run runs aries-compat with args and stdin and returns its standard
// output and exit status; it fails the test if the program could not run
// or died with a usage error (status 2).
func run(t *testing.T, bin string, stdin []byte, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("aries-compat %s: %v", args[0], err)
	}
	if code == 2 || code < 0 {
		t.Fatalf("aries-compat %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("aries-compat %s (exit %d): %s", args[0], code, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), code
}

// ariesVerify verifies signed with aries-compat against the did:key DID
// issuer and returns whether aries accepts it, with its error if not.
func ariesVerify(t *testing.T, bin string, signed []byte, issuer string) (bool, string) {
	t.Helper()
	out, code := run(t, bin, signed, "verify", "--did", issuer)
	var res struct {
		Verified bool   `json:"verified"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("aries-compat verify printed %q: %v", out, err)
	}
	if res.Verified != (code == 0) {
		t.Fatalf("aries-compat verify: exit %d with %s", code, out)
	}
	return res.Verified, res.Error
}

// verifier verifies Data Integrity credentials of did:key issuers: it
// resolves DIDs without a ledger, and has no trust registry or schemas.
func verifier() *credential.Verifier {
	return &credential.Verifier{
		Resolver: did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}}),
		Now:      func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
}

// weidVerify verifies signed with credential.Verifier.VerifyDataIntegrity
// and returns the result and its proof and issuerBinding checks.
func weidVerify(t *testing.T, signed []byte) (r *credential.Result, proof, binding credential.Check) {
	t.Helper()
	r = verifier().VerifyDataIntegrity(t.Context(), signed, credential.Policy{RequireBinding: true})
	if r.Err != nil {
		t.Fatalf("VerifyDataIntegrity: internal error %v", r.Err)
	}
	for _, c := range r.Checks {
		switch c.Name {
		case credential.CheckProof:
			proof = c
		case credential.CheckIssuerBinding:
			binding = c
		}
	}
	return r, proof, binding
}

func checks(r *credential.Result) string {
	var sb strings.Builder
	for _, c := range r.Checks {
		sb.WriteString("\n  " + c.Name + ": " + c.Status + " — " + c.Detail)
	}
	return sb.String()
}

// issuer is a did:key issuer with an Ed25519 key from a fixed seed, so
// that aries-compat (which takes the seed) signs with the same key.
type issuer struct {
	seed []byte
	key  *keys.PrivateKey
	did  string
	vm   string
}

func newIssuer(t *testing.T, b byte) *issuer {
	t.Helper()
	seed := bytes.Repeat([]byte{b}, 32)
	k, err := keys.PrivateKeyFromSeed(keys.Ed25519, seed)
	if err != nil {
		t.Fatal(err)
	}
	d := did.KeyDID(k.Public())
	return &issuer{seed: seed, key: k, did: d, vm: d + "#" + k.Public().Multibase()}
}

func (i *issuer) signer() credential.Signer {
	return credential.Signer{DID: i.did, VerificationMethod: i.vm, Key: i.key}
}

// edit decodes a credential, changes it and encodes it again.
func edit(t *testing.T, doc []byte, f func(d map[string]any)) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	f(d)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func proofOf(t *testing.T, signed []byte) map[string]any {
	t.Helper()
	var d struct {
		Proof map[string]any `json:"proof"`
	}
	if err := json.Unmarshal(signed, &d); err != nil || d.Proof == nil {
		t.Fatalf("no proof object in %s (%v)", signed, err)
	}
	return d.Proof
}

// tampered are changes to a signed VC 1.1 diploma that its proof must
// catch: a claim, a nested claim, the issuance date, the proof's created
// and its proofValue.
var tampered = []struct {
	name string
	f    func(d map[string]any)
}{
	{"claim", func(d map[string]any) { d["credentialSubject"].(map[string]any)["gpa"] = "4.00" }},
	{"nested claim", func(d map[string]any) {
		d["credentialSubject"].(map[string]any)["degree"].(map[string]any)["name"] = "Doctor of Philosophy"
	}},
	{"issuanceDate", func(d map[string]any) { d["issuanceDate"] = "2024-06-29T09:00:00Z" }},
	{"added claim", func(d map[string]any) { d["credentialSubject"].(map[string]any)["minor"] = "Physics" }},
	{"proof created", func(d map[string]any) { d["proof"].(map[string]any)["created"] = "2020-01-01T00:00:00Z" }},
	{"proofValue", func(d map[string]any) {
		p := d["proof"].(map[string]any)
		v := []byte(p["proofValue"].(string))
		if v[5] == 'a' {
			v[5] = 'b'
		} else {
			v[5] = 'a'
		}
		p["proofValue"] = string(v)
	}},
}

// tamperApplies reports whether the tampering named tamper applies to the
// document named doc: the minimal credential has no claims to change, only
// its issuanceDate and proof.
func tamperApplies(doc, tamper string) bool {
	return doc != "minimal" || tamper == "proof created" || tamper == "proofValue" || tamper == "issuanceDate"
}

// TestAries checks Ed25519Signature2020 credentials (VC Data Model 1.1)
// both ways between weid and aries-framework-go v0.3.2 (aries-compat):
// weid's proofs verify with aries, aries's with weid, both sides make the
// same proofValue from the same key, document and created, and tampered
// copies fail on both sides.
func TestAries(t *testing.T) {
	bin := buildAries(t)
	created := time.Date(2025, 7, 1, 8, 30, 0, 0, time.UTC)

	// minimal is a VC 1.1 credential whose @context is the credentials
	// v1 and Ed25519Signature2020 contexts only.
	minimal := func(iss string) []byte {
		return []byte(`{"@context":["` + credential.ContextV1 + `","` + ldproof.ContextEd25519Signature2020 + `"],` +
			`"id":"urn:uuid:7f9d3b2e-1c4a-4e8b-9f60-5a2d7c1e0b38","type":["VerifiableCredential"],` +
			`"issuer":"` + iss + `","issuanceDate":"2025-07-01T00:00:00Z",` +
			`"credentialSubject":{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21"}}`)
	}

	// forEachDoc runs f on the minimal credential and the diploma numbered
	// serial, of issuer iss, each in a subtest named for it.
	forEachDoc := func(t *testing.T, iss string, serial int, f func(t *testing.T, name string, doc []byte)) {
		for _, tc := range []struct {
			name string
			doc  []byte
		}{{"minimal", minimal(iss)}, {"diploma", interop.DiplomaV11(iss, serial)}} {
			t.Run(tc.name, func(t *testing.T) { f(t, tc.name, tc.doc) })
		}
	}

	t.Run("weid signs, aries verifies", func(t *testing.T) {
		iss := newIssuer(t, 0x11)
		forEachDoc(t, iss.did, 1, func(t *testing.T, name string, doc []byte) {
			signed, err := credential.SignDataIntegrity(iss.signer(), doc, credential.ProofTypeEd25519Signature2020, created)
			if err != nil {
				t.Fatalf("SignDataIntegrity: %v", err)
			}
			if p := proofOf(t, signed); p["type"] != credential.ProofTypeEd25519Signature2020 || p["verificationMethod"] != iss.vm {
				t.Fatalf("proof %v", p)
			}
			if r, _, _ := weidVerify(t, signed); !r.Verified {
				t.Fatalf("weid does not verify its own credential:%s", checks(r))
			}
			if ok, msg := ariesVerify(t, bin, signed, iss.did); !ok {
				t.Fatalf("aries rejects weid's credential: %s\n%s", msg, signed)
			}
			// Another DID than the proof's: aries must refuse it.
			if ok, _ := ariesVerify(t, bin, signed, newIssuer(t, 0x12).did); ok {
				t.Fatal("aries verifies weid's credential against another did:key")
			}
			for _, tm := range tampered {
				if !tamperApplies(name, tm.name) {
					continue
				}
				bad := edit(t, signed, tm.f)
				if ok, _ := ariesVerify(t, bin, bad, iss.did); ok {
					t.Errorf("tampered %s: aries verifies it", tm.name)
				}
				if r, _, _ := weidVerify(t, bad); r.Verified {
					t.Errorf("tampered %s: weid verifies it", tm.name)
				}
			}
		})
	})

	t.Run("aries signs, weid verifies", func(t *testing.T) {
		iss := newIssuer(t, 0x21)
		forEachDoc(t, iss.did, 2, func(t *testing.T, name string, doc []byte) {
			out, code := run(t, bin, doc, "sign", "--seed", hex.EncodeToString(iss.seed), "--vm", iss.vm, "--created", created.Format(time.RFC3339))
			if code != 0 {
				t.Fatalf("aries-compat sign: exit %d", code)
			}
			signed := []byte(strings.TrimSpace(out))
			if p := proofOf(t, signed); p["type"] != credential.ProofTypeEd25519Signature2020 || p["verificationMethod"] != iss.vm {
				t.Fatalf("aries proof %v", p)
			}
			r, proof, binding := weidVerify(t, signed)
			if !r.Verified || proof.Status != credential.StatusPassed || binding.Status != credential.StatusPassed {
				t.Fatalf("weid rejects aries's credential:%s\n%s", checks(r), signed)
			}
			// Ed25519 signatures are deterministic: from the same key,
			// document and created, weid signs the same proofValue.
			ours, err := credential.SignDataIntegrity(iss.signer(), doc, credential.ProofTypeEd25519Signature2020, created)
			if err != nil {
				t.Fatalf("SignDataIntegrity: %v", err)
			}
			if a, w := proofOf(t, signed)["proofValue"], proofOf(t, ours)["proofValue"]; a != w {
				t.Errorf("proofValue: aries %v, weid %v", a, w)
			}
			for _, tm := range tampered {
				if !tamperApplies(name, tm.name) {
					continue
				}
				bad := edit(t, signed, tm.f)
				r, proof, _ := weidVerify(t, bad)
				if r.Verified || proof.Status != credential.StatusFailed {
					t.Errorf("tampered %s: weid's proof check %s:%s", tm.name, proof.Status, checks(r))
				}
				if ok, _ := ariesVerify(t, bin, bad, iss.did); ok {
					t.Errorf("tampered %s: aries verifies it", tm.name)
				}
			}
		})
	})
}
