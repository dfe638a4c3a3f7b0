package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/internal/hant"
)

// revokedVerdict is a verdict as the node gives it on a revoked
// credential.
func revokedVerdict() api.Verdict {
	failed := api.Check{Name: "status", Status: "failed", Code: "status.revoked",
		Params: map[string]string{"list": "https://n.example/v1/status-lists/3", "index": "17", "purpose": "revocation"},
		Detail: "revoked (status list https://n.example/v1/status-lists/3 index 17)"}
	return api.Verdict{
		Checks: []api.Check{
			{Name: "structure", Status: "passed", Code: "structure.ok", Params: map[string]string{"format": "vc+jwt"}, Detail: "vc+jwt"},
			{Name: "proof", Status: "passed", Code: "proof.ok", Detail: "signature verified"},
			{Name: "accreditation", Status: "skipped", Detail: "not required"},
			failed,
		},
		Errors: []api.Check{failed},
	}
}

// TestVoice_VerdictInLocaleLanguage: with a Chinese locale the checks, the
// verdict and the failure are written from their codes in the pages'
// words (the same catalogue), Simplified for zh_CN and Traditional for
// zh_HK, with no English left but names and numbers; otherwise in English
// as before.
func TestVoice_VerdictInLocaleLanguage(t *testing.T) {
	vd := revokedVerdict()
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"凭证无效", "撤销状态", "失败", "已被签发者撤销", "https://n.example/v1/status-lists/3", "签名", "通过", "跳过", "认证签发者"}},
		{"zh_HK.UTF-8", []string{"憑證無效", "撤銷狀態", "失敗", "https://n.example/v1/status-lists/3", "簽名", "通過", "跳過"}},
	} {
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.locale)
		v := userVoice()
		var b bytes.Buffer
		printVerdict(&b, v, "credential", vd)
		printChecks(&b, v, vd.Checks)
		err := verdictErr(v, "credential", vd)
		out := b.String() + oneLine(err)
		t.Logf("%s:\n%s", c.locale, out)
		for _, want := range c.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: lacks %q:\n%s", c.locale, want, out)
			}
		}
		if m := regexp.MustCompile(`\b(passed|failed|skipped|revoked|verified|status list)\b`).FindString(out); m != "" {
			t.Errorf("%s: English %q left:\n%s", c.locale, m, out)
		}
		if strings.Contains(out, "{") {
			t.Errorf("%s: a placeholder left:\n%s", c.locale, out)
		}
		if c.locale == "zh_HK.UTF-8" {
			if s := hant.SimplifiedOnly(out); s != "" {
				t.Errorf("zh_HK: the Simplified %s:\n%s", s, out)
			}
		}
		// The columns line up: every status starts at the same column.
		var cols []int
		for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n")[1:] {
			for _, st := range []string{"通过", "失败", "跳过", "通過", "失敗", "跳過"} {
				if i := strings.Index(line, st); i >= 0 {
					cols = append(cols, displayWidth(line[:i]))
				}
			}
		}
		for _, col := range cols {
			if col != cols[0] {
				t.Errorf("%s: statuses at columns %v:\n%s", c.locale, cols, b.String())
				break
			}
		}
	}

	t.Setenv("LANG", "C.UTF-8")
	var b bytes.Buffer
	v := userVoice()
	printVerdict(&b, v, "credential", vd)
	printChecks(&b, v, vd.Checks)
	if got := b.String(); !strings.HasPrefix(got, "verified: false\n") || !strings.Contains(got, "  status          failed   revoked (status list") {
		t.Errorf("English:\n%s", got)
	}
	if err := verdictErr(v, "credential", vd); err == nil || err.Error() != "credential not verified: status failed" {
		t.Errorf("English: %v", err)
	}
}

// TestVoice_ProblemInLocaleLanguage: a problem from the node is written
// from its code in the locale's language, its code, status and English
// detail kept; a code the catalogue has no text for (a newer node's) gets
// the sentence naming the status.
func TestVoice_ProblemInLocaleLanguage(t *testing.T) {
	t.Setenv("LC_ALL", "zh_CN.UTF-8")
	known := &client.Error{Status: 400, Code: "credential.invalid", Detail: "malformed JWS: want three base64url segments"}
	got := oneLine(known)
	// The node's English detail is labelled as a check's reason labels it
	// (reason.generic.withDetail): one label, 英文详情, wherever the CLI
	// shows the node's English.
	for _, want := range []string{"这不是凭证", "(credential.invalid, HTTP 400)", "（英文详情：malformed JWS: want three base64url segments）"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	// A code of a newer node than this CLI (every code of this one's has
	// its text: web's TestI18n_EveryProblemInThreeLanguages).
	other := &client.Error{Status: 404, Code: "newer.notFound", Detail: "no evidence 9"}
	if got := oneLine(other); !strings.Contains(got, "节点拒绝了请求（状态码 404）") || !strings.Contains(got, "（英文详情：no evidence 9）") {
		t.Errorf("an untranslated code: %q", got)
	}
	t.Setenv("LC_ALL", "")
	t.Setenv("LANG", "")
	if got := oneLine(known); got != "malformed JWS: want three base64url segments (credential.invalid, HTTP 400)" {
		t.Errorf("English: %q", got)
	}
}

// TestVCVerify_ChineseLocale: against a node, "weid vc verify" of a
// revoked and of a tampered diploma with LANG=zh_CN.UTF-8 prints the
// verdict, every check and the failure in Chinese and exits non-zero, and
// pasted garbage gets the one Chinese sentence that it is not a
// credential; LANG=zh_HK.UTF-8 writes Traditional Chinese.
func TestVCVerify_ChineseLocale(t *testing.T) {
	walletEnv(t)
	n := startTestNode(t)
	dir, url := n.Dir, n.URL
	_, uniTok := n.University(t, true, `"status":["revocation"]`)
	cred := filepath.Join(dir, "diploma.json")
	writeFile(t, cred, `{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"], "type": ["VerifiableCredential"],
 "credentialSubject": {"id": "did:example:alice", "holderName": "Alice Chen", "degree": "Bachelor of Engineering",
   "fieldOfStudy": "Computer Science", "institution": "Example University", "awardedDate": "2026-07-01", "diplomaNumber": "EU-2026-0042"}}`)
	withNode := func(args ...string) []string { return append(args, "--node", url) }
	jwt := filepath.Join(dir, "diploma.jwt")
	writeFile(t, jwt, mustCLI(t, withNode("vc", "issue", cred, "--instance", "diploma", "--token", uniTok)...))
	rdfc := mustCLI(t, withNode("vc", "issue", cred, "--instance", "diploma", "--format", "eddsa-jcs-2022", "--token", uniTok)...)
	tampered := filepath.Join(dir, "tampered.json")
	writeFile(t, tampered, strings.Replace(rdfc, "Bachelor", "Master", 1))
	garbage := filepath.Join(dir, "garbage.txt")
	writeFile(t, garbage, "hello, is this a diploma?")
	id := regexp.MustCompile(`urn:uuid:[0-9a-f-]+`).FindString(mustCLI(t, withNode("vc", "verify", jwt, "-o", "json")...))
	mustCLI(t, withNode("vc", "revoke", id, "--token", uniTok)...)

	t.Setenv("LANG", "zh_CN.UTF-8")
	for _, c := range []struct {
		file string
		want []string
	}{
		{jwt, []string{"凭证无效", "“撤销状态”检查未通过：已被签发者撤销", "签名  ", "通过", "失败"}},
		{tampered, []string{"凭证无效", "“签名”检查未通过：签名与内容不符"}},
	} {
		stdout, stderr, code := runChild(t, withNode("vc", "verify", c.file)...)
		out := stdout + stderr
		if code == 0 {
			t.Errorf("%s: exit 0", filepath.Base(c.file))
		}
		for _, want := range c.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s: lacks %q:\n%s", filepath.Base(c.file), want, out)
			}
		}
		if m := regexp.MustCompile(`\b(passed|failed|skipped|warning|verified)\b`).FindString(out); m != "" {
			t.Errorf("%s: English %q left:\n%s", filepath.Base(c.file), m, out)
		}
	}
	stdout, stderr, code := runChild(t, withNode("vc", "verify", garbage)...)
	if code == 0 || strings.Count(strings.TrimSpace(stdout), "\n") != 1 || strings.Contains(stdout, "跳过") ||
		strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "不是可以读取的凭证") {
		t.Errorf("garbage: exit %d, stdout %q, stderr %q; want the verdict, the structure check and one Chinese line", code, stdout, stderr)
	}

	t.Setenv("LANG", "zh_HK.UTF-8")
	stdout, stderr, _ = runChild(t, withNode("vc", "verify", jwt)...)
	if out := stdout + stderr; !strings.Contains(out, "「撤銷狀態」檢查未通過") || hant.SimplifiedOnly(out) != "" {
		t.Errorf("zh_HK: %s", out)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVoice_PresentationVerdict: a presentation's verdict, its holder and
// each credential's are written in the locale's language; in English as
// before.
func TestVoice_PresentationVerdict(t *testing.T) {
	res := &api.PresentationVerifyResult{
		Verdict: api.Verdict{Verified: true, Checks: []api.Check{{Name: "holderProof", Status: "passed", Detail: "signed by the holder"}}},
		Holder:  "did:key:z6Mkholder",
		Credentials: []*api.VerifyResult{{Verdict: api.Verdict{Verified: true,
			Checks: []api.Check{{Name: "proof", Status: "passed", Code: "proof.ok", Detail: "signature verified"}}}}},
	}
	t.Setenv("LC_ALL", "zh_HK.UTF-8")
	var b bytes.Buffer
	printPresentationVerdict(&b, userVoice(), res)
	got := b.String()
	for _, want := range []string{"出示已驗證\n", "持有者：did:key:z6Mkholder\n", "持有者證明", "憑證 0：憑證有效\n", "簽發者的簽名真實"} {
		if !strings.Contains(got, want) {
			t.Errorf("zh_HK lacks %q:\n%s", want, got)
		}
	}
	t.Setenv("LC_ALL", "C")
	b.Reset()
	printPresentationVerdict(&b, userVoice(), res)
	if got := b.String(); !strings.HasPrefix(got, "verified: true\nholder: did:key:z6Mkholder\n") || !strings.Contains(got, "credential 0: verified: true\n") {
		t.Errorf("English:\n%s", got)
	}
}

// TestVoice_ReasonKeepsTheDetailsSpecifics: in Chinese, a check whose
// detail carries what its code's text cannot (the schema's field, a
// parser's reason) shows that English detail in the sentence, labelled;
// so does a code the catalogue has no text for (a newer node's), after
// the status's sentence, rather than "this check failed" alone.
func TestVoice_ReasonKeepsTheDetailsSpecifics(t *testing.T) {
	t.Setenv("LC_ALL", "zh_CN.UTF-8")
	v := userVoice()
	schema := api.Check{Name: "schema", Status: "failed", Code: "schema.nonConforming", Params: map[string]string{"subject": "0"},
		Detail: "credentialSubject 0: /degree/name: expected string"}
	if got := v.reason(schema); !strings.Contains(got, "声明不符合凭证的数据模板") || !strings.Contains(got, "/degree/name: expected string") || !strings.Contains(got, "英文详情") {
		t.Errorf("schema.nonConforming: %q", got)
	}
	unknown := api.Check{Name: "challenge", Status: "failed", Code: "challenge.newerReason", Detail: "the challenge was already used"}
	if got := v.reason(unknown); !strings.Contains(got, "此项检查未通过") || !strings.Contains(got, "the challenge was already used") {
		t.Errorf("an unknown code: %q", got)
	}
	reused := api.Check{Name: "challenge", Status: "failed", Code: "challenge.reused", Detail: "the challenge was already used (or expired)"}
	if got := v.reason(reused); !strings.Contains(got, "已被使用过或已过期") || strings.Contains(got, "already") {
		t.Errorf("challenge.reused: %q", got)
	}
}
