package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/interop"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// BenchmarkSignatures measures one signature or one verification per
// operation, on one goroutine, for each key type weid signs with: Ed25519,
// ECDSA P-256 (over SHA-256, low-S) and SM2 (over SM3 with Z_A, the 国密
// signature), of a 200-byte message (about a transaction's signing input).
func BenchmarkSignatures(b *testing.B) {
	msg := []byte(strings.Repeat("weid/sm2 ", 22))
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.SM2} {
		k := keytest.New(b, kt)
		b.Run("sign/"+string(kt), func(b *testing.B) {
			for b.Loop() {
				if _, err := k.Sign(msg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
		})
		sig, _ := k.Sign(msg)
		pub := k.Public()
		b.Run("verify/"+string(kt), func(b *testing.B) {
			for b.Loop() {
				if !pub.Verify(msg, sig) {
					b.Fatal("bad signature")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
		})
	}
}

// BenchmarkDIDCreateGM measures DID creations on a 国密 chain (SM3 hashes,
// SM2 signers), in-process with group commit, as BenchmarkDIDCreate's
// group-commit/in-process does on a standard chain: each did.create is
// signed by a fresh SM2 key beforehand and verified (SM2) when submitted.
func BenchmarkDIDCreateGM(b *testing.B) {
	b.Run("group-commit/in-process", func(b *testing.B) {
		n, err := node.Open(node.Config{DataDir: b.TempDir(), Crypto: chain.CryptoGM})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { n.Close() })
		txs := presignType(b, n.ChainID, b.N, keys.SM2)
		runWriters(b, n, txs, submitInProcess(n))
	})
}

// presignType is presign with keys of type kt.
func presignType(b *testing.B, chainID string, count int, kt keys.Type) []*chain.Tx {
	b.Helper()
	txs := make([]*chain.Tx, count)
	mustSpread(b, count, func(i int) error {
		k, err := keys.Generate(kt)
		if err != nil {
			return err
		}
		d := did.WeidDID(chainID, k.Public())
		txs[i], err = node.SignTx(chainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
		return err
	})
	return txs
}

// BenchmarkVerifyBatchSM2 measures batch verification of SM2 vc+jwt
// diplomas ($WEID_BATCH_SM2_N distinct ones, default 20,000, issued by an
// SM2 did:key) against the bare SM2 floor on the same corpus, as
// BenchmarkVerifyBatch does for Ed25519:
//
//   - floor/sm2-all-cores: keys.PublicKey.Verify of each token's signature
//     over its signing input, parsed beforehand, on all cores (SM2 has no
//     batch equation: each signature is checked on its own).
//   - weid/vc+jwt-sm2: batch.Run with credential.Batch — every named check,
//     the single verifier's verdict — on all cores.
//
// It prints the ratio of the second to the first (the target is ≥ 0.7×).
func BenchmarkVerifyBatchSM2(b *testing.B) {
	n := envInt("WEID_BATCH_SM2_N", 20000)
	signer := didKeySigner(b, keys.SM2)
	holder := did.KeyDID(keytest.New(b, keys.SM2).Public())
	docs := diplomas(func(i int) []byte { return interop.DiplomaV2(signer.DID, holder, i) })
	creds := make([]json.RawMessage, n)
	toks := make([]string, n)
	mustSpread(b, n, func(i int) error {
		tok, err := credential.IssueJWT(signer, docs[i%ring], issuedAt, credential.IssueOptions{})
		toks[i] = tok
		creds[i], _ = json.Marshal(tok)
		return err
	})
	type sig struct{ msg, sig []byte }
	sigs := make([]sig, n)
	for i, tok := range toks {
		j, err := jose.Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		sigs[i] = sig{[]byte(tok[:strings.LastIndexByte(tok, '.')]), j.Signature}
	}
	pub := signer.Key.Public()
	rates := map[string]float64{}
	report := func(b *testing.B, name string) {
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(ns, "ns/op")
		b.ReportMetric(1e9/ns, "credentials/s")
		rates[name] = 1e9 / ns
	}
	b.Run("floor/sm2-all-cores", func(b *testing.B) {
		for b.Loop() {
			chunks(n, 256, func(lo, hi int) {
				for _, s := range sigs[lo:hi] {
					if !pub.Verify(s.msg, s.sig) {
						panic("bad signature")
					}
				}
			})
		}
		report(b, "floor")
	})
	v := &credential.Verifier{
		Resolver: did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}}),
		Now:      func() time.Time { return issuedAt.Add(24 * time.Hour) },
	}
	b.Run("weid/vc+jwt-sm2", func(b *testing.B) {
		verifyBatchLoop(b, v, creds)
		report(b, "weid")
	})
	if f, w := rates["floor"], rates["weid"]; f > 0 && w > 0 {
		fmt.Println()
		fmt.Println("SM2 batch verification vs the bare SM2 floor (same run, same corpus):")
		fmt.Printf("  %-22s %8.0f credentials/s  %.2f× the floor (%.0f/s)\n", "vc+jwt-sm2", w, w/f, f)
	}
}
