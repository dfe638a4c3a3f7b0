package schemas_test

import (
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/schemas"
)

func BenchmarkCheckSchema(b *testing.B) {
	s := schemas.SystemSchemas()[1].Schema
	for b.Loop() {
		if err := schemas.CheckSchema(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	e := newLedger(b, systemGenesisTxs...)
	var v schemas.Validator
	claims := json.RawMessage(`{"holderName":"Li Hua","degree":"Bachelor of Engineering","fieldOfStudy":"Computer Science","institution":"Example University","awardedDate":"2024-07-01","diplomaNumber":"1000120240001"}`)
	for b.Loop() {
		if err := v.Validate(e.L, 2, 0, claims); err != nil {
			b.Fatal(err)
		}
	}
}
