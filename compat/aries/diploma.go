package main

import (
	"encoding/json"
	"fmt"
)

// diploma returns an unsigned VC Data Model 1.1 university degree credential
// issued by issuerDID, numbered serial so that every copy a benchmark signs
// is a distinct document. Its subject has a dozen claims, nested the way
// real diplomas are; the terms not in the credentials v1 context resolve
// through the examples context's @vocab, so JSON-LD validation keeps (and
// the signature covers) every one of them.
func diploma(issuerDID string, serial int) []byte {
	vc := map[string]any{
		"@context": []any{
			"https://www.w3.org/2018/credentials/v1",
			"https://w3id.org/security/suites/ed25519-2020/v1",
			"https://www.w3.org/ns/credentials/examples/v2",
		},
		"id":   fmt.Sprintf("urn:uuid:3978344f-8596-4c3a-a978-8fcaba%06d", serial%1000000),
		"type": []any{"VerifiableCredential", "UniversityDegreeCredential"},
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
	}
	b, err := json.Marshal(vc)
	if err != nil {
		panic(err) // a literal map of strings always marshals
	}
	return b
}
