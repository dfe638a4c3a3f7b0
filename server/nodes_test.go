package server

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/keys"
)

func newValidatorKey(t *testing.T) []byte {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// Under the solo engine the validator and observer registers are recorded
// like any governance; the engine ignores them.
func TestNodes_ValidatorsAndObserversOverHTTP(t *testing.T) {
	tn := startNode(t)
	k1, k2 := newValidatorKey(t), newValidatorKey(t)
	b1 := base64.StdEncoding.EncodeToString(k1)

	// Custodial admission with the admin token; power defaults to 10.
	r := tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+b1+`","name":"node0","memberDid":"`+tn.n.AdminDID+`"}`))
	if r.status != 201 {
		t.Fatalf("add validator: %d %s", r.status, r.body)
	}
	var gr api.GovResponse
	_ = json.Unmarshal(r.body, &gr)
	if v := gr.Validator; v == nil || v.PubKey != b1 || v.Power != 10 || v.AddedBy != tn.n.AdminDID || v.Address != authz.ValidatorAddress(k1) {
		t.Fatalf("add validator response %s", r.body)
	}
	wantProblem(t, "twice (as hex)", tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+hex.EncodeToString(k1)+`"}`)), 409, "gov.validatorExists")
	wantProblem(t, "bad key", tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"AAAA"}`)), 400, "gov.invalidValidatorKey")
	wantProblem(t, "bad power", tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+hex.EncodeToString(k2)+`","power":-1}`)), 400, "gov.invalidPower")
	// A power given is held to 1..1,000,000: 0 is not "the default", and
	// one too large for an integer is out of range, not "not an integer".
	for _, power := range []string{"0", "1000001", "1e20", "-1e20", "9223372036854775808", "1.5", `"10"`} {
		r := tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+hex.EncodeToString(k2)+`","power":`+power+`}`))
		wantProblem(t, "power "+power, r, 400, "gov.invalidPower")
		if !strings.Contains(string(r.body), "1 to 1000000") || !strings.Contains(string(r.body), "power") {
			t.Errorf("power %s: %s, want the range named", power, r.body)
		}
	}
	wantProblem(t, "bad node id", tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+hex.EncodeToString(k2)+`","nodeId":"XY"}`)), 400, "gov.invalidNodeId")
	wantProblem(t, "no token", tn.do(t, "POST", "/v1/validators", "", []byte(`{"pubKey":"`+hex.EncodeToString(k2)+`"}`)), 401, "auth.required")
	wantProblem(t, "unknown field", tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"key":"x"}`)), 400, "request.malformed")

	// 10 of 10: more than a third of the power in one block.
	wantProblem(t, "too much power", tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+hex.EncodeToString(k2)+`","power":10}`)), 409, "gov.powerChangeTooLarge")

	// A second validator with power 3 (key in URL-safe base64).
	r = tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+base64.RawURLEncoding.EncodeToString(k2)+`","power":3}`))
	if r.status != 201 {
		t.Fatalf("add a second validator: %d %s", r.status, r.body)
	}
	var list api.ValidatorList
	r = tn.do(t, "GET", "/v1/validators", "", nil)
	if _ = json.Unmarshal(r.body, &list); r.status != 200 || list.Count != 2 || list.Power != 13 || len(list.Validators) != 2 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}

	// Removal: unknown key, too much power at once, a key in the path in
	// every accepted spelling.
	wantProblem(t, "unknown", tn.do(t, "DELETE", "/v1/validators/"+hex.EncodeToString(newValidatorKey(t)), tn.token, []byte(`{}`)), 404, "gov.unknownValidator")
	wantProblem(t, "bad path key", tn.do(t, "DELETE", "/v1/validators/nope", tn.token, []byte(`{}`)), 400, "gov.invalidValidatorKey")
	wantProblem(t, "10 of 13", tn.do(t, "DELETE", "/v1/validators/"+url.PathEscape(b1), tn.token, []byte(`{}`)), 409, "gov.powerChangeTooLarge")
	r = tn.do(t, "DELETE", "/v1/validators/"+hex.EncodeToString(k2), tn.token, []byte(`{}`))
	if r.status != 200 {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	wantProblem(t, "the last one", tn.do(t, "DELETE", "/v1/validators/"+url.PathEscape(b1), tn.token, []byte(`{}`)), 409, "gov.lastValidator")

	// A pre-signed removal must name the key of the path (checked before
	// anything else: the signature does not matter here).
	other, _ := keys.Generate(keys.Ed25519)
	body := signedBody(t, tn.n, tn.n.AdminDID+"#key-1", other, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b1})
	wantProblem(t, "path and tx disagree", tn.do(t, "DELETE", "/v1/validators/"+hex.EncodeToString(k2), "", body), 400, "tx.wrongEndpoint")

	// Observers.
	id := strings.Repeat("0a", 20)
	r = tn.do(t, "POST", "/v1/observers", tn.token, []byte(`{"nodeId":"`+id+`","name":"reader","api":"http://127.0.0.1:9"}`))
	if _ = json.Unmarshal(r.body, &gr); r.status != 201 || gr.Observer == nil || gr.Observer.API != "http://127.0.0.1:9" {
		t.Fatalf("add observer: %d %s", r.status, r.body)
	}
	wantProblem(t, "observer twice", tn.do(t, "POST", "/v1/observers", tn.token, []byte(`{"nodeId":"`+id+`"}`)), 409, "gov.observerExists")
	wantProblem(t, "bad url", tn.do(t, "POST", "/v1/observers", tn.token, []byte(`{"nodeId":"`+strings.Repeat("0b", 20)+`","api":"ftp://x"}`)), 400, "gov.invalidUrl")
	r = tn.do(t, "GET", "/v1/observers", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), id) {
		t.Fatalf("observers: %d %s", r.status, r.body)
	}
	if r = tn.do(t, "DELETE", "/v1/observers/"+id, tn.token, []byte(`{}`)); r.status != 200 {
		t.Fatalf("remove observer: %d %s", r.status, r.body)
	}
	wantProblem(t, "observer gone", tn.do(t, "DELETE", "/v1/observers/"+id, tn.token, []byte(`{}`)), 404, "gov.unknownObserver")
}

func TestNodes_NoCommitProofUnderSolo(t *testing.T) {
	tn := startNode(t)
	wantProblem(t, "solo", tn.do(t, "GET", "/v1/blocks/0/commit", "", nil), 404, "ledger.noCommitProof")
	wantProblem(t, "bad height", tn.do(t, "GET", "/v1/blocks/x/commit", "", nil), 400, "block.badHeight")
}
