package ldproof

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/internal/divectors"
	"github.com/weidgo/weid/keys"
)

// The W3C vc-di-eddsa test vectors (internal/divectors, from
// github.com/w3c/vc-di-eddsa): every intermediate value of each suite.

// vecKey decodes a privateKeyMultibase of the vectors (multicodec
// ed25519-priv 0x1300 and the 32-byte seed).
func vecKey(t testing.TB, privateKeyMultibase string) *keys.PrivateKey {
	t.Helper()
	codec, raw, err := keys.DecodeMultikey(privateKeyMultibase)
	if err != nil || codec != 0x1300 {
		t.Fatalf("private key %s: codec %x, %v", privateKeyMultibase, codec, err)
	}
	k, err := keys.PrivateKeyFromSeed(keys.Ed25519, raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// didKeyResolver resolves did:key verification methods whose fragment is
// the key's multibase.
func didKeyResolver(_ context.Context, vm, _ string, _ time.Time) (keys.PublicKey, error) {
	_, frag, ok := strings.Cut(vm, "#")
	if !ok || !strings.HasPrefix(vm, "did:key:"+frag) {
		return keys.PublicKey{}, errors.New("not a did:key verification method")
	}
	return keys.ParseMultibase(frag)
}

// sameJSON compares two JSON texts ignoring insignificant white space
// (member order counts).
func sameJSON(t testing.TB, what string, got, want []byte) {
	t.Helper()
	norm := func(b []byte) string {
		var c, out bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if err := json.Indent(&out, c.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if g, w := norm(got), norm(want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func trimmed(b []byte) string { return strings.TrimSpace(string(b)) }

// optionsFromConfig turns a vector's proof configuration into Options.
func optionsFromConfig(t testing.TB, config []byte, k *keys.PrivateKey) Options {
	t.Helper()
	var c struct {
		Type, ID, Cryptosuite, Created, VerificationMethod, ProofPurpose string
		PreviousProof                                                    any
	}
	if err := json.Unmarshal(config, &c); err != nil {
		t.Fatal(err)
	}
	created, err := time.Parse(time.RFC3339, c.Created)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Cryptosuite: c.Cryptosuite, Key: k, VerificationMethod: c.VerificationMethod, ProofPurpose: c.ProofPurpose, Created: created, ID: c.ID}
	if c.Type == Ed25519Signature2020 {
		o.Cryptosuite = Ed25519Signature2020
	}
	switch p := c.PreviousProof.(type) {
	case string:
		o.PreviousProof = []string{p}
	case []any:
		for _, v := range p {
			o.PreviousProof = append(o.PreviousProof, v.(string))
		}
	}
	return o
}

func TestVectorsSingleProof(t *testing.T) {
	t.Parallel()
	var kp struct{ PrivateKeyMultibase string }
	if err := json.Unmarshal(divectors.Read(t, "keyPair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	key := vecKey(t, kp.PrivateKeyMultibase)
	for _, tc := range []struct{ dir, suffix, unsigned string }{
		{"eddsa-rdfc-2022", "DataInt", "unsigned.json"},
		{"eddsa-jcs-2022", "JCS", "unsigned.json"},
		{"Ed25519Signature2020", "EdSig", ""}, // unsigned: the signed document without its proof
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			f := func(name string) []byte { return divectors.Read(t, tc.dir+"/"+name+tc.suffix+filepathExt(name)) }
			signed := f("signed")
			unsigned := []byte(nil)
			if tc.unsigned != "" {
				unsigned = divectors.Read(t, tc.unsigned)
			} else {
				u, _, err := Split(signed)
				if err != nil {
					t.Fatal(err)
				}
				unsigned = u
			}
			o := optionsFromConfig(t, f("proofConfig"), key)

			// Every intermediate value.
			d, err := decodeDocument(unsigned)
			if err != nil {
				t.Fatal(err)
			}
			p := newProof(suites[o.Cryptosuite], o, d["@context"])
			options, err := p.object()
			if err != nil {
				t.Fatal(err)
			}
			canonDoc, canonConfig, hash, err := suites[o.Cryptosuite].hashData(d, options)
			if err != nil {
				t.Fatal(err)
			}
			if string(canonDoc) != string(f("canonDoc")) {
				t.Errorf("canonical document:\n got %s\nwant %s", canonDoc, f("canonDoc"))
			}
			if string(canonConfig) != string(f("proofCanon")) {
				t.Errorf("canonical proof configuration:\n got %s\nwant %s", canonConfig, f("proofCanon"))
			}
			if got := hex.EncodeToString(hash[32:]); got != trimmed(f("docHash")) {
				t.Errorf("document hash %s, want %s", got, f("docHash"))
			}
			if got := hex.EncodeToString(hash[:32]); got != trimmed(f("proofHash")) {
				t.Errorf("proof hash %s, want %s", got, f("proofHash"))
			}
			if got := hex.EncodeToString(hash); got != trimmed(f("combinedHash")) {
				t.Errorf("combined hash %s, want %s", got, f("combinedHash"))
			}

			// The signed document, byte for byte up to white space.
			out, err := Sign(unsigned, o)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "signed document", out, signed)
			_, proofs, err := Split(out)
			if err != nil || len(proofs) != 1 {
				t.Fatalf("Split: %d proofs, %v", len(proofs), err)
			}
			var pv struct{ ProofValue string }
			_ = json.Unmarshal(proofs[0], &pv)
			if pv.ProofValue != trimmed(f("sigBTC58")) {
				t.Errorf("proofValue %s, want %s", pv.ProofValue, f("sigBTC58"))
			}

			// The published signed document verifies.
			res, err := Verify(context.Background(), signed, didKeyResolver, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Verified {
				t.Errorf("published document does not verify: %+v", res.Proofs)
			}
		})
	}
}

func filepathExt(name string) string {
	switch name {
	case "signed", "proofConfig":
		return ".json"
	}
	return ".txt"
}

func TestVectorsProofSetAndChain(t *testing.T) {
	t.Parallel()
	var kps map[string]struct{ PrivateKeyMultibase string }
	if err := json.Unmarshal(divectors.Read(t, "proof-set-chain/multiKeyPairs.json"), &kps); err != nil {
		t.Fatal(err)
	}
	key := func(n string) *keys.PrivateKey { return vecKey(t, kps["keyPair"+n].PrivateKeyMultibase) }
	doc := divectors.Read(t, "proof-set-chain/unsigned.json")
	for _, step := range []struct{ config, key, want string }{
		{"proofSetConfig1", "1", "signedProofSet1"},
		{"proofSetConfig2", "2", "signedProofSet2"},
		{"proofChainConfig1", "3", "signedProofChain1"},
		{"proofChainConfig2", "4", "signedProofChain2"},
	} {
		o := optionsFromConfig(t, divectors.Read(t, "proof-set-chain/"+step.config+".json"), key(step.key))
		out, err := Sign(doc, o)
		if err != nil {
			t.Fatalf("%s: %v", step.want, err)
		}
		want := divectors.Read(t, "proof-set-chain/"+step.want+".json")
		sameJSON(t, step.want, out, want)
		res, err := Verify(context.Background(), want, didKeyResolver, VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Verified {
			t.Errorf("%s does not verify: %+v", step.want, res.Proofs)
		}
		doc = out
	}
}
