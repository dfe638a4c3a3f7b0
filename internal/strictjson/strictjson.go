// Package strictjson decodes JSON the way an identity product must read
// what strangers send: one value, unique member names, exact numbers and
// bounded nesting and lengths. It also encodes JSON the way weid signs and
// serves it (Marshal: no HTML escaping), and escapes a string's special
// bytes for the hand-written encoders (AppendEscape).
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// Limits bound one strict decode: the deepest nesting of arrays and
// objects, the most elements of one array and the most members of one
// object.
type Limits struct {
	Depth, Array, Members int
}

// Allows reports whether v is a value as a strict decode with l gives
// it: made only of map[string]any, []any, string, json.Number, bool and
// nil, with objects and arrays nested fewer than l.Depth deep (v itself at
// depth 0) and none longer than l.Array elements or l.Members members. A
// value decoded elsewhere (under other limits) may be used as this
// package's decoding under l when it does.
func (l Limits) Allows(v any) bool { return l.allows(v, 0) }

func (l Limits) allows(v any, depth int) bool {
	switch v := v.(type) {
	case map[string]any:
		if depth >= l.Depth || len(v) > l.Members {
			return false
		}
		for _, e := range v {
			if !l.allows(e, depth+1) {
				return false
			}
		}
	case []any:
		if depth >= l.Depth || len(v) > l.Array {
			return false
		}
		for _, e := range v {
			if !l.allows(e, depth+1) {
				return false
			}
		}
	case string, json.Number, bool, nil:
	default:
		return false // not a strictly decoded value
	}
	return true
}

// DecodeObject strictly decodes b as one JSON object: unique member names
// in every object (two readers must not see two different values), numbers
// kept exact as json.Number, nesting and lengths within lim, and nothing
// after the object.
//
// A single-pass decoder reads well-formed input within the limits; any
// input it does not accept is decoded again by encoding/json's token
// reader (decodeSlow), which accepts it or says why not, so the errors
// are encoding/json's. The two accept the same inputs with the same
// values (FuzzDecodeObject checks it).
func DecodeObject(b []byte, lim Limits) (map[string]any, error) {
	return decode[map[string]any](b, string(b), lim, '{')
}

// DecodeObjectOwned is DecodeObject for a b the caller hands over: the
// strings of the result may share b's bytes instead of a copy of them, so
// b must never be written again.
func DecodeObjectOwned(b []byte, lim Limits) (map[string]any, error) {
	return decode[map[string]any](b, unsafe.String(unsafe.SliceData(b), len(b)), lim, '{')
}

// DecodeArray strictly decodes b as one JSON array, as DecodeObject does an
// object (the array is at depth 0).
func DecodeArray(b []byte, lim Limits) ([]any, error) {
	return decode[[]any](b, string(b), lim, '[')
}

// DecodeArrayOwned is DecodeArray for a b the caller hands over, as
// DecodeObjectOwned is DecodeObject's: b must never be written again.
func DecodeArrayOwned(b []byte, lim Limits) ([]any, error) {
	return decode[[]any](b, unsafe.String(unsafe.SliceData(b), len(b)), lim, '[')
}

// decode is the Decode functions' common part: s, the text of b (a copy,
// or b's own bytes for the Owned ones), read by the single-pass decoder,
// else b by encoding/json's token reader (decodeSlow), as one JSON object
// (open '{', T a map) or array ('[', T a slice).
func decode[T any](b []byte, s string, lim Limits, open byte) (T, error) {
	if v, ok := decodeFastString(s, lim, open); ok {
		return v.(T), nil
	}
	v, err := decodeSlow(b, lim, open)
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// decodeSlow decodes b, which must be one JSON object (open '{') or array
// ('['), through encoding/json's token reader.
func decodeSlow(b []byte, lim Limits, open byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec, lim, 0)
	if err != nil {
		return nil, err
	}
	what := "object"
	if open == '[' {
		what = "array"
	}
	switch v.(type) {
	case map[string]any:
		if open != '{' {
			return nil, errors.New("not a JSON " + what)
		}
	case []any:
		if open != '[' {
			return nil, errors.New("not a JSON " + what)
		}
	default:
		return nil, errors.New("not a JSON " + what)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON " + what)
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, lim Limits, depth int) (any, error) {
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
	if depth >= lim.Depth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", lim.Depth)
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
				return nil, fmt.Errorf("duplicate member name %q", Truncate(k, 64))
			}
			if len(obj) >= lim.Members {
				return nil, fmt.Errorf("object with more than %d members", lim.Members)
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
			if len(arr) >= lim.Array {
				return nil, fmt.Errorf("array with more than %d elements", lim.Array)
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

// Truncate shortens s to at most n bytes for an error message.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
