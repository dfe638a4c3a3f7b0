package cli

// weid wallet list: the wallet's credentials told apart by what a holder
// knows them by — type, issuer's name, a few claims, issue date and
// whether they still stand — and the numbers "--credential N" takes.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/wallet"
)

// walletEntry is a row of "weid wallet list -o json".
type walletEntry struct {
	// N is the row's number, 1 for the oldest credential: what
	// --credential N names.
	N int `json:"n"`
	// Entry is what the wallet indexed of the credential.
	wallet.Entry
	// IssuerName is the issuer's name in the node's trust registry, if it
	// is a recognized issuer.
	IssuerName string `json:"issuerName,omitempty"`
	// Claims are the subject's claims as the wallet holds them (an SD-JWT's
	// with all its disclosures), unverified.
	Claims map[string]any `json:"claims,omitempty"`
	// Title is the title of the credential's schema and ClaimLabels its
	// claims' titles, in the user's language (x-weid-i18n, else the
	// schema's own words), as the node's ledger holds the schema; absent
	// offline or for a credential without a weid schema.
	Title       string            `json:"title,omitempty"`
	ClaimLabels map[string]string `json:"claimLabels,omitempty"`
	// ValueLabels are the labels of claims' values that the schema's
	// "enum" lists and labels (x-weid-i18n "enum"), in the same language.
	ValueLabels map[string]string `json:"valueLabels,omitempty"`
	// Status is what the node's verification says now: valid, revoked,
	// suspended, expired, not valid yet, not valid (and the failed checks),
	// or unchecked (offline, or no node answered).
	Status string `json:"status"`
}

// Status words of "weid wallet list" (as -o json has them).
const (
	statusValid      = "valid"
	statusUnchecked  = "unchecked"
	statusUnreadable = "not a credential the node reads"
	statusNotYet     = "not valid yet"
	statusNotValid   = "not valid"
)

func walletListCmd(g *globals, dir *string) *cobra.Command {
	var offline bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the wallet's credentials: type, issuer, claims, issue date and status",
		Long: `List the credentials stored in the wallet, oldest first: their number (what
--credential N of "weid wallet present" and "weid vp create" takes), wallet
id, format, type (the most specific one), issuer (its name in the trust
registry of --node, else its DID), issue date (ISSUED: when the issuer
issued it, an SD-JWT VC's "iat"; a vc+jwt's "iat", else its validFrom; a
Data Integrity credential's validFrom, issuanceDate in VC 1.1. Never a
claim about the subject, and not the validity period, which "weid wallet
show" gives), status and the first of the subject's claims, named as the
credential's schema names them in the language of the locale (LC_ALL,
LC_MESSAGES or LANG: zh_CN, zh_HK, zh_MO, zh_TW; else English). The status is the node's verdict now: valid, revoked,
suspended, expired, "not valid yet", or "not valid" with the checks that
failed. For it each credential is sent to the node's POST
/credentials/verify — an SD-JWT without its disclosures, so none of its
selectively disclosable claims leaves the wallet; with --offline, or when
no node answers, the status is "unchecked" and nothing is sent. The headers
and statuses are in the locale's language too. With -o json, every indexed field and all the
subject's claims, with the schema's title and the claims' labels (the status in English words).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWallet(*dir, "")
			if err != nil {
				return err
			}
			warnWallet(cmd.ErrOrStderr(), w)
			all, err := w.Credentials()
			if err != nil {
				return err
			}
			entries := make([]walletEntry, 0, len(all))
			for i, sc := range all {
				entries = append(entries, walletEntry{N: i + 1, Entry: sc.Entry, Claims: subjectClaims(&sc), Status: statusUnchecked})
			}
			if !offline {
				if err := g.checkEntries(cmd.Context(), all, entries); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "weid: %s\n", say("cli.wallet.list.notChecked", "why", g.oneLine(err)))
				}
			}
			return g.print(map[string]any{"holder": w.Meta.DID, "credentials": entries}, func(out io.Writer) { printWalletList(out, entries) })
		},
	}
	cmd.Flags().BoolVar(&offline, "offline", false, "do not ask the node for the credentials' status and issuers' names")
	return cmd
}

// checkEntries fills in each entry's status and issuer name from the node.
// It stops at the first failure that is not the credential's (no node, a
// broken node) and returns it; the entries not reached stay unchecked.
func (g *globals) checkEntries(ctx context.Context, all []wallet.Stored, entries []walletEntry) error {
	c := g.client()
	names := map[string]string{}
	labels := schemaLabels{c: c, lang: userLang()}
	for i := range all {
		labels.label(ctx, &all[i], &entries[i])
		res, err := c.VerifyCredential(ctx, all[i].IssuerSigned(), nil)
		var ce *client.Error
		switch {
		case err == nil:
			var failed []failedCheck
			for _, e := range res.Errors {
				failed = append(failed, failedCheck{e.Name, e.Detail})
			}
			entries[i].Status = statusWord(res.Verified, failed)
		case errors.As(err, &ce) && ce.Status < 500:
			entries[i].Status = statusUnreadable
		default:
			return err
		}
		iss := all[i].Issuer
		if name, seen := names[iss]; seen {
			entries[i].IssuerName = name
			continue
		}
		// An issuer the registry does not know is answered with a 404:
		// its DID is what the list shows.
		if is, _, err := c.Issuer(ctx, iss, "", 0); err == nil && is != nil {
			names[iss] = is.Name
		} else {
			names[iss] = ""
		}
		entries[i].IssuerName = names[iss]
	}
	return nil
}

// failedCheck is a check of the node's verdict that failed.
type failedCheck struct{ Name, Detail string }

// statusWord is the node's verdict on a credential in a word or a few.
func statusWord(verified bool, errors []failedCheck) string {
	if verified {
		return statusValid
	}
	var failed []string
	for _, e := range errors {
		switch {
		case e.Name == credential.CheckStatus && strings.HasPrefix(e.Detail, "revoked"):
			return "revoked"
		case e.Name == credential.CheckStatus && strings.HasPrefix(e.Detail, "suspended"):
			return "suspended"
		case e.Name == credential.CheckValidityPeriod && strings.HasPrefix(e.Detail, "expired"):
			return "expired"
		case e.Name == credential.CheckValidityPeriod && strings.HasPrefix(e.Detail, "not valid yet"):
			return statusNotYet
		}
		failed = append(failed, e.Name)
	}
	return statusNotValid + " (" + strings.Join(failed, ", ") + ")"
}

// printWalletList prints the list's table: a header, then a credential a
// line, the columns lined up by display width (a Chinese character takes
// two columns) and its words in the locale's language; what others wrote
// (types, names, claims) shown as TerminalText shows it.
func printWalletList(out io.Writer, entries []walletEntry) {
	head := []string{"#"}
	for _, k := range []string{"id", "format", "type", "issuer", "issued", "status", "claims"} {
		head = append(head, say("cli.wallet.list."+k))
	}
	rows := [][]string{head}
	for _, e := range entries {
		issuer := e.IssuerName
		if issuer == "" {
			issuer = e.Issuer
		}
		typ := mainType(e.Types)
		if e.Title != "" {
			typ = e.Title + " (" + typ + ")"
		}
		rows = append(rows, []string{strconv.Itoa(e.N), e.ID, string(e.Format), shown(typ), orDash(shown(issuer)), orDash(shown(day(e.Issued))),
			shown(statusText(e.Status)), orDash(claimsLine(labelledValues(e.Claims, e.ValueLabels), e.ClaimLabels, 60))})
	}
	printTable(out, rows)
}

// printTable prints rows with each column but the last padded to its
// widest cell's display width and two spaces, as a tabwriter would with
// one column a character wide.
func printTable(out io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(pad(c, widths[i]+2))
		}
		fmt.Fprintln(out, b.String())
	}
}

// statusText is a status word of the list (statusWord, statusUnchecked,
// statusUnreadable; a credential's standing) in the locale's language,
// the failed checks of "not valid (…)" named as "weid vc verify" names
// them.
func statusText(status string) string {
	if rest, ok := strings.CutPrefix(status, statusNotValid+" ("); ok {
		v := userVoice()
		names := strings.Split(strings.TrimSuffix(rest, ")"), ", ")
		for i, n := range names {
			if !v.english() {
				names[i] = v.checkName(n)
			}
		}
		return say("cli.wallet.status.invalid", "checks", strings.Join(names, say("cli.wallet.status.sep")))
	}
	key := map[string]string{statusValid: "valid", wallet.StandingRevoked: "revoked", wallet.StandingSuspended: "suspended",
		wallet.StandingExpired: "expired", statusNotYet: "notYet", statusUnchecked: "unchecked", statusUnreadable: "unreadable"}[status]
	if key == "" {
		return status
	}
	return say("cli.wallet.status." + key)
}

// registeredClaims are the JWT and SD-JWT VC claims that are about the
// token, not its subject (RFC 7519 §4.1, RFC 9901 §4.2.4.1, SD-JWT VC §3.2.2),
// and the credentialSchema and credentialStatus an SD-JWT VC that weid made
// from a W3C credential keeps as plain claims. Its other claims are its
// subject's, as the verifier maps them (credential.IssueSDJWT): weid maps the
// credential's validFrom to "nbf", so a claim named validFrom is the
// subject's (a licence's own start date).
var registeredClaims = map[string]bool{
	"iss": true, "sub": true, "iat": true, "nbf": true, "exp": true, "jti": true, "aud": true, "cnf": true,
	"vct": true, "vct#integrity": true, "status": true, "_sd": true, "_sd_alg": true,
	"credentialSchema": true, "credentialStatus": true,
}

// subjectClaims are the claims about the credential's subject as the
// wallet holds them, unverified: credentialSubject (the first, if there
// are several) of a W3C credential (or of a VC 1.1 JWT's "vc"), an SD-JWT
// VC's own claims with its disclosures; never the subject's id.
func subjectClaims(sc *wallet.Stored) map[string]any {
	claims, disclosures, err := sc.Claims()
	if err != nil {
		return nil
	}
	out := map[string]any{}
	if sc.Format == credential.FormatSDJWT {
		for k, v := range claims {
			if !registeredClaims[k] {
				out[k] = v
			}
		}
		for _, d := range disclosures {
			if d.Name != "" && !registeredClaims[d.Name] {
				out[d.Name] = d.Value
			}
		}
		return out
	}
	if vc, ok := claims["vc"].(map[string]any); ok {
		claims = vc
	}
	subj := claims["credentialSubject"]
	if arr, ok := subj.([]any); ok && len(arr) > 0 {
		subj = arr[0]
	}
	m, _ := subj.(map[string]any)
	for k, v := range m {
		if k != "id" {
			out[k] = v
		}
	}
	return out
}

// claimsLine is claims as "name=value, …" in name order, each name as
// labels has it (else the key), nested values elided, cut to about max
// characters: the issuer's text, shown as TerminalText shows it.
func claimsLine(claims map[string]any, labels map[string]string, max int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(claims)) {
		name := k
		if l := labels[k]; l != "" {
			name = l
		}
		var v string
		switch x := claims[k].(type) {
		case string:
			v = x
		case map[string]any, []any:
			v = "…"
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
		parts = append(parts, name+"="+v)
	}
	s := strings.Join(strings.Fields(strings.Join(parts, ", ")), " ")
	if utf8.RuneCountInString(s) > max {
		return wallet.TerminalText(s, max-1)
	}
	return wallet.TerminalText(s, 0)
}

// labelledValues is claims with the values labels has a label for
// replaced by it (claims itself when there are none).
func labelledValues(claims map[string]any, labels map[string]string) map[string]any {
	if len(labels) == 0 {
		return claims
	}
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
		if l, ok := labels[k]; ok {
			out[k] = l
		}
	}
	return out
}

// day is the date of an RFC 3339 time, or the value as it is.
func day(ts string) string {
	if len(ts) >= 10 && ts[4] == '-' && ts[7] == '-' {
		return ts[:10]
	}
	return ts
}

// pickCredential finds a credential of w by its number in "weid wallet
// list" (N or #N) or its id or a unique prefix of it. A bare number that is
// also the prefix of an id is ambiguous and refused.
func pickCredential(w *wallet.Wallet, arg string) (*wallet.Stored, error) {
	num, hash := strings.CutPrefix(arg, "#")
	n, err := strconv.Atoi(num)
	isNum := err == nil && n >= 1 && len(num) < wallet.IDLen && strings.Trim(num, "0123456789") == ""
	if !isNum {
		if hash {
			return nil, errors.New(say("cli.wallet.pick.hash", "arg", shown(arg)))
		}
		return findCredential(w, arg)
	}
	all, err := w.Credentials()
	if err != nil {
		return nil, err
	}
	if !hash {
		for i := range all {
			if strings.HasPrefix(all[i].ID, num) {
				return nil, errors.New(say("cli.wallet.pick.ambiguous", "arg", arg, "n", num, "id", all[i].ID))
			}
		}
	}
	if n > len(all) {
		held := strconv.Itoa(len(all))
		if userLang() == langEN {
			held = plural(len(all), "credential", "credentials")
		}
		return nil, errors.New(say("cli.wallet.pick.noNumber", "n", num, "count", held))
	}
	return &all[n-1], nil
}

// schemaLabels reads the titles of credentials' weid schemas from a node,
// each schema once.
type schemaLabels struct {
	c    *client.Client
	lang string
	seen map[[2]uint64]*schemas.Labels
}

// label sets e's Title and ClaimLabels from the first weid schema the
// stored credential names (credentialSchema, VC DM 2.0 §5.4) that the
// node has; a schema the node lacks or cannot read leaves them empty.
func (s *schemaLabels) label(ctx context.Context, sc *wallet.Stored, e *walletEntry) {
	for _, ref := range schemaRefs(sc) {
		id, version, ok := credential.ParseSchemaURL(ref)
		if !ok {
			continue
		}
		key := [2]uint64{id, version}
		if s.seen == nil {
			s.seen = map[[2]uint64]*schemas.Labels{}
		}
		l, done := s.seen[key]
		if !done {
			if r, err := s.c.Schema(ctx, id, version); err == nil {
				l, _ = schemas.ParseLabels(r.Schema)
			}
			s.seen[key] = l
		}
		if l == nil {
			continue
		}
		e.Title = l.In(s.lang).Title
		for k, v := range e.Claims {
			if label := l.Claim(s.lang, k); label != k {
				if e.ClaimLabels == nil {
					e.ClaimLabels = map[string]string{}
				}
				e.ClaimLabels[k] = label
			}
			if v, ok := v.(string); ok {
				if label := l.ClaimValue(s.lang, k, v); label != v {
					if e.ValueLabels == nil {
						e.ValueLabels = map[string]string{}
					}
					e.ValueLabels[k] = label
				}
			}
		}
		return
	}
}

// schemaRefs are the ids of the credential's credentialSchema entries
// (of its "vc" claim for a VC-JWT 1.1), unverified.
func schemaRefs(sc *wallet.Stored) []string {
	claims, _, err := sc.Claims()
	if err != nil {
		return nil
	}
	if vc, ok := claims["vc"].(map[string]any); ok {
		claims = vc
	}
	var refs []any
	switch v := claims["credentialSchema"].(type) {
	case []any:
		refs = v
	case map[string]any:
		refs = []any{v}
	}
	var out []string
	for _, r := range refs {
		if m, ok := r.(map[string]any); ok {
			if id, ok := m["id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// warnWallet names on stderr what of w is not listed: each damaged
// credential file (list and present go on without it) and each issuer's
// answer kept in received/ that is not stored yet, with what to do.
func warnWallet(stderr io.Writer, w *wallet.Wallet) {
	_, damaged, _ := w.Scan()
	for _, d := range damaged {
		fmt.Fprintf(stderr, "weid: %s\n", walletWords(d))
	}
	if kept, _ := w.Pending(); len(kept) > 0 {
		fmt.Fprintf(stderr, "weid: %s\n", say("cli.wallet.pending", "files", strings.Join(kept, ", ")))
	}
}
