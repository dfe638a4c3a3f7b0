package oid4vp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

// licenceClaims are a driving licence's SD-JWT VC claims.
const licenceClaims = `{"iss":"did:example:dmv","sub":"did:example:alice","iat":1700000000,"vct":"DrivingLicence",` +
	`"name":"Alice Chen","licence_number":"D-1234","birthdate":"1990-01-01","address":{"street":"1 Main St","country":"HK"}}`

// licenceSDJWT issues licenceClaims with the claims at disclosable
// selectively disclosable and presents those at reveal.
func licenceSDJWT(t *testing.T, disclosable, reveal []string) string {
	t.Helper()
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sdjwt.Issue(k, "did:example:dmv#key-1", json.RawMessage(licenceClaims), sdjwt.IssueOptions{Disclosable: disclosable})
	if err != nil {
		t.Fatal(err)
	}
	if tok, err = sdjwt.Present(tok, reveal, nil); err != nil {
		t.Fatal(err)
	}
	return tok
}

func paths(ps ...Path) []ClaimsQuery {
	out := make([]ClaimsQuery, len(ps))
	for i, p := range ps {
		out[i] = ClaimsQuery{Path: p}
	}
	return out
}

func TestUnasked_NamesClaimsShownInTheClearApartFromThoseTheWalletDisclosed(t *testing.T) {
	nameAndNumber := paths(Path{"name"}, Path{"licence_number"})
	diploma := map[string]any{"@context": []any{credential.ContextV2}, "type": []any{"VerifiableCredential", "UniversityDegreeCredential"},
		"issuer": "did:example:university", "validFrom": "2024-01-01T00:00:00Z", "proof": map[string]any{},
		"credentialSubject": map[string]any{"id": "did:example:alice", "degree": "BA", "gpa": 3.9}}
	for name, tc := range map[string]struct {
		format       string
		disclosable  []string
		reveal       []string
		doc          map[string]any
		asked        []ClaimsQuery
		shown, extra []string
	}{
		"nothing selectively disclosable": {format: FormatSDJWT, asked: nameAndNumber,
			shown: []string{"address", "birthdate"}},
		"all disclosable, only the asked disclosed": {format: FormatSDJWT, disclosable: []string{"/name", "/licence_number", "/birthdate", "/address"},
			reveal: []string{"/name", "/licence_number"}, asked: nameAndNumber},
		"all disclosable, one more disclosed": {format: FormatSDJWT, disclosable: []string{"/name", "/licence_number", "/birthdate", "/address"},
			reveal: []string{"/name", "/licence_number", "/birthdate"}, asked: nameAndNumber, extra: []string{"birthdate"}},
		"some disclosable": {format: FormatSDJWT, disclosable: []string{"/licence_number", "/birthdate", "/address/street"},
			reveal: []string{"/licence_number", "/address/street"}, asked: nameAndNumber,
			shown: []string{"address.country"}, extra: []string{"address.street"}},
		"a member of a plain object asked": {format: FormatSDJWT, asked: paths(Path{"name"}, Path{"licence_number"}, Path{"birthdate"}, Path{"address", "country"}),
			shown: []string{"address.street"}},
		"no claims asked": {format: FormatSDJWT, disclosable: []string{"/birthdate"}, reveal: []string{"/birthdate"},
			shown: []string{"address", "licence_number", "name"}, extra: []string{"birthdate"}},
		"a W3C credential": {format: FormatLDPVC, doc: diploma, asked: paths(Path{"credentialSubject", "degree"}),
			shown: []string{"credentialSubject.gpa"}},
		"a W3C credential, all asked": {format: FormatJWTVCJSON, doc: diploma, asked: paths(Path{"credentialSubject"})},
	} {
		tok := ""
		if tc.format == FormatSDJWT {
			tok = licenceSDJWT(t, tc.disclosable, tc.reveal)
		}
		shown, extra := unasked(tc.format, tc.doc, tok, tc.asked)
		if !slices.Equal(shown, tc.shown) || !slices.Equal(extra, tc.extra) {
			t.Errorf("%s: shown %q, extra %q; want %q, %q", name, shown, extra, tc.shown, tc.extra)
		}
	}
}

// A dc+sd-jwt licence with every claim in the clear, asked for its name
// and number: the verifier learned the other claims too, and the
// disclosure check says so — not that nothing was disclosed beyond the
// query.
func TestVerifier_DisclosureCheckNamesClaimsTheCredentialAlwaysShows(t *testing.T) {
	f := newFixture(t)
	verdict := f.check.verdict
	f.check.verdict = func(raw json.RawMessage, o credential.PresentationOptions) *credential.PresentationResult {
		v := verdict(raw, o)
		v.Credentials[0].Credential = map[string]any{"issuer": "did:example:dmv", "type": []any{"VerifiableCredential", "DrivingLicence"}}
		return v
	}
	rec := f.create(t, `{"dcql_query":{"credentials":[{"id":"lic","format":"dc+sd-jwt","meta":{"vct_values":["DrivingLicence"]},`+
		`"claims":[{"path":["name"]},{"path":["licence_number"]}]}]}}`)
	tok, _ := json.Marshal(licenceSDJWT(t, nil, nil))
	if err := f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {`{"lic":[` + string(tok) + `]}`}}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.store.Get(rec.ID)
	var rows []string
	for _, c := range got.Result.Checks {
		if c.Name == CheckDisclosure {
			rows = append(rows, fmt.Sprintf("%s %s %v", c.Status, c.Code, c.Params))
		}
	}
	want := []string{"warning disclosure.alwaysShown map[claims:lic[0]: address, lic[0]: birthdate]"}
	if !slices.Equal(rows, want) || !got.Result.Verified || len(got.Result.Warnings) != 1 || !strings.Contains(got.Result.Warnings[0].Detail, "could not withhold") {
		t.Errorf("disclosure check %q, want %q; result %+v", rows, want, got.Result)
	}
	if c := got.Result.Credentials[0].Claims; fmt.Sprint(c) != "map[licence_number:D-1234 name:Alice Chen]" {
		t.Errorf("kept %v", c)
	}
}

// A warning of a presented credential (its schema, say) is named in the
// verdict's warnings and has a check row, where its reason is read.
func TestVerifier_EveryWarningFoundHasACheckRow(t *testing.T) {
	f := newFixture(t)
	verdict := f.check.verdict
	schema := credential.Check{Name: credential.CheckSchema, Status: credential.StatusWarning, Code: credential.ReasonSchemaDisclosed, Detail: "claims were withheld"}
	f.check.verdict = func(raw json.RawMessage, o credential.PresentationOptions) *credential.PresentationResult {
		v := verdict(raw, o)
		cr := v.Credentials[0]
		cr.Checks, cr.Warnings = append(cr.Checks, schema), []credential.Check{schema}
		return v
	}
	rec := f.create(t, `{"dcql_query":`+degreeQuery+`}`)
	if err := f.answer(rec, url.Values{"state": {rec.State}, "vp_token": {vpToken("d")}}); err != nil {
		t.Fatal(err)
	}
	res, _ := f.store.Get(rec.ID)
	for _, w := range res.Result.Warnings {
		if !slices.ContainsFunc(res.Result.Checks, func(c credential.Check) bool { return c.Name == w.Name && c.Code == w.Code && c.Detail == w.Detail }) {
			t.Errorf("warning %+v has no check row: %+v", w, res.Result.Checks)
		}
	}
	if !slices.ContainsFunc(res.Result.Warnings, func(c credential.Check) bool { return c.Detail == "d[0] credential 0: claims were withheld" }) {
		t.Errorf("warnings %+v", res.Result.Warnings)
	}
}
