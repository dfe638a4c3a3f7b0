package oid4vp

// The verdict on a vp_token: each presentation goes through the node's
// presentation verifier with the request's nonce as challenge and
// client_id as domain (Appendix B.1.3, B.3.6), and the outcome is reduced
// to named checks and to the claims the query asked for.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/sdjwt"
)

// Names of the checks of a presentation response.
const (
	CheckPresentations = "presentations" // every presentation and its credentials verify
	CheckNonce         = "nonce"         // every holder proof carries the request's nonce
	CheckAudience      = "audience"      // every holder proof is for the request's client_id
	CheckHolderBinding = "holderBinding" // every credential is the holder's
	CheckQuery         = "query"         // the credentials answer the query
	CheckDisclosure    = "disclosure"    // nothing disclosed beyond the query
)

// tally gathers what the presentations of one vp_token showed.
type tally struct {
	res *api.PresentationRequestResult
	// unproven names the checks that say the answer is not bound to this
	// request by its holder (holderProof, nonce, audience): anyone who saw
	// the QR code could have sent it, so it does not end the request.
	unproven []string
	// Where (queryId[n]) each check failed, and the holders seen.
	badPres, badNonce, badAud, unbound, unanswered, holders []string
	// Claims not asked for: shown in the clear by the credential, or
	// disclosed by the wallet (unasked).
	shown, extra []string
	// found are the presentations' and credentials' warnings and errors.
	found []credential.Check
}

// verifyVPToken verifies the presentations of a response and matches them
// against the query. Its error is a malformed presentation (an
// invalid_request *Error) or a failure on this side.
func (v *Verifier) verifyVPToken(ctx context.Context, rec *Record, q *DCQL, byID map[string][]json.RawMessage) (*api.PresentationRequestResult, []string, error) {
	t := &tally{res: &api.PresentationRequestResult{Checks: []credential.Check{}, Warnings: []credential.Check{}, Errors: []credential.Check{}, Credentials: []api.PresentedCredential{}}}
	ids := slices.Sorted(maps.Keys(byID))
	o := credential.PresentationOptions{Challenge: rec.Nonce, Domain: rec.ClientID, Policy: credential.Policy{RequireAccreditation: rec.RequireAccreditation}}
	for _, id := range ids {
		for i, raw := range byID[id] {
			where := fmt.Sprintf("%s[%d]", id, i)
			verdict, err := v.verifyPresentation(ctx, where, raw, o)
			if err != nil {
				return nil, nil, err
			}
			v.add(t, q.Query(id), id, where, raw, verdict)
		}
	}
	t.conclude(rec.ClientID)
	return t.res, t.unproven, nil
}

// verifyPresentation verifies one presentation; a presentation weid cannot
// read at all is a malformed vp_token (§8.5 invalid_request), not a
// presentation that failed.
func (v *Verifier) verifyPresentation(ctx context.Context, where string, raw json.RawMessage, o credential.PresentationOptions) (*credential.PresentationResult, error) {
	verdict, err := v.checker.VerifyPresentation(ctx, raw, o)
	if err != nil {
		detail := err.Error()
		if e, ok := errs.As(err); ok {
			detail = e.Detail
		}
		return nil, Errorf(ErrInvalidRequest, "vp_token %s: %s", where, detail)
	}
	if verdict.Err != nil {
		return nil, verdict.Err
	}
	if len(verdict.Checks) > 0 && verdict.Checks[0].Name == credential.CheckStructure && verdict.Checks[0].Status == credential.StatusFailed {
		return nil, Errorf(ErrInvalidRequest, "vp_token %s is not a presentation weid reads: %s", where, verdict.Checks[0].Detail)
	}
	return verdict, nil
}

// add counts one verified presentation, found at where, of credential
// query cq (id).
func (v *Verifier) add(t *tally, cq *CredentialQuery, id, where string, raw json.RawMessage, verdict *credential.PresentationResult) {
	format := presentationFormat(raw)
	inner := innerCredentials(format, raw, verdict)
	t.res.Presentations = append(t.res.Presentations, reduceVerdict(id, format, verdict))
	if verdict.Holder != "" && !slices.Contains(t.holders, verdict.Holder) {
		t.holders = append(t.holders, verdict.Holder)
	}
	t.addChecks(where, verdict)
	if why := holderBound(format, verdict); why != "" {
		t.unbound = append(t.unbound, where+": "+why)
	}
	pc, asked, doc, why := v.answer(cq, format, verdict, inner)
	if pc == nil {
		t.unanswered = append(t.unanswered, where+": "+why)
		return
	}
	pc.QueryID = id
	t.res.Credentials = append(t.res.Credentials, *pc)
	shown, extra := unasked(format, doc, sdjwtToken(raw), asked)
	for _, name := range shown {
		t.shown = append(t.shown, where+": "+name)
	}
	for _, name := range extra {
		t.extra = append(t.extra, where+": "+name)
	}
}

// addChecks counts a presentation's own checks and its credentials'.
func (t *tally) addChecks(where string, verdict *credential.PresentationResult) {
	t.found = append(t.found, located(where, verdict.Warnings, verdict.Errors)...)
	var failedCreds []string
	for j, cr := range verdict.Credentials {
		t.found = append(t.found, located(fmt.Sprintf("%s credential %d", where, j), cr.Warnings, cr.Errors)...)
		for _, c := range cr.Errors {
			failedCreds = append(failedCreds, c.Name)
		}
	}
	if !verdict.Verified {
		why := where
		if len(failedCreds) > 0 {
			slices.Sort(failedCreds)
			why += " (" + strings.Join(slices.Compact(failedCreds), ", ") + ")"
		}
		t.badPres = append(t.badPres, why)
	}
	for _, c := range verdict.Checks {
		if c.Name == credential.CheckHolderProof && c.Status != credential.StatusPassed && !slices.Contains(t.unproven, c.Name) {
			t.unproven = append(t.unproven, c.Name)
		}
		if c.Name == credential.CheckChallenge && c.Status != credential.StatusPassed {
			t.badNonce = append(t.badNonce, where)
		}
		if c.Name == credential.CheckDomain && c.Status != credential.StatusPassed {
			t.badAud = append(t.badAud, where)
		}
	}
}

// conclude turns the tally into the result's checks, verdict, warnings
// and errors.
func (t *tally) conclude(clientID string) {
	res := t.res
	if len(t.holders) > 0 {
		res.Holder = t.holders[0]
	}
	if len(t.badNonce) > 0 {
		t.unproven = append(t.unproven, CheckNonce)
	}
	if len(t.badAud) > 0 {
		t.unproven = append(t.unproven, CheckAudience)
	}
	t.check(CheckPresentations, t.badPres, ReasonPresentationsOK, nil, "every presentation and the credentials in it verify", ReasonPresentationsNotVerified, "presentations that do not verify (failed credential checks): ")
	t.check(CheckNonce, t.badNonce, ReasonNonceOK, nil, "every holder proof carries this request's nonce", ReasonNonceMissing, "holder proofs without this request's nonce: ")
	t.check(CheckAudience, t.badAud, ReasonAudienceOK, map[string]string{"clientId": clientID}, "every holder proof is for "+clientID, ReasonAudienceMismatch, "holder proofs not for this verifier (client_id): ")
	switch {
	case len(t.unbound) > 0:
		t.check(CheckHolderBinding, t.unbound, "", nil, "", ReasonHolderBindingUnbound, "credentials not bound to the holder who presented them: ")
	case len(t.holders) > 1:
		// Each credential is its presenter's, but the presentations are by
		// different DIDs: one wallet with several identities, or not.
		res.Checks = append(res.Checks, credential.Check{Name: CheckHolderBinding, Status: credential.StatusWarning,
			Code: ReasonHolderBindingSeveral, Params: map[string]string{"holders": strings.Join(t.holders, ", ")},
			Detail: "each credential is bound to its presentation's holder, but the presentations are by different holders: " + strings.Join(t.holders, ", ")})
	default:
		t.check(CheckHolderBinding, nil, ReasonHolderBindingOK, nil, "every credential is bound to the holder who proved the presentation (cnf key or credentialSubject.id)", "", "")
	}
	t.check(CheckQuery, t.unanswered, ReasonQueryOK, nil, "the credentials answer the query", ReasonQueryUnanswered, "presentations that do not answer their credential query: ")
	t.disclosure()
	t.sort()
}

// disclosure adds the disclosure check: passed when the verifier learned
// nothing beyond the query, else a warning for the claims the credentials
// always show and one for those the wallet disclosed though not asked.
// §6.4.1 asks wallets to return only what was asked; more is not a reason
// to refuse the answer, but the verifier keeps only the requested claims
// and says what else came.
func (t *tally) disclosure() {
	if len(t.shown) == 0 && len(t.extra) == 0 {
		t.res.Checks = append(t.res.Checks, credential.Check{Name: CheckDisclosure, Status: credential.StatusPassed, Code: ReasonDisclosureOK, Detail: "nothing was disclosed beyond the query"})
	}
	if len(t.shown) > 0 {
		claims := strings.Join(t.shown, ", ")
		t.res.Checks = append(t.res.Checks, credential.Check{Name: CheckDisclosure, Status: credential.StatusWarning, Code: ReasonDisclosureAlwaysShown, Params: map[string]string{"claims": claims},
			Detail: "claims not asked for that the credential always shows — the issuer did not make them selectively disclosable (or the format cannot), so the wallet could not withhold them (not kept): " + claims})
	}
	if len(t.extra) > 0 {
		claims := strings.Join(t.extra, ", ")
		t.res.Checks = append(t.res.Checks, credential.Check{Name: CheckDisclosure, Status: credential.StatusWarning, Code: ReasonDisclosureExtra, Params: map[string]string{"claims": claims},
			Detail: "claims the wallet disclosed though not asked for (not kept): " + claims})
	}
}

// check adds check name: passed (okCode, its params ok) when nothing
// failed, else failed (failCode) naming where ("which").
func (t *tally) check(name string, failed []string, okCode string, ok map[string]string, okDetail, failCode, failDetail string) {
	if len(failed) == 0 {
		t.res.Checks = append(t.res.Checks, credential.Check{Name: name, Status: credential.StatusPassed, Code: okCode, Params: ok, Detail: okDetail})
	} else {
		which := strings.Join(failed, "; ")
		t.res.Checks = append(t.res.Checks, credential.Check{Name: name, Status: credential.StatusFailed, Code: failCode, Params: map[string]string{"which": which}, Detail: failDetail + which})
	}
}

// sort sets the verdict and files the result's checks, then those found
// in the presentations and credentials, under warnings and errors. Those
// found become checks of the result too, after its own: every warning or
// error a reader is told of has its row, with its reason (a credential's
// schema warning, say).
func (t *tally) sort() {
	res := t.res
	res.Verified = true
	for i, c := range res.Checks {
		if c.Code == "" {
			c.Code = credential.DefaultCode(c.Name, c.Status)
			res.Checks[i] = c
		}
		switch c.Status {
		case credential.StatusFailed:
			res.Verified = false
			res.Errors = append(res.Errors, c)
		case credential.StatusWarning:
			res.Warnings = append(res.Warnings, c)
		}
	}
	for _, c := range t.found {
		res.Checks = append(res.Checks, c)
		if c.Status == credential.StatusFailed {
			res.Errors = append(res.Errors, c)
		} else {
			res.Warnings = append(res.Warnings, c)
		}
	}
}

// located returns warnings and errors with where they were found before
// their detail.
func located(where string, lists ...[]credential.Check) []credential.Check {
	var out []credential.Check
	for _, l := range lists {
		for _, c := range l {
			c.Detail = where + ": " + c.Detail
			out = append(out, c)
		}
	}
	return out
}

// reduceVerdict keeps of a presentation's verdict what a result stores:
// its checks and, of each credential, its checks, issuer and types.
func reduceVerdict(id, format string, verdict *credential.PresentationResult) api.PresentationQueryVerdict {
	out := api.PresentationQueryVerdict{QueryID: id, Format: format, Verified: verdict.Verified, Holder: verdict.Holder, Checks: verdict.Checks, Credentials: []api.CredentialVerdict{}}
	for _, cr := range verdict.Credentials {
		cv := api.CredentialVerdict{Verified: cr.Verified, Checks: cr.Checks}
		if cr.Credential != nil {
			cv.Issuer, cv.Types = issuerOf(cr.Credential), credential.Strings(cr.Credential["type"])
		}
		out.Credentials = append(out.Credentials, cv)
	}
	return out
}

// holderBound says why a verified presentation's credentials are not its
// holder's, or "" if they are. OID4VP requires cryptographic holder binding
// unless a query waives it (§6.1), and weid always requires it: an SD-JWT
// VC's cnf key is the key of the key-binding JWT (VerifyPresentation checks
// it), and every credentialSubject.id of a W3C credential must be the DID
// that signed the presentation — else anyone could wrap another's vc+jwt
// in a presentation of their own.
func holderBound(format string, verdict *credential.PresentationResult) string {
	if format == FormatSDJWT {
		return "" // the key-binding JWT is the cnf key's (holderProof, credentials)
	}
	if verdict.Holder == "" {
		return "no holder proved the presentation"
	}
	for j, cr := range verdict.Credentials {
		if cr.Credential == nil {
			continue // it does not verify: the presentations check says so
		}
		if why := subjectsBound(j, cr.Credential, verdict.Holder); why != "" {
			return why
		}
	}
	return ""
}

// subjectsBound says why credential j is not about holder, or "" if every
// credentialSubject's id is holder.
func subjectsBound(j int, doc map[string]any, holder string) string {
	var subjects []any
	switch cs := doc["credentialSubject"].(type) {
	case map[string]any:
		subjects = []any{cs}
	case []any:
		subjects = cs
	}
	if len(subjects) == 0 {
		return fmt.Sprintf("credential %d has no credentialSubject", j)
	}
	for _, e := range subjects {
		m, _ := e.(map[string]any)
		id, _ := m["id"].(string)
		switch {
		case id == "":
			return fmt.Sprintf("credential %d has a credentialSubject without an id: it is bound to no holder", j)
		case id != holder:
			return fmt.Sprintf("credential %d is about %s, not the holder %s", j, truncate(id, 64), holder)
		}
	}
	return ""
}

// presentationFormat is the OID4VP format of a presentation: an SD-JWT
// (with '~'), a vp+jwt (jwt_vc_json), or a presentation object (ldp_vc).
func presentationFormat(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.Contains(s, "~") {
			return FormatSDJWT
		}
		return FormatJWTVCJSON
	}
	var head struct {
		Type any    `json:"type"`
		ID   string `json:"id"`
	}
	if json.Unmarshal(raw, &head) == nil && head.Type == "EnvelopedVerifiablePresentation" {
		if strings.HasPrefix(head.ID, credential.DataURLSDJWT) {
			return FormatSDJWT
		}
		return FormatJWTVCJSON
	}
	return FormatLDPVC
}

// innerCredentials classifies the credentials of a presentation, in the
// order of verdict.Credentials (a zero Secured where one is unreadable).
func innerCredentials(format string, raw json.RawMessage, verdict *credential.PresentationResult) []credential.Secured {
	out := make([]credential.Secured, len(verdict.Credentials))
	if format == FormatSDJWT {
		if tok := sdjwtToken(raw); tok != "" && len(out) > 0 {
			out[0] = credential.Secured{Format: credential.FormatSDJWT, Token: tok}
		}
		return out
	}
	var items []any
	switch vc := verdict.Presentation["verifiableCredential"].(type) {
	case []any:
		items = vc
	case map[string]any, string:
		items = []any{vc}
	}
	for i := range min(len(items), len(out)) {
		b, err := json.Marshal(items[i])
		if err != nil {
			continue
		}
		out[i], _ = credential.Classify(b)
	}
	return out
}

// credentialFormat is how a credential of an OID4VP format is secured
// (Appendix B): the query's format names the credential's, not only the
// presentation's.
func credentialFormat(format string) credential.Format {
	switch format {
	case FormatSDJWT:
		return credential.FormatSDJWT
	case FormatJWTVCJSON:
		return credential.FormatJWT
	case FormatLDPVC:
		return credential.FormatDataIntegrity
	}
	return ""
}

// answer finds the credential of a verified presentation that answers the
// credential query and reduces it to the requested claims. It returns the
// claims paths asked and the credential (for the disclosure check), or why
// nothing answers.
func (v *Verifier) answer(cq *CredentialQuery, format string, verdict *credential.PresentationResult, inner []credential.Secured) (*api.PresentedCredential, []ClaimsQuery, map[string]any, string) {
	if format != cq.Format {
		return nil, nil, nil, fmt.Sprintf("a %s presentation, the query asks for %s", format, cq.Format)
	}
	why := "it holds no credential"
	for i, cr := range verdict.Credentials {
		if cr.Credential == nil {
			continue
		}
		if got := inner[i].Format; got != credentialFormat(format) {
			why = fmt.Sprintf("credential %d is secured as %s; a %s query asks for %s", i, orUnknown(string(got)), format, credentialFormat(format))
			continue
		}
		m, err := matchCredential(cq, format, cr.Credential, inner[i])
		if err != nil {
			why = err.Error()
			continue
		}
		return v.presented(format, cr, m), m.Claims, cr.Credential, ""
	}
	return nil, nil, nil, why
}

// matchCredential matches a verified credential against cq: an SD-JWT VC
// on its processed payload, a W3C credential on its document.
func matchCredential(cq *CredentialQuery, format string, doc map[string]any, sec credential.Secured) (*Match, error) {
	c := &Credential{Format: format}
	if format == FormatSDJWT {
		claims, err := sdjwtClaims(sec.Token)
		if err != nil {
			return nil, err
		}
		c.Claims = claims
		c.VCT, _ = c.Claims["vct"].(string)
	} else {
		c.Claims, c.Types = doc, W3CTypes(doc)
	}
	return cq.Match(c)
}

// presented reduces a credential that answered its query to what the
// result keeps: issuer, its trust-registry name, types, the requested
// claims and the status check.
func (v *Verifier) presented(format string, cr *credential.Result, m *Match) *api.PresentedCredential {
	doc := cr.Credential
	pc := &api.PresentedCredential{Format: format, Verified: cr.Verified, Issuer: issuerOf(doc), Types: credential.Strings(doc["type"]), Claims: m.Disclosed}
	if pc.Issuer != "" {
		pc.IssuerName = v.checker.IssuerName(pc.Issuer)
	}
	for _, ch := range cr.Checks {
		if ch.Name == credential.CheckStatus {
			pc.Status = &api.CredentialStatusFacts{Check: ch.Status, Detail: ch.Detail, Entry: doc["credentialStatus"]}
		}
	}
	return pc
}

func orUnknown(s string) string {
	if s == "" {
		return "nothing weid reads"
	}
	return s
}

// sdjwtClaims is an SD-JWT VC's processed payload (Appendix B.3: the
// claims paths apply to it), with the disclosures it was presented with.
// The presentation has verified, so the disclosures are the issuer's.
func sdjwtClaims(tok string) (map[string]any, error) {
	sd, err := sdjwt.Parse(tok)
	if err != nil {
		return nil, fmt.Errorf("the SD-JWT: %v", err)
	}
	claims, _, err := sd.Processed()
	if err != nil {
		return nil, fmt.Errorf("the SD-JWT's claims: %v", err)
	}
	return claims, nil
}

// sdjwtToken is the compact SD-JWT of a dc+sd-jwt presentation: the
// vp_token element itself or an enveloped presentation's data URL.
func sdjwtToken(raw json.RawMessage) string {
	var tok string
	if json.Unmarshal(raw, &tok) != nil {
		var head struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &head)
		tok = strings.TrimPrefix(head.ID, credential.DataURLSDJWT)
	}
	return tok
}

func issuerOf(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}
