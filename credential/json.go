package credential

import (
	"fmt"

	"github.com/weidgo/weid/internal/strictjson"
)

// Limits on the JSON this package reads. A credential that exceeds one is
// refused: they keep the cost of parsing hostile input bounded.
const (
	// MaxDepth is the deepest nesting of arrays and objects in a
	// credential.
	MaxDepth = 64
	// MaxArrayLength is the most elements one array may have.
	MaxArrayLength = 4096
	// MaxObjectMembers is the most members one object may have.
	MaxObjectMembers = 4096
)

var credentialLimits = strictjson.Limits{Depth: MaxDepth, Array: MaxArrayLength, Members: MaxObjectMembers}

// decodeObject strictly decodes b as one JSON object (strictjson.DecodeObject).
func decodeObject(b []byte, lim strictjson.Limits) (map[string]any, error) {
	return strictjson.DecodeObject(b, lim)
}

// decodeOwnedObject is decodeObject for a b no one writes again
// (strictjson.DecodeObjectOwned).
func decodeOwnedObject(b []byte, lim strictjson.Limits) (map[string]any, error) {
	return strictjson.DecodeObjectOwned(b, lim)
}

// decodeDocument strictly decodes b, a credential's or a presentation's
// JSON (at most MaxCredentialBytes), with decode; a refusal wraps invalid
// (ErrInvalid or ErrInvalidPresentation).
func decodeDocument(b []byte, invalid error, decode func([]byte, strictjson.Limits) (map[string]any, error)) (map[string]any, error) {
	if len(b) > MaxCredentialBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", invalid, MaxCredentialBytes)
	}
	doc, err := decode(b, credentialLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", invalid, err)
	}
	return doc, nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string { return strictjson.Truncate(s, n) }
