package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/internal/hant"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/wallet"
)

// setLocale sets the locale the CLI reads its language from (userLang).
func setLocale(t *testing.T, locale string) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", locale)
}

// walletEnglish are English words the wallet's screens print around what
// others wrote; none may be left under a Chinese locale.
var walletEnglish = regexp.MustCompile(`\b(Verifier|checked|registered|calls itself|Sends to|Purpose|Asks for|credential|of type|claim|Will send|disclosing|WARNING|revoked|suspended|expired|valid|unchecked|Present|although|Presented|Continue|Declined|ID|FORMAT|TYPE|ISSUER|ISSUED|STATUS|CLAIMS|transaction code|invalid_grant:|the offer)\b`)

// checkChinese fails when out has English words of the wallet's own,
// a placeholder left, lacks one of want, or, for zh_HK, a Simplified
// character.
func checkChinese(t *testing.T, locale, out string, want []string) {
	t.Helper()
	t.Logf("%s:\n%s", locale, out)
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: lacks %q", locale, w)
		}
	}
	if m := walletEnglish.FindString(regexp.MustCompile(`--[a-z-]+`).ReplaceAllString(out, "")); m != "" {
		t.Errorf("%s: English %q left", locale, m)
	}
	if regexp.MustCompile(`\{[a-zA-Z]+\}`).MatchString(out) {
		t.Errorf("%s: a placeholder left", locale)
	}
	if locale == "zh_HK.UTF-8" {
		if s := hant.SimplifiedOnly(out); s != "" {
			t.Errorf("zh_HK: the Simplified %s", s)
		}
	}
}

// TestWalletConsent_InLocaleLanguage: the consent screen of "weid wallet
// present", its question and its outcomes are in the locale's language;
// what the verifier wrote is shown as it is (escaped).
func TestWalletConsent_InLocaleLanguage(t *testing.T) {
	sum := &wallet.Summary{
		ClientID: "decentralized_identifier:did:weid:v", Verifier: "did:weid:v", VerifierName: "Example Bank", Registered: true,
		ClientName: "Bank\x1b[2J", Purpose: "account opening", SendsTo: "https://collect.example",
		Asked:     []wallet.Ask{{Query: "diploma", Format: "dc+sd-jwt", Types: []string{"Diploma", "Degree"}, Claims: []string{"degree"}}},
		Presented: []wallet.Chosen{{Query: "diploma", Credential: "abc", Format: "dc+sd-jwt", Disclosed: []string{"/degree"}, Standing: wallet.StandingRevoked}},
	}
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"验证方", "Example Bank", `Bank\x1b[2J`, "account opening", "https://collect.example", "Diploma", "/degree", "凭证", "已撤销", "出示", "abc"}},
		{"zh_HK.UTF-8", []string{"驗證方", "Example Bank", `Bank\x1b[2J`, "account opening", "https://collect.example", "Diploma", "/degree", "憑證", "已撤銷", "出示", "abc"}},
	} {
		setLocale(t, c.locale)
		var b strings.Builder
		describeRequest(&b, sum)
		b.WriteString(consentQuestion(sum) + "\n")
		b.WriteString(oneLine(notInGoodStanding(sum)) + "\n")
		b.WriteString(say("cli.wallet.present.accepted") + "\n" + say("cli.wallet.present.declined") + "\n")
		b.WriteString(standingMark(wallet.StandingSuspended) + "\n")
		checkChinese(t, c.locale, b.String(), c.want)
	}
}

// TestWalletList_InLocaleLanguage: "weid wallet list" names its columns
// and the credentials' standing in the locale's language, the columns
// lined up by display width; -o json keeps the English words.
func TestWalletList_InLocaleLanguage(t *testing.T) {
	entries := []walletEntry{
		{N: 1, Entry: wallet.Entry{ID: "abc", Format: "vc+jwt", Types: []string{"VerifiableCredential", "Diploma"}, Issuer: "did:weid:i", Issued: "2026-01-02T00:00:00Z"}, Status: statusValid},
		{N: 2, Entry: wallet.Entry{ID: "def", Format: "dc+sd-jwt", Types: []string{"Licence"}, Issuer: "did:weid:j"}, IssuerName: "運輸署", Status: "revoked"},
		{N: 3, Entry: wallet.Entry{ID: "ghi", Format: "ldp_vc", Types: []string{"Card"}, Issuer: "did:weid:k"}, Status: "suspended"},
		{N: 4, Entry: wallet.Entry{ID: "jkl", Format: "ldp_vc", Types: []string{"Card"}, Issuer: "did:weid:k"}, Status: "expired"},
		{N: 5, Entry: wallet.Entry{ID: "mno", Format: "ldp_vc", Types: []string{"Card"}, Issuer: "did:weid:k"}, Status: "not valid yet"},
		{N: 6, Entry: wallet.Entry{ID: "pqr", Format: "ldp_vc", Types: []string{"Card"}, Issuer: "did:weid:k"}, Status: "not valid (proof, schema)"},
		{N: 7, Entry: wallet.Entry{ID: "stu", Format: "ldp_vc", Types: []string{"Card"}, Issuer: "did:weid:k"}, Status: statusUnchecked},
		{N: 8, Entry: wallet.Entry{ID: "vwx", Format: "ldp_vc", Types: []string{"Card"}, Issuer: "did:weid:k"}, Status: statusUnreadable},
	}
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"签发者", "有效", "已撤销", "已暂停", "已过期", "尚未生效", "签名", "Diploma", "運輸署", "2026-01-02"}},
		{"zh_HK.UTF-8", []string{"簽發者", "有效", "已撤銷", "已暫停", "已過期", "尚未生效", "簽名", "Diploma", "2026-01-02"}},
	} {
		setLocale(t, c.locale)
		var b strings.Builder
		printWalletList(&b, entries)
		checkChinese(t, c.locale, strings.ReplaceAll(b.String(), "運輸署", ""), c.want[:len(c.want)-2])
		// The formats (ASCII) start at one display column on every line.
		col := -1
		for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n")[1:] {
			fields := strings.SplitN(line, "  ", 2)
			i := strings.Index(line, strings.TrimLeft(fields[1], " "))
			if w := displayWidth(line[:i]); col == -1 {
				col = w
			} else if w != col {
				t.Errorf("%s: columns not lined up:\n%s", c.locale, b.String())
				break
			}
		}
		if !strings.Contains(b.String(), "運輸署") {
			t.Errorf("%s: the issuer's name is not shown", c.locale)
		}
	}
	setLocale(t, "en_US.UTF-8")
	var b strings.Builder
	printWalletList(&b, entries[:2])
	if !strings.HasPrefix(b.String(), "#  ID   FORMAT     TYPE     ISSUER      ISSUED      STATUS   CLAIMS\n") {
		t.Errorf("English header changed:\n%s", b.String())
	}
}

// TestWalletReceive_ErrorsInLocaleLanguage: an issuer's OAuth error and
// the missing PIN are said in the locale's language, the issuer's own
// words kept and labelled.
func TestWalletReceive_ErrorsInLocaleLanguage(t *testing.T) {
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"签发者", "invalid_grant", "code expired", "--pin"}},
		{"zh_HK.UTF-8", []string{"簽發者", "invalid_grant", "code expired", "--pin"}},
	} {
		setLocale(t, c.locale)
		err := receiveFailed(fmt.Errorf("token: %w", &oid4vci.Error{Code: oid4vci.ErrInvalidGrant, Description: "code expired"}))
		out := err.Error() + "\n" + receiveFailed(wallet.ErrTxCodeRequired).Error()
		checkChinese(t, c.locale, strings.ReplaceAll(out, "code expired", ""), c.want[:2])
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: lacks %q: %s", c.locale, w, out)
			}
		}
	}
}

// TestWalletMessages_InLocaleLanguage: the wallet's other words — a
// missing wallet, a credential number it does not hold, the passphrase's
// errors, the labels of "weid wallet show" — are in the locale's
// language.
func TestWalletMessages_InLocaleLanguage(t *testing.T) {
	walletEnv(t)
	dir := t.TempDir()
	wdir := filepath.Join(dir, "w")
	mustCLI(t, "wallet", "init", "--wallet", wdir)
	empty := writeTestFile(t, dir, "empty", "\n")
	sc := &wallet.Stored{Entry: wallet.Entry{ID: "abc", Format: credential.FormatSDJWT, Types: []string{"Diploma"}, Issuer: "did:weid:i"}, Credential: json.RawMessage(`"eyJh.eyJi.c2ln~"`)}
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"钱包", "weid wallet init --wallet", "凭证", "口令", "签发者", "Diploma", "did:weid:i", "Alice"}},
		{"zh_HK.UTF-8", []string{"錢包", "weid wallet init --wallet", "憑證", "口令", "簽發者", "Diploma", "did:weid:i", "Alice"}},
	} {
		setLocale(t, c.locale)
		var b strings.Builder
		for _, args := range [][]string{
			{"wallet", "list", "--wallet", filepath.Join(dir, "none")},
			{"wallet", "show", "#7", "--wallet", wdir},
			{"wallet", "show", "#x", "--wallet", wdir},
			{"wallet", "show", "zzzz", "--wallet", wdir},
			{"wallet", "add", "x", "--require-accreditation", "--wallet", wdir},
		} {
			_, err := runCLI(t, args...)
			b.WriteString(oneLine(err) + "\n")
		}
		_, err := passphrase(empty, false)
		b.WriteString(oneLine(err) + "\n")
		printStored(&b, sc, map[string]any{"name": "Alice"}, []wallet.Disclosure{{Name: "name", Value: "Alice"}, {ArrayElement: true, Value: "x"}})
		checkChinese(t, c.locale, b.String(), c.want)
	}
}

// TestWalletPresent_ErrorsInLocaleLanguage: a request the wallet cannot
// answer, or one it could not fetch or answer, is said in the locale's
// language with the wallet's English account labelled; a node's problem
// inside is still found (and so said from its code).
func TestWalletPresent_ErrorsInLocaleLanguage(t *testing.T) {
	why := errors.New("the wallet cannot answer the request: diploma: the wallet holds no credential")
	problem := fmt.Errorf("fetch the request object: %w", &client.Error{Status: 404, Code: "presentation.notFound", Detail: "no such request"})
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"钱包中没有能回应此请求的凭证", "未能读取验证方的请求", "未能发送出示", "英文"}},
		{"zh_HK.UTF-8", []string{"錢包中沒有能回應此請求的憑證", "未能讀取驗證方的請求", "未能發送出示", "英文"}},
	} {
		setLocale(t, c.locale)
		var b strings.Builder
		for _, err := range []error{presentFailed("cannotAnswer", why), presentFailed("fetchFailed", why), presentFailed("postFailed", why)} {
			b.WriteString(strings.ReplaceAll(err.Error(), why.Error(), "") + "\n")
		}
		checkChinese(t, c.locale, b.String(), c.want)
		var ce *client.Error
		if err := presentFailed("fetchFailed", problem); !errors.As(err, &ce) {
			t.Errorf("%s: the node's problem is lost: %v", c.locale, err)
		}
	}
	setLocale(t, "C")
	if err := presentFailed("cannotAnswer", why); err != why {
		t.Errorf("English: %v, want the wallet's error as it is", err)
	}
	if err := presentFailed("fetchFailed", why); err.Error() != "present: "+why.Error() {
		t.Errorf("English: %v", err)
	}
}

// TestWalletStore_InLocaleLanguage: what the wallet itself says — wallet
// init's labels, a credential already held, an id prefix naming several,
// a credential refused or kept by receive, a credential --verify refuses —
// is in the locale's language; -o json keeps its English keys.
func TestWalletStore_InLocaleLanguage(t *testing.T) {
	walletEnv(t)
	n := serveNode(t, node.Config{})
	iss := credtest.Issuer(t, keys.Ed25519)
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"钱包 ", "验证方法 ", "密钥 Ed25519", "已在钱包中", "对应 2 份凭证", "第 2 份凭证（共 3 份）", "钱包拒收", "the issuer sent this credential twice", "received/x.txt", "weid wallet add --verify", "未保存", "已有钱包", "已损坏", "已收到但未保存", "不是钱包能读取的凭证"}},
		{"zh_HK.UTF-8", []string{"錢包 ", "驗證方法 ", "密鑰 Ed25519", "已在錢包中", "對應 2 份憑證", "第 2 份憑證（共 3 份）", "錢包拒收", "the issuer sent this credential twice", "received/x.txt", "weid wallet add --verify", "未保存", "已有錢包", "已損壞", "已收到但未儲存", "不是錢包能讀取的憑證"}},
	} {
		setLocale(t, c.locale)
		dir := t.TempDir()
		wdir := filepath.Join(dir, "w")
		var b strings.Builder
		out := mustCLI(t, "wallet", "init", "--wallet", wdir)
		b.WriteString(strings.ReplaceAll(out, wdir, "") + "\n")
		var w walletInitResult
		mustCLIJSON(t, &w, "wallet", "init", "--wallet", filepath.Join(dir, "w2"))
		if w.DID == "" || w.VerificationMethod == "" {
			t.Errorf("%s: wallet init -o json: %+v", c.locale, w)
		}
		jwt, err := credential.IssueJWT(iss, credtest.Credential(iss.DID, w.DID, "TrainingCertificate", ""), time.Now(), credential.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		file := writeTestFile(t, dir, "cert.jwt", jwt)
		mustCLI(t, "wallet", "add", file, "--wallet", wdir)
		_, err = runCLI(t, "wallet", "add", file, "--wallet", wdir)
		b.WriteString(oneLine(err) + "\n")
		b.WriteString(oneLine(walletWords(&wallet.AmbiguousError{Prefix: "ab", N: 2})) + "\n")
		g := &globals{}
		refused := &wallet.RefusedError{N: 2, Of: 3, Issuer: "https://uni.example", Err: errors.New("the issuer sent this credential twice")}
		b.WriteString(oneLine(g.receiveErr("https://uni.example", refused)) + "\n")
		kept := &wallet.KeptError{Files: []string{"received/x.txt"}, Err: &client.Error{Status: 503, Code: "node.unavailable", Detail: "busy"}}
		b.WriteString(oneLine(g.receiveErr("https://uni.example", kept)) + "\n")
		b.WriteString(oneLine(g.receiveErr("https://uni.example", fmt.Errorf("%w; nothing was stored", &wallet.HeldError{ID: "abc"}))) + "\n")
		tampered := writeTestFile(t, dir, "tampered.jwt", jwt[:len(jwt)-4]+"AAAA")
		_, err = runCLI(t, "wallet", "add", tampered, "--wallet", wdir, "--verify", "--node", n.URL)
		b.WriteString(oneLine(err) + "\n")
		err = verifyBeforeStoring(context.Background(), &globals{node: n.URL + "/nowhere"}, &wallet.Stored{Credential: json.RawMessage(`"x"`)}, false)
		b.WriteString(oneLine(err) + "\n")
		_, err = runCLI(t, "wallet", "init", "--wallet", wdir)
		b.WriteString(oneLine(err) + "\n")
		_, err = runCLI(t, "wallet", "add", writeTestFile(t, dir, "junk.txt", "junk"), "--wallet", wdir)
		b.WriteString(strings.ReplaceAll(oneLine(err), errors.Unwrap(err).Error(), "") + "\n")
		writeTestFile(t, filepath.Join(wdir, wallet.CredentialDir), "9d254e0a758a.json", `{"id":"9d254e0a758a","cred`)
		if err := os.MkdirAll(filepath.Join(wdir, wallet.ReceivedDir), 0o700); err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(wdir, wallet.ReceivedDir), "x.txt", jwt)
		w1, err := wallet.Open(wdir)
		if err != nil {
			t.Fatal(err)
		}
		warnWallet(&b, w1)
		_, err = runCLI(t, "wallet", "show", "9d254e0a758a", "--wallet", wdir)
		b.WriteString(oneLine(err) + "\n")
		text := b.String()
		if m := regexp.MustCompile(`(?m)^(wallet|verificationMethod|key) |already|names 2|is damaged|goes on|not stored|not overwritten|add each|nothing was stored|the offer is used up|not verified|failed|verify through`).FindString(text); m != "" {
			t.Errorf("%s: English %q left", c.locale, m)
		}
		checkChinese(t, c.locale, strings.ReplaceAll(text, "the issuer sent this credential twice", ""), append(c.want[:len(c.want)-8:len(c.want)-8], c.want[len(c.want)-4:]...))
		for _, want := range c.want {
			if !strings.Contains(text, want) {
				t.Errorf("%s: lacks %q", c.locale, want)
			}
		}
	}
}
