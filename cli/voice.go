package cli

// Verdicts and problems in the user's language: English unless the locale
// asks for Chinese (userLang), then in the words of the pages' catalogue
// (web.Messages), rendered from the same codes the pages render from — a
// check's code and params, a problem's code.

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/width"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/web"
)

// voice is the language verdicts and problems are written in; cat is nil
// for English, which the CLI writes in its own words (the node's details).
type voice struct {
	lang string
	cat  web.Catalogue
}

// userVoice is the voice of the user's locale (see userLang); English if
// the catalogue cannot be read.
func userVoice() voice {
	lang := userLang()
	if lang == langEN {
		return voice{lang: langEN}
	}
	cat, err := web.Messages()
	if err != nil {
		return voice{lang: langEN}
	}
	return voice{lang: lang, cat: cat}
}

func (v voice) english() bool { return v.cat == nil }

func (v voice) t(key string, vars map[string]string) string { return v.cat.T(v.lang, key, vars) }

// checkName is a check's name in the catalogue's words ("check.<name>"),
// else the name.
func (v voice) checkName(name string) string {
	if v.cat.Has("check." + name) {
		return v.t("check."+name, nil)
	}
	return name
}

// reason is a check's outcome: the text of its code ("reason.<code>",
// credential.CheckCodes, oid4vp.VerdictCodes) with its params, a status
// purpose in the language's words and the node's English detail as
// {detail} (the texts of codes whose detail says what no param does, a
// schema's field, show it, labelled), else the sentence of its status
// followed by that detail — as the verify page writes it.
func (v voice) reason(c api.Check) string {
	if c.Code == "" || !v.cat.Has("reason."+c.Code) {
		generic := v.t("reason.generic."+c.Status, nil)
		if c.Detail == "" {
			return generic
		}
		return v.t("reason.generic.withDetail", map[string]string{"reason": generic, "detail": c.Detail})
	}
	params := make(map[string]string, len(c.Params)+1)
	for k, p := range c.Params {
		params[k] = p
	}
	params["detail"] = c.Detail
	if p := params["purpose"]; p != "" && v.cat.Has("purpose."+p) {
		params["purpose"] = v.t("purpose."+p, nil)
	}
	return v.t("reason."+c.Code, params)
}

// verdictKey is the catalogue's prefix of the verdicts on what.
func verdictKey(what string) string {
	if what == "presentation" {
		return "vpverdict"
	}
	return "verdict"
}

// title is the verdict's headline: valid, valid with warnings, or not.
func (v voice) title(what string, vd api.Verdict) string {
	switch {
	case !vd.Verified:
		return v.t(verdictKey(what)+".invalid", nil)
	case len(vd.Warnings) > 0:
		return v.t(verdictKey(what)+".validWarnings", nil)
	}
	return v.t(verdictKey(what)+".valid", nil)
}

// printVerdict prints the first line of a verdict on what ("credential",
// "presentation"): "verified: BOOL" in English, the verdict's headline in
// another language.
func printVerdict(w io.Writer, v voice, what string, vd api.Verdict) {
	if v.english() {
		fmt.Fprintf(w, "verified: %v\n", vd.Verified)
		return
	}
	fmt.Fprintln(w, v.title(what, vd))
}

// printChecks prints a verdict's checks, one a line: name, status and the
// node's detail in English; in another language the check's name, status
// and outcome from their codes, the names padded to one display width —
// and, for input that is not a credential at all (its structure check
// failed), that check alone, not a table of checks skipped.
func printChecks(w io.Writer, v voice, checks []api.Check) {
	if v.english() {
		for _, c := range checks {
			fmt.Fprintf(w, "  %-15s %-8s %s\n", c.Name, c.Status, c.Detail)
		}
		return
	}
	for _, c := range checks {
		if c.Name == "structure" && c.Status == "failed" {
			checks = []api.Check{c}
			break
		}
	}
	names, statuses := make([]string, len(checks)), make([]string, len(checks))
	nameWidth, statusWidth := 0, 0
	for i, c := range checks {
		names[i], statuses[i] = v.checkName(c.Name), v.t("status."+c.Status, nil)
		nameWidth, statusWidth = max(nameWidth, displayWidth(names[i])), max(statusWidth, displayWidth(statuses[i]))
	}
	for i, c := range checks {
		fmt.Fprintf(w, "  %s  %s  %s\n", pad(names[i], nameWidth), pad(statuses[i], statusWidth), v.reason(c))
	}
}

// displayWidth is the number of terminal columns s takes: two for a wide
// (East Asian) character, one for others (UAX #11).
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// pad is s followed by spaces up to n columns.
func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-displayWidth(s)))
}

// verdictErr is nil for a verified verdict, else an error naming the
// checks that failed, so that the command exits non-zero: in English
// "credential not verified: proof failed", in another language the
// verdict's headline and each failed check's outcome.
func verdictErr(v voice, what string, vd api.Verdict) error {
	if vd.Verified {
		return nil
	}
	var failed []string
	for _, c := range vd.Errors {
		if v.english() {
			failed = append(failed, c.Name)
		} else {
			failed = append(failed, v.t("verdict.failedText", map[string]string{"check": v.checkName(c.Name), "detail": v.reason(c)}))
		}
	}
	if v.english() {
		return fmt.Errorf("%s not verified: %s failed", what, strings.Join(failed, ", "))
	}
	return errors.New(v.title(what, vd) + "：" + strings.Join(failed, "；"))
}

// problem is a problem from the node as one line: in English its detail
// with its code and HTTP status; in another language the catalogue's text
// of its code (else the sentence naming the HTTP status), the code and
// status, then the node's English detail in brackets, labelled as a
// check's reason labels it (reason.generic.withDetail: 英文详情).
func (v voice) problem(ce *client.Error) string {
	tail := fmt.Sprintf(" (%s, HTTP %d)", ce.Code, ce.Status)
	if v.english() {
		return ce.Detail + tail
	}
	text := v.t("problem.generic", map[string]string{"status": fmt.Sprint(ce.Status)})
	if v.cat.Has("problem." + ce.Code) {
		text = v.t("problem."+ce.Code, nil)
	}
	if ce.Detail != "" {
		return v.t("reason.generic.withDetail", map[string]string{"reason": text + tail, "detail": ce.Detail})
	}
	return text + tail
}

// printPresentationVerdict prints the verdict on a presentation: its
// headline, holder and checks, then each credential's.
func printPresentationVerdict(w io.Writer, v voice, res *api.PresentationVerifyResult) {
	printVerdict(w, v, "presentation", res.Verdict)
	if res.Holder != "" {
		if v.english() {
			fmt.Fprintf(w, "holder: %s\n", res.Holder)
		} else {
			fmt.Fprintf(w, "%s：%s\n", v.t("vp.holder", nil), res.Holder)
		}
	}
	printChecks(w, v, res.Checks)
	for i, r := range res.Credentials {
		if v.english() {
			fmt.Fprintf(w, "credential %d: verified: %v\n", i, r.Verified)
		} else {
			fmt.Fprintf(w, "%s %d：%s\n", v.t("verify.paste.label", nil), i, v.title("credential", r.Verdict))
		}
		printChecks(w, v, r.Checks)
	}
}
