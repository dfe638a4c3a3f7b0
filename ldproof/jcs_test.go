package ldproof

import (
	"bytes"
	"testing"

	"github.com/weidgo/weid/internal/strictjson"
)

var jcsSeeds = []string{
	`{}`, `{"b":1,"a":[true,false,null,"x"]}`, `{"a":"q\"\\\/\b\f\n\r\t\u0001\u001f\u007f\u2028é😀"}`,
	`{"\ue000":1,"😀":2,"a":3,"":4,"ab":5,"b":{"z":[],"y":{}}}`, `{"n":[0,-0,1.0,1e21,1e-7,123456789012345678901234567890,0.1,-1.5E+300,5e-324]}`,
	`{"big":1e400}`, `{"s":"\ud800"}`, `{"@context":["https://www.w3.org/ns/credentials/v2"],"x":{"y":[1,{"z":"w"}]}}`,
}

// FuzzCanonicalJSON checks appendJCS against encoding/json and
// jcs.Transform on strictly decoded documents.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range jcsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := strictjson.DecodeObject(b, strictjson.Limits{Depth: 16, Array: 64, Members: 64})
		if err != nil {
			return
		}
		want, werr := transformJCS(doc)
		got, ok := appendJCS(nil, doc)
		if !ok {
			if werr == nil {
				t.Logf("%q: appendJCS declined what jcs.Transform took", b)
			}
			return
		}
		if werr != nil {
			t.Fatalf("%q: appendJCS took what jcs.Transform refuses (%v)", b, werr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", b, got, want)
		}
	})
}
