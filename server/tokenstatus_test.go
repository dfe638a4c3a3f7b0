package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/status"
)

// sdjwtClaims decodes the issuer JWT payload of an SD-JWT.
func sdjwtClaims(t *testing.T, compact string) map[string]any {
	t.Helper()
	issuerJWT, _, _ := strings.Cut(compact, "~")
	return credtest.Payload(t, issuerJWT)
}

// An SD-JWT VC issued with a status purpose carries a Token Status List
// reference (draft-ietf-oauth-status-list-17 §6.2) and no credentialStatus;
// its list is served as a Status List Token (§5.1) at the uri, and a
// revocation or suspension on the ledger is seen through it.
func TestTokenStatus_SDJWTIssuedRevokedSuspendedOverHTTP(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"uni"}`)
	// A profile with both purposes gives an SD-JWT VC its revocation
	// entry only: the "status" claim holds one list.
	for _, purposes := range []string{"revocation,suspension", "revocation", "suspension"} {
		purpose, _, _ := strings.Cut(purposes, ",")
		inst := `{"name":"sd-` + strings.ReplaceAll(purposes, ",", "-") + `","issuer":"` + uni.DID + `","format":"dc+sd-jwt","types":["UniversityDegreeCredential"],"disclosable":["/credentialSubject/degree"],"status":["` + strings.ReplaceAll(purposes, ",", `","`) + `"]}`
		if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(inst)); r.status != 201 {
			t.Fatalf("instance: %d %s", r.status, r.body)
		}
		cred := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"` + uni.DID + `","credentialSubject":` + goodClaims + `}}`
		r := tn.do(t, "POST", "/issuers/sd-"+strings.ReplaceAll(purposes, ",", "-")+"/credentials/issue", uni.Token, []byte(cred))
		if r.status != 201 {
			t.Fatalf("issue: %d %s", r.status, r.body)
		}
		var issued struct {
			VerifiableCredential api.EnvelopedCredential `json:"verifiableCredential"`
		}
		_ = json.Unmarshal(r.body, &issued)
		_, compact, _ := strings.Cut(issued.VerifiableCredential.ID, ",")
		claims := sdjwtClaims(t, compact)
		if _, ok := claims["credentialStatus"]; ok {
			t.Fatalf("the SD-JWT VC has a credentialStatus: %v", claims)
		}
		ref, err := status.ParseReference(claims["status"])
		if err != nil {
			t.Fatalf("status claim %v: %v", claims["status"], err)
		}
		list, ok := status.ListIDFromTokenURL(ref.URI)
		if !ok || !strings.HasPrefix(ref.URI, tn.url+"/status-lists/") {
			t.Fatalf("uri %s", ref.URI)
		}

		// The Status List Token at the uri: statuslist+jwt, sub = uri.
		tokenAt := func() *status.Token {
			r := tn.do(t, "GET", strings.TrimPrefix(ref.URI, tn.url), "", nil)
			if r.status != 200 {
				t.Fatalf("token: %d %s", r.status, r.body)
			}
			tok, err := status.ParseToken(string(r.body))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Subject != ref.URI || tok.Bits != status.TokenBits(purpose) || tok.Issuer != uni.DID || !strings.HasPrefix(tok.JWS.Header.Kid, uni.DID+"#") {
				t.Fatalf("token %+v", tok)
			}
			return tok
		}
		if v, _ := tokenAt().Status(ref.Index); v != status.TokenValid {
			t.Fatalf("fresh credential: status %d", v)
		}
		verify := func() (int, credential.Result) { return tn.verifyVC(t, issued.VerifiableCredential, "") }
		st, res := verify()
		if st != 200 {
			t.Fatalf("verify: %d %+v", st, res)
		}
		checkStatus(t, res, credential.CheckStatus, credential.StatusPassed)

		// The entry is named by its list and index (the SD-JWT VC has no
		// "jti", so the credential's id is not visible to the verifier).
		up := fmt.Sprintf(`{"credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"%s","statusListCredential":"%s","statusListIndex":"%d"},"status":true}`, purpose, status.URL(tn.url, list), ref.Index)
		if r := tn.do(t, "POST", "/credentials/status", uni.Token, []byte(up)); r.status != 200 {
			t.Fatalf("%s: %d %s", purpose, r.status, r.body)
		}
		want, code := byte(status.TokenInvalid), credential.ReasonStatusRevoked
		if purpose == "suspension" {
			want, code = status.TokenSuspended, credential.ReasonStatusSuspended
		}
		if v, _ := tokenAt().Status(ref.Index); v != want {
			t.Fatalf("after the update: status %d, want %d", v, want)
		}
		st, res = verify()
		if st != notVerified || len(res.Errors) != 1 || res.Errors[0].Code != code || res.Errors[0].Params["list"] != list {
			t.Fatalf("%s: %d %+v", purpose, st, res.Errors)
		}
	}
	if r := tn.do(t, "GET", "/status-lists/nope/token", "", nil); r.status != 404 {
		t.Fatalf("unknown list: %d %s", r.status, r.body)
	}
}
