package chain

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestAppendJSON_LimitAndBadRecord: records decode in key order after the
// given key, up to the limit; a record that is not JSON is a 500 naming
// its key.
func TestAppendJSON_LimitAndBadRecord(t *testing.T) {
	recs := [][2]string{{"p/a", `1`}, {"p/b", `2`}, {"p/c", `3`}, {"p/d", `x`}}
	scan := func(prefix, after []byte, f func(k, v []byte) bool) error {
		for _, r := range recs {
			if r[0] > string(after) && !f([]byte(r[0]), []byte(r[1])) {
				break
			}
		}
		return nil
	}
	got, err := AppendJSON([]int{0}, scan, []byte("p/"), []byte("p/a"), 2)
	if err != nil || len(got) != 3 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("got %v, %v; want [0 2 3]", got, err)
	}
	_, err = AppendJSON[int](nil, scan, []byte("p/"), nil, 0)
	if e, ok := errs.As(err); !ok || e.Status != http.StatusInternalServerError || e.Code != "internal" {
		t.Fatalf("a bad record: %v", err)
	}
}

// noState is state with nothing in it.
type noState struct{}

func (noState) Get([]byte) ([]byte, bool, error) { return nil, false, nil }

// TestLoadJSON_RecordMissingAndBad: a record decodes as its type; a
// missing one is nil and not found; one that is not JSON is an error
// naming its key.
func TestLoadJSON_RecordMissingAndBad(t *testing.T) {
	st := NewOverlay(noState{})
	st.Set([]byte("p/a"), []byte(`{"n":1}`))
	st.Set([]byte("p/x"), []byte(`x`))
	type rec struct {
		N int `json:"n"`
	}
	if r, ok, err := LoadJSON[rec](st, []byte("p/a")); err != nil || !ok || r.N != 1 {
		t.Fatalf("p/a: %+v %v %v", r, ok, err)
	}
	if r, ok, err := LoadJSON[rec](st, []byte("p/b")); err != nil || ok || r != nil {
		t.Fatalf("p/b: %+v %v %v", r, ok, err)
	}
	if r, ok, err := LoadJSON[rec](st, []byte("p/x")); err == nil || ok || r != nil || !strings.Contains(err.Error(), "decode p/x") {
		t.Fatalf("p/x: %+v %v %v", r, ok, err)
	}
}
