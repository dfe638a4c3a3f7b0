package ldproof

import (
	"context"
	"testing"
	"time"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// diploma is a realistic credential: VC 2.0 with the examples context and
// about ten subject claims.
var diploma = []byte(`{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  "id": "urn:uuid:9d5f6b0e-3c1a-4f0e-9a51-6f2d0c1b7e42",
  "type": ["VerifiableCredential", "UniversityDegreeCredential"],
  "issuer": {"id": "did:weid:1:0x6a0b2f7c3d9e4b1a8c5f0e2d7b4a9c1e3f5d7b9a", "name": "Example University"},
  "validFrom": "2024-06-30T00:00:00Z",
  "validUntil": "2074-06-30T00:00:00Z",
  "name": "Bachelor of Science in Computer Science",
  "credentialSubject": {
    "id": "did:weid:1:0x1f2e3d4c5b6a79880716253443526170a9b8c7d6",
    "givenName": "Li",
    "familyName": "Wei",
    "birthDate": "2001-03-14",
    "studentId": "2019-CS-04217",
    "degree": {"type": "BachelorDegree", "name": "Bachelor of Science", "field": "Computer Science"},
    "gpa": "3.87",
    "honors": "magna cum laude",
    "graduationDate": "2024-06-30",
    "enrollmentDate": "2019-09-01",
    "thesisTitle": "Byzantine fault tolerant ledgers for public credentials"
  }
}`)

func benchSign(b *testing.B, suite string, kt keys.Type) {
	k := keytest.New(b, kt)
	o := Options{Cryptosuite: suite, Key: k, VerificationMethod: "did:key:" + k.Public().Multibase() + "#" + k.Public().Multibase(), Created: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(diploma, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignEdDSARDFC(b *testing.B) { benchSign(b, EdDSARDFC2022, keys.Ed25519) }
func BenchmarkSignEdDSAJCS(b *testing.B)  { benchSign(b, EdDSAJCS2022, keys.Ed25519) }
func BenchmarkSignECDSARDFC(b *testing.B) { benchSign(b, ECDSARDFC2019, keys.P256) }

func BenchmarkVerifyEdDSARDFC(b *testing.B) {
	k, _ := keys.Generate(keys.Ed25519)
	mb := k.Public().Multibase()
	signed, err := Sign(diploma, Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: "did:key:" + mb + "#" + mb})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := Verify(context.Background(), signed, didKeyResolver, VerifyOptions{})
		if err != nil || !res.Verified {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkSignEdDSARDFCParallel measures issuance throughput on every
// core (the product target is 1,000 eddsa-rdfc-2022 issuances a second).
func BenchmarkSignEdDSARDFCParallel(b *testing.B) {
	k, _ := keys.Generate(keys.Ed25519)
	o := Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: "did:example:issuer#key-1"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Sign(diploma, o); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
