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

// AppendEscape appends the JSON escape (RFC 8259 §7) of the byte c, which
// is '"', '\\' or a control character (below 0x20): \b \f \n \r \t by
// name, the others as \u00xx in lower-case hex. encoding/json writes them
// so, and RFC 8785 §3.2.2.2 requires it of the canonical form.
func AppendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
}
