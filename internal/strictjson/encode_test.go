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
