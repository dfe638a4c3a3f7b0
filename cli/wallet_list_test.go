package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
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
	sd := &wallet.Stored{Entry: wallet.Entry{Format: credential.FormatSDJWT}, Credential: json.RawMessage(`"eyJh.eyJi.c2ln~WyJzYWx0IiwiZGVncmVlIiwiQkVuZyJd~WyJzIiwibiIsInYiXQ~"`)}
	var tok string
	if err := json.Unmarshal(sd.IssuerSigned(), &tok); err != nil || tok != "eyJh.eyJi.c2ln~" {
		t.Errorf("SD-JWT sent as %q, %v; want the issuer JWT and one ~", tok, err)
	}
	jwt := &wallet.Stored{Entry: wallet.Entry{Format: credential.FormatJWT}, Credential: json.RawMessage(`"eyJh.eyJi.c2ln"`)}
	if got := string(jwt.IssuerSigned()); got != `"eyJh.eyJi.c2ln"` {
		t.Errorf("vc+jwt sent as %s", got)
	}
}

// TestWalletList_ClaimsLine: claims in name order, nested values elided,
// cut with an ellipsis.
func TestWalletList_ClaimsLine(t *testing.T) {
	c := map[string]any{"name": "Alice Chen", "gpa": 3.7, "address": map[string]any{"city": "Macau"}, "tags": []any{"a"}}
	if got, want := claimsLine(c, nil, 100), "address=…, gpa=3.7, name=Alice Chen, tags=…"; got != want {
		t.Errorf("claimsLine: %q, want %q", got, want)
	}
	if got, want := claimsLine(c, map[string]string{"name": "姓名"}, 100), "address=…, gpa=3.7, 姓名=Alice Chen, tags=…"; got != want {
		t.Errorf("claimsLine with labels: %q, want %q", got, want)
	}
	if got := claimsLine(c, nil, 12); got != "address=…, …" || !strings.HasSuffix(got, "…") {
		t.Errorf("claimsLine cut to 12: %q", got)
	}
}

// TestWalletList_ClaimsInSchemaWords: "weid wallet list" names a diploma's
// schema and claims as the node's schema names them, in the language of
// the locale (zh_HK and zh_CN; English otherwise), and with -o json gives
// the labels beside the keys; offline it has only the keys.
func TestWalletList_ClaimsInSchemaWords(t *testing.T) {
	walletEnv(t)
	n := startTestNode(t)
	dir, url := n.Dir, n.URL
	_, uniTok := n.University(t, true, "")
	offer := nodeAPI(t, "POST", url+"/v1/offers", uniTok, `{"instance":"diploma","claims":{"holderName":"Alice Chen","degree":"Bachelor of Engineering",`+
		`"fieldOfStudy":"Computer Science","degreeLevel":"master","institution":"Example University","awardedDate":"2026-07-01","diplomaNumber":"EU-2026-0042"}}`, 201)
	wdir := filepath.Join(dir, "wallet")
	mustCLI(t, "wallet", "init", "--wallet", wdir)
	mustCLI(t, "wallet", "receive", offer["offerUriByReference"].(string), "--wallet", wdir, "--node", url)

	for _, c := range []struct {
		locale, title, degree, awarded, level string
	}{
		{"zh_HK.UTF-8", "學位證書", "學位", "頒授日期", "學位級別=碩士"},
		{"zh_CN.UTF-8", "学位证书", "学位", "授予日期", "学位层次=硕士"},
		{"C.UTF-8", "University diploma", "Degree", "Date awarded", "Degree level=Master's degree"},
	} {
		t.Setenv("LANG", c.locale)
		out := mustCLI(t, "wallet", "list", "--wallet", wdir, "--node", url)
		wants := []string{c.title + " (UniversityDegreeCredential)", c.awarded + "=2026-07-01", c.degree + "=Bachelor of Engineering"}
		if strings.HasPrefix(c.locale, "zh") { // the English line is cut before it
			wants = append(wants, c.level)
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("LANG=%s: the list lacks %q:\n%s", c.locale, want, out)
			}
		}
		var list struct{ Credentials []walletEntry }
		mustCLIJSON(t, &list, "wallet", "list", "--wallet", wdir, "--node", url)
		if e := list.Credentials[0]; e.Title != c.title || e.ClaimLabels["degree"] != c.degree || e.Claims["degree"] != "Bachelor of Engineering" ||
			e.Claims["degreeLevel"] != "master" || !strings.HasSuffix(c.level, "="+e.ValueLabels["degreeLevel"]) {
			t.Errorf("LANG=%s: -o json %+v", c.locale, e)
		}
	}
	t.Setenv("LC_ALL", "zh_TW.UTF-8") // LC_ALL first, as POSIX reads it
	if out := mustCLI(t, "wallet", "list", "--wallet", wdir, "--node", url); !strings.Contains(out, "學位=Bachelor") {
		t.Errorf("LC_ALL=zh_TW: %s", out)
	}
	if out := mustCLI(t, "wallet", "list", "--wallet", wdir, "--offline"); !strings.Contains(out, "degree=Bachelor") || strings.Contains(out, "學位") {
		t.Errorf("offline: %s", out)
	}
}

// TestUserLang: locales as POSIX names them and BCP 47 tags map to the
// pages' three languages.
func TestUserLang(t *testing.T) {
	for in, want := range map[string]string{
		"zh_CN.UTF-8": langZhCN, "zh_SG": langZhCN, "zh": langZhCN, "zh-Hans-HK": langZhCN, "zh_CN.GB18030@pinyin": langZhCN,
		"zh_HK.UTF-8": langZhHK, "zh_MO": langZhHK, "zh_TW.Big5": langZhHK, "zh-Hant": langZhHK, "zh-HK": langZhHK,
		"C": langEN, "POSIX": langEN, "en_US.UTF-8": langEN, "zu_ZA": langEN, "zhx": langEN, "": langEN,
	} {
		if got := localeLang(in); got != want {
			t.Errorf("localeLang(%q) = %s, want %s", in, got, want)
		}
	}
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "zh_HK.UTF-8")
	t.Setenv("LANG", "en_GB.UTF-8")
	if got := userLang(); got != langZhHK {
		t.Errorf("LC_MESSAGES over LANG: %s", got)
	}
}

// An issuer's claims reach "wallet list" (and the chooser of "present")
// with their escape codes and bidi overrides shown, not obeyed.
func TestClaimsLine_ShowsControlsEscaped(t *testing.T) {
	got := claimsLine(map[string]any{"name\x1b[2J": "Alice\u202eFake\x1b[31m"}, nil, 100)
	if want := `name\x1b[2J=Alice\u202eFake\x1b[31m`; got != want {
		t.Errorf("claimsLine: %q, want %q", got, want)
	}
}

// TestWalletList_SDJWTIssuedIsItsIat: an SD-JWT VC's ISSUED is its "iat",
// and "wallet show" gives its validity from "nbf" and "exp"; a
// professional licence's own claim validFrom (and validUntil), plain or
// selectively disclosable, is one of its claims, not a date of the
// credential.
func TestWalletList_SDJWTIssuedIsItsIat(t *testing.T) {
	dir, wdir, w := initTestWallet(t)
	iss := credtest.Issuer(t, keys.Ed25519)
	holder := walletKey(t, wdir).Public()
	// iat 2025-06-02T09:00:00Z, nbf 2025-07-01, exp 2031-01-01; the
	// licence is valid (its own words) from 2026-01-01 to 2027-12-31.
	claims := `{"iss":"` + iss.DID + `","vct":"ProfessionalLicence","sub":"` + w.DID + `","iat":1748854800,"nbf":1751328000,"exp":1924992000,` +
		`"field":"civil","validFrom":"2026-01-01","validUntil":"2027-12-31"}`
	for _, tc := range []struct {
		name        string
		disclosable []string
	}{
		{"plain claims", nil},
		{"selectively disclosable", []string{"/validFrom", "/validUntil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sd, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(claims), sdjwt.IssueOptions{Disclosable: tc.disclosable, HolderKey: &holder})
			if err != nil {
				t.Fatal(err)
			}
			var sc wallet.Stored
			mustCLIJSON(t, &sc, "wallet", "add", writeTestFile(t, dir, "licence.sd-jwt", sd), "--wallet", wdir)

			out := mustCLI(t, "wallet", "list", "--wallet", wdir, "--offline")
			want := []string{sc.ID, "dc+sd-jwt", "ProfessionalLicence", iss.DID, "2025-06-02", "unchecked", "field=civil,", "validFrom=2026-01-01,", "validUntil=2027-12-31"}
			if !listHasRow(out, want) {
				t.Errorf("wallet list has no row %v:\n%s", want, out)
			}
			var shown map[string]any
			mustCLIJSON(t, &shown, "wallet", "show", sc.ID, "--wallet", wdir)
			if shown["issued"] != "2025-06-02T09:00:00Z" || shown["validFrom"] != "2025-07-01T00:00:00Z" || shown["validUntil"] != "2031-01-01T00:00:00Z" {
				t.Errorf("wallet show: issued %v, valid from %v until %v; want the iat, nbf and exp", shown["issued"], shown["validFrom"], shown["validUntil"])
			}
		})
	}
}
