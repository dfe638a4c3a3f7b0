package schemas_test

import (
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/schemas"
)

// FuzzSchemaPayload: decoding and validating any register payload never
// panics, and every refusal of the schema is a 400 *errs.Error.
func FuzzSchemaPayload(f *testing.F) {
	for _, s := range []string{
		`{"schema":{}}`,
		`{"id":5,"name":"n","schema":{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"$defs":{"x":{"type":"string"}}}}`,
		`{"schema":{"$ref":"https://example.com/x"}}`,
		`{"schema":{"$schema":"http://json-schema.org/draft-07/schema#"}}`,
		`{"schema":{"$id":"urn:x","$ref":"urn:y"}}`,
		`{"schema":{"$id":"https://a.example/","$defs":{"b":{"$id":"b","$dynamicAnchor":"m"}},"$dynamicRef":"b#m"}}`,
		`{"schema":{"pattern":"(a+)+$","format":"regex","patternProperties":{"[":{}}}}`,
		`{"schema":{"allOf":[{"$ref":"#"}]}}`,
		`{"schema":[]}`,
		`{"schema":{"type":"object","type":"string"}}`,
		`{"id":9007199254740993,"schema":{}}`,
		`{"schema":{"title":"t","x-weid-i18n":{"zh-CN":{"title":"学位"}},"properties":{"a":{"x-weid-i18n":{"zh-HK":{"description":"甲\n乙"}}}}}}`,
		`{"schema":{"x-weid-i18n":{"zh-CN":{"title":"a"},"zh-cn":{"tilte":""}}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p schemas.RegisterPayload
		if err := chain.DecodeStrict(b, &p); err != nil {
			return
		}
		err := p.Validate()
		if err == nil {
			return
		}
		if e, ok := errs.As(err); !ok || e.Status != 400 || len(e.Detail) > schemas.MaxDetailLength+200 {
			t.Fatalf("Validate(%s): %v", b, err)
		}
	})
}
