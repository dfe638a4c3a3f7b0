package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/wallet"
)

const degreeJWTQuery = `{"credentials":[{"id":"diploma","format":"jwt_vc_json","meta":{"type_values":[["UniversityDegreeCredential"]]},` +
	`"claims":[{"path":["credentialSubject","degree"]}]}]}`

// A W3C credential issued to Alice inside a vp+jwt signed by Mallory is
// rejected: holderBinding (credentialSubject.id is the holder's DID).
func TestOID4VP_W3CCredentialOfAnotherHolderIsRejected(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	ctx := context.Background()
	created := createVPRequest(t, tn, verifier.Token, `{"dcql_query":`+degreeJWTQuery+`}`)
	pr, err := wallet.NewVPClient(tn.c).FetchRequest(ctx, created.RequestURI)
	if err != nil {
		t.Fatal(err)
	}
	aliceVC := strings.Trim(string(held[1].Credential), `"`) // diploma-jwt, issued to h.DID
	mk, _ := keys.Generate(keys.Ed25519)
	mallory := did.KeyDID(mk.Public())
	if mallory == h.DID {
		t.Fatal("same DID")
	}
	vp, _ := json.Marshal(map[string]any{
		"@context": []string{credential.ContextV2}, "type": []string{credential.TypeVerifiablePresentation}, "holder": mallory,
		"verifiableCredential": []any{map[string]any{"@context": credential.ContextV2, "id": credential.DataURLVCJWT + aliceVC, "type": "EnvelopedVerifiableCredential"}},
	})
	tok, err := credential.SignPresentationJWT(credential.Signer{DID: mallory, VerificationMethod: mallory + "#" + mk.Public().Multibase(), Key: mk}, vp, pr.Nonce, pr.ClientID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokJSON, _ := json.Marshal(tok)
	code, body := postForm(t, pr.ResponseURI, url.Values{"state": {pr.State}, "vp_token": {`{"diploma":[` + string(tokJSON) + `]}`}})
	st := getVPRequest(t, tn, verifier.Token, created.ID)
	if code != 400 || !strings.Contains(body, oid4vp.CheckHolderBinding) || st.Status != "rejected" || st.Result.Holder != mallory ||
		len(st.Result.Errors) != 1 || st.Result.Errors[0].Name != oid4vp.CheckHolderBinding || !strings.Contains(st.Result.Errors[0].Detail, h.DID) {
		t.Errorf("Mallory (%s) presented Alice's credential: %d %s; status %s, errors %+v", mallory, code, body, st.Status, st.Result.Errors)
	}
}

// Claims disclosed beyond the query are not kept: the stored and served
// result has the requested claims and the checks, no whole credential.
func TestOID4VP_ClaimsNotAskedForAreNotKept(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	ctx := context.Background()
	vc := wallet.NewVPClient(tn.c)
	created, pr, sels := openVPRequest(t, tn, verifier.Token, `{"dcql_query":{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]},"claims":[{"path":["degree"]}]}]}}`, held)
	sels[0].Disclose = append(sels[0].Disclose, "/gpa", "/holderName")
	if _, err := vc.Present(ctx, pr, sels, h); err != nil {
		t.Fatal(err)
	}
	r := tn.do(t, "GET", "/v1/presentation-requests/"+created.ID, verifier.Token, nil)
	if strings.Contains(string(r.body), "Alice Chen") || strings.Contains(string(r.body), "3.7") {
		t.Errorf("claims not asked for (holderName, gpa) are stored and served: %s", r.body)
	}
	if strings.Contains(string(r.body), `"credential"`) || strings.Contains(string(r.body), `"presentation"`) || !strings.Contains(string(r.body), "Bachelor of Engineering") {
		t.Errorf("the result keeps a whole credential or presentation, or not the requested claim: %s", r.body)
	}
}

// A self-issued degree (its issuer in no trust registry) is rejected: a
// request requires an accredited issuer unless it says otherwise, and then
// the accreditation warning reaches the result. trusted_authorities, which
// weid does not evaluate, is refused rather than ignored.
func TestOID4VP_SelfIssuedCredentialIsNotVerified(t *testing.T) {
	tn, verifier, _, _ := vpSetup(t)
	ctx := context.Background()
	withTA := `{"credentials":[{"id":"diploma","format":"jwt_vc_json","meta":{"type_values":[["UniversityDegreeCredential"]]},` +
		`"trusted_authorities":[{"type":"openid_federation","values":["https://trust.example"]}],` +
		`"claims":[{"path":["credentialSubject","degree"]}]}]}`
	if r := tn.do(t, "POST", "/v1/presentation-requests", verifier.Token, []byte(`{"dcql_query":`+withTA+`}`)); r.status != 400 || !strings.Contains(string(r.body), "trusted_authorities") {
		t.Errorf("trusted_authorities: %d %s", r.status, r.body)
	}
	mk, _ := keys.Generate(keys.Ed25519)
	m := did.KeyDID(mk.Public())
	signer := credential.Signer{DID: m, VerificationMethod: m + "#" + mk.Public().Multibase(), Key: mk}
	vcTok, err := credential.IssueJWT(signer, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],`+
		`"issuer":"`+m+`","credentialSubject":{"id":"`+m+`","degree":"PhD"}}`), time.Now(), credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	held := []wallet.Stored{{Entry: wallet.Entry{ID: "fake"}, Credential: json.RawMessage(`"` + vcTok + `"`)}}
	for _, tc := range []struct {
		body     string
		verified bool
	}{
		{`{"dcql_query":` + degreeJWTQuery + `}`, false},
		{`{"dcql_query":` + degreeJWTQuery + `,"requireAccreditation":true}`, false},
		{`{"dcql_query":` + degreeJWTQuery + `,"requireAccreditation":false}`, true},
	} {
		created, pr, sels := openVPRequest(t, tn, verifier.Token, tc.body, held)
		_, err := wallet.NewVPClient(tn.c).Present(ctx, pr, sels, wallet.Holder{DID: m, KID: signer.VerificationMethod, Key: mk})
		var oe *oid4vp.Error
		if tc.verified != (err == nil) || !tc.verified && (!errors.As(err, &oe) || !strings.Contains(oe.Description, "accreditation")) {
			t.Errorf("%s: present: %v", tc.body, err)
		}
		st := getVPRequest(t, tn, verifier.Token, created.ID)
		accreditation := false
		for _, c := range append(st.Result.Warnings, st.Result.Errors...) {
			accreditation = accreditation || c.Name == credential.CheckAccreditation && strings.HasPrefix(c.Detail, "diploma[0] credential 0: ")
		}
		if (st.Status == "verified") != tc.verified || st.Result.Verified != tc.verified || !accreditation || st.RequireAccreditation == tc.verified {
			t.Errorf("%s: a self-issued degree (issuer %s): status %s, warnings %v, errors %v", tc.body, st.Result.Credentials[0].Issuer, st.Status, st.Result.Warnings, st.Result.Errors)
		}
	}
}

// With credential_sets alternatives, wallet.Select answers one option
// (the first it can), not every alternative, and no optional set.
func TestOID4VP_WalletAnswersOneAlternative(t *testing.T) {
	tn, verifier, held, _ := vpSetup(t)
	ctx := context.Background()
	q := `{"credentials":[` +
		`{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]},"claims":[{"path":["degree"]}]},` +
		`{"id":"b","format":"jwt_vc_json","meta":{"type_values":[["UniversityDegreeCredential"]]}}],` +
		`"credential_sets":[{"options":[["a"],["b"]]}]}`
	_, _, sels := openVPRequest(t, tn, verifier.Token, `{"dcql_query":`+q+`}`, held)
	if len(sels) != 1 || sels[0].QueryID != "a" {
		t.Fatalf("one option ([a] or [b]) is asked for, the wallet selects %d credentials: %+v", len(sels), sels)
	}
	// An optional set is answered only when the wallet's user opts in.
	q = `{"credentials":[` +
		`{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]},"claims":[{"path":["degree"]}]},` +
		`{"id":"b","format":"jwt_vc_json","meta":{"type_values":[["UniversityDegreeCredential"]]}}],` +
		`"credential_sets":[{"options":[["a"]]},{"options":[["b"]],"required":false}]}`
	created := createVPRequest(t, tn, verifier.Token, `{"dcql_query":`+q+`}`)
	pr, err := wallet.NewVPClient(tn.c).FetchRequest(ctx, created.RequestURI)
	if err != nil {
		t.Fatal(err)
	}
	if sels, err = wallet.Select(pr, held); err != nil || len(sels) != 1 || sels[0].QueryID != "a" {
		t.Errorf("required only: %v %+v", err, sels)
	}
	if sels, err = wallet.SelectWithOptional(pr, held); err != nil || len(sels) != 2 {
		t.Errorf("with the optional set: %v %+v", err, sels)
	}
}

func TestOID4VP_ConcurrentAnswersOnlyOneAccepted(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		created := createVPRequest(t, tn, verifier.Token, `{"dcql_query":`+diplomaQuery+`}`)
		pr, err := wallet.NewVPClient(tn.c).FetchRequest(ctx, created.RequestURI)
		if err != nil {
			t.Fatal(err)
		}
		sels, _ := wallet.Select(pr, held)
		const n = 12
		codes := make(chan int, n)
		for i := 0; i < n; i++ {
			resp, _ := wallet.BuildResponse(pr, sels, h, time.Now())
			go func(f url.Values) {
				c, _ := postForm(t, pr.ResponseURI, f)
				codes <- c
			}(resp.Form())
		}
		ok := 0
		for i := 0; i < n; i++ {
			if <-codes == 200 {
				ok++
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d responses accepted", round, ok)
		}
	}
}

// The black-box probe: a vp_token naming its query id twice, a rejected
// entry then a valid SD-JWT+KB, and an error response carrying that valid
// vp_token, are each refused 400 invalid_request naming what is wrong;
// nothing is recorded and the valid answer still verifies after them.
func TestOID4VP_AmbiguousAnswersAreRefusedAndChangeNothing(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	created, pr, sels := openVPRequest(t, tn, verifier.Token, `{"dcql_query":`+diplomaQuery+`}`, held)
	resp, err := wallet.BuildResponse(pr, sels, h, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	valid := resp.Form()
	vp := strings.TrimPrefix(valid.Get("vp_token"), "{")
	for name, tc := range map[string]struct {
		form url.Values
		want string
	}{
		"query id twice":        {url.Values{"state": {pr.State}, "vp_token": {`{"diploma":["not-a-presentation"],` + vp}}, `member \"diploma\" appears twice`},
		"error with a vp_token": {url.Values{"state": {pr.State}, "error": {"access_denied"}, "vp_token": {valid.Get("vp_token")}}, "not vp_token"},
	} {
		code, body := postForm(t, pr.ResponseURI, tc.form)
		if code != 400 || !strings.Contains(body, "invalid_request") || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s", name, code, body)
		}
		if st := getVPRequest(t, tn, verifier.Token, created.ID); st.Status != "retrieved" {
			t.Fatalf("%s: status %s", name, st.Status)
		}
	}
	if code, body := postForm(t, pr.ResponseURI, valid); code != 200 {
		t.Errorf("the valid answer after them: %d %s", code, body)
	}
}

// An SD-JWT diploma from an instance with nothing selectively disclosable
// shows every claim in the issuer-signed JWT: asked for the degree and the
// holder's name, the verdict names gpa as a claim the credential always
// shows (not "nothing disclosed beyond the query"), and the schema, every
// claim being present, is checked and passes. Every warning the verdict
// names has its check row.
func TestOID4VP_SDJWTClaimsInTheClearAreNamedBeyondTheQuery(t *testing.T) {
	tn, verifier, _, h, uni := vpSetupWithIssuer(t)
	ctx := context.Background()
	diploma := decodeAs[api.IssuerInstance](t, tn.do(t, "GET", "/v1/issuer-instances/diploma", uni.Token, nil), 200, "diploma instance")
	body := fmt.Sprintf(`{"name":"diploma-plain","issuer":"%s","schema":%d,"types":["UniversityDegreeCredential"],"format":"dc+sd-jwt"}`, uni.DID, diploma.Schema)
	if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(body)); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	o := createOffer(t, tn, uni.Token, `{"instance":"diploma-plain","claims":`+vciClaims+`}`)
	got, err := wallet.NewVCIClient().ReceiveOffer(ctx, o.OfferURIByReference, wallet.Holder{Key: h.Key, KID: h.KID}, wallet.ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	held := []wallet.Stored{{Entry: wallet.Entry{ID: "plain"}, Credential: got.Credentials[0]}}
	created, pr, sels := openVPRequest(t, tn, verifier.Token, `{"dcql_query":`+diplomaQuery+`}`, held)
	if _, err := wallet.NewVPClient(tn.c).Present(ctx, pr, sels, h); err != nil {
		t.Fatal(err)
	}
	st := getVPRequest(t, tn, verifier.Token, created.ID)
	var disclosure []string
	for _, c := range st.Result.Checks {
		if c.Name == oid4vp.CheckDisclosure {
			disclosure = append(disclosure, c.Code+" "+c.Params["claims"])
		}
	}
	if st.Status != "verified" || !slices.Equal(disclosure, []string{oid4vp.ReasonDisclosureAlwaysShown + " diploma[0]: gpa"}) {
		t.Errorf("status %s, disclosure checks %q; want one naming gpa, shown in the clear", st.Status, disclosure)
	}
	for _, w := range st.Result.Warnings {
		if w.Name == credential.CheckSchema {
			t.Errorf("every claim is present, yet the schema warns: %+v", w)
		}
		if !slices.ContainsFunc(st.Result.Checks, func(c credential.Check) bool { return c.Name == w.Name && c.Detail == w.Detail }) {
			t.Errorf("warning %+v has no check row", w)
		}
	}
	if c := st.Result.Credentials[0].Claims; c["gpa"] != nil || c["degree"] == nil {
		t.Errorf("kept claims %v", c)
	}
}
