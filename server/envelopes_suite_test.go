package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestVCDM2Suite_Envelopes replays, offline and over HTTP, the
// EnvelopingProof run of the W3C VC Data Model 2.0 test suite
// (w3c/vc-data-model-2.0-test-suite tests/4.13.2-envelopes.js @1c08b75,
// VC Data Model 2.0 §4.13.1 and §4.13.2), with weid registered as an
// implementer registers it for that tag: a vc+jwt issuer instance of a
// custodial did:key (/issuers/{name}/credentials/issue), the verifier
// POST /credentials/verify and the vpVerifier POST /presentations/verify.
// Each row is one mocha test ("it") and keeps its title.
//
// The requests are the suite's helpers' (tests/helpers.js
// secureCredential, verifyCredential, verifyPresentation):
// {credential, options} with the credential's issuer set to the issuer's
// settings.id; {verifiableCredential, options}; and {verifiablePresentation,
// options} with options.challenge the suite's fixed challenge "123456789"
// and no domain. The presentation rows verify the suite's own fixture
// vp_jwt (tests/fixtures.js, kept in
// credential/testdata/vc-data-model-2.0/fixtures/fixtures.json): a VC-JWT
// 1.1 presentation (typ JWT, VC Data Model 1.1 §6.3.1) signed by an
// Ed25519 did:key, nonce "123456789", aud "example.com", holding a
// data:application/jwt credential signed by a P-256 did:key. The older
// layout (tests/413.2-envelopes.js with TestEndpoints.js verifyVp) posted
// the same token as data:application/vp+jwt with options {"checks": []};
// each presentation row runs both bodies.
//
// "Accepted" is what every version of the harness accepts: a 2xx whose
// result has no errors (TestEndpoints.js post throws on a status of 400 or
// more and on result.errors); "rejected" is a 4xx, which every version
// rejects.
func TestVCDM2Suite_Envelopes(t *testing.T) {
	tn := startNode(t)
	acct := tn.account(t, `{"name":"envelopes","didKey":true}`)
	if r := tn.do(t, "POST", "/v1/issuer-instances", acct.Token, []byte(`{"name":"envelopes","issuer":"`+acct.DIDKey+`","format":"vc+jwt"}`)); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	var fx struct {
		Challenge string `json:"challenge"`
		VPJWT     string `json:"vp_jwt"`
	}
	if err := json.Unmarshal(mustRead(t, "../credential/testdata/vc-data-model-2.0/fixtures/fixtures.json"), &fx); err != nil {
		t.Fatal(err)
	}
	s := &envelopeSuite{tn: tn, token: acct.Token, issuerID: acct.DIDKey, challenge: fx.Challenge}
	// generateEnvelope({type, id}) of the fixture, as the VP rows' before().
	vp := map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiablePresentation", "id": "data:application/jwt," + fx.VPJWT}
	rows := []struct {
		title string
		run   func() error
	}{
		{"The @context property of the object MUST be present and include a context, such as the base context for this specification, that defines at least the id, type, and EnvelopedVerifiableCredential terms as defined by the base context provided by this specification.",
			s.credentialRow(func(vc map[string]any) []map[string]any {
				return []map[string]any{with(vc, "@context", []any{}), with(vc, "@context", "https://www.w3.org/ns/credentials/examples/v2")}
			})},
		{"The id value of the object MUST be a data: URL [RFC2397] that expresses a secured verifiable credential using an enveloping security scheme, such as Securing Verifiable Credentials using JOSE and COSE [VC-JOSE-COSE].",
			s.credentialRow(func(vc map[string]any) []map[string]any { return []map[string]any{withoutDataPrefix(vc)} })},
		{"The type value of the object MUST be EnvelopedVerifiableCredential.",
			s.credentialRow(func(vc map[string]any) []map[string]any {
				return []map[string]any{with(vc, "type", nil), with(vc, "type", "VerifiableCredential")}
			})},
		{"The @context property of the object MUST be present and include a context, such as the base context for this specification, that defines at least the id, type, and EnvelopedVerifiablePresentation terms as defined by the base context provided by this specification.",
			s.presentationRow(vp, with(vp, "@context", []any{}), with(vp, "@context", []any{"https://www.w3.org/ns/credentials/examples/v2"}))},
		{"The id value of the object MUST be a data: URL [RFC2397] that expresses a secured verifiable presentation using an enveloping securing mechanism, such as Securing Verifiable Credentials using JOSE and COSE [VC-JOSE-COSE].",
			s.presentationRow(vp, withoutDataPrefix(vp))},
		{"The type value of the object MUST be EnvelopedVerifiablePresentation.",
			s.presentationRow(vp, with(vp, "type", []any{"VerifiablePresentation"}))},
	}
	passed := 0
	for _, row := range rows {
		t.Run(row.title, func(t *testing.T) {
			s.t = t
			if err := row.run(); err != nil {
				t.Error(err)
				return
			}
			passed++
		})
	}
	t.Logf("EnvelopingProof: %d of %d suite tests pass", passed, len(rows))
}

// envelopeSuite is the node as the suite's implementation: its issuer,
// verifier and vpVerifier.
type envelopeSuite struct {
	t                          *testing.T // the row's
	tn                         *testNode
	token, issuerID, challenge string
}

// post sends body as JSON and returns the answer's status and result.
func (s *envelopeSuite) post(path, token string, body any) (int, map[string]any, string) {
	r := s.tn.do(s.t, "POST", path, token, must(json.Marshal(body)))
	var res map[string]any
	_ = json.Unmarshal(r.body, &res)
	return r.status, res, string(r.body)
}

// accepted is nil when an answer passes assert.doesNotReject in every
// version of the harness: a 2xx, verified, with no errors.
func accepted(status int, res map[string]any, body string) error {
	errs, _ := res["errors"].([]any)
	if status/100 != 2 || len(errs) > 0 || res["verified"] != true {
		return fmt.Errorf("not accepted: %d %s", status, body)
	}
	return nil
}

// rejected is nil when an answer is a 4xx problem.
func rejected(status int, body string) error {
	if status/100 != 4 {
		return fmt.Errorf("not rejected (a 4xx): %d %s", status, body)
	}
	return nil
}

// credentialRow is an Enveloped Verifiable Credentials row: issue
// generateCredential() (secureCredential), verify it (verifyCredential),
// and have each mutation of it rejected.
func (s *envelopeSuite) credentialRow(mutations func(map[string]any) []map[string]any) func() error {
	return func() error {
		cred := map[string]any{
			"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
			"type":              []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{"id": "did:example:alice", "name": "Alice"},
			"issuer":            s.issuerID,
		}
		st, res, body := s.post("/issuers/envelopes/credentials/issue", s.token, map[string]any{"credential": cred, "options": map[string]any{}})
		vc, _ := res["verifiableCredential"].(map[string]any) // requests.js: data.verifiableCredential
		if st != 201 || vc == nil || vc["@context"] == nil {
			return fmt.Errorf("Expected credential to be issued: %d %s", st, body)
		}
		verify := func(vc map[string]any) (int, map[string]any, string) {
			return s.post("/credentials/verify", "", map[string]any{"verifiableCredential": vc, "options": map[string]any{}})
		}
		if err := accepted(verify(vc)); err != nil {
			return fmt.Errorf("Failed to accept an enveloped VC: %w", err)
		}
		for _, m := range mutations(vc) {
			st, _, body := verify(m)
			if err := rejected(st, body); err != nil {
				return fmt.Errorf("Failed to reject %s: %w", must(json.Marshal(m)), err)
			}
		}
		return nil
	}
}

// presentationRow is an Enveloped Verifiable Presentations row: vp is
// accepted and each mutation rejected, with the bodies of both layouts.
func (s *envelopeSuite) presentationRow(vp map[string]any, mutations ...map[string]any) func() error {
	return func() error {
		for _, layout := range []struct {
			name    string
			media   string
			options map[string]any
		}{
			{"4.13.2-envelopes.js, helpers.js verifyPresentation", "data:application/jwt,", map[string]any{"challenge": s.challenge}},
			{"413.2-envelopes.js, TestEndpoints.js verifyVp", "data:application/vp+jwt,", map[string]any{"checks": []any{}}},
		} {
			relabel := func(m map[string]any) map[string]any {
				id, _ := m["id"].(string)
				if rest, ok := strings.CutPrefix(id, "data:application/jwt,"); ok {
					return with(m, "id", layout.media+rest)
				}
				return m
			}
			verify := func(m map[string]any) (int, map[string]any, string) {
				return s.post("/presentations/verify", "", map[string]any{"verifiablePresentation": relabel(m), "options": layout.options})
			}
			if err := accepted(verify(vp)); err != nil {
				return fmt.Errorf("%s: Failed to accept an enveloped VP: %w", layout.name, err)
			}
			for _, m := range mutations {
				st, _, body := verify(m)
				if err := rejected(st, body); err != nil {
					return fmt.Errorf("%s: Failed to reject %.200s: %w", layout.name, must(json.Marshal(relabel(m))), err)
				}
			}
		}
		return nil
	}
}

// with is structuredClone(obj) with member name set to v, or deleted
// when v is nil.
func with(obj map[string]any, name string, v any) map[string]any {
	out := map[string]any{}
	if err := json.Unmarshal(must(json.Marshal(obj)), &out); err != nil {
		panic(err)
	}
	if v == nil {
		delete(out, name)
	} else {
		out[name] = v
	}
	return out
}

// withoutDataPrefix is the suite's id mutation: id.split(',').pop().
func withoutDataPrefix(obj map[string]any) map[string]any {
	id, _ := obj["id"].(string)
	return with(obj, "id", id[strings.LastIndexByte(id, ',')+1:])
}

// TestPresentations_StructureInvalidIsA400: POST /presentations/verify
// answers a document that fails the structure check — not a presentation
// weid reads, so none of its other checks could be made — with VCALM's
// 400 ("invalid or malformed input that prevented the verification
// process from being performed … issues with the request format,
// structure, or parameters"), a presentation.invalid problem carrying the
// verdict; a well-formed presentation that fails another check is still a
// 200 with verified false.
func TestPresentations_StructureInvalidIsA400(t *testing.T) {
	tn := startNode(t)
	var fx struct {
		VPJWT string `json:"vp_jwt"`
	}
	if err := json.Unmarshal(mustRead(t, "../credential/testdata/vc-data-model-2.0/fixtures/fixtures.json"), &fx); err != nil {
		t.Fatal(err)
	}
	verify := func(vp, options string) response {
		return tn.do(t, "POST", "/presentations/verify", "", []byte(`{"verifiablePresentation":`+vp+`,"options":`+options+`}`))
	}
	for name, vp := range map[string]string{
		// VC Data Model 2.0 §4.3: @context is an ordered set.
		"a string @context": `{"@context":"https://www.w3.org/ns/credentials/v2","type":"VerifiablePresentation"}`,
		// §4.13.2: an envelope without its type is no envelope, and the
		// JWT in its id is no URL (§4.4).
		"an envelope typed VerifiablePresentation": `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"id":"` + fx.VPJWT + `"}`,
		"a compact string that is no JWT":          `"a.b.c"`,
	} {
		r := verify(vp, `{}`)
		wantProblem(t, name, r, 400, "presentation.invalid")
		var res struct {
			Verified *bool `json:"verified"`
			Errors   []struct {
				Name string `json:"name"`
			} `json:"errors"`
		}
		if json.Unmarshal(r.body, &res) != nil || res.Verified == nil || *res.Verified || len(res.Errors) == 0 || res.Errors[0].Name != "structure" {
			t.Errorf("%s: the problem does not carry the verdict: %s", name, r.body)
		}
	}
	env := `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiablePresentation","id":"data:application/jwt,` + fx.VPJWT + `"}`
	r := verify(env, `{"challenge":"not-the-nonce"}`)
	var res struct {
		Verified bool `json:"verified"`
		Errors   []struct {
			Name string `json:"name"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 || res.Verified || len(res.Errors) != 1 || res.Errors[0].Name != "challenge" {
		t.Errorf("another challenge: %d %s, want 200 with the challenge check failed", r.status, r.body)
	}
}
