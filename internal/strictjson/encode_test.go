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
