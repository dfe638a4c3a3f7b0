package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/aries-framework-go/pkg/doc/ld"
	"github.com/hyperledger/aries-framework-go/pkg/vdr/fingerprint"
)

// TestMain makes any HTTP request fail, so a test that passes shows that no
// JSON-LD context (or anything else) was fetched from the network.
func TestMain(m *testing.M) {
	http.DefaultTransport = noNetwork{}
	http.DefaultClient.Transport = noNetwork{}
	os.Exit(m.Run())
}

type noNetwork struct{}

func (noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, errors.New("test: network access to " + r.URL.String())
}

var testCreated = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// testKey is a deterministic issuer: its key, did:key DID, verification
// method and Multikey public key.
type testKey struct {
	priv      ed25519.PrivateKey
	did, vm   string
	multibase string
}

func newTestKey(t *testing.T, b byte) testKey {
	t.Helper()
	seed := bytes.Repeat([]byte{b}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	did, vm := didKey(pub)
	return testKey{priv: priv, did: did, vm: vm,
		multibase: fingerprint.KeyFingerprint(fingerprint.ED25519PubKeyMultiCodec, pub)}
}

func loader(t *testing.T) *strictLoader {
	t.Helper()
	l, err := newStrictLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func sign(t *testing.T, k testKey, unsigned []byte) []byte {
	t.Helper()
	signed, err := NewIssuer(k.priv, k.vm, loader(t)).Sign(unsigned, testCreated)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func proofOf(t *testing.T, signed []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(signed, &doc); err != nil {
		t.Fatal(err)
	}
	p, ok := doc["proof"].(map[string]any)
	if !ok {
		t.Fatalf("proof is %T, want one object: %s", doc["proof"], signed)
	}
	return p
}

func TestSignVerify_RoundTrip(t *testing.T) {
	k := newTestKey(t, 1)
	signed := sign(t, k, diploma(k.did, 7))

	p := proofOf(t, signed)
	want := map[string]any{
		"type":               "Ed25519Signature2020",
		"proofPurpose":       "assertionMethod",
		"verificationMethod": k.vm,
		"created":            "2025-01-02T03:04:05Z",
	}
	for name, v := range want {
		if p[name] != v {
			t.Errorf("proof.%s = %v, want %v", name, p[name], v)
		}
	}
	if pv, _ := p["proofValue"].(string); !strings.HasPrefix(pv, "z") {
		t.Errorf("proofValue %q is not multibase base58btc", pv)
	}

	if err := NewKeyVerifier(k.priv.Public().(ed25519.PublicKey), loader(t)).Verify(signed); err != nil {
		t.Errorf("verify with public key: %v", err)
	}
	dv, err := NewDIDKeyVerifier(k.did, loader(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := dv.Verify(signed); err != nil {
		t.Errorf("verify with did:key: %v", err)
	}
}

func TestVerify_TamperedCredentialFails(t *testing.T) {
	k := newTestKey(t, 2)
	signed := sign(t, k, diploma(k.did, 1))
	for _, tc := range []struct{ name, from, to string }{
		{"subject claim", `"gpa":"3.87"`, `"gpa":"4.00"`},
		{"nested claim", `"Bachelor of Science in Computer Science"`, `"Master of Science in Computer Science"`},
		{"issuance date", `"issuanceDate":"2024-06-28T09:00:00Z"`, `"issuanceDate":"2024-06-28T09:00:01Z"`},
		{"proof created", `"created":"2025-01-02T03:04:05Z"`, `"created":"2025-01-02T03:04:06Z"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(signed, []byte(tc.from)) {
				t.Fatalf("signed credential has no %s: %s", tc.from, signed)
			}
			bad := bytes.Replace(signed, []byte(tc.from), []byte(tc.to), 1)
			if err := NewKeyVerifier(k.priv.Public().(ed25519.PublicKey), loader(t)).Verify(bad); err == nil {
				t.Fatal("tampered credential verified")
			}
		})
	}
}

func TestVerify_WrongKeyFails(t *testing.T) {
	signer, other := newTestKey(t, 3), newTestKey(t, 4)
	signed := sign(t, signer, diploma(signer.did, 1))

	if err := NewKeyVerifier(other.priv.Public().(ed25519.PublicKey), loader(t)).Verify(signed); err == nil {
		t.Error("verified against another public key")
	}
	dv, err := NewDIDKeyVerifier(other.did, loader(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := dv.Verify(signed); err == nil {
		t.Error("verified against another did:key")
	}

	// Signed with other's key but naming signer's verification method.
	forged, err := NewIssuer(other.priv, signer.vm, loader(t)).Sign(diploma(signer.did, 1), testCreated)
	if err != nil {
		t.Fatal(err)
	}
	dv, err = NewDIDKeyVerifier(signer.did, loader(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := dv.Verify(forged); err == nil {
		t.Error("verified a proof made with a key other than the one its verification method names")
	}
}

func TestVerify_RequiresAssertionProof(t *testing.T) {
	k := newTestKey(t, 5)
	v := NewKeyVerifier(k.priv.Public().(ed25519.PublicKey), loader(t))
	if err := v.Verify(diploma(k.did, 1)); err == nil || !strings.Contains(err.Error(), "no proof") {
		t.Errorf("unsigned credential: err = %v, want no proof", err)
	}
	signed := sign(t, k, diploma(k.did, 1))
	bad := bytes.Replace(signed, []byte(`"assertionMethod"`), []byte(`"authentication"`), 1)
	if err := v.Verify(bad); err == nil || !strings.Contains(err.Error(), "proofPurpose") {
		t.Errorf("authentication proof: err = %v, want proofPurpose error", err)
	}
}

func TestSign_UnknownContextFails(t *testing.T) {
	k := newTestKey(t, 6)
	for _, url := range []string{
		"https://example.org/not-embedded/v1",
		// aries ships this one in its own embedded set; the allow list
		// still refuses it.
		"https://w3id.org/security/suites/jws-2020/v1",
	} {
		doc := bytes.Replace(diploma(k.did, 1),
			[]byte(`"https://www.w3.org/ns/credentials/examples/v2"`),
			[]byte(`"https://www.w3.org/ns/credentials/examples/v2","`+url+`"`), 1)
		_, err := NewIssuer(k.priv, k.vm, loader(t)).Sign(doc, testCreated)
		if err == nil || !strings.Contains(err.Error(), url) {
			t.Errorf("%s: Sign err = %v, want an error naming the context", url, err)
		}
		// json-gold replaces the loader's error with its own message, so
		// check the loader itself.
		if _, err := loader(t).LoadDocument(url); !errors.Is(err, ld.ErrContextNotFound) {
			t.Errorf("%s: LoadDocument err = %v, want ld.ErrContextNotFound", url, err)
		}
	}
}

func TestLoader_EveryEmbeddedContextLoads(t *testing.T) {
	l := loader(t)
	for url := range contextFiles {
		rd, err := l.LoadDocument(url)
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		if m, ok := rd.Document.(map[string]any); !ok || m["@context"] == nil {
			t.Errorf("%s: document has no @context", url)
		}
	}
}

func TestCLI_SignThenVerify(t *testing.T) {
	k := newTestKey(t, 7)
	seed := strings.Repeat("07", ed25519.SeedSize)

	var signed, errOut bytes.Buffer
	code := run([]string{"sign", "--seed", seed, "--vm", k.vm, "--created", "2025-01-02T03:04:05Z"},
		bytes.NewReader(diploma(k.did, 1)), &signed, &errOut)
	if code != 0 {
		t.Fatalf("sign exit %d: %s", code, errOut.String())
	}

	for _, tc := range []struct {
		name string
		args []string
		doc  []byte
		code int
		out  string
	}{
		{"pub", []string{"verify", "--pub", k.multibase}, signed.Bytes(), 0, `{"verified":true}`},
		{"did", []string{"verify", "--did", k.did}, signed.Bytes(), 0, `{"verified":true}`},
		{"did URL", []string{"verify", "--did", k.vm}, signed.Bytes(), 0, `{"verified":true}`},
		{"tampered", []string{"verify", "--did", k.did},
			bytes.Replace(signed.Bytes(), []byte(`"Jane"`), []byte(`"John"`), 1), 1, `{"verified":false,"error":`},
		{"other did", []string{"verify", "--did", newTestKey(t, 8).did}, signed.Bytes(), 1, `{"verified":false,"error":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, bytes.NewReader(tc.doc), &out, &errOut)
			if code != tc.code || !strings.HasPrefix(out.String(), tc.out) {
				t.Errorf("exit %d, stdout %q; want exit %d, stdout starting %q", code, out.String(), tc.code, tc.out)
			}
		})
	}

	var out, stderr bytes.Buffer
	if code := run([]string{"verify", "--pub", k.multibase, "--did", k.did}, bytes.NewReader(signed.Bytes()), &out, &stderr); code != 2 {
		t.Errorf("both --pub and --did: exit %d, want 2", code)
	}
}

func TestBench_PrintsBenchmarkLines(t *testing.T) {
	l := loader(t)
	for name, bench := range map[string]func(*bytes.Buffer) error{
		"BenchmarkAriesIssueEd25519Signature2020":  func(w *bytes.Buffer) error { return benchIssue(w, 2, l) },
		"BenchmarkAriesVerifyEd25519Signature2020": func(w *bytes.Buffer) error { return benchVerify(w, 2, l) },
	} {
		var out bytes.Buffer
		if err := bench(&out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f := strings.Fields(out.String())
		if len(f) != 8 || !strings.HasPrefix(f[0], name) || f[1] != "2" || f[3] != "ns/op" {
			t.Errorf("%s: line %q is not go test -bench format", name, out.String())
		}
	}
}
