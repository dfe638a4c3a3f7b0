package httpx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestProblemWith_ExtensionMembers: every member of the value is an
// extension member of the problem (RFC 9457 §3.2), its raw JSON kept (a
// large integer is not rounded), and one named as a member of the problem's
// own does not replace it.
func TestProblemWith_ExtensionMembers(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/credentials/verify", nil)
	v := map[string]any{
		"verified": false,
		"checks":   []map[string]string{{"name": "proof", "status": "failed"}},
		"big":      json.Number("12345678901234567890"),
		"status":   "failed",
		"code":     "not the problem's",
	}
	if err := ProblemWith(rec, req, errs.BadRequest("credential.verificationFailed", "the credential failed the proof check"), v); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"verified": `false`,
		"checks":   `[{"name":"proof","status":"failed"}]`,
		"big":      `12345678901234567890`,
		"status":   `400`,
		"code":     `"credential.verificationFailed"`,
		"type":     `"urn:weid:problem:credential.verificationFailed"`,
		"detail":   `"the credential failed the proof check"`,
		"instance": `"/credentials/verify"`,
	} {
		if string(got[k]) != want {
			t.Errorf("%s = %s, want %s", k, got[k], want)
		}
	}
}
