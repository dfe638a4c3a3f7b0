package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/wallet"
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
	walletEnv(t)
	n := startTestNode(t)
	dir, url, admin := n.Dir, n.URL, n.Admin
	_, uniTok := n.University(t, false, `"format":"dc+sd-jwt","disclosable":["/credentialSubject/holderName","/credentialSubject/degree","/credentialSubject/gpa"]`)
	offer := nodeAPI(t, "POST", url+"/v1/offers", uniTok, `{"instance":"diploma","claims":{"holderName":"Alice Chen","degree":"Bachelor of Engineering","gpa":3.7}}`, 201)
	wdir := filepath.Join(dir, "wallet")
	var w walletInitResult
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)
	mustCLI(t, "wallet", "receive", offer["offerUriByReference"].(string), "--wallet", wdir, "--node", url)

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
		for _, want := range []string{"registered as City Hall Front Desk (the node's trust registry)", desk["did"].(string), "check your degree", `claim ["degree"]`, "disclosing /degree, /holderName", "accepted"} {
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

	// A second diploma: wallet list tells the two apart (issuer's name,
	// claims, status from the node), and --credential picks which is sent.
	offer2 := nodeAPI(t, "POST", url+"/v1/offers", uniTok, `{"instance":"diploma","claims":{"holderName":"Alice Chen","degree":"Master of Engineering","gpa":3.9}}`, 201)
	mustCLI(t, "wallet", "receive", offer2["offerUriByReference"].(string), "--wallet", wdir, "--node", url)
	var list struct{ Credentials []walletEntry }
	mustCLIJSON(t, &list, "wallet", "list", "--wallet", wdir, "--node", url)
	if len(list.Credentials) != 2 {
		t.Fatalf("wallet list: %+v", list)
	}
	master := -1
	for i, e := range list.Credentials {
		if e.IssuerName != "Example University" || e.Status != "valid" || e.Claims["holderName"] != "Alice Chen" {
			t.Errorf("wallet list row %d: %+v", i+1, e)
		}
		if e.Claims["degree"] == "Master of Engineering" {
			master = i
		}
	}
	if master < 0 {
		t.Fatalf("wallet list shows no Master's diploma: %+v", list)
	}
	out := mustCLI(t, "wallet", "list", "--wallet", wdir, "--node", url)
	if !strings.Contains(out, "Example University") || !strings.Contains(out, "degree=Master of Engineering") || strings.Count(out, " valid ") != 2 {
		t.Errorf("wallet list:\n%s", out)
	}
	for _, pick := range []string{"#" + strconv.Itoa(master+1), list.Credentials[master].ID, idPrefix(list.Credentials[1-master].ID, 8)} {
		pr := nodeAPI(t, "POST", url+"/v1/presentation-requests", deskTok, `{"dcql_query":`+query+`}`, 201)
		out := mustCLI(t, "wallet", "present", pr["requestUri"].(string), "--wallet", wdir, "--node", url, "--yes", "--credential", pick)
		want := list.Credentials[master].ID
		if !strings.HasPrefix(list.Credentials[master].ID, strings.TrimPrefix(pick, "#")) && !strings.HasPrefix(pick, "#") {
			want = list.Credentials[1-master].ID
		}
		if !strings.Contains(out, "credential "+want) {
			t.Errorf("present --credential %s: does not send %s:\n%s", pick, want, out)
		}
		st := nodeAPI(t, "GET", url+"/v1/presentation-requests/"+pr["id"].(string), deskTok, "", 200)
		res, _ := st["result"].(map[string]any)
		if res == nil {
			t.Fatalf("present --credential %s: %v", pick, st)
		}
		got := res["credentials"].([]any)[0].(map[string]any)["claims"].(map[string]any)["degree"]
		if wantDegree := map[bool]string{true: "Master of Engineering", false: "Bachelor of Engineering"}[want == list.Credentials[master].ID]; got != wantDegree {
			t.Errorf("present --credential %s: the verifier got %v, want %s", pick, got, wantDegree)
		}
	}
	pr0 := nodeAPI(t, "POST", url+"/v1/presentation-requests", deskTok, `{"dcql_query":`+query+`}`, 201)
	// On a terminal the wallet would ask which of the two to send: both
	// answer the query.
	req, err := wallet.NewVPClient(client.New(url)).FetchRequest(context.Background(), pr0["requestUri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	wl, err := wallet.Open(wdir)
	if err != nil {
		t.Fatal(err)
	}
	held, err := wl.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	if c := candidates(req, held); len(c["diploma"]) != 2 {
		t.Errorf("candidates for the diploma query: %d, want 2", len(c["diploma"]))
	}
	// On a terminal: it lists both, the holder types the Master's number,
	// then yes.
	prT := nodeAPI(t, "POST", url+"/v1/presentation-requests", deskTok, `{"dcql_query":`+query+`}`, 201)
	stdout, stderr, err := runOnTerminal(t, strconv.Itoa(master+1)+"\ny\n", "wallet", "present", prT["requestUri"].(string), "--wallet", wdir, "--node", url)
	if err != nil || !strings.Contains(stderr, `2 credentials answer "diploma":`) || !strings.Contains(stderr, "Which one to send? [1-2, Enter for 1]") ||
		!strings.Contains(stderr, "degree=Master of Engineering") || !strings.Contains(stdout, "credential "+list.Credentials[master].ID) {
		t.Errorf("present on a terminal: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	st := nodeAPI(t, "GET", url+"/v1/presentation-requests/"+prT["id"].(string), deskTok, "", 200)
	if res, _ := st["result"].(map[string]any); res == nil || res["credentials"].([]any)[0].(map[string]any)["claims"].(map[string]any)["degree"] != "Master of Engineering" {
		t.Errorf("present on a terminal, choosing the Master's: %v", st)
	}
	if _, err := runCLI(t, "wallet", "present", pr0["requestUri"].(string), "--wallet", wdir, "--node", url, "--yes", "--credential", "#3"); err == nil || !strings.Contains(err.Error(), "the wallet holds 2 credentials") {
		t.Errorf("present --credential #3 of 2: %v", err)
	}

	// A request the wallet cannot answer: it says what is missing.
	pr := nodeAPI(t, "POST", url+"/v1/presentation-requests", deskTok, `{"dcql_query":{"credentials":[{"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["DrivingLicence"]}}]}}`, 201)
	if _, err := runCLI(t, "wallet", "present", pr["requestUri"].(string), "--wallet", wdir, "--node", url, "--yes"); err == nil || !strings.Contains(oneLine(err), "licence") {
		t.Errorf("unanswerable: %v", err)
	}
}
