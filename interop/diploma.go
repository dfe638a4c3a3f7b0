package interop

import (
	"encoding/json"
	"fmt"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/ldproof"
)

// ContextExamplesV2 is the W3C examples context; its @vocab defines the
// diplomas' subject claims.
const ContextExamplesV2 = "https://www.w3.org/ns/credentials/examples/v2"

// DiplomaV11 returns an unsigned VC Data Model 1.1 university degree
// credential issued by issuerDID, numbered serial. It is the document
// aries-compat's bench-issue and bench-verify sign (compat/aries/diploma.go,
// member for member), so that weid's Ed25519Signature2020 benchmark signs
// what aries signs: a subject with a dozen claims, some nested, the terms
// outside the credentials v1 context defined by the examples context's
// @vocab so that the signature covers every one of them.
func DiplomaV11(issuerDID string, serial int) []byte {
	return mustJSON(map[string]any{
		"@context": []any{credential.ContextV1, ldproof.ContextEd25519Signature2020, ContextExamplesV2},
		"id":       fmt.Sprintf("urn:uuid:3978344f-8596-4c3a-a978-8fcaba%06d", serial%1000000),
		"type":     []any{"VerifiableCredential", "UniversityDegreeCredential"},
		"issuer": map[string]any{
			"id":   issuerDID,
			"name": "Example University",
		},
		"issuanceDate":   "2024-06-28T09:00:00Z",
		"expirationDate": "2034-06-28T09:00:00Z",
		"credentialSubject": map[string]any{
			"id":          "did:example:ebfeb1f712ebc6f1c276e12ec21",
			"givenName":   "Jane",
			"familyName":  "Doe",
			"birthDate":   "2001-04-17",
			"studentId":   fmt.Sprintf("S-2020-%05d", serial%100000),
			"email":       "jane.doe@student.example.edu",
			"enrolled":    "2020-09-01",
			"graduated":   "2024-06-21",
			"gpa":         "3.87",
			"honors":      "magna cum laude",
			"creditHours": "128",
			"degree": map[string]any{
				"type":         "BachelorDegree",
				"name":         "Bachelor of Science in Computer Science",
				"faculty":      "Faculty of Engineering",
				"fieldOfStudy": "Computer Science",
				"minor":        "Mathematics",
			},
		},
	})
}

// DiplomaV2 returns an unsecured VC Data Model 2.0 diploma issued by
// issuerDID to holderDID, numbered serial: the shape of the credential
// package's test diploma (genesis diploma schema 2) with ten subject
// claims besides the holder's id, and a validity period.
func DiplomaV2(issuerDID, holderDID string, serial int) []byte {
	return mustJSON(map[string]any{
		"@context":   []any{credential.ContextV2, ContextExamplesV2},
		"id":         fmt.Sprintf("urn:uuid:3f1c7a52-8e0b-4c1e-9a35-2d6f0e%06d", serial%1000000),
		"type":       []any{"VerifiableCredential", "UniversityDegreeCredential"},
		"issuer":     issuerDID,
		"validFrom":  "2025-07-01T00:00:00Z",
		"validUntil": "2035-07-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":            holderDID,
			"holderName":    "Alice Chen",
			"degree":        "Bachelor of Engineering",
			"degreeLevel":   "bachelor",
			"fieldOfStudy":  "Computer Science",
			"institution":   "Example University",
			"awardedDate":   "2025-07-01",
			"diplomaNumber": fmt.Sprintf("EU-2025-%06d", serial%1000000),
			"studentId":     fmt.Sprintf("S-2021-%05d", serial%100000),
			"gpa":           "3.87",
			"honors":        "magna cum laude",
		},
		"credentialSchema": map[string]any{"id": "https://weid.example/v1/schemas/2", "type": "JsonSchema"},
	})
}

// DiplomaV2Claims are the JSON pointers of DiplomaV2's subject claims
// other than the holder's id, e.g. the claims an SD-JWT makes
// selectively disclosable.
var DiplomaV2Claims = []string{
	"/credentialSubject/holderName", "/credentialSubject/degree", "/credentialSubject/degreeLevel",
	"/credentialSubject/fieldOfStudy", "/credentialSubject/institution", "/credentialSubject/awardedDate",
	"/credentialSubject/diplomaNumber", "/credentialSubject/studentId", "/credentialSubject/gpa",
	"/credentialSubject/honors",
}

// mustJSON marshals a literal map of strings, which cannot fail.
func mustJSON(v map[string]any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
