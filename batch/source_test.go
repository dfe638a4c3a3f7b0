package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestNDJSON_LinesKeptApart: lines share slabs, yet each item is its own
// line, exactly, whatever is appended to another; long lines, CRLF and a
// last line without its newline are read; a line that is not JSON becomes
// credential.invalid only when checked (the workers' job).
func TestNDJSON_LinesKeptApart(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	var want []string
	for i := range 3000 {
		l := fmt.Sprintf(`"tok-%d-%s"`, i, strings.Repeat("x", i%700))
		if i%500 == 0 {
			l = `"` + strings.Repeat("y", slabLine+i) + `"`
		}
		want = append(want, l)
		in.WriteString(l)
		if i%3 == 0 {
			in.WriteString("\r\n\n")
		} else {
			in.WriteString("\n")
		}
	}
	in.WriteString("{bad\n" + `{"proof":{}}`)
	src := NewNDJSON(strings.NewReader(in.String()))
	var items []Item
	for {
		it, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, it)
	}
	if len(items) != len(want)+2 {
		t.Fatalf("%d items, want %d", len(items), len(want)+2)
	}
	for i := range want {
		if it := items[i].Check(); it.Err != nil {
			t.Fatalf("line %d: %v", i, it.Err)
		}
	}
	for i := range want {
		items[i].Raw = append(items[i].Raw, "CLOBBER"...) // must not reach the next line
	}
	for i, w := range want {
		if got := string(bytes.TrimSuffix(items[i].Raw, []byte("CLOBBER"))); got != w {
			t.Fatalf("line %d: %.40q, want %.40q", i, got, w)
		}
	}
	if bad := items[len(want)]; bad.Err != nil || bad.Check().Err == nil || !strings.Contains(bad.Check().Err.Error(), "not one JSON value") {
		t.Fatalf("the bad line: %+v", bad.Check())
	}
	if last := items[len(want)+1].Check(); last.Err != nil || !json.Valid(last.Raw) {
		t.Fatalf("the last line: %+v", last)
	}
}
