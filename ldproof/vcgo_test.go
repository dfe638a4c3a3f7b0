package ldproof

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/trustbloc/did-go/doc/did"
	"github.com/trustbloc/kms-go/doc/jose/jwk/jwksupport"
	"github.com/trustbloc/vc-go/dataintegrity/models"
	disuite "github.com/trustbloc/vc-go/dataintegrity/suite"
	"github.com/trustbloc/vc-go/dataintegrity/suite/ecdsa2019"
	"github.com/trustbloc/vc-go/dataintegrity/suite/eddsa2022"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// TestDifferentialVCGo checks ldproof against trustbloc/vc-go v1.3.5's
// Data Integrity suites both ways: vc-go verifies our proofs and we
// verify vc-go's.
func TestDifferentialVCGo(t *testing.T) {
	t.Parallel()
	loader, err := DocumentLoader()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		kt   keys.Type
		sign func(*keys.PrivateKey) disuite.Signer
		ver  func() disuite.Verifier
	}{
		{EdDSARDFC2022, keys.Ed25519,
			func(k *keys.PrivateKey) disuite.Signer {
				s, _ := eddsa2022.NewSignerInitializer(&eddsa2022.SignerInitializerOptions{LDDocumentLoader: loader, SignerGetter: eddsa2022.WithStaticSigner(k)}).Signer()
				return s
			},
			func() disuite.Verifier {
				v, _ := eddsa2022.NewVerifierInitializer(&eddsa2022.VerifierInitializerOptions{LDDocumentLoader: loader}).Verifier()
				return v
			}},
		{ECDSARDFC2019, keys.P256,
			func(k *keys.PrivateKey) disuite.Signer {
				s, _ := ecdsa2019.NewSignerInitializer(&ecdsa2019.SignerInitializerOptions{LDDocumentLoader: loader, SignerGetter: ecdsa2019.WithStaticSigner(k)}).Signer()
				return s
			},
			func() disuite.Verifier {
				v, _ := ecdsa2019.NewVerifierInitializer(&ecdsa2019.VerifierInitializerOptions{LDDocumentLoader: loader}).Verifier()
				return v
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := keytest.New(t, tc.kt)
			var raw any = k.Public().Ed25519Key()
			if tc.kt == keys.P256 {
				raw = k.Public().ECDSAKey()
			}
			j, err := jwksupport.JWKFromKey(raw)
			if err != nil {
				t.Fatal(err)
			}
			vm, err := did.NewVerificationMethodFromJWK("did:foo:bar#key-1", "JsonWebKey2020", "did:foo:bar", j)
			if err != nil {
				t.Fatal(err)
			}
			created := time.Date(2024, 6, 30, 12, 0, 0, 0, time.UTC)
			opts := &models.ProofOptions{
				Purpose: PurposeAssertionMethod, VerificationMethodID: vm.ID, VerificationMethod: vm,
				ProofType: TypeDataIntegrityProof, SuiteType: tc.name, Created: created,
			}
			resolve := func(context.Context, string, string, time.Time) (keys.PublicKey, error) { return k.Public(), nil }

			// Ours, verified by vc-go.
			for i := 0; i < 4; i++ { // ECDSA is randomized: several signatures
				out, err := Sign(diploma, Options{Cryptosuite: tc.name, Key: k, VerificationMethod: vm.ID, Created: created})
				if err != nil {
					t.Fatal(err)
				}
				unsecured, proofs, err := Split(out)
				if err != nil {
					t.Fatal(err)
				}
				var p models.Proof
				if err := json.Unmarshal(proofs[0], &p); err != nil {
					t.Fatal(err)
				}
				if err := tc.ver().VerifyProof(unsecured, &p, opts); err != nil {
					t.Fatalf("vc-go does not verify our proof: %v", err)
				}
			}

			// vc-go's, verified by us.
			for i := 0; i < 4; i++ {
				p, err := tc.sign(k).CreateProof(diploma, opts)
				if err != nil {
					t.Fatal(err)
				}
				var d map[string]any
				_ = json.Unmarshal(diploma, &d)
				d["proof"] = p
				doc, _ := json.Marshal(d)
				res, err := Verify(context.Background(), doc, resolve, VerifyOptions{})
				if err != nil || !res.Verified {
					t.Fatalf("we do not verify vc-go's proof: %v %+v\n%s", err, res, doc)
				}
			}
		})
	}
}
