package credential

import "github.com/weidgo/weid/internal/strictjson"

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

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string { return strictjson.Truncate(s, n) }
