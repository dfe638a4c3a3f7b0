package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// jsonLimits bound one strict decode.
type jsonLimits struct {
	depth, array, members int
}

var credentialLimits = jsonLimits{depth: MaxDepth, array: MaxArrayLength, members: MaxObjectMembers}

// decodeObject strictly decodes b as one JSON object: unique member names
// in every object (two readers must not see two different values), numbers
// kept exact as json.Number, nesting and lengths within lim, and nothing
// after the object.
func decodeObject(b []byte, lim jsonLimits) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec, lim, 0)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON object")
	}
	return obj, nil
}

func decodeValue(dec *json.Decoder, lim jsonLimits, depth int) (any, error) {
	t, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("unexpected end of JSON")
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	d, ok := t.(json.Delim)
	if !ok {
		return t, nil // string, json.Number, bool or nil
	}
	if depth >= lim.depth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", lim.depth)
	}
	switch d {
	case '{':
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			k, ok := kt.(string)
			if !ok {
				return nil, errors.New("invalid JSON: object member name is not a string")
			}
			if _, dup := obj[k]; dup {
				return nil, fmt.Errorf("duplicate member name %q", truncate(k, 64))
			}
			if len(obj) >= lim.members {
				return nil, fmt.Errorf("object with more than %d members", lim.members)
			}
			v, err := decodeValue(dec, lim, depth+1)
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return obj, nil
	case '[':
		arr := []any{}
		for dec.More() {
			if len(arr) >= lim.array {
				return nil, fmt.Errorf("array with more than %d elements", lim.array)
			}
			v, err := decodeValue(dec, lim, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return arr, nil
	}
	return nil, fmt.Errorf("invalid JSON: unexpected %q", d)
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
