package strictjson

import (
	"bytes"
	"encoding/json"
)

// Marshal encodes v as encoding/json does but without HTML escaping and
// without a final newline. encoding/json escapes '<', '>' and '&' inside
// strings by default, even inside a json.RawMessage, which would change
// the bytes a signature or a hash covers; what weid signs, hashes and
// serves is encoded with this instead.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
