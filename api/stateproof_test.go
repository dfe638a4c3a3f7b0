package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/txn"
)

// ProvenResolution.AppendJSON writes what encoding/json (without HTML
// escaping) writes: with a document, without one (a proven absence) and
// without a proof.
func TestProvenResolution_AppendJSON(t *testing.T) {
	sp := &txn.StateProofs{Header: txn.Header{ChainID: "1", Height: 3, AppHash: "ab"}, BlockHash: "cd", Signature: "ef",
		Proofs: []*txn.StateProof{{Hash: txn.StateHashSHA256, Key: "a2V5", Exists: true, Value: "dg", Siblings: []string{"", "AAAA"}, Root: "ab"}}}
	doc := &did.Document{Context: []string{"https://www.w3.org/ns/did/v1"}, ID: "did:weid:1:0x01", AlsoKnownAs: []string{"https://a.example/?x=<&>"}}
	for name, r := range map[string]*ProvenResolution{
		"document": {ResolutionResult: did.ResolutionResult{Context: did.ContextResolution, Document: doc, DocumentMetadata: did.DocumentMetadata{VersionID: "2"}}, StateProof: sp},
		"absent":   {ResolutionResult: did.ResolutionResult{ResolutionMetadata: did.ResolutionMetadata{Error: "notFound", ErrorMessage: "x does not exist"}}, StateProof: sp},
		"no proof": {ResolutionResult: did.ResolutionResult{Document: doc}},
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		got, err := r.AppendJSON(nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %s %v\nwant %s", name, got, err, want)
		}
	}
}
