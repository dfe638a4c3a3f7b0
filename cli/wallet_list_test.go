package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/wallet"
)

// TestWalletList_StatusWord: the node's verdict on a stored credential in
// the words of "weid wallet list".
func TestWalletList_StatusWord(t *testing.T) {
	failed := func(name, detail string) []failedCheck { return []failedCheck{{name, detail}} }
	for _, tc := range []struct {
		res  []failedCheck
		want string
	}{
		{nil, "valid"},
		{failed(credential.CheckStatus, "revoked (status list https://n/status-lists/1 index 7)"), "revoked"},
		{failed(credential.CheckStatus, "suspended (status list https://n/status-lists/2 index 7)"), "suspended"},
		{failed(credential.CheckValidityPeriod, "expired: validUntil is 2020-01-01, now is 2026-12-05"), "expired"},
		{failed(credential.CheckValidityPeriod, "not valid yet: validFrom is 2030-01-01, now is 2026-12-05"), "not valid yet"},
		{[]failedCheck{{Name: "proof"}, {Name: "schema"}}, "not valid (proof, schema)"},
	} {
		if got := statusWord(tc.res == nil, tc.res); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.res, got, tc.want)
		}
	}
}

// TestWalletList_SDJWTSentWithoutDisclosures: the list asks the node about
// an SD-JWT with none of its disclosures; other credentials go as stored.
func TestWalletList_SDJWTSentWithoutDisclosures(t *testing.T) {
	sd := &wallet.Stored{Format: credential.FormatSDJWT, Credential: json.RawMessage(`"eyJh.eyJi.c2ln~WyJzYWx0IiwiZGVncmVlIiwiQkVuZyJd~WyJzIiwibiIsInYiXQ~"`)}
	var tok string
	if err := json.Unmarshal(withoutDisclosures(sd), &tok); err != nil || tok != "eyJh.eyJi.c2ln~" {
		t.Errorf("SD-JWT sent as %q, %v; want the issuer JWT and one ~", tok, err)
	}
	jwt := &wallet.Stored{Format: credential.FormatJWT, Credential: json.RawMessage(`"eyJh.eyJi.c2ln"`)}
	if got := string(withoutDisclosures(jwt)); got != `"eyJh.eyJi.c2ln"` {
		t.Errorf("vc+jwt sent as %s", got)
	}
}

// TestWalletList_ClaimsLine: claims in name order, nested values elided,
// cut with an ellipsis.
func TestWalletList_ClaimsLine(t *testing.T) {
	c := map[string]any{"name": "Alice Chen", "gpa": 3.7, "address": map[string]any{"city": "Macau"}, "tags": []any{"a"}}
	if got, want := claimsLine(c, 100), "address=…, gpa=3.7, name=Alice Chen, tags=…"; got != want {
		t.Errorf("claimsLine: %q, want %q", got, want)
	}
	if got := claimsLine(c, 12); got != "address=…, …" || !strings.HasSuffix(got, "…") {
		t.Errorf("claimsLine cut to 12: %q", got)
	}
}
