package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/wallet"
)

// vpSetup issues the wallet an SD-JWT diploma (and a vc+jwt one) over
// OpenID4VCI and makes a verifier account.
func vpSetup(t *testing.T) (tn *testNode, verifier node.NewAccount, held []wallet.Stored, h wallet.Holder) {
	tn, verifier, held, h, _ = vpSetupWithIssuer(t)
	return tn, verifier, held, h
}

// vpSetupWithIssuer is vpSetup that also returns the university's account.
func vpSetupWithIssuer(t *testing.T) (tn *testNode, verifier node.NewAccount, held []wallet.Stored, h wallet.Holder, uni node.NewAccount) {
	t.Helper()
	tn, uni = vciSetup(t)
	ctx := context.Background()
	h = newHolder(t)
	wc := wallet.NewVCIClient()
	for _, instance := range []string{"diploma", "diploma-jwt"} {
		o := createOffer(t, tn, uni.Token, `{"instance":"`+instance+`","claims":`+vciClaims+`}`)
		got, err := wc.ReceiveOffer(ctx, o.OfferURIByReference, wallet.Holder{Key: h.Key, KID: h.KID}, wallet.ReceiveOptions{})
		if err != nil {
			t.Fatalf("receive %s: %v", instance, err)
		}
		held = append(held, wallet.Stored{Entry: wallet.Entry{ID: instance}, Credential: got.Credentials[0]})
	}
	return tn, frontDesk(t, tn), held, h, uni
}

// frontDesk makes the verifier's account, front-desk.
func frontDesk(t *testing.T, tn *testNode) node.NewAccount {
	t.Helper()
	return decodeAs[node.NewAccount](t, tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"front-desk","keyType":"Ed25519"}`)), 201, "verifier account")
}

const diplomaQuery = `{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]},` +
	`"claims":[{"path":["degree"]},{"path":["holderName"]}]}]}`

func createVPRequest(t *testing.T, tn *testNode, token, body string) api.PresentationRequestCreated {
	t.Helper()
	return decodeAs[api.PresentationRequestCreated](t, tn.do(t, "POST", "/v1/presentation-requests", token, []byte(body)), 201, "create presentation request")
}

func getVPRequest(t *testing.T, tn *testNode, token, id string) api.PresentationRequestStatus {
	t.Helper()
	return decodeAs[api.PresentationRequestStatus](t, tn.do(t, "GET", "/v1/presentation-requests/"+id, token, nil), 200, "get presentation request")
}

// openVPRequest makes a presentation request with body, fetches it as a
// wallet and selects what of held answers it.
func openVPRequest(t *testing.T, tn *testNode, token, body string, held []wallet.Stored) (api.PresentationRequestCreated, *oid4vp.Request, []wallet.Selection) {
	t.Helper()
	created := createVPRequest(t, tn, token, body)
	pr, err := wallet.NewVPClient(tn.c).FetchRequest(context.Background(), created.RequestURI)
	if err != nil {
		t.Fatal(err)
	}
	sels, err := wallet.Select(pr, held)
	if err != nil {
		t.Fatal(err)
	}
	return created, pr, sels
}

// readEvents reads status events from a stream until it ends.
func readEvents(t *testing.T, resp *http.Response) <-chan string {
	out := make(chan string, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "status":
				var st api.PresentationRequestStatus
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &st); err != nil {
					t.Errorf("event data: %v", err)
					return
				}
				out <- st.Status
			}
		}
	}()
	return out
}

func TestOID4VP_PresentTwoClaimsOfAnSDJWTDiploma(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	ctx := context.Background()
	for _, mode := range []string{oid4vp.ResponseModeDirectPost, oid4vp.ResponseModeDirectPostJWT} {
		created := createVPRequest(t, tn, verifier.Token, `{"dcql_query":`+diplomaQuery+`,"response_mode":"`+mode+`","purpose":"front desk check"}`)
		if created.ClientID != "decentralized_identifier:"+verifier.DID || !strings.HasPrefix(created.RequestURI, "openid4vp://?") ||
			created.Status != "pending" || created.QR.PNG == "" || created.QR.SVG == "" {
			t.Fatalf("created: %+v", created)
		}
		if r := tn.do(t, "GET", strings.TrimPrefix(created.QR.SVG, tn.url), verifier.Token, nil); r.status != 200 || r.ctype != "image/svg+xml" {
			t.Errorf("qr svg: %d %s", r.status, r.ctype)
		}

		// The event stream: pending now, then retrieved, then verified.
		req, _ := http.NewRequest("GET", tn.url+"/v1/presentation-requests/"+created.ID+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+verifier.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("events: %v %v", err, resp)
		}
		events := readEvents(t, resp)
		if st := <-events; st != "pending" {
			t.Fatalf("first event %q", st)
		}

		vc := wallet.NewVPClient(tn.c)
		pr, err := vc.FetchRequest(ctx, created.RequestURI)
		if err != nil {
			t.Fatalf("%s: fetch: %v", mode, err)
		}
		if pr.VerifierDID != verifier.DID || pr.Purpose != "front desk check" || pr.ResponseMode != mode ||
			pr.ClientMetadata == nil || pr.ClientMetadata.ClientName != verifier.DID { // not registered: its DID, not the account's name
			t.Errorf("request: %+v", pr.RequestObject)
		}
		sels, err := wallet.Select(pr, held)
		if err != nil || len(sels) != 1 || sels[0].Credential.ID != "diploma" {
			t.Fatalf("select: %v %+v", err, sels)
		}
		if want := []string{"/degree", "/holderName"}; !reflect.DeepEqual(sels[0].Disclose, want) {
			t.Errorf("discloses %v, want %v", sels[0].Disclose, want)
		}
		if _, err := vc.Present(ctx, pr, sels, h); err != nil {
			t.Fatalf("%s: present: %v", mode, err)
		}
		st := getVPRequest(t, tn, verifier.Token, created.ID)
		if st.Status != "verified" || st.Result == nil || !st.Result.Verified || len(st.Result.Credentials) != 1 {
			t.Fatalf("%s: status %+v", mode, st)
		}
		c := st.Result.Credentials[0]
		want := map[string]any{"degree": "Bachelor of Engineering", "holderName": "Alice Chen"}
		if !reflect.DeepEqual(c.Claims, want) || c.IssuerName != "Example University" || c.Format != "dc+sd-jwt" || c.Status == nil || c.Status.Check != "passed" {
			t.Errorf("%s: credential %+v", mode, c)
		}
		if st.Result.Holder != h.DID || len(st.Result.Presentations) != 1 || !st.Result.Presentations[0].Verified || st.Result.Presentations[0].Credentials[0].Issuer == "" {
			t.Errorf("%s: holder %q / presentations %+v", mode, st.Result.Holder, st.Result.Presentations)
		}
		var seen []string
		for s := range events {
			seen = append(seen, s)
		}
		// Changes that come faster than the stream writes coalesce: the
		// stream may skip retrieved, never the final status.
		if !reflect.DeepEqual(seen, []string{"retrieved", "verified"}) && !reflect.DeepEqual(seen, []string{"verified"}) {
			t.Errorf("%s: events after pending: %v", mode, seen)
		}

		// Replayed: refused, the outcome stays.
		resp2, _ := wallet.BuildResponse(pr, sels, h, time.Now())
		code, body := postForm(t, pr.ResponseURI, resp2.Form())
		if code != 400 || !strings.Contains(body, "invalid_request") {
			t.Errorf("%s: replay: %d %s", mode, code, body)
		}
		if r := tn.do(t, "GET", strings.TrimPrefix(created.RequestObjectURI, tn.url), "", nil); r.status != 404 {
			t.Errorf("an answered request object is still served: %d", r.status)
		}
	}
}

func postForm(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text())
	}
	return resp.StatusCode, b.String()
}

func TestOID4VP_BadResponsesAreRefusedAndNothingIsAccepted(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	ctx := context.Background()
	vc := wallet.NewVPClient(tn.c)
	fresh := func(query string) (api.PresentationRequestCreated, *oid4vp.Request, []wallet.Selection) {
		t.Helper()
		return openVPRequest(t, tn, verifier.Token, `{"dcql_query":`+query+`}`, held)
	}
	wantStatus := func(what, id, status string) {
		t.Helper()
		if st := getVPRequest(t, tn, verifier.Token, id); st.Status != status {
			t.Errorf("%s: status %s, want %s", what, st.Status, status)
		}
	}

	// Protocol errors: nothing recorded, the request stays open.
	created, pr, sels := fresh(diplomaQuery)
	good, err := wallet.BuildResponse(pr, sels, h, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(f url.Values){
		"wrong state":          func(f url.Values) { f.Set("state", "not-the-state") },
		"no state":             func(f url.Values) { f.Del("state") },
		"malformed vp_token":   func(f url.Values) { f.Set("vp_token", `{"diploma":"not an array"}`) },
		"unknown query id":     func(f url.Values) { f.Set("vp_token", `{"other":["x"]}`) },
		"vp_token not JSON":    func(f url.Values) { f.Set("vp_token", `{`) },
		"query not answered":   func(f url.Values) { f.Set("vp_token", `{}`) },
		"not a presentation":   func(f url.Values) { f.Set("vp_token", `{"diploma":["eyJhbGciOiJub25lIn0.e30."]}`) },
		"repeated parameter":   func(f url.Values) { f.Add("state", pr.State) },
		"encrypted, not asked": func(f url.Values) { f.Set("response", "a.b.c.d.e") },
	} {
		f := good.Form()
		mutate(f)
		code, body := postForm(t, pr.ResponseURI, f)
		if code != 400 || !strings.Contains(body, `"invalid_request"`) || strings.Contains(body, "Alice") {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
	wantStatus("after protocol errors", created.ID, "retrieved")
	if _, err := vc.Present(ctx, pr, sels, h); err != nil {
		t.Fatalf("the good answer after bad ones: %v", err)
	}
	wantStatus("the good answer", created.ID, "verified")

	// Verification failures are recorded as rejected, final.
	reject := func(name string, build func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response, failed string) {
		t.Helper()
		created, pr, sels := fresh(diplomaQuery)
		resp := build(pr, sels)
		code, body := postForm(t, pr.ResponseURI, resp.Form())
		if code != 400 || !strings.Contains(body, `"invalid_request"`) || !strings.Contains(body, failed) {
			t.Errorf("%s: %d %s", name, code, body)
		}
		st := getVPRequest(t, tn, verifier.Token, created.ID)
		if st.Status != "rejected" || st.Result == nil || st.Result.Verified {
			t.Errorf("%s: %+v", name, st)
			return
		}
		found := false
		for _, e := range st.Result.Errors {
			found = found || e.Name == failed
		}
		if !found {
			t.Errorf("%s: errors %+v, want %s", name, st.Result.Errors, failed)
		}
		if _, err := vc.Present(ctx, pr, sels, h); err == nil {
			t.Errorf("%s: a rejected request accepted a second answer", name)
		}
	}
	// Answers not bound to the request by their holder proof (another
	// nonce or audience, a proof that does not verify) are refused without
	// ending the request: anyone who saw the QR code could send them.
	for name, build := range map[string]func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response{
		oid4vp.CheckNonce: func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response {
			other := *pr
			other.Nonce = "another-nonce"
			r, _ := wallet.BuildResponse(&other, sels, h, time.Now())
			return r
		},
		oid4vp.CheckAudience: func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response {
			other := *pr
			other.ClientID = "decentralized_identifier:did:web:elsewhere.example"
			r, _ := wallet.BuildResponse(&other, sels, h, time.Now())
			return r
		},
		credential.CheckHolderProof: func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response {
			// The key-binding JWT's signature tampered with.
			r, _ := wallet.BuildResponse(pr, sels, h, time.Now())
			var token map[string][]string
			if err := json.Unmarshal(r.VPToken, &token); err != nil {
				t.Fatal(err)
			}
			p := token["diploma"][0]
			token["diploma"][0] = p[:len(p)-6] + strings.Repeat("A", 6)
			r.VPToken, _ = json.Marshal(token)
			return r
		},
	} {
		created, pr, sels := fresh(diplomaQuery)
		code, body := postForm(t, pr.ResponseURI, build(pr, sels).Form())
		if code != 400 || !strings.Contains(body, `"invalid_request"`) || !strings.Contains(body, name) || !strings.Contains(body, "stays open") {
			t.Errorf("%s: %d %s", name, code, body)
		}
		wantStatus("an answer failing "+name, created.ID, "retrieved")
		if _, err := vc.Present(ctx, pr, sels, h); err != nil {
			t.Errorf("%s: the good answer after it: %v", name, err)
		}
		wantStatus("the good answer after one failing "+name, created.ID, "verified")
	}
	reject("a required claim not disclosed", func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response {
		sels[0].Disclose = []string{"/degree"}
		r, _ := wallet.BuildResponse(pr, sels, h, time.Now())
		return r
	}, oid4vp.CheckQuery)
	reject("another credential's format", func(pr *oid4vp.Request, sels []wallet.Selection) *oid4vp.Response {
		jwtQuery, _ := oid4vp.ParseDCQL([]byte(`{"credentials":[{"id":"diploma","format":"jwt_vc_json","meta":{"type_values":[["VerifiableCredential"]]}}]}`))
		other := *pr
		other.DCQL = jwtQuery
		s, err := wallet.Select(&other, held)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := wallet.BuildResponse(pr, s, h, time.Now())
		return r
	}, oid4vp.CheckQuery)

	// An extra disclosure is accepted with a warning, and not kept.
	created, pr, sels = fresh(diplomaQuery)
	sels[0].Disclose = append(sels[0].Disclose, "/gpa")
	if _, err := vc.Present(ctx, pr, sels, h); err != nil {
		t.Fatalf("extra disclosure: %v", err)
	}
	st := getVPRequest(t, tn, verifier.Token, created.ID)
	if st.Status != "verified" || len(st.Result.Warnings) == 0 || st.Result.Warnings[0].Name != oid4vp.CheckDisclosure || st.Result.Credentials[0].Claims["gpa"] != nil {
		t.Errorf("extra disclosure: %+v", st.Result)
	}

	// Two answers at once: exactly one is accepted.
	created, pr, sels = fresh(diplomaQuery)
	form := func() url.Values {
		r, err := wallet.BuildResponse(pr, sels, h, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return r.Form()
	}
	forms := []url.Values{form(), form()}
	codes := make(chan int, 2)
	for _, f := range forms {
		go func() {
			resp, err := http.PostForm(pr.ResponseURI, f)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	if a, b := <-codes, <-codes; a+b != 200+400 {
		t.Errorf("two concurrent answers: %d and %d, want one 200 and one 400", a, b)
	}
	wantStatus("two answers", created.ID, "verified")

	// A declining wallet: rejected with its error.
	created, pr, _ = fresh(diplomaQuery)
	if err := vc.Decline(ctx, pr); err != nil {
		t.Fatal(err)
	}
	if st := getVPRequest(t, tn, verifier.Token, created.ID); st.Status != "rejected" || st.Result.WalletError != "access_denied" {
		t.Errorf("declined: %+v", st)
	}

	// Expired: refused, reported expired.
	created, pr, sels = fresh(diplomaQuery)
	rec, err := tn.n.PresentationRequests().Get(created.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.Expires = time.Now().Add(-time.Second)
	if err := tn.n.PresentationRequests().Put(rec); err != nil {
		t.Fatal(err)
	}
	var oe *oid4vp.Error
	if _, err := vc.Present(ctx, pr, sels, h); !errors.As(err, &oe) || oe.Code != "invalid_request" {
		t.Errorf("expired: %v", err)
	}
	wantStatus("expired", created.ID, "expired")

	// Bad requests from the verifier's backend.
	for name, body := range map[string]string{
		"no query":       `{}`,
		"both":           `{"dcql_query":` + diplomaQuery + `,"presentation_definition":{"id":"x","input_descriptors":[]}}`,
		"bad format":     `{"dcql_query":{"credentials":[{"id":"a","format":"mso_mdoc","meta":{}}]}}`,
		"bad mode":       `{"dcql_query":` + diplomaQuery + `,"response_mode":"fragment"}`,
		"too long":       `{"dcql_query":` + diplomaQuery + `,"expiresIn":7200}`,
		"claim_sets bad": `{"dcql_query":{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[{"path":["x"]}],"claim_sets":[["y"]]}]}}`,
		"not our DID":    `{"dcql_query":` + diplomaQuery + `,"did":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}`,
		"unknown member": `{"dcql_query":` + diplomaQuery + `,"nonsense":1}`,
	} {
		r := tn.do(t, "POST", "/v1/presentation-requests", verifier.Token, []byte(body))
		if r.status < 400 || r.status >= 500 || r.ctype != "application/problem+json" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	wantProblem(t, "no token", tn.do(t, "POST", "/v1/presentation-requests", "", []byte(`{"dcql_query":`+diplomaQuery+`}`)), 401, "auth.required")
	wantProblem(t, "another account's request", tn.do(t, "GET", "/v1/presentation-requests/"+created.ID, wallet0Token(t, tn), nil), 404, "presentationRequest.notFound")
	wantProblem(t, "bad qr format", tn.do(t, "GET", "/v1/presentation-requests/"+created.ID+"/qr?format=gif", verifier.Token, nil), 400, "presentationRequest.invalid")
	wantProblem(t, "unknown request object", tn.do(t, "GET", "/oid4vp/requests/nope", "", nil), 404, "presentationRequest.notFound")
}

// wallet0Token makes another account and returns its token.
func wallet0Token(t *testing.T, tn *testNode) string {
	t.Helper()
	a := tn.account(t, `{"name":"someone-else","keyType":"Ed25519"}`)
	return a.Token
}

func TestOID4VP_PresentationExchangeAndJWTVC(t *testing.T) {
	tn, verifier, held, h := vpSetup(t)
	ctx := context.Background()
	pd := `{"id":"diploma-check","input_descriptors":[{"id":"diploma","format":{"jwt_vc_json":{"alg":["EdDSA"]}},` +
		`"constraints":{"fields":[{"path":["$.type"],"filter":{"type":"array","contains":{"const":"UniversityDegreeCredential"}}},` +
		`{"path":["$.credentialSubject.degree"]}]}}]}`
	created, pr, sels := openVPRequest(t, tn, verifier.Token, `{"presentation_definition":`+pd+`}`, held)
	if pr.PresentationDef == nil || pr.DCQL.Credentials[0].Format != "jwt_vc_json" {
		t.Fatalf("request: %+v", pr.DCQL)
	}
	if sels[0].Credential.ID != "diploma-jwt" {
		t.Fatalf("selected %s", sels[0].Credential.ID)
	}
	if _, err := wallet.NewVPClient(tn.c).Present(ctx, pr, sels, h); err != nil {
		t.Fatal(err)
	}
	st := getVPRequest(t, tn, verifier.Token, created.ID)
	if st.Status != "verified" || st.Result.Credentials[0].Claims["credentialSubject"] == nil {
		t.Fatalf("status %+v", st.Result)
	}
	subj := st.Result.Credentials[0].Claims["credentialSubject"].(map[string]any)
	if len(subj) != 1 || subj["degree"] != "Bachelor of Engineering" {
		t.Errorf("claims kept: %v", subj)
	}
}

func TestOID4VP_DataIntegrityPresentation(t *testing.T) {
	tn, verifier, held, h, uni := vpSetupWithIssuer(t)
	ctx := context.Background()
	// An ldp_vc diploma: a whole credential with the examples context
	// (Data Integrity needs its terms defined).
	o := createOffer(t, tn, uni.Token, `{"instance":"diploma-ldp","credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential"],"credentialSubject":`+vciClaims+`}}`)
	got, err := wallet.NewVCIClient().ReceiveOffer(ctx, o.OfferURIByReference, wallet.Holder{Key: h.Key, KID: h.KID}, wallet.ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	held = append(held, wallet.Stored{Entry: wallet.Entry{ID: "diploma-ldp"}, Credential: got.Credentials[0]})
	// type_values as Appendix B.1.1 has them: fully expanded IRIs.
	query := `{"credentials":[{"id":"d","format":"ldp_vc","meta":{"type_values":[["https://www.w3.org/2018/credentials#VerifiableCredential",` +
		`"https://www.w3.org/ns/credentials/examples#UniversityDegreeCredential"]]},"claims":[{"path":["credentialSubject","holderName"]}]}]}`
	created, pr, sels := openVPRequest(t, tn, verifier.Token, `{"dcql_query":`+query+`,"response_mode":"direct_post.jwt"}`, held)
	if sels[0].Credential.ID != "diploma-ldp" {
		t.Fatalf("selected %s", sels[0].Credential.ID)
	}
	if _, err := wallet.NewVPClient(tn.c).Present(ctx, pr, sels, h); err != nil {
		t.Fatal(err)
	}
	st := getVPRequest(t, tn, verifier.Token, created.ID)
	want := map[string]any{"credentialSubject": map[string]any{"holderName": "Alice Chen"}}
	if st.Status != "verified" || !reflect.DeepEqual(st.Result.Credentials[0].Claims, want) || st.Result.Credentials[0].Format != "ldp_vc" {
		t.Fatalf("status %s %+v", st.Status, st.Result)
	}
}

func TestOID4VP_EventStreamsAreBounded(t *testing.T) {
	tn := startNode(t)
	desk := frontDesk(t, tn)
	created := createVPRequest(t, tn, desk.Token, `{"dcql_query":`+diplomaQuery+`}`)
	open := func() *http.Response {
		req, _ := http.NewRequest("GET", tn.url+"/v1/presentation-requests/"+created.ID+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+desk.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	wantStreamsBounded(t, oid4vp.MaxEventStreamsPerAccount, open, func(over *http.Response) {
		if over.StatusCode != 503 || over.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("stream %d: %d %s", oid4vp.MaxEventStreamsPerAccount+1, over.StatusCode, over.Header.Get("Content-Type"))
		}
	})
}

// The sweeper drops the decryption key of a request that can no longer be
// answered, and forgets requests a day after they expired, of any account.
func TestOID4VP_SweeperForgetsOldRequests(t *testing.T) {
	tn := startNode(t)
	desk := frontDesk(t, tn)
	enc := createVPRequest(t, tn, desk.Token, `{"dcql_query":`+diplomaQuery+`,"response_mode":"direct_post.jwt"}`)
	plain := createVPRequest(t, tn, desk.Token, `{"dcql_query":`+diplomaQuery+`}`)
	s := New(tn.n, nil)
	record := tn.n.PresentationRequests().Get
	if err := s.vp.Sweep(time.Now()); err != nil {
		t.Fatal(err)
	}
	if rec, err := record(enc.ID); err != nil || rec.EncKey == "" {
		t.Fatalf("an open request's key was dropped: %v", err)
	}
	if err := s.vp.Sweep(enc.Expires.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rec, err := record(enc.ID); err != nil || rec.EncKey != "" {
		t.Fatalf("an expired request keeps its key (%v)", err)
	}
	if err := s.vp.Sweep(plain.Expires.Add(oid4vp.RequestRetention + time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{enc.ID, plain.ID} {
		if _, err := record(id); !errors.Is(err, oid4vp.ErrNotFound) {
			t.Errorf("request %s is kept: %v", id, err)
		}
		err := tn.n.PresentationRequests().Expiries("front-desk", func(indexed string, _ time.Time) {
			if indexed == id {
				t.Errorf("request %s's account index is kept", id)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
