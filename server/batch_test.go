package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
	liststatus "github.com/weidgo/weid/status"
)

// batchPool issues a pool of credentials over HTTP: every format, three
// issuers (an accredited did:weid, an unrecognized did:weid, a did:key),
// each valid, tampered (its signature no longer verifies), revoked and
// expired, and items that are not credentials at all.
func batchPool(t *testing.T, tn *testNode) []json.RawMessage {
	t.Helper()
	mk := func(name string, didKey bool) node.NewAccount {
		body := `{"name":"` + name + `"}`
		if didKey {
			body = `{"name":"` + name + `","didKey":true}`
		}
		return tn.account(t, body)
	}
	uni, mill, keyed := mk("uni", false), mk("mill", false), mk("keyed", true)
	if r := tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+uni.DID+`","name":"Uni","types":["UniversityDegreeCredential"],"schemas":[2]}`)); r.status != 201 {
		t.Fatalf("recognize: %d %s", r.status, r.body)
	}
	type issuer struct{ token, did string }
	issuers := []issuer{{uni.Token, uni.DID}, {mill.Token, mill.DID}, {keyed.Token, keyed.DIDKey}}
	formats := []string{"vc+jwt", "dc+sd-jwt", "eddsa-jcs-2022", "eddsa-rdfc-2022"}
	var pool []json.RawMessage
	for fi, f := range formats {
		for ii, is := range issuers {
			issue := func(validity string, status bool) json.RawMessage {
				opts := `{"format":"` + f + `"`
				if status {
					opts += `,"status":["revocation"]`
				}
				if f == "dc+sd-jwt" {
					opts += `,"disclosable":["/credentialSubject/degree"]`
				}
				opts += "}"
				body := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],` +
					`"issuer":"` + is.did + `"` + validity + `,"credentialSchema":{"id":"https://node.example/v1/schemas/2","type":"JsonSchema"},` +
					`"credentialSubject":` + goodClaims + `},"options":` + opts + `}`
				r := tn.do(t, "POST", "/credentials/issue", is.token, []byte(body))
				if r.status != 201 {
					t.Fatalf("issue %s by %s: %d %s", f, is.did, r.status, r.body)
				}
				var out struct {
					VerifiableCredential json.RawMessage `json:"verifiableCredential"`
				}
				_ = json.Unmarshal(r.body, &out)
				return out.VerifiableCredential
			}
			withStatus := ii < 2 // a did:key issuer has no status list on the ledger
			valid := issue("", withStatus)
			pool = append(pool, valid)
			pool = append(pool, tamper(t, valid))
			pool = append(pool, issue(`,"validFrom":"2019-01-01T00:00:00Z","validUntil":"2020-01-01T00:00:00Z"`, false))
			if withStatus && (fi+ii)%2 == 0 {
				// Revoke valid itself: every earlier copy of it in the
				// pool is now revoked too, as verification alone sees it.
				res, err := tn.n.Verifier().Verify(context.Background(), valid, credential.Policy{})
				if err != nil {
					t.Fatal(err)
				}
				cs, _ := res.Credential["credentialStatus"].(map[string]any)
				if cs == nil && f == "dc+sd-jwt" {
					// An SD-JWT VC names its entry in the Token Status
					// List "status" claim: the same list and index.
					var env struct{ ID string }
					_ = json.Unmarshal(valid, &env)
					_, compact, _ := strings.Cut(env.ID, ",")
					ref, err := liststatus.ParseReference(sdjwtClaims(t, compact)["status"])
					list, ok := liststatus.ListIDFromTokenURL(ref.URI)
					if err != nil || !ok {
						t.Fatalf("status claim of %s: %v", valid, err)
					}
					cs = map[string]any{"statusListIndex": strconv.FormatUint(ref.Index, 10), "statusListCredential": liststatus.URL(tn.url, list)}
				}
				if cs == nil {
					t.Fatalf("no credentialStatus: %s", valid)
				}
				body := fmt.Sprintf(`{"credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":%q,"statusListCredential":%q},"status":true}`, cs["statusListIndex"], cs["statusListCredential"])
				if r := tn.do(t, "POST", "/credentials/status", is.token, []byte(body)); r.status != 200 {
					t.Fatalf("revoke: %d %s", r.status, r.body)
				}
			}
		}
	}
	pool = append(pool, json.RawMessage(`42`), json.RawMessage(`{}`), json.RawMessage(`"not.a.jwt"`), json.RawMessage(`{"type":"VerifiableCredential","proof":{}}`))
	return pool
}

// tamper breaks a credential's signature while keeping it well-formed: a
// compact token gets one signature character changed, a Data Integrity
// credential one claim.
func tamper(t *testing.T, vc json.RawMessage) json.RawMessage {
	t.Helper()
	var env struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	_ = json.Unmarshal(vc, &env)
	if env.Type != "EnvelopedVerifiableCredential" {
		return bytes.Replace(vc, []byte("Bachelor"), []byte("Master"), 1)
	}
	prefix, tok, _ := strings.Cut(env.ID, ",")
	jwt, rest, _ := strings.Cut(tok, "~")
	parts := strings.Split(jwt, ".")
	sig := []byte(parts[2])
	i := len(sig) / 2
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	parts[2] = string(sig)
	tok = strings.Join(parts, ".")
	if rest != "" || strings.Contains(env.ID, "~") {
		tok += "~" + rest
	}
	b, _ := json.Marshal(map[string]any{"@context": credential.ContextV2, "type": "EnvelopedVerifiableCredential", "id": prefix + "," + tok})
	return b
}

// TestVerifyBatch_SameVerdictAsAlone is the batch's property: over random
// mixtures of formats, issuers, valid, tampered, revoked and expired
// credentials (and items that are not credentials), in random order and
// sizes that cross chunk boundaries, sent as JSON and as NDJSON, each
// credential gets exactly the verdict — every check's name and status, the
// same errors — that POST /credentials/verify's verifier gives it alone.
func TestVerifyBatch_SameVerdictAsAlone(t *testing.T) {
	tn := startNode(t)
	pool := batchPool(t, tn)
	policies := []credential.Policy{{}, {RequireAccreditation: true}}
	type single struct {
		verified bool
		code     string
		checks   []credential.Check
	}
	alone := make([][]single, len(policies))
	for pi, p := range policies {
		for _, raw := range pool {
			res, err := tn.n.Verifier().Verify(context.Background(), raw, p)
			if err != nil {
				var e single
				e.code = httpx.ProblemFor(err).Code
				alone[pi] = append(alone[pi], e)
				continue
			}
			if res.Err != nil {
				t.Fatalf("verifier failure: %v", res.Err)
			}
			alone[pi] = append(alone[pi], single{verified: res.Verified, checks: res.Checks})
		}
	}
	outcomes := map[bool]int{}
	failed := map[string]int{}
	for _, s := range alone[0] {
		outcomes[s.verified]++
		for _, c := range s.checks {
			if c.Status == credential.StatusFailed {
				failed[c.Name]++
			}
		}
	}
	for _, name := range []string{credential.CheckProof, credential.CheckStatus, credential.CheckValidityPeriod} {
		if failed[name] == 0 {
			t.Fatalf("no credential of the pool fails %s alone: %v", name, failed)
		}
	}
	if outcomes[true] == 0 || outcomes[false] < len(pool)/2 {
		t.Fatalf("the pool should mix verified and failing credentials: %v", outcomes)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	for round := range rounds {
		pi := rng.IntN(len(policies))
		n := 1 + rng.IntN(200)
		picks := make([]int, n)
		creds := make([]json.RawMessage, n)
		for i := range picks {
			picks[i] = rng.IntN(len(pool))
			creds[i] = pool[picks[i]]
		}
		stream := round%2 == 1
		results, sum := postBatch(t, tn, creds, policies[pi], stream)
		if len(results) != n || sum.Total != n {
			t.Fatalf("round %d: %d results, summary total %d, want %d", round, len(results), sum.Total, n)
		}
		want := batch.NewSummary()
		for i, r := range results {
			exp := alone[pi][picks[i]]
			if r.Index != i {
				t.Fatalf("round %d: result %d has index %d", round, i, r.Index)
			}
			if r.Code != exp.code || r.Verified != exp.verified || len(r.Checks) != len(exp.checks) {
				t.Fatalf("round %d (stream %v), item %d (pool %d): batch %+v, alone %+v", round, stream, i, picks[i], r, exp)
			}
			for j, c := range r.Checks {
				e := exp.checks[j]
				if c.Name != e.Name || c.Status != e.Status || (c.Name != credential.CheckValidityPeriod && c.Detail != e.Detail) {
					t.Fatalf("round %d, item %d (pool %d): check %d batch %+v, alone %+v", round, i, picks[i], j, c, e)
				}
			}
			want.Add(&r)
		}
		if fmt.Sprint(want) != fmt.Sprint(sum) {
			t.Fatalf("round %d: summary %+v, want %+v", round, sum, want)
		}
	}
}

// postBatch sends creds to the batch endpoint as a JSON body or an NDJSON
// stream and returns the results and the summary.
func postBatch(t *testing.T, tn *testNode, creds []json.RawMessage, p credential.Policy, stream bool) ([]batch.Result, batch.Summary) {
	t.Helper()
	var req *http.Request
	if stream {
		var body bytes.Buffer
		for _, c := range creds {
			body.Write(c)
			body.WriteByte('\n')
		}
		q := url.Values{}
		api.BatchOptions{RequireAccreditation: p.RequireAccreditation, RequireBinding: p.RequireBinding, ProofPurpose: p.ProofPurpose, Challenge: p.Challenge, Domain: p.Domain}.Query(q)
		req, _ = http.NewRequest("POST", tn.url+api.PathVerifyBatch+"?"+q.Encode(), &body)
		req.Header.Set("Content-Type", api.MediaTypeNDJSON)
	} else {
		opts := map[string]any{"requireAccreditation": p.RequireAccreditation, "requireBinding": p.RequireBinding}
		for k, v := range map[string]string{"expectedProofPurpose": p.ProofPurpose, "challenge": p.Challenge, "domain": p.Domain} {
			if v != "" {
				opts[k] = v
			}
		}
		body, _ := json.Marshal(map[string]any{"credentials": creds, "options": opts})
		req, _ = http.NewRequest("POST", tn.url+api.PathVerifyBatch, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("verify-batch: %d", resp.StatusCode)
	}
	if !stream {
		var out struct {
			Results []batch.Result `json:"results"`
			Summary batch.Summary  `json:"summary"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out.Results, out.Summary
	}
	if ct := resp.Header.Get("Content-Type"); ct != api.MediaTypeNDJSON {
		t.Fatalf("stream answered %s", ct)
	}
	var results []batch.Result
	var tr api.VerifyBatchTrailer
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte(`{"summary"`)) {
			if err := json.Unmarshal(line, &tr); err != nil {
				t.Fatal(err)
			}
			break
		}
		var r batch.Result
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		results = append(results, r)
	}
	if tr.Error != nil {
		t.Fatalf("stream error: %+v", tr.Error)
	}
	return results, tr.Summary
}

// TestVerifyBatch_ProofOptionsAsAlone: the Data Integrity options of POST
// /credentials/verify (expectedProofPurpose, challenge, domain: VC Data
// Integrity 1.0 §4.4) decide a batch's verdicts as they decide one
// credential's, in the JSON options and in a stream's query alike.
func TestVerifyBatch_ProofOptionsAsAlone(t *testing.T) {
	tn := startNode(t)
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"uni"}`))
	var uni node.NewAccount
	_ = json.Unmarshal(r.body, &uni)
	var creds []json.RawMessage
	for _, f := range []string{"eddsa-jcs-2022", "vc+jwt"} {
		r := tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],`+
			`"issuer":"`+uni.DID+`","credentialSubject":{"id":"did:example:holder"}},"options":{"format":"`+f+`"}}`))
		var out struct {
			VerifiableCredential json.RawMessage `json:"verifiableCredential"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil || r.status != 201 {
			t.Fatalf("issue %s: %d %s", f, r.status, r.body)
		}
		creds = append(creds, out.VerifiableCredential)
	}
	for _, p := range []credential.Policy{{}, {ProofPurpose: "authentication"}, {Challenge: "c-1"}, {Domain: "verifier.example"}} {
		for _, stream := range []bool{false, true} {
			results, _ := postBatch(t, tn, creds, p, stream)
			for i, c := range creds {
				alone, err := tn.n.Verifier().Verify(context.Background(), c, p)
				if err != nil {
					t.Fatal(err)
				}
				if results[i].Verified != alone.Verified {
					t.Errorf("policy %+v, stream %v, credential %d: batch verified %v, alone %v", p, stream, i, results[i].Verified, alone.Verified)
				}
				if i == 0 && alone.Verified != (p == credential.Policy{}) {
					t.Errorf("policy %+v: the Data Integrity credential verified %v alone", p, alone.Verified)
				}
			}
		}
	}
}

// TestVerifyBatch_Requests covers the request's own mistakes and the
// stream's per-line bounds.
func TestVerifyBatch_Requests(t *testing.T) {
	tn := startNode(t)
	wantProblem(t, "not JSON", tn.do(t, "POST", api.PathVerifyBatch, "", []byte(`{`)), 400, "request.malformed")
	wantProblem(t, "no credentials", tn.do(t, "POST", api.PathVerifyBatch, "", []byte(`{}`)), 400, "request.malformed")
	wantProblem(t, "credentials not an array", tn.do(t, "POST", api.PathVerifyBatch, "", []byte(`{"credentials":{}}`)), 400, "request.malformed")
	many, _ := json.Marshal(map[string]any{"credentials": make([]int, api.MaxBatchCredentials+1)})
	wantProblem(t, "too many", tn.do(t, "POST", api.PathVerifyBatch, "", many), 400, "batch.tooMany")
	wantProblem(t, "over 1 MiB as JSON", tn.do(t, "POST", api.PathVerifyBatch, "", bytes.Repeat([]byte(" "), MaxBodyBytes+1)), 413, "request.tooLarge")

	r := tn.do(t, "POST", api.PathVerifyBatch, "", []byte(`{"credentials":[]}`))
	if r.status != 200 || !strings.Contains(string(r.body), `"total":0`) {
		t.Fatalf("empty batch: %d %s", r.status, r.body)
	}

	// A stream past 1 MiB, with blank lines, a line over the bound, a line
	// that is not JSON: every other line gets its result.
	var body bytes.Buffer
	const lines = 3000
	for i := range lines {
		switch i {
		case 7:
			body.WriteString("\n\n")
			body.WriteString(`"` + strings.Repeat("a", batch.MaxLineBytes+10) + `"` + "\n")
		case 8:
			body.WriteString("{not json\n")
		default:
			body.WriteString(`"x.` + strings.Repeat("y", 400) + `.z"` + "\n")
		}
	}
	if body.Len() <= MaxBodyBytes {
		t.Fatal("the stream should exceed the body limit")
	}
	req, _ := http.NewRequest("POST", tn.url+api.PathVerifyBatch+"?requireBinding=true", &body)
	req.Header.Set("Content-Type", api.MediaTypeNDJSON+"; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	n := 0
	var tr api.VerifyBatchTrailer
	for sc.Scan() {
		var res batch.Result
		if bytes.HasPrefix(sc.Bytes(), []byte(`{"summary"`)) {
			_ = json.Unmarshal(sc.Bytes(), &tr)
			break
		}
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		wantCode := ""
		switch n {
		case 7:
			wantCode = "batch.lineTooLong"
		case 8:
			wantCode = "credential.invalid"
		}
		if res.Index != n || res.Verified || res.Code != wantCode {
			t.Fatalf("line %d: %+v", n, res)
		}
		n++
	}
	if n != lines || tr.Summary.Total != lines || tr.Summary.Outcomes[batch.OutcomeInvalid] != 2 || tr.Summary.Outcomes[batch.OutcomeFailed] != lines-2 || tr.Summary.FailedChecks[credential.CheckStructure] != lines-2 {
		t.Fatalf("%d results, trailer %+v", n, tr)
	}
	req, _ = http.NewRequest("POST", tn.url+api.PathVerifyBatch+"?requireBinding=maybe", strings.NewReader("\n"))
	req.Header.Set("Content-Type", api.MediaTypeNDJSON)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 400 {
		t.Fatalf("bad query: %d", resp2.StatusCode)
	}
}

// TestVerifyBatch_MemberTwiceIsThatCredentialsResult: a credential that
// names a member twice (two readers could see two different credentials)
// fails as its own result — in the JSON form as in the stream — and the
// others in the batch are verified; a member twice in the request itself
// is still the request's 400.
func TestVerifyBatch_MemberTwiceIsThatCredentialsResult(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"uni"}`)
	body := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],` +
		`"issuer":"` + uni.DID + `","credentialSchema":{"id":"https://node.example/v1/schemas/2","type":"JsonSchema"},"credentialSubject":` + goodClaims + `},"options":{"format":"eddsa-jcs-2022"}}`
	r := tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(body))
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var out struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	_ = json.Unmarshal(r.body, &out)
	good := out.VerifiableCredential
	// encoding/json keeps the last "issuer": the signature still verifies
	// for a reader that does; another reader sees did:example:mallory.
	twice := json.RawMessage(`{"issuer":"did:example:mallory",` + string(bytes.TrimPrefix(bytes.TrimSpace(good), []byte("{"))))
	check := func(form string, results []batch.Result) {
		t.Helper()
		if len(results) != 3 || !results[0].Verified || !results[2].Verified {
			t.Fatalf("%s: %+v, want the first and last verified", form, results)
		}
		if res := results[1]; res.Verified || !strings.Contains(fmt.Sprint(res.Detail, res.Errors), "issuer") {
			t.Fatalf("%s: the credential naming issuer twice: %+v, want it failed, naming the member", form, res)
		}
	}
	req, _ := json.Marshal(map[string]any{"credentials": []json.RawMessage{good, twice, good}})
	r = tn.do(t, "POST", api.PathVerifyBatch+"?detail=full", "", req)
	if r.status != 200 {
		t.Fatalf("JSON form: %d %s, want 200 with a result each", r.status, r.body)
	}
	var resp struct{ Results []batch.Result }
	_ = json.Unmarshal(r.body, &resp)
	check("JSON form", resp.Results)

	hreq, _ := http.NewRequest("POST", tn.url+api.PathVerifyBatch+"?detail=full", strings.NewReader(string(good)+"\n"+string(twice)+"\n"+string(good)+"\n"))
	hreq.Header.Set("Content-Type", api.MediaTypeNDJSON)
	hresp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	defer hresp.Body.Close()
	var results []batch.Result
	sc := bufio.NewScanner(hresp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var res batch.Result
		if bytes.HasPrefix(sc.Bytes(), []byte(`{"summary"`)) {
			break
		}
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		results = append(results, res)
	}
	check("stream", results)

	r = tn.do(t, "POST", api.PathVerifyBatch, "", []byte(`{"credentials":[`+string(good)+`],"options":{},"options":{"challenge":"x"}}`))
	wantProblem(t, "options twice", r, 400, "request.malformed")
}
