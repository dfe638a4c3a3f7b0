package api

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// VerifyOptions are the options of a verify request (W3C VCALM's verify
// options: POST /credentials/verify, /presentations/verify, and the JSON
// body of /v1/credentials/verify-batch). Members weid does not read are
// tolerated, as VCALM asks; a member it reads must have its type, or the
// request is refused naming it: a policy asked for in a form weid would
// not read is never dropped in silence ("requireAccreditation": "true"
// would otherwise verify without the accreditation asked for). A member
// that is null is absent.
type VerifyOptions map[string]any

// verifyOptionTypes are the members weid reads and the JSON type of each.
var verifyOptionTypes = []struct{ name, kind string }{
	{"requireAccreditation", "boolean"},
	{"requireBinding", "boolean"},
	{"expectedProofPurpose", "string"},
	{"challenge", "string"},
	{"domain", "string"},
}

// UnmarshalJSON reads a JSON object (or null) and checks the types of the
// members weid reads.
func (o *VerifyOptions) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*o = nil
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("options must be a JSON object, not %s", jsonKind(b))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, t := range verifyOptionTypes {
		v, ok := m[t.name]
		if !ok || v == nil {
			continue
		}
		switch v.(type) {
		case bool:
			ok = t.kind == "boolean"
		case string:
			ok = t.kind == "string"
		default:
			ok = false
		}
		if !ok {
			raw, _ := json.Marshal(v)
			return fmt.Errorf("options.%s must be a %s, not %s", t.name, t.kind, jsonKind(raw))
		}
	}
	*o = m
	return nil
}

// jsonKind names the JSON type of the value b begins.
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch c := b[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}
