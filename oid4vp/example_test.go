package oid4vp_test

import (
	"encoding/json"
	"fmt"

	"github.com/weidgo/weid/oid4vp"
)

// A verifier asks for two claims of a diploma; the matcher tells whether a
// credential answers, and keeps only what was asked.
func ExampleCredentialQuery_Match() {
	q, err := oid4vp.ParseDCQL([]byte(`{"credentials":[{"id":"diploma","format":"dc+sd-jwt",
		"meta":{"vct_values":["UniversityDegreeCredential"]},
		"claims":[{"path":["degree"]},{"path":["holderName"]}]}]}`))
	if err != nil {
		panic(err)
	}
	claims := map[string]any{"vct": "UniversityDegreeCredential", "degree": "Master of Laws", "holderName": "Alice Chen", "gpa": 3.7}
	m, err := q.Credentials[0].Match(&oid4vp.Credential{Format: oid4vp.FormatSDJWT, VCT: "UniversityDegreeCredential", Claims: claims})
	if err != nil {
		panic(err)
	}
	kept, _ := json.Marshal(m.Disclosed)
	fmt.Println(string(kept))
	fmt.Println(m.Pointers())
	// Output:
	// {"degree":"Master of Laws","holderName":"Alice Chen"}
	// [/degree /holderName]
}
