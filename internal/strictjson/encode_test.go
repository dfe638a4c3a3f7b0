package strictjson

import (
	"encoding/json"
	"testing"
)

// TestMarshal_NoHTMLEscapingNoNewline: '<', '>' and '&' stay as they are,
// in strings and in raw messages, and nothing follows the value.
func TestMarshal_NoHTMLEscapingNoNewline(t *testing.T) {
	t.Parallel()
	got, err := Marshal(map[string]any{"a": "<b>&", "raw": json.RawMessage(`{"x":"<&>"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"<b>&","raw":{"x":"<&>"}}`; string(got) != want {
		t.Fatalf("Marshal = %s, want %s", got, want)
	}
	if _, err := Marshal(func() {}); err == nil {
		t.Fatal("a func encoded")
	}
}

// TestAppendEscape: every byte JSON must escape is escaped as
// encoding/json escapes it.
func TestAppendEscape(t *testing.T) {
	for c := range byte(0x20) {
		checkEscape(t, c)
	}
	checkEscape(t, '"')
	checkEscape(t, '\\')
}

func checkEscape(t *testing.T, c byte) {
	t.Helper()
	want, err := Marshal(string([]byte{c}))
	if err != nil {
		t.Fatal(err)
	}
	if got := `"` + string(AppendEscape(nil, c)) + `"`; got != string(want) {
		t.Errorf("%#x: got %s, want %s", c, got, want)
	}
}

// TestLimits_Allows: what DecodeObject under some limits gives is allowed
// by them; deeper, longer or wider values, and values of other types
// (encoding/json's float64), are not.
func TestLimits_Allows(t *testing.T) {
	lim := Limits{Depth: 3, Array: 2, Members: 2}
	v, err := DecodeObject([]byte(`{"a":[1,{"b":"c"}],"d":null}`), lim)
	if err != nil || !lim.Allows(v) {
		t.Fatalf("a strictly decoded value: %v, %v", err, lim.Allows(v))
	}
	for _, bad := range []any{
		map[string]any{"a": []any{[]any{[]any{}}}},       // 4 deep
		map[string]any{"a": []any{"x", "y", "z"}},        // 3 elements
		map[string]any{"a": true, "b": false, "c": nil},  // 3 members
		map[string]any{"a": 1.5},                         // a float64
		map[string]any{"a": map[string]string{"b": "c"}}, // a typed map
	} {
		if lim.Allows(bad) {
			t.Errorf("%v is allowed", bad)
		}
	}
}
