package jsontest

import "testing"

func TestMergePatch_SetsAndRemovesTopLevelMembers(t *testing.T) {
	doc := map[string]any{"a": 1, "b": map[string]any{"x": 1}, "c": "keep"}
	got := string(MergePatch(t, doc, map[string]any{"a": nil, "b": map[string]any{"y": 2}, "d": true}))
	if want := `{"b":{"y":2},"c":"keep","d":true}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
