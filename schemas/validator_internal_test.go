package schemas

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
)

// mapState is a chain.Reader over a map, for tests that need no ledger.
type mapState map[string][]byte

func (m mapState) Get(k []byte) ([]byte, bool, error) {
	v, ok := m[string(k)]
	return v, ok, nil
}

func (m mapState) put(t *testing.T, id, version uint64, schema string) {
	t.Helper()
	raw, err := chain.MarshalJSON(&Record{ID: id, Version: version, Schema: json.RawMessage(schema)})
	if err != nil {
		t.Fatal(err)
	}
	m[string(versionKey(id, version))] = raw
	m[string(latestKey(id))] = be8(version)
}

func TestValidator_CacheIsBounded(t *testing.T) {
	t.Parallel()
	st := mapState{}
	for id := uint64(1); id <= 5; id++ {
		st.put(t, id, 1, `{"type":"object"}`)
	}
	v := NewValidator(2)
	for _, id := range []uint64{1, 2, 1, 3, 4, 5, 1} {
		if err := v.Validate(st, id, 0, json.RawMessage(`{}`)); err != nil {
			t.Fatal(err)
		}
		if n := v.order.Len(); n > 2 || len(v.index) != n {
			t.Fatalf("cache holds %d entries (index %d), the bound is 2", n, len(v.index))
		}
	}
	// The most recently used stay: 5 and 1.
	for _, id := range []uint64{5, 1} {
		if _, ok := v.index[cacheKey{id, 1}]; !ok {
			t.Fatalf("schema %d was evicted", id)
		}
	}
	// A cached schema is used without reading its record again.
	delete(st, string(versionKey(1, 1)))
	if err := v.Validate(st, 1, 1, json.RawMessage(`{}`)); err != nil {
		t.Fatalf("cached schema: %v", err)
	}
}

func TestDepth(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{
		`{}`:                         1,
		`{"a":[{"b":"[[[{{{"}]}`:     3,
		`{"a":"\"[","b":[[]]}`:       3,
		`{"a":"\\","b":{"c":{}}}`:    3,
		`[[[[[[]]]]]]`:               6,
		`{"a":1}{"b":{"c":{"d":1}}}`: 3,
	} {
		if got := depth([]byte(s)); got != want {
			t.Errorf("depth(%s) = %d, want %d", s, got, want)
		}
	}
}

// TestValidator_DecodedClaimsAsTheyAre checks that claims already decoded
// (json.Number numbers) are validated as they are, with the verdict the
// encoding path gives, and that other Go values still take that path.
func TestValidator_DecodedClaimsAsTheyAre(t *testing.T) {
	t.Parallel()
	st := mapState{}
	st.put(t, 7, 1, `{"type":"object","required":["n","tags"],"properties":{"n":{"type":"integer","maximum":9007199254740993},"tags":{"type":"array","items":{"type":"string"}}}}`)
	v := NewValidator(0)
	for _, c := range []struct {
		raw string
		ok  bool
	}{
		{`{"n":9007199254740993,"tags":["a"]}`, true},
		{`{"n":9007199254740994,"tags":["a"]}`, false}, // exact comparison, not float64
		{`{"n":1.5,"tags":["a"]}`, false},
		{`{"n":1,"tags":[1]}`, false},
		{`{"tags":[]}`, false},
	} {
		var decoded map[string]any
		dec := json.NewDecoder(strings.NewReader(c.raw))
		dec.UseNumber()
		if err := dec.Decode(&decoded); err != nil {
			t.Fatal(err)
		}
		if !isInstance(decoded, 0) {
			t.Fatalf("%s: not taken as it is", c.raw)
		}
		errDecoded := v.Validate(st, 7, 1, decoded)
		errRaw := v.Validate(st, 7, 1, json.RawMessage(c.raw))
		if (errDecoded == nil) != c.ok || (errRaw == nil) != c.ok {
			t.Errorf("%s: decoded %v, raw %v, want ok=%v", c.raw, errDecoded, errRaw, c.ok)
		}
	}
	if isInstance(map[string]any{"n": 1.5}, 0) || isInstance(map[string]any{"n": []string{"x"}}, 0) {
		t.Fatal("float64 and typed slices must be encoded first")
	}
	if err := v.Validate(st, 7, 1, map[string]any{"n": 3, "tags": []string{"a"}}); err != nil {
		t.Fatalf("Go values through the encoding path: %v", err)
	}
}
