package batch

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/api"
)

// encodingJSON is the full form as encoding/json writes it (HTML not
// escaped), which AppendResult must reproduce byte for byte.
func encodingJSON(t testing.TB, r *Result) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendResult_FullIsEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, r := range []*Result{
		{Index: 0, Verified: true, Checks: []api.Check{{Name: "signature", Status: "passed", Detail: "EdDSA <ok> & \"fine\""}}, Errors: []api.Check{}},
		{Index: 7, Checks: nil, Errors: nil, Code: "credential.invalid", Detail: "bad\x00\x1f\n\t\r\b\f\\ \u2028\u2029 \xff\xfe é 中"},
		{Index: 1 << 40, Checks: []api.Check{{Name: "a", Status: "failed"}, {Name: "b", Status: "warning", Detail: "x"}}, Errors: []api.Check{{Name: "a", Status: "failed"}}},
		{Index: 2, Verified: true, Checks: []api.Check{
			{Name: "proof", Status: "passed", Code: "proof.ok", Params: map[string]string{"key": "did:key:z6Mk#z6Mk"}},
			{Name: "issuerBinding", Status: "failed", Params: map[string]string{"signer": "did:a", "issuer": "did:b"}},
			{Name: "accreditation", Status: "warning", Params: map[string]string{"type": "T", "schema": "7", "name": "N", "issuer": "did:c", "": "empty", "é": "1", "Z": "2", "a\x00": "3", "zz": "4"}},
		}, Errors: []api.Check{}},
	} {
		got := AppendResult(nil, r, DetailFull)
		if want := encodingJSON(t, r); !bytes.Equal(got, want) {
			t.Errorf("\ngot  %s\nwant %s", got, want)
		}
	}
}

func TestAppendResult_FailuresNamesOnlyFailedChecks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		r    Result
		want string
	}{
		{Result{Index: 3, Verified: true, Checks: []api.Check{{Name: "signature", Status: "passed", Detail: "long text"}, {Name: "schema", Status: "warning", Detail: "w"}}, Errors: []api.Check{}},
			`{"index":3,"verified":true}`},
		{Result{Index: 4, Checks: []api.Check{{Name: "signature", Status: "passed"}, {Name: "expiry", Status: "failed", Detail: "expired"}}, Errors: []api.Check{{Name: "expiry", Status: "failed", Detail: "expired"}}},
			`{"index":4,"verified":false,"errors":[{"name":"expiry","status":"failed","detail":"expired"}]}`},
		{Result{Index: 5, Checks: []api.Check{}, Errors: []api.Check{}, Code: "credential.invalid", Detail: "not JSON"},
			`{"index":5,"verified":false,"code":"credential.invalid","detail":"not JSON"}`},
	} {
		if got := AppendResult(nil, &c.r, DetailFailures); string(got) != c.want {
			t.Errorf("\ngot  %s\nwant %s", got, c.want)
		}
		// It reads back as a Result whose outcome and failed checks are
		// those of the full form.
		var back Result
		if err := json.Unmarshal(AppendResult(nil, &c.r, DetailFailures), &back); err != nil {
			t.Fatal(err)
		}
		if back.Outcome() != c.r.Outcome() || len(back.Errors) != len(c.r.Errors) {
			t.Errorf("%s reads back as %+v", c.want, back)
		}
	}
}

func TestParseDetail(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]Detail{"": DetailFull, "full": DetailFull, "failures": DetailFailures} {
		if d, err := ParseDetail(s); err != nil || d != want || (s != "" && d.String() != s) {
			t.Errorf("%q: %v %v", s, d, err)
		}
	}
	if _, err := ParseDetail("none"); err == nil {
		t.Fatal("detail=none accepted")
	}
}

// FuzzAppendResult checks that the full form is byte for byte what
// encoding/json writes, and the compact form valid JSON that reads back with
// the same outcome, whatever the strings (invalid UTF-8 included).
func FuzzAppendResult(f *testing.F) {
	f.Add(0, true, "signature", "passed", "ok", "", "")
	f.Add(9, false, "expiry", "failed", "a\u2028b\xff\"\\<>&", "credential.invalid", "\x00\x7f")
	f.Fuzz(func(t *testing.T, index int, verified bool, name, status, detail, code, pdetail string) {
		c := api.Check{Name: name, Status: status, Detail: detail}
		// A check with parameters, their keys in any order.
		p := api.Check{Name: name, Status: status, Params: map[string]string{name: detail, status: code, pdetail: name, "key": status}}
		r := &Result{Index: index, Verified: verified, Checks: []api.Check{c, p, c}, Errors: []api.Check{c, p}, Code: code, Detail: pdetail}
		if got, want := AppendResult(nil, r, DetailFull), encodingJSON(t, r); !bytes.Equal(got, want) {
			t.Fatalf("\ngot  %q\nwant %q", got, want)
		}
		var back Result
		if err := json.Unmarshal(AppendResult(nil, r, DetailFailures), &back); err != nil {
			t.Fatal(err)
		}
		if back.Outcome() != r.Outcome() || back.Index != index {
			t.Fatalf("%+v reads back as %+v", r, back)
		}
	})
}
