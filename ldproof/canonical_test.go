package ldproof

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// resign replaces the proof of a one-proof document by p, signed over
// the canonical forms CanonicalForms gives for cryptosuite.
func resign(t *testing.T, k *keys.PrivateKey, doc []byte, cryptosuite string, p map[string]any) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	delete(d, "proof")
	unsecured, _ := json.Marshal(d)
	canonDoc, canonConfig, err := CanonicalForms(cryptosuite, unsecured, p)
	if err != nil {
		t.Fatal(err)
	}
	ph, dh := sha256.Sum256(canonConfig), sha256.Sum256(canonDoc)
	sig, err := k.Sign(append(ph[:], dh[:]...))
	if err != nil {
		t.Fatal(err)
	}
	p["proofValue"] = "z" + base58.Encode(sig)
	d["proof"] = p
	out, _ := json.Marshal(d)
	return out
}

func onlyProof(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	return d["proof"].(map[string]any)
}

// TestCanonicalForms_AreWhatProofsSign: the canonical forms CanonicalForms
// returns are those Sign hashed and signed, for every suite (VC DI EdDSA
// §3.2.3–§3.2.5, §3.3.3–§3.3.5; VC DI ECDSA §3.2.3–§3.2.5).
func TestCanonicalForms_AreWhatProofsSign(t *testing.T) {
	t.Parallel()
	ed2020 := []byte(strings.Replace(string(diploma), `"https://www.w3.org/ns/credentials/examples/v2"]`, `"https://www.w3.org/ns/credentials/examples/v2", "https://w3id.org/security/suites/ed25519-2020/v1"]`, 1))
	for _, tc := range []struct {
		suite string
		doc   []byte
	}{{EdDSARDFC2022, diploma}, {EdDSAJCS2022, diploma}, {Ed25519Signature2020, ed2020}} {
		k, vm := signer(t, keys.Ed25519)
		out, err := Sign(tc.doc, Options{Cryptosuite: tc.suite, Key: k, VerificationMethod: vm, Created: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		p := onlyProof(t, out)
		canonDoc, canonConfig, err := CanonicalForms(tc.suite, out, p)
		if err != nil {
			t.Fatalf("%s: %v", tc.suite, err)
		}
		ph, dh := sha256.Sum256(canonConfig), sha256.Sum256(canonDoc)
		sig, _ := base58.Decode(p["proofValue"].(string)[1:])
		if !k.Public().Verify(append(ph[:], dh[:]...), sig) {
			t.Errorf("%s: the signature is not over the canonical forms", tc.suite)
		}
		if tc.suite == EdDSAJCS2022 && !strings.HasPrefix(string(canonDoc), "{") || tc.suite != EdDSAJCS2022 && !strings.Contains(string(canonDoc), " .\n") {
			t.Errorf("%s: canonical document %.80q", tc.suite, canonDoc)
		}
	}
	if _, _, err := CanonicalForms("eddsa-2099", diploma, map[string]any{}); err == nil {
		t.Error("an unknown cryptosuite gave canonical forms")
	}
}

// TestVerify_TimesWithoutOffsetAreUTC: VC Data Integrity §2.1 — "Time
// values that are incorrectly serialized without an offset MUST be
// interpreted as UTC": such a created verifies, such an expires is read as
// UTC; a value that is no date and time fails.
func TestVerify_TimesWithoutOffsetAreUTC(t *testing.T) {
	t.Parallel()
	out, k := signFresh(t, diploma, EdDSARDFC2022, keys.Ed25519)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, created, expires string
		ok                     bool
	}{
		{"created without offset", "2026-01-02T03:04:05", "", true},
		{"created with fraction, without offset", "2026-01-02T03:04:05.25", "", true},
		{"expires without offset, ahead", "", "2026-03-01T12:00:01", true},
		{"expires without offset, passed as UTC", "", "2026-03-01T11:59:59", false},
		{"created not a date", "invalidDate", "", false},
		{"created a date only", "2026-01-02", "", false},
	} {
		p := onlyProof(t, out)
		delete(p, "proofValue")
		if tc.created != "" {
			p["created"] = tc.created
		}
		if tc.expires != "" {
			p["expires"] = tc.expires
		}
		doc := resign(t, k, out, EdDSARDFC2022, p)
		res, err := Verify(context.Background(), doc, didKeyResolver, VerifyOptions{Now: now})
		if err != nil || res.Verified != tc.ok {
			t.Errorf("%s: %v %+v", tc.name, err, res)
		}
		if tc.created == "2026-01-02T03:04:05" && tc.ok && res.Proofs[0].Created != time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) {
			t.Errorf("%s: created %v", tc.name, res.Proofs[0].Created)
		}
	}
}

// TestVerify_LegacyProofWithCryptosuiteFails: an Ed25519Signature2020
// proof names its suite by its type; a cryptosuite on it names another
// (VC Data Integrity §2.1), and it fails however well it is signed.
func TestVerify_LegacyProofWithCryptosuiteFails(t *testing.T) {
	t.Parallel()
	ed2020 := []byte(strings.Replace(string(diploma), `"https://www.w3.org/ns/credentials/examples/v2"]`, `"https://www.w3.org/ns/credentials/examples/v2", "https://w3id.org/security/suites/ed25519-2020/v1"]`, 1))
	out, k := signFresh(t, ed2020, Ed25519Signature2020, keys.Ed25519)
	p := onlyProof(t, out)
	delete(p, "proofValue")
	p["cryptosuite"] = "UnknownCryptosuite"
	res, err := Verify(context.Background(), resign(t, k, out, Ed25519Signature2020, p), didKeyResolver, VerifyOptions{})
	if err != nil || res.Verified || res.Proofs[0].Code != ProofUnsupportedSuite {
		t.Errorf("%v %+v", err, res)
	}
}

// FuzzCanonicalForms feeds arbitrary documents and proofs to
// CanonicalForms under every suite: it must never panic, must answer in
// bounded time and must report faults as *errs.Error.
func FuzzCanonicalForms(f *testing.F) {
	f.Add(diploma, []byte(`{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":"2026-01-02T03:04:05","verificationMethod":"did:key:z6Mk#z6Mk","proofPurpose":"assertionMethod"}`))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2",{"@context":{"a":"urn:a"}}],"a":1,"proof":[{"id":"urn:p1","type":"DataIntegrityProof"}]}`), []byte(`{"type":"DataIntegrityProof","previousProof":["urn:p1","urn:p2"],"@context":["https://www.w3.org/ns/credentials/v2"]}`))
	f.Add([]byte(`{"proof":5}`), []byte(`{"previousProof":7}`))
	f.Fuzz(func(t *testing.T, doc, proof []byte) {
		var p map[string]any
		if json.Unmarshal(proof, &p) != nil || p == nil {
			return
		}
		for _, suite := range Suites() {
			start := time.Now()
			_, _, err := CanonicalForms(suite, doc, p)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s: %v", suite, d)
			}
			if err != nil {
				if _, ok := errs.As(err); !ok {
					t.Errorf("%s: not an *errs.Error: %v", suite, err)
				}
			}
		}
	})
}
