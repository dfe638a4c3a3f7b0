package txn

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// lenientRequest stands for a VCALM request body: typed members, a
// free-form credential and options with members of their own.
type lenientRequest struct {
	Credential map[string]any `json:"credential"`
	Options    *struct {
		Format string   `json:"format"`
		Limit  int      `json:"limit"`
		Checks []string `json:"checks"`
	} `json:"options"`
	List []any `json:"list"`
}

func TestDecodeLenient(t *testing.T) {
	for _, tc := range []struct{ body, err string }{
		{`{"credential":{"a":1},"options":{"format":"vc+jwt"},"unknown":{"x":1}}`, ""},
		{`{"options":{"format":"vc+jwt"},"options":{"format":"dc+sd-jwt"}}`, `member "options" appears twice in the object`},
		{`{"options":{"format":"a","format":"b"}}`, `member "format" appears twice in options`},
		{`{"credential":{"credentialSubject":{"n":1,"n":2}}}`, `member "n" appears twice in credential.credentialSubject`},
		{`{"list":[{"a":1},{"b":1,"b":2}]}`, `member "b" appears twice in list[]`},
		{`{"unknown":{"x":1,"x":2}}`, `member "x" appears twice in unknown`},
		{`{"options":{"format":1}}`, "options.format must be a string, not JSON number"},
		{`{"options":{"limit":"1"}}`, "options.limit must be an integer, not JSON string"},
		{`[]`, "value must be a JSON object, not JSON array"},
		{`null`, "value must be a JSON object, not JSON null"},
		{" \r\n\tnull ", "value must be a JSON object, not JSON null"},
		{"{\"a\xff\":1,\"a\xfe\":2}", "not valid UTF-8"},
		{"{\"credential\":{\"n\":\"\xff\"}}", "not valid UTF-8"},
		{`{} {}`, "malformed JSON"},
		{``, "malformed JSON"},
	} {
		var v lenientRequest
		err := DecodeLenient([]byte(tc.body), &v)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("DecodeLenient(%s) = %v, want %q", tc.body, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "Go ") {
			t.Errorf("DecodeLenient(%s) = %v: names a Go type", tc.body, err)
		}
	}
}

func TestDecodeBody_RefusesNull(t *testing.T) {
	var v struct {
		A string `json:"a"`
	}
	if err := DecodeBody([]byte(" null"), &v); err == nil || err.Error() != "value must be a JSON object, not JSON null" {
		t.Errorf("DecodeBody(null) = %v", err)
	}
	var list []string
	if err := DecodeBody([]byte("null"), &list); err == nil || err.Error() != "value must be a JSON array, not JSON null" {
		t.Errorf("DecodeBody(null) into a slice = %v", err)
	}
	if err := DecodeBody([]byte(`{"a":"x"}`), &v); err != nil || v.A != "x" {
		t.Errorf("DecodeBody = %v, %+v", err, v)
	}
	if err := DecodeLenient([]byte("null"), nil); err == nil {
		t.Error("DecodeLenient(null, nil) = nil")
	}
}

// FuzzDecodeLenient: DecodeLenient never panics, and on any input but
// null, bytes that are not UTF-8 and JSON with a member named twice in one
// object it decodes exactly what json.Unmarshal does, accepting and
// refusing the same.
func FuzzDecodeLenient(f *testing.F) {
	for _, s := range []string{`{"credential":{"a":[1,{"b":null}]},"options":{"format":"x","checks":["a"]}}`,
		`{"options":{"format":1}}`, `{"a":1,"a":2}`, `{"list":[{"x":1,"x":1}]}`, `null`, `[]`, `"x"`, `{"a":"\u0061","\u0061":1}`,
		`{"options":null,"list":[1,2.5e3,true]}`, "{\"a\xff\":1,\"a\xfe\":2}", `{`, `{"a" 1}`, ``, `{} x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want lenientRequest
		agreesWithUnmarshal(t, b, &got, &want)
		var anyGot, anyWant any
		agreesWithUnmarshal(t, b, &anyGot, &anyWant)
		itemsAgree(t, b)
	})
}

// itemsRequest stands for a batch request: items read each on its own.
type itemsRequest struct {
	Items   []json.RawMessage `json:"items"`
	Options *struct {
		Format string `json:"format"`
	} `json:"options"`
}

// itemsAgree checks DecodeLenientItems(b) against DecodeLenient and
// json.Unmarshal: whatever DecodeLenient accepts it accepts, decoding the
// same; whatever it accepts json.Unmarshal accepts, decoding the same.
func itemsAgree(t *testing.T, b []byte) {
	t.Helper()
	var got, lenient, want itemsRequest
	err := DecodeLenientItems(b, &got)
	if DecodeLenient(b, &lenient) == nil && (err != nil || !reflect.DeepEqual(got, lenient)) {
		t.Fatalf("DecodeLenientItems(%q) = %v, %+v; DecodeLenient accepted %+v", b, err, got, lenient)
	}
	if err == nil && (json.Unmarshal(b, &want) != nil || !reflect.DeepEqual(got, want)) {
		t.Fatalf("DecodeLenientItems(%q) = %+v; json.Unmarshal: %+v", b, got, want)
	}
}

// TestDecodeLenientItems: a member twice inside an item is the item's
// reader's to refuse; anywhere else it is refused as DecodeLenient
// refuses it, and unknown members are ignored.
func TestDecodeLenientItems(t *testing.T) {
	for _, tc := range []struct{ body, err string }{
		{`{"items":[{"a":1,"a":2},{"b":{"c":1,"c":2}}],"options":{"format":"x"},"unknown":1}`, ""},
		{`{"items":[],"items":[1]}`, `member "items" appears twice in the object`},
		{`{"items":[],"options":{"format":"a","format":"b"}}`, `member "format" appears twice in options`},
		{`{"unknown":{"x":1,"x":2}}`, `member "x" appears twice in unknown`},
		{`{"items":[{"a":1,"a":2}],"options":{},"options":{}}`, `member "options" appears twice in the object`},
		{`{"options":{"format":1}}`, "options.format must be a string, not JSON number"},
		{`null`, "value must be a JSON object, not JSON null"},
		{"{\"items\":[\"\xff\"]}", "not valid UTF-8"},
	} {
		var v itemsRequest
		err := DecodeLenientItems([]byte(tc.body), &v)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("DecodeLenientItems(%s) = %v, want %q", tc.body, err, tc.err)
		}
	}
}

// agreesWithUnmarshal checks DecodeLenient(b, got) against
// json.Unmarshal(b, want), got and want pointers to zero values of one
// type.
func agreesWithUnmarshal(t *testing.T, b []byte, got, want any) {
	t.Helper()
	err := DecodeLenient(b, got)
	wantErr := json.Unmarshal(b, want)
	if strings.Trim(string(b), " \t\r\n") == "null" || !utf8.Valid(b) || wantErr == nil && repeatsMember(b) {
		if err == nil {
			t.Fatalf("DecodeLenient(%q) into %T = nil, want an error", b, got)
		}
		return
	}
	if (err == nil) != (wantErr == nil) || err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeLenient(%q) into %T = %v, %+v; json.Unmarshal = %v, %+v", b, got, err, got, wantErr, want)
	}
}

// repeatsMember reports whether b, JSON that encoding/json accepts, names
// one member twice in one of its objects: an oracle for checkMembers,
// written over encoding/json's token reader.
func repeatsMember(b []byte) bool {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	type frame struct {
		object, key bool // an object, expecting a member name next
		seen        map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch {
		case top != nil && top.object && top.key && tok == json.Delim('}'):
			stack = stack[:len(stack)-1]
		case top != nil && top.object && top.key:
			k := tok.(string)
			if top.seen[k] {
				return true
			}
			top.seen[k] = true
			top.key = false
			continue
		case tok == json.Delim('{'):
			stack = append(stack, &frame{object: true, key: true, seen: map[string]bool{}})
			continue
		case tok == json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case tok == json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: its object expects a member name next.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
}

// TestCheckTxAlone: "tx" beside other members is refused, naming them in
// order; a body without "tx", "tx" alone and what is no object are the
// body decoder's to judge.
func TestCheckTxAlone(t *testing.T) {
	for body, want := range map[string]string{
		`{"tx":{}}`:                         "",
		`{"tx":null}`:                       "",
		`{"keyType":"Ed25519"}`:             "",
		`[1]`:                               "",
		`{"tx":{},"name":"n","id":1}`:       `"id", "name" would be ignored`,
		`{"signer":"did:example:a","tx":1}`: `"signer" would be ignored`,
		`{"tx":null,"keyType":"P-256"}`:     `"keyType" would be ignored`,
	} {
		err := CheckTxAlone([]byte(body))
		if (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}
