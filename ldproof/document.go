package ldproof

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
)

// Limits on the documents Sign and Verify accept, checked before any
// JSON-LD processing.
const (
	// MaxDocumentBytes is the largest document, in bytes.
	MaxDocumentBytes = 256 << 10
	// MaxDepth is the deepest nesting of arrays and objects.
	MaxDepth = 32
	// MaxProofs is the most proofs one document may carry.
	MaxProofs = 16
)

var docLimits = strictjson.Limits{Depth: MaxDepth, Array: 10_000, Members: 1_000}

// decodeDocument strictly decodes a document within the limits.
func decodeDocument(doc []byte) (map[string]any, error) {
	if len(doc) > MaxDocumentBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, CodeTooLarge, "the document is larger than %d bytes", MaxDocumentBytes)
	}
	m, err := strictjson.DecodeObject(doc, docLimits)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, CodeInvalidDocument, err)
	}
	return m, nil
}

// proofList returns the proofs of a decoded document: "proof" as one
// object or an array of objects. ok is false when there is no "proof".
func proofList(doc map[string]any) (proofs []map[string]any, ok bool, err error) {
	v, ok := doc["proof"]
	if !ok {
		return nil, false, nil
	}
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}, true, nil
	case []any:
		if len(v) > MaxProofs {
			return nil, true, errs.BadRequest(CodeInvalidDocument, "the document has more than %d proofs", MaxProofs)
		}
		for _, p := range v {
			m, isObj := p.(map[string]any)
			if !isObj {
				return nil, true, errs.BadRequest(CodeInvalidDocument, "every element of \"proof\" must be an object")
			}
			proofs = append(proofs, m)
		}
		return proofs, true, nil
	}
	return nil, true, errs.BadRequest(CodeInvalidDocument, "\"proof\" must be an object or an array of objects")
}

// withoutProof is a shallow copy of doc without its "proof" member.
func withoutProof(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			out[k] = v
		}
	}
	return out
}

// Split returns the unsecured document (doc without its "proof" member,
// the other members in their order and form) and each proof as its JSON,
// after the checks Verify makes on the document's structure. A document
// without a proof gives no proofs and no error.
//
// Errors are *errs.Error: 413 ldproof.tooLarge, 400
// ldproof.invalidDocument.
func Split(doc json.RawMessage) (unsecured json.RawMessage, proofs []json.RawMessage, err error) {
	d, err := decodeDocument(doc)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := proofList(d); err != nil {
		return nil, nil, err
	}
	members, err := topLevel(doc)
	if err != nil {
		return nil, nil, errs.Wrap(http.StatusBadRequest, CodeInvalidDocument, err)
	}
	var rest []member
	for _, m := range members {
		if m.name != "proof" {
			rest = append(rest, m)
			continue
		}
		raw := bytes.TrimSpace(m.value)
		if raw[0] == '{' {
			proofs = append(proofs, json.RawMessage(raw))
			continue
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			return nil, nil, errs.Wrap(http.StatusBadRequest, CodeInvalidDocument, err)
		}
		proofs = append(proofs, arr...)
	}
	return joinMembers(rest), proofs, nil
}

// member is one top-level member of a JSON object, its value verbatim.
type member struct {
	name  string
	value json.RawMessage
}

// topLevel splits a JSON object (already strictly decoded) into its
// members in order.
func topLevel(doc []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{k, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON object")
	}
	return out, nil
}

// joinMembers writes members as one JSON object.
func joinMembers(ms []member) json.RawMessage {
	n := 2
	for _, m := range ms {
		n += len(m.name) + len(m.value) + 8
	}
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, m := range ms {
		if i > 0 {
			out = append(out, ',')
		}
		name, _ := strictjson.Marshal(m.name)
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, m.value...)
	}
	return append(out, '}')
}

// AddContext returns doc with url appended to its top-level @context
// (made an array if it was a string) unless the @context already names
// one of urls; the other members keep their order and form. Issuers use
// it to add the context that defines a proof's terms, as VC Data
// Integrity §2.4.1 has them do for documents whose contexts do not.
func AddContext(doc json.RawMessage, url string, urls ...string) (json.RawMessage, error) {
	d, err := decodeDocument(doc)
	if err != nil {
		return nil, err
	}
	ctx := d["@context"]
	for _, u := range append([]string{url}, urls...) {
		if holdsString(ctx, u) {
			return doc, nil
		}
	}
	var list []any
	switch c := ctx.(type) {
	case string:
		list = []any{c}
	case []any:
		list = c
	default:
		return nil, errs.BadRequest(CodeInvalidDocument, "the document's @context must be a URL or an array")
	}
	v, err := strictjson.Marshal(append(list[:len(list):len(list)], url))
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, CodeInvalidDocument, err)
	}
	members, err := topLevel(doc)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, CodeInvalidDocument, err)
	}
	for i := range members {
		if members[i].name == "@context" {
			members[i].value = v
		}
	}
	return joinMembers(members), nil
}
