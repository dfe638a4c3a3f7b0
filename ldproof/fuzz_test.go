package ldproof

import (
	"context"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/divectors"
)

// FuzzVerify feeds arbitrary bytes to Verify with a fixed resolver: it
// must never panic, must answer in bounded time, and must report the
// document's faults as *errs.Error.
func FuzzVerify(f *testing.F) {
	for _, name := range []string{
		"eddsa-rdfc-2022/signedDataInt.json", "eddsa-jcs-2022/signedJCS.json",
		"Ed25519Signature2020/signedEdSig.json", "proof-set-chain/signedProofChain2.json",
	} {
		f.Add(divectors.Read(f, name))
	}
	f.Add([]byte(`{"@context":{"@vocab":"urn:x:"},"a":{"@list":[1,2.5,true]},"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","verificationMethod":"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2","proofPurpose":"assertionMethod","proofValue":"z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"}}`))
	f.Add([]byte(`{"@context":[{"@version":1.1,"x":{"@id":"urn:x","@context":{"y":"urn:y"}}}],"x":{"y":{"@json":1}},"proof":[]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		start := time.Now()
		res, err := Verify(context.Background(), doc, didKeyResolver, VerifyOptions{})
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Verify took %v", d)
		}
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Errorf("not an *errs.Error: %v", err)
			}
			return
		}
		if len(res.Proofs) == 0 {
			t.Error("a result without proofs")
		}
	})
}
