package txn

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// AppendJSON writes exactly what encoding/json (without HTML escaping)
// writes, for every shape a StateProofs takes.
func TestStateProofs_AppendJSON(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	p := oneLeafProofs(t, k, "did/latest/x", "v")
	cases := map[string]func(*StateProofs){
		"as made": func(*StateProofs) {},
		"commit": func(p *StateProofs) {
			p.Commit = &CommitProof{WeidHeight: 7, AppHash: p.Header.AppHash, CometHeight: 9, SignedHeader: json.RawMessage(`{"header": {"a": "<b>"}, "commit": [1, 2]}`)}
		},
		"nil siblings":  func(p *StateProofs) { p.Proofs[0].Siblings = nil },
		"siblings":      func(p *StateProofs) { p.Proofs[1].Siblings = []string{"", "AAAA", ""} },
		"escapes":       func(p *StateProofs) { p.Header.ChainID = "a\"b\\c\n<&>\u2028é\x01"; p.Proofs[0].Key = "\xff" },
		"nil proof":     func(p *StateProofs) { p.Proofs = append(p.Proofs, nil) },
		"no proofs":     func(p *StateProofs) { p.Proofs = nil },
		"empty proofs":  func(p *StateProofs) { p.Proofs = []*StateProof{} },
		"empty strings": func(p *StateProofs) { p.Header = Header{}; p.BlockHash, p.Signature = "", "" },
	}
	for name, change := range cases {
		c := *p
		c.Proofs = make([]*StateProof, len(p.Proofs))
		for i, sp := range p.Proofs {
			cp := *sp
			c.Proofs[i] = &cp
		}
		change(&c)
		want, err := strictjson.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.AppendJSON([]byte("x"))
		if err != nil || !bytes.Equal(got, append([]byte("x"), want...)) {
			t.Fatalf("%s:\n got %s %v\nwant x%s", name, got, err, want)
		}
	}
	// A commit whose signed header is not JSON fails as encoding/json does.
	c := *p
	c.Commit = &CommitProof{SignedHeader: json.RawMessage(`{"a":`)}
	if _, err := c.AppendJSON(nil); err == nil || !strings.Contains(err.Error(), "json") {
		t.Fatalf("bad commit: %v", err)
	}
}
