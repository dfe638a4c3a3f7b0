package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/wallet"
)

// TestWalletReceive_OID4VCI: an institution offers a diploma with a PIN
// through POST /v1/offers; "weid wallet receive" redeems it (by reference
// and by value), stores credentials bound to the wallet's key, and they
// verify; the offer cannot be redeemed twice, nor with a wrong PIN; with no
// node to verify what the issuer sends, the offer is not redeemed.
func TestWalletReceive_OID4VCI(t *testing.T) {
	walletEnv(t)
	n := startTestNode(t)
	dir, url := n.Dir, n.URL
	uni, uniTok := n.University(t, false, `"format":"dc+sd-jwt","disclosable":["/credentialSubject/degree"]`)
	offer := func() map[string]any {
		return nodeAPI(t, "POST", url+"/v1/offers", uniTok, `{"instance":"diploma","claims":{"holderName":"Alice Chen","degree":"Bachelor of Engineering"},"txCode":{"value":"493817","description":"sent by e-mail"}}`, 201)
	}

	wdir := filepath.Join(dir, "wallet")
	var w walletInitResult
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)

	o := offer()
	link := o["offerUriByReference"].(string)
	if _, err := runCLI(t, "wallet", "receive", link, "--wallet", wdir, "--node", url); err == nil || !strings.Contains(oneLine(err), "--pin") {
		t.Fatalf("no PIN: %v", err)
	}
	if _, err := runCLI(t, "wallet", "receive", link, "--wallet", wdir, "--pin", "000000", "--node", url); err == nil || !strings.Contains(oneLine(err), "invalid_grant") {
		t.Fatalf("wrong PIN: %v", err)
	}
	var got struct {
		Format      string
		Credentials []struct {
			ID, Format, Subject, Issuer string
		}
	}
	mustCLIJSON(t, &got, "wallet", "receive", link, "--wallet", wdir, "--pin", "493817", "--count", "2", "--node", url)
	if got.Format != "dc+sd-jwt" || len(got.Credentials) != 2 || got.Credentials[0].Subject != w.DID || got.Credentials[0].Issuer != uni {
		t.Fatalf("receive: %+v", got)
	}
	if _, err := runCLI(t, "wallet", "receive", o["offerUri"].(string), "--wallet", wdir, "--pin", "493817", "--node", url); err == nil || !strings.Contains(oneLine(err), "invalid_grant") {
		t.Fatalf("redeemed twice: %v", err)
	}

	// By value, one credential; then each stored credential verifies.
	o2 := offer()
	mustCLI(t, "wallet", "receive", o2["offerUri"].(string), "--wallet", wdir, "--pin", "493817", "--node", url)
	list := mustCLI(t, "wallet", "list", "--wallet", wdir)
	if n := strings.Count(list, "UniversityDegreeCredential"); n != 3 {
		t.Fatalf("wallet list: %d diplomas:\n%s", n, list)
	}
	for _, c := range got.Credentials {
		sc, err := (&wallet.Wallet{Dir: wdir}).Credential(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var tokStr string
		_ = json.Unmarshal(sc.Credential, &tokStr)
		res := nodeAPI(t, "POST", url+"/credentials/verify", "", `{"verifiableCredential":`+string(sc.Credential)+`,"options":{"requireAccreditation":true}}`, 200)
		if res["verified"] != true || !bytes.Contains([]byte(tokStr), []byte("~")) {
			t.Fatalf("verify %s: %v", c.ID, res)
		}
	}
	// With no node to verify them, the offer is not redeemed (it is
	// redeemed once): it still gives its credential once the node answers.
	o3 := offer()
	if _, err := runCLI(t, "wallet", "receive", o3["offerUri"].(string), "--wallet", wdir, "--pin", "493817", "--node", "http://127.0.0.1:1"); err == nil || !strings.Contains(oneLine(err), "the offer was not redeemed") {
		t.Fatalf("receive with no node to verify: %v", err)
	}
	if held, _ := (&wallet.Wallet{Dir: wdir}).Credentials(); len(held) != 3 {
		t.Fatalf("the wallet holds %d credentials, want 3", len(held))
	}
	mustCLI(t, "wallet", "receive", o3["offerUri"].(string), "--wallet", wdir, "--pin", "493817", "--node", url)
	if held, _ := (&wallet.Wallet{Dir: wdir}).Credentials(); len(held) != 4 {
		t.Fatalf("after the node answered, the wallet holds %d credentials, want 4", len(held))
	}
	// The wallet presents one, disclosing only the degree, with its key.
	mustCLI(t, "vp", "create", "--wallet", wdir, "--credential", got.Credentials[0].ID, "--disclose", "/degree", "--challenge", "c", "--domain", "https://bank.example")
}

// TestWalletReceive_RefusalInTheUsersLanguage: a refused credential is
// named, with the verifier's verdict, in the locale's language, and the
// user is told that nothing was stored.
func TestWalletReceive_RefusalInTheUsersLanguage(t *testing.T) {
	walletEnv(t)
	vd := api.Verdict{Errors: []api.Check{{Name: "proof", Status: "failed", Code: "proof.badSignature", Params: map[string]string{"key": "did:key:z6Mk#z6Mk"}, Detail: "bad signature"}}}
	refused := &wallet.RefusedError{N: 2, Of: 3, Issuer: "https://uni.example", Verdict: &vd}
	if got := oneLine((&globals{}).receiveErr("https://uni.example", refused)); got != "credential 2 of 3 from https://uni.example: not verified: proof failed (bad signature); nothing was stored" {
		t.Errorf("English: %s", got)
	}
	t.Setenv("LANG", "zh_CN.UTF-8")
	got := oneLine((&globals{}).receiveErr("https://uni.example", refused))
	if !strings.HasPrefix(got, "https://uni.example 发来的凭证一份也未保存：第 2 份凭证（共 3 份）：") || strings.Contains(got, "proof failed") {
		t.Errorf("zh-CN: %s", got)
	}
}
