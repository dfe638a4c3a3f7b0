package credential_test

import (
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// BenchmarkIssueJWT issues diplomas with an Ed25519 key, validating the
// claims against the ledger's diploma schema (compiled once, cached).
func BenchmarkIssueJWT(b *testing.B) {
	e := newLedger(b)
	uni := e.issuer(b, keys.Ed25519, "Example University")
	cred := diploma(b, uni.DID, "did:example:alice", nil)
	opts := credential.IssueOptions{State: e.l, Schemas: schemas.NewValidator(0)}
	s := signerOf(uni)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := credential.IssueJWT(s, cred, e.Now, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}

// BenchmarkVerifyJWT verifies an Ed25519 diploma with every check: the
// did:weid resolution (cached), the signature, the trust registry, the
// schema.
func BenchmarkVerifyJWT(b *testing.B) {
	e := newLedger(b)
	uni := e.issuer(b, keys.Ed25519, "Example University")
	tok := issue(b, e, signerOf(uni), diploma(b, uni.DID, "did:example:alice", nil))
	v := e.verifier(e.Now.Add(time.Hour))
	p := credential.Policy{RequireAccreditation: true}
	b.ReportAllocs()
	for b.Loop() {
		if r := v.VerifyJWT(ctx, tok, p); !r.Verified {
			b.Fatal(dump(r))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}
