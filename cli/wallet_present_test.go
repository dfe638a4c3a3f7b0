package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// nodeAPI calls a node's HTTP API with a token and decodes the JSON answer.
func nodeAPI(t *testing.T, method, url, token, body string, want int) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return out
}

// TestWalletPresent_OID4VP: a university issues an SD-JWT diploma to the
// CLI wallet over OpenID4VCI; a front desk asks, over OpenID4VP, for two of
// its claims; "weid wallet present" shows who asks for what, discloses
// exactly those two and the request is verified with them; a second answer
// is refused; without --yes and a terminal it refuses to guess.
func TestWalletPresent_OID4VP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node process; skipped with -short (make test runs it)")
	}
	walletEnv(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	url, _ := startNode(t, data)
	tok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(tok))
	acct := nodeAPI(t, "POST", url+"/v1/accounts", admin, `{"name":"example-university"}`, 201)
	uni, uniTok := acct["did"].(string), acct["token"].(string)
	nodeAPI(t, "POST", url+"/v1/issuers", admin, `{"did":"`+uni+`","name":"Example University","types":["UniversityDegreeCredential"]}`, 201)
	nodeAPI(t, "POST", url+"/v1/issuer-instances", uniTok, `{"name":"diploma","issuer":"`+uni+`","types":["UniversityDegreeCredential"],"format":"dc+sd-jwt",`+
		`"disclosable":["/credentialSubject/holderName","/credentialSubject/degree","/credentialSubject/gpa"]}`, 201)
	offer := nodeAPI(t, "POST", url+"/v1/offers", uniTok, `{"instance":"diploma","claims":{"holderName":"Alice Chen","degree":"Bachelor of Engineering","gpa":3.7}}`, 201)
	wdir := filepath.Join(dir, "wallet")
	var w walletInitResult
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)
	mustCLI(t, "wallet", "receive", offer["offerUriByReference"].(string), "--wallet", wdir)

	desk := nodeAPI(t, "POST", url+"/v1/accounts", admin, `{"name":"front-desk"}`, 201)
	deskTok := desk["token"].(string)
	nodeAPI(t, "POST", url+"/v1/issuers", admin, `{"did":"`+desk["did"].(string)+`","name":"City Hall Front Desk"}`, 201)
	query := `{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]},"claims":[{"path":["degree"]},{"path":["holderName"]}]}]}`
	for _, mode := range []string{"direct_post", "direct_post.jwt"} {
		pr := nodeAPI(t, "POST", url+"/v1/presentation-requests", deskTok, `{"dcql_query":`+query+`,"response_mode":"`+mode+`","purpose":"check your degree"}`, 201)
		link := pr["requestUri"].(string)
		if _, err := runCLI(t, "wallet", "present", link, "--wallet", wdir, "--node", url); err == nil || !strings.Contains(oneLine(err), "--yes") {
			t.Fatalf("%s: without --yes and a terminal: %v", mode, err)
		}
		out := mustCLI(t, "wallet", "present", link, "--wallet", wdir, "--node", url, "--yes")
		for _, want := range []string{"City Hall Front Desk (trust registry)", desk["did"].(string), "check your degree", `claim ["degree"]`, "disclosing /degree, /holderName", "accepted"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the output lacks %q:\n%s", mode, want, out)
			}
		}
		st := nodeAPI(t, "GET", url+"/v1/presentation-requests/"+pr["id"].(string), deskTok, "", 200)
		res, _ := st["result"].(map[string]any)
		if st["status"] != "verified" || res == nil {
			t.Fatalf("%s: %v", mode, st)
		}
		creds := res["credentials"].([]any)
		claims := creds[0].(map[string]any)["claims"]
		if want := map[string]any{"degree": "Bachelor of Engineering", "holderName": "Alice Chen"}; !reflect.DeepEqual(claims, want) || res["holder"] != w.DID {
			t.Errorf("%s: claims %v, holder %v", mode, claims, res["holder"])
		}
		if _, err := runCLI(t, "wallet", "present", link, "--wallet", wdir, "--node", url, "--yes"); err == nil {
			t.Errorf("%s: a request was answered twice", mode)
		}
	}

	// A request the wallet cannot answer: it says what is missing.
	pr := nodeAPI(t, "POST", url+"/v1/presentation-requests", deskTok, `{"dcql_query":{"credentials":[{"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["DrivingLicence"]}}]}}`, 201)
	if _, err := runCLI(t, "wallet", "present", pr["requestUri"].(string), "--wallet", wdir, "--node", url, "--yes"); err == nil || !strings.Contains(oneLine(err), "licence") {
		t.Errorf("unanswerable: %v", err)
	}
}
