package authz

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestRecognize_NamesThatDisplayAsThemselves: the trust registry's words are
// shown by the verify page, the explorer and the CLI, so a name, type or
// description with a control character (NUL, ESC, a line break in a name)
// or a bidirectional control (U+202E makes "‮ytisrevinU elpmaxE" display as
// "Example University") is refused, naming the member; ordinary names in
// any script are accepted.
func TestRecognize_NamesThatDisplayAsThemselves(t *testing.T) {
	const d = "did:weid:1:0x4c224659e24ccbc2e6114472ec59f650d3800332"
	for _, c := range []struct {
		p    RecognizePayload
		code string // "" when accepted
	}{
		{RecognizePayload{DID: d, Name: "Example University"}, ""},
		{RecognizePayload{DID: d, Name: "示例大学", Description: "A university.\nFounded 1901.", Types: []string{"UniversityDegreeCredential"}}, ""},
		{RecognizePayload{DID: d, Name: "دانشگاه\u200cنمونه"}, ""}, // a Persian zero-width non-joiner is not a control
		{RecognizePayload{DID: d, Name: "\u202eytisrevinU elpmaxE"}, "issuer.invalidName"},
		{RecognizePayload{DID: d, Name: "Example\u2066 University"}, "issuer.invalidName"},
		{RecognizePayload{DID: d, Name: "x\x00y"}, "issuer.invalidName"},
		{RecognizePayload{DID: d, Name: "a\nb"}, "issuer.invalidName"},
		{RecognizePayload{DID: d, Name: "ok\x1b[2J"}, "issuer.invalidName"},
		{RecognizePayload{DID: d, Name: "ok", Description: "fine\u202e"}, "issuer.invalidDescription"},
		{RecognizePayload{DID: d, Name: "ok", Description: "bell\x07"}, "issuer.invalidDescription"},
		{RecognizePayload{DID: d, Name: "ok", Types: []string{"Diploma\x00"}}, "issuer.invalidType"},
	} {
		err := c.p.Validate()
		if c.code == "" {
			if err != nil {
				t.Errorf("%+q: %v", c.p.Name, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Status != http.StatusBadRequest || e.Code != c.code || strings.ContainsAny(e.Detail, "\n\x00\u202e") {
			t.Errorf("%+q: %v, want a 400 %s", c.p.Name, err, c.code)
		}
	}
	if validNodeName("node\u202e1") == nil || validNodeName("node\n1") == nil || validNodeName("节点 1") != nil {
		t.Error("validator and observer names follow the same rule")
	}
}

// TestMemberDIDs_AreWeidDIDs: a committee member and a node's memberDid
// are did:weid DIDs; anything else is 400 gov.invalidDid saying which rule
// it breaks.
func TestMemberDIDs_AreWeidDIDs(t *testing.T) {
	const d = "did:weid:1:0x4c224659e24ccbc2e6114472ec59f650d3800332"
	const node = "0123456789abcdef0123456789abcdef01234567"
	for _, c := range []struct {
		p    interface{ Validate() error }
		rule string // "" when accepted
	}{
		{&MemberPayload{DID: d}, ""},
		{&MemberPayload{DID: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}, "committee members are did:weid DIDs: "},
		{&AddObserverPayload{NodeID: node}, ""},
		{&AddObserverPayload{NodeID: node, MemberDID: d}, ""},
		{&AddObserverPayload{NodeID: node, MemberDID: "did:web:example.com"}, "memberDid is a did:weid DID: "},
	} {
		err := c.p.Validate()
		if c.rule == "" {
			if err != nil {
				t.Errorf("%+v: %v", c.p, err)
			}
			continue
		}
		if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest || e.Code != "gov.invalidDid" || !strings.HasPrefix(e.Detail, c.rule) {
			t.Errorf("%+v: %v, want 400 gov.invalidDid %q…", c.p, err, c.rule)
		}
	}
}
