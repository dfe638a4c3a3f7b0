package credential

// TestVCDM2Suite replays, offline, the W3C VC Data Model 2.0 test suite
// (w3c/vc-data-model-2.0-test-suite, the layout of tests/1.03-conformance.js,
// tests/4.03-contexts.js … tests/4.13-verifiable-presentations.js and
// tests/5-00-advanced-concepts.js): one row per suite test ("it"), its
// title in the row, the suite's inputs under
// testdata/vc-data-model-2.0/input (SOURCES.md says which are the suite's
// files and which were reconstructed), its assertions as Go code. Each row
// runs against three issuer instances — eddsa-rdfc-2022, eddsa-jcs-2022
// and vc+jwt — signing with a did:key, as a new implementer registers
// weid for this suite: with issuerPolicy "declared" (Signer.Declared), so
// that a credential may name the issuer the suite gives it (VC Data Model
// 2.0 §4.7), such as did:example:other-issuer; the verifier is one
// Verifier resolving did:key. (4.04 and 4.07 only issue those inputs.)
//
// The harness fills the issuer as the suite's createRequestBody does: an
// absent issuer (or an issuer object without "id") becomes the
// instance's DID; an explicit null is sent as it is.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/ldproof"
)

// The data generator's fixed holder/issuer (tests/data-generator.js), for
// which the replay substitutes its own local did:key.
const suiteLocalDID = "did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"

// suiteEnv is one issuer instance and the suite's local signer.
type suiteEnv struct {
	t     *testing.T
	mech  string // a cryptosuite, or "vc+jwt"
	iss   *keyIssuer
	local *keyIssuer
	v     *Verifier
}

// secured is an issued credential: a Data Integrity document or a vc+jwt.
type secured struct {
	doc   map[string]any
	token string
}

func (e *suiteEnv) input(name string) map[string]any {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vc-data-model-2.0", "input", name))
	if err != nil {
		e.t.Fatal(err)
	}
	b = []byte(strings.ReplaceAll(string(b), suiteLocalDID, e.local.did))
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	return m
}

// issue is TestEndpoints.issue: the harness fills the issuer, the
// instance secures the credential.
func (e *suiteEnv) issue(cred map[string]any) (*secured, error) {
	switch iss := cred["issuer"].(type) {
	case map[string]any:
		if _, has := iss["id"]; !has {
			iss["id"] = e.iss.did
		}
	case nil:
		if _, has := cred["issuer"]; !has {
			cred["issuer"] = e.iss.did
		}
	}
	b, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	if e.mech == "vc+jwt" {
		tok, err := IssueJWT(e.signer(), b, time.Now(), IssueOptions{})
		if err != nil {
			return nil, err
		}
		return &secured{token: tok}, nil
	}
	out, err := SignDataIntegrity(e.signer(), b, e.mech, time.Now())
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, err
	}
	return &secured{doc: m}, nil
}

// signer is the issuer instance's signer: the declared issuer policy,
// resolving did:key as a node resolves it offline.
func (e *suiteEnv) signer() Signer {
	s := e.iss.signer()
	s.Declared = e.v.Resolver
	return s
}

func (e *suiteEnv) issueFile(name string) (*secured, error) { return e.issue(e.input(name)) }

// verify is TestEndpoints.verify: an error when the verifier's verdict
// lists errors.
func (e *suiteEnv) verify(s *secured) error {
	ctx := context.Background()
	var r *Result
	if s.token != "" {
		r = e.v.VerifyJWT(ctx, s.token, Policy{})
	} else {
		b, _ := json.Marshal(s.doc)
		r = e.v.VerifyDataIntegrity(ctx, b, Policy{})
	}
	if !r.Verified {
		return fmt.Errorf("not verified: %s", diDump(r))
	}
	return nil
}

// localVP is createLocalVp: the data generator signs each credential
// without a proof as its own (eddsa-rdfc-2022, issuer set to its key)
// and then the presentation, proofPurpose authentication, no challenge.
func (e *suiteEnv) localVP(vp map[string]any) map[string]any {
	e.t.Helper()
	if vcs, ok := vp["verifiableCredential"].([]any); ok {
		for i, c := range vcs {
			m, _ := c.(map[string]any)
			if m == nil || m["proof"] != nil {
				continue
			}
			m["issuer"] = e.local.did
			b, _ := json.Marshal(m)
			out, err := SignDataIntegrity(e.local.signer(), b, CryptosuiteEdDSARDFC2022, time.Now())
			if err != nil {
				e.t.Fatalf("data generator: sign a credential: %v", err)
			}
			var signed map[string]any
			_ = json.Unmarshal(out, &signed)
			vcs[i] = signed
		}
	}
	return e.signVP(vp)
}

// signVP signs a presentation as it is (the data generator adds no
// holder); if the document cannot be signed it is returned unsigned.
func (e *suiteEnv) signVP(vp map[string]any) map[string]any {
	b, _ := json.Marshal(vp)
	out, err := ldproof.Sign(b, ldproof.Options{Cryptosuite: CryptosuiteEdDSARDFC2022, Key: e.local.key, VerificationMethod: e.local.vm(), ProofPurpose: ldproof.PurposeAuthentication})
	if err != nil {
		return vp
	}
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	return m
}

// verifyVP is TestEndpoints.verifyVp: options {checks: []}, no challenge.
// A malformed presentation (a 400 of the endpoint) is an error too.
func (e *suiteEnv) verifyVP(vp map[string]any) error {
	b, _ := json.Marshal(vp)
	pr, err := e.v.VerifyPresentation(context.Background(), b, PresentationOptions{})
	if err != nil {
		return err
	}
	if !pr.Verified {
		d, _ := json.MarshalIndent(pr.Checks, "", "  ")
		return fmt.Errorf("presentation not verified: %s", d)
	}
	return nil
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	_ = d.Decode(&out)
	return out
}

// Assertions of the suite.
func (e *suiteEnv) accepts(files ...string) error {
	for _, f := range files {
		if _, err := e.issueFile(f); err != nil {
			return fmt.Errorf("%s: issuance refused: %w", f, err)
		}
	}
	return nil
}

func (e *suiteEnv) rejects(files ...string) error {
	for _, f := range files {
		if _, err := e.issueFile(f); err == nil {
			return fmt.Errorf("%s: issued, the suite expects a rejection", f)
		} else if ee, ok := errs.As(err); !ok || (ee.Status != 400 && ee.Status != 422) {
			return fmt.Errorf("%s: refused with %v, the suite expects 400 or 422", f, err)
		}
	}
	return nil
}

// injectOrReject is assertions.js injectOrReject: issued with the base
// context first, or refused.
func (e *suiteEnv) injectOrReject(file string) error {
	s, err := e.issueFile(file)
	if err != nil {
		return nil
	}
	ctx, _ := e.issuedDoc(s)["@context"].([]any)
	if len(ctx) == 0 || ctx[0] != ContextV2 {
		return fmt.Errorf("%s: issued without the base context first", file)
	}
	return nil
}

// issuedDoc is the credential an issued credential carries.
func (e *suiteEnv) issuedDoc(s *secured) map[string]any {
	if s.token == "" {
		return s.doc
	}
	j, err := ParseJWS(s.token)
	if err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(j.Payload, &m)
	return m
}

// shouldBeSecured is assertions.js shouldBeSecured and
// checkRequiredProperties: an embedded proof, or an envelope whose
// credential has the required properties.
func (e *suiteEnv) shouldBeSecured(s *secured) error {
	if s.token != "" {
		c := e.issuedDoc(s)
		for _, k := range []string{"@context", "type", "issuer", "credentialSubject"} {
			if _, ok := c[k]; !ok {
				return fmt.Errorf("the enveloped credential has no %q", k)
			}
		}
		return nil
	}
	for _, k := range []string{"@context", "type", "issuer", "credentialSubject", "proof"} {
		if _, ok := s.doc[k]; !ok {
			return fmt.Errorf("the issued credential has no %q", k)
		}
	}
	if _, ok := s.doc["proof"].(map[string]any); !ok {
		return errors.New("the proof is not an object")
	}
	return nil
}

// suiteRow is one suite test.
type suiteRow struct {
	file, title string
	// pending: skipped by the suite itself ("TBD").
	pending bool
	run     func(e *suiteEnv) error
}

func vcdm2Rows() []suiteRow {
	all := func(fs ...func(e *suiteEnv) error) func(e *suiteEnv) error {
		return func(e *suiteEnv) error {
			for _, f := range fs {
				if err := f(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	accepts := func(files ...string) func(e *suiteEnv) error {
		return func(e *suiteEnv) error { return e.accepts(files...) }
	}
	rejects := func(files ...string) func(e *suiteEnv) error {
		return func(e *suiteEnv) error { return e.rejects(files...) }
	}
	vpAccepts := func(file string) func(e *suiteEnv) error {
		return func(e *suiteEnv) error {
			if err := e.verifyVP(e.localVP(e.input(file))); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			return nil
		}
	}
	vpRejects := func(what string, vp func(e *suiteEnv) map[string]any) func(e *suiteEnv) error {
		return func(e *suiteEnv) error {
			if e.verifyVP(vp(e)) == nil {
				return fmt.Errorf("verified a presentation %s", what)
			}
			return nil
		}
	}
	issueOK := func(e *suiteEnv) (*secured, error) { return e.issueFile("credential-ok.json") }
	// issuedIsSecured issues the conforming credential and asserts it is
	// secured (the three 1.03 rows on what an issuer produces).
	issuedIsSecured := func(e *suiteEnv) error {
		s, err := issueOK(e)
		if err != nil {
			return err
		}
		return e.shouldBeSecured(s)
	}
	nd := func(f string) string { return "names-and-descriptions/" + f }
	// languageValues is the 4.06 row on the property prop ("name",
	// "description") of who ("credential", "issuer"): the suite's five
	// conforming files of it accepted, its extra-property file rejected.
	languageValues := func(who, prop string) func(e *suiteEnv) error {
		return all(
			accepts(nd(who+"-"+prop+"-ok.json"), nd(who+"-"+prop+"-optional-ok.json"), nd(who+"-"+prop+"-language-en-ok.json"),
				nd(who+"-"+prop+"-language-direction-en-ok.json"), nd(who+"-multi-language-"+prop+"-ok.json")),
			rejects(nd(who+"-"+prop+"-extra-prop-en-fail.json")))
	}
	temporality := func(e *suiteEnv) error {
		year := func(n int) string { return time.Now().AddDate(n, 0, 0).UTC().Format(time.RFC3339) }
		ok := e.input("credential-validUntil-validFrom-ok.json")
		ok["validFrom"], ok["validUntil"] = year(-1), year(1)
		if _, err := e.issue(ok); err != nil {
			return fmt.Errorf("a validUntil after validFrom refused: %w", err)
		}
		bad := e.input("credential-validUntil-validFrom-fail.json")
		bad["validFrom"], bad["validUntil"] = year(1), year(-1)
		if s, err := e.issue(bad); err == nil && e.verify(s) == nil {
			return errors.New("a validUntil before validFrom was issued and verified")
		}
		return nil
	}
	// The self-asserted rows: a credential with no proof of its own,
	// issued by the presentation's signer and secured only by its proof
	// (the case VC Data Model 2.0 §4.13, Presentations Including Holder
	// Claims, is about), the issuer and holder the test sets.
	selfAsserted := func(holder, vcIssuer string) func(e *suiteEnv) map[string]any {
		return func(e *suiteEnv) map[string]any {
			vp := e.input("presentation-vc-ok.json")
			vc := vp["verifiableCredential"].([]any)[0].(map[string]any)
			vc["issuer"] = e.local.did
			if vcIssuer != "" {
				vc["issuer"] = vcIssuer
			}
			if holder != "" {
				vp["holder"] = holder
			}
			return e.signVP(vp)
		}
	}
	return []suiteRow{
		// 1.03-conformance.js
		{file: "1.03", title: "A conforming document MUST be secured by at least one securing mechanism as described in Section 4.12 Securing Mechanisms.", run: issuedIsSecured},
		{file: "1.03", title: "A conforming issuer implementation MUST include all required properties in the conforming documents it produces.", run: issuedIsSecured},
		{file: "1.03", title: "A conforming issuer implementation MUST secure the conforming documents it produces using a securing mechanism described in Section 4.12 Securing Mechanisms.", run: issuedIsSecured},
		{file: "1.03", title: "A conforming verifier implementation MUST perform verification on a conforming document as described in Section 4.12 Securing Mechanisms.", run: func(e *suiteEnv) error {
			s, err := issueOK(e)
			if err != nil {
				return err
			}
			return e.verify(s)
		}},
		{file: "1.03", title: "A conforming verifier implementation MUST produce errors when non-conforming documents are detected.", run: func(e *suiteEnv) error {
			doc := map[string]any{"type": []any{"NonconformingDocument"}}
			if e.verify(&secured{doc: doc}) == nil {
				return errors.New("verified a malformed VC")
			}
			if e.verifyVP(doc) == nil {
				return errors.New("verified a malformed VP")
			}
			return nil
		}},
		// 4.03-contexts.js
		{file: "4.03", title: "Verifiable credentials MUST include a @context property.", run: func(e *suiteEnv) error {
			s, err := issueOK(e)
			if err != nil {
				return err
			}
			if _, ok := e.issuedDoc(s)["@context"].([]any); !ok {
				return errors.New("issued without an @context array")
			}
			return e.injectOrReject("credential-no-context-fail-or-inject.json")
		}},
		{file: "4.03", title: "Verifiable presentations MUST include a @context property.", run: all(
			vpAccepts("presentation-ok.json"),
			vpRejects("without @context", func(e *suiteEnv) map[string]any {
				vp := e.localVP(e.input("presentation-ok.json"))
				delete(vp, "@context")
				return vp
			}))},
		{file: "4.03", title: "Verifiable credentials: The value of the @context property MUST be an ordered set where the first item is a URL with the value https://www.w3.org/ns/credentials/v2.", run: func(e *suiteEnv) error {
			s, err := issueOK(e)
			if err != nil {
				return err
			}
			if ctx, _ := e.issuedDoc(s)["@context"].([]any); len(ctx) == 0 || ctx[0] != ContextV2 {
				return errors.New("the base context is not first")
			}
			return e.injectOrReject("credential-missing-base-context-fail-or-inject.json")
		}},
		{file: "4.03", title: "Verifiable presentations: The value of the @context property MUST be an ordered set where the first item is a URL with the value https://www.w3.org/ns/credentials/v2.", run: all(
			vpRejects("with the wrong context order", func(e *suiteEnv) map[string]any {
				return e.signVP(e.input("presentation-context-order-fail.json"))
			}),
			vpRejects("with unordered @context", func(e *suiteEnv) map[string]any {
				vp := e.localVP(e.input("presentation-ok.json"))
				vp["@context"] = []any{"https://www.w3.org/ns/credentials/examples/v2", ContextV2}
				return vp
			}),
			vpRejects("without the base context", func(e *suiteEnv) map[string]any {
				return e.input("presentation-missing-base-context-fail.json")
			}))},
		{file: "4.03", title: "Verifiable Credential @context: \"Subsequent items in the ordered set MUST be composed of any combination of URLs and/or objects where each is processable as a JSON-LD Context.\"", run: all(
			accepts("credential-context-combo1-ok.json", "credential-context-combo2-ok.json"),
			rejects("credential-context-combo3-fail.json", "credential-context-combo4-fail.json"))},
		{file: "4.03", title: "Verifiable Presentation @context: \"Subsequent items in the ordered set MUST be composed of any combination of URLs and/or objects where each is processable as a JSON-LD Context.\"", run: func(e *suiteEnv) error {
			for _, f := range []string{"presentation-context-combo1-ok.json", "presentation-context-combo2-ok.json"} {
				if err := vpAccepts(f)(e); err != nil {
					return err
				}
			}
			vp := e.localVP(e.input("presentation-vc-ok.json"))
			for _, c := range []any{"https://example.com", "https ://not-a-url/contexts/example/v1", json.Number("123192875")} {
				bad := clone(vp)
				bad["@context"].([]any)[0] = ContextV2
				bad["@context"] = append(bad["@context"].([]any)[:1], c)
				if e.verifyVP(bad) == nil {
					return fmt.Errorf("verified a presentation with the @context item %v", c)
				}
			}
			return nil
		}},
		// 4.04-identifiers.js
		{file: "4.04", title: "If present, the value of the id property MUST be a single URL, which MAY be dereferenceable.", run: all(
			accepts("credential-id-other-ok.json"),
			rejects("credential-id-nonidentifier-fail.json"),
			accepts("credential-id-single-ok.json", "credential-id-subject-single-ok.json"),
			rejects("credential-id-multi-fail.json", "credential-id-subject-multi-fail.json", "credential-id-not-url-fail.json"))},
		// 4.05-types.js
		{file: "4.05", title: "Verifiable credentials MUST contain a type property with an associated value.", run: rejects("credential-no-type-fail.json")},
		{file: "4.05", title: "Verifiable presentations MUST contain a type property with an associated value.", run: vpRejects("without a type", func(e *suiteEnv) map[string]any {
			return e.input("presentation-no-type-fail.json")
		})},
		{file: "4.05", title: "The value of the type property MUST be one or more terms and/or absolute URL strings.", run: all(
			accepts("credential-type-url-ok.json", "credential-type-mapped-url-ok.json"),
			rejects("credential-type-mapped-nonurl-fail.json", "credential-type-unmapped-fail.json"))},
		{file: "4.05", title: "If more than one (type) value is provided, the order does not matter.", run: accepts("credential-type-urls-order-1-ok.json", "credential-type-urls-order-2-ok.json")},
		{file: "4.05", title: "Verifiable Credential objects MUST have a type specified.", run: all(
			accepts("credential-optional-type-ok.json"), rejects("credential-missing-required-type-fail.json"))},
		{file: "4.05", title: "Verifiable Presentation objects MUST have a type specified.", run: all(
			vpAccepts("presentation-optional-type-ok.json"),
			vpRejects("missing the VerifiablePresentation type", func(e *suiteEnv) map[string]any {
				return e.input("presentation-missing-required-type-fail.json")
			}))},
		{file: "4.05", title: "`credentialStatus` objects MUST have a type specified.", run: all(accepts("credential-status-ok.json"), rejects("credential-status-missing-type-fail.json"))},
		{file: "4.05", title: "`termsOfUse` objects MUST have a type specified.", run: all(accepts("credential-termsofuse-ok.json"), rejects("credential-termsofuse-missing-type-fail.json"))},
		{file: "4.05", title: "`evidence` objects MUST have a type specified.", run: all(accepts("credential-evidence-ok.json"), rejects("credential-evidence-missing-type-fail.json"))},
		{file: "4.05", title: "`refreshService` objects MUST have a type specified.", run: all(accepts("credential-refresh-type-ok.json"), rejects("credential-refresh-no-type-fail.json"))},
		{file: "4.05", title: "`credentialSchema` objects MUST have a type specified.", run: all(accepts("credential-schema-type-ok.json"), rejects("credential-schema-no-type-fail.json"))},
		// 4.06-names-and-descriptions.js
		{file: "4.06", title: "If present, the value of the name property MUST be a string or a language value object as described in 11.1 Language and Base Direction.", run: languageValues("credential", "name")},
		{file: "4.06", title: "If present, the value of the description property MUST be a string or a language value object as described in 11.1 Language and Base Direction.", run: languageValues("credential", "description")},
		{file: "4.06", title: "If present (on `issuer`), the value of the name property MUST be a string or a language value object as described in 11.1 Language and Base Direction.", run: languageValues("issuer", "name")},
		{file: "4.06", title: "If present (on `issuer`), the value of the description property MUST be a string or a language value object as described in 11.1 Language and Base Direction.", run: languageValues("issuer", "description")},
		// 4.07-issuer.js
		{file: "4.07", title: "A verifiable credential MUST have an issuer property.", run: func(e *suiteEnv) error {
			s, err := issueOK(e)
			if err != nil {
				return err
			}
			if _, ok := e.issuedDoc(s)["issuer"]; !ok {
				return errors.New("issued without an issuer")
			}
			return nil
		}},
		{file: "4.07", title: "The value of the issuer property MUST be either a URL or an object containing an id property whose value is a URL; in either case, the issuer selects this URL to identify itself in a globally unambiguous way.", run: all(
			accepts("credential-issuer-object-ok.json"),
			rejects("credential-issuer-no-url-fail.json", "credential-issuer-null-fail.json", "credential-issuer-object-id-null-fail.json", "credential-issuer-object-id-no-url-fail.json"))},
		// 4.08-credential-subject.js
		{file: "4.08", title: "A verifiable credential MUST contain a credentialSubject property.", run: rejects("credential-no-subject-fail.json")},
		{file: "4.08", title: "The value of the credentialSubject property is a set of objects where each object MUST be the subject of one or more claims, which MUST be serialized inside the credentialSubject property.", run: all(
			rejects("credential-subject-no-claims-fail.json"), accepts("credential-subject-multiple-ok.json"), rejects("credential-subject-multiple-empty-fail.json"))},
		// 4.09-validity-period.js
		{file: "4.09", title: "If present, the value of the validFrom property MUST be an [XMLSCHEMA11-2] dateTimeStamp string value representing the date and time the credential becomes valid, which could be a date and time in the future or in the past.", run: all(
			accepts("credential-validfrom-ms-ok.json", "credential-validfrom-tz-ok.json"), rejects("credential-validfrom-invalid-fail.json"), accepts("credential-validfrom-ms-ok.json"))},
		{file: "4.09", title: "If present, the value of the validUntil property MUST be an [XMLSCHEMA11-2] dateTimeStamp string value representing the date and time the credential ceases to be valid, which could be a date and time in the past or in the future.", run: all(
			accepts("credential-validuntil-ok.json", "credential-validuntil-ms-ok.json", "credential-validuntil-tz-ok.json"), rejects("credential-validuntil-invalid-fail.json"))},
		{file: "4.09", title: "If a validUntil value also exists, the validFrom value MUST express a datetime that is temporally the same or earlier than the datetime expressed by the validUntil value.", run: temporality},
		{file: "4.09", title: "If a validFrom value also exists, the validUntil value MUST express a datetime that is temporally the same or later than the datetime expressed by the validFrom value.", run: temporality},
		// 4.10-status.js
		{file: "4.10", title: "The type property is REQUIRED.", run: rejects("credential-status-missing-type-fail.json")},
		{file: "4.10", title: "The related normative guidance in Section 4.5 Types MUST be followed.", run: all(accepts("credential-status-ok.json"), rejects("credential-status-missing-type-fail.json"))},
		{file: "4.10", title: "If present (credentialStatus.id), the normative guidance in Section 4.4 Identifiers MUST be followed.", run: all(
			accepts("credential-status-missing-id-ok.json"), rejects("credential-status-multiple-id-fail.json", "credential-status-nonurl-id-fail.json"))},
		{file: "4.10", title: "(If a credentialStatus property is present), The type property is REQUIRED. It is used to express the type of status information expressed by the object. The related normative guidance in Section 4.5 Types MUST be followed.", run: all(
			rejects("credential-status-missing-type-fail.json", "credential-status-type-nonurl-fail.json"), accepts("credential-status-ok.json"))},
		// 4.11-data-schemas.js
		{file: "4.11", title: "The value of the credentialSchema property MUST be one or more data schemas that provide verifiers with enough information to determine whether the provided data conforms to the provided schema(s).", run: accepts("credential-schema-ok.json", "credential-schemas-ok.json")},
		{file: "4.11", title: "Each credentialSchema MUST specify its type (for example, JsonSchema), and an id property that MUST be a URL identifying the schema file.", run: rejects("credential-schema-no-type-fail.json", "credential-schema-no-id-fail.json", "credential-schema-non-url-id-fail.json")},
		{file: "4.11", title: "If multiple schemas are present, validity is determined according to the processing rules outlined by each associated type property", run: accepts("credential-schemas-ok.json")},
		// 4.13-verifiable-presentations.js
		{file: "4.13", title: "If [the `id` field is] present, the normative guidance in Section 4.4 Identifiers MUST be followed.", run: vpAccepts("presentation-id-ok.json")},
		{file: "4.13", title: "The type property MUST be present.", run: vpAccepts("presentation-ok.json")},
		{file: "4.13", title: "One value of this property MUST be VerifiablePresentation, but additional types MAY be included.The related normative guidance in Section 4.5 Types MUST be followed.", run: vpAccepts("presentation-ok.json")},
		{file: "4.13", title: "The verifiableCredential property MAY be present. The value MUST be one or more verifiable credential and/or enveloped verifiable credential objects (the values MUST NOT be non-object values such as numbers, strings, or URLs).", run: vpAccepts("presentation-multiple-vc-ok.json")},
		{file: "4.13", title: "If present (holder), the value MUST be either a URL or an object containing an id property.", run: all(
			vpAccepts("presentation-holder-ok.json"), vpAccepts("presentation-holder-object-ok.json"),
			vpRejects("with an invalid holder", func(e *suiteEnv) map[string]any {
				return e.localVP(e.input("presentation-holder-object-fail.json"))
			}))},
		{file: "4.13", title: "A verifiable presentation that includes a self-asserted verifiable credential that is only secured using the same mechanism as the verifiable presentation MUST include a holder property.", run: vpRejects("with a self-asserted credential and no holder", selfAsserted("", ""))},
		{file: "4.13", title: "When a self-asserted verifiable credential is secured using the same mechanism as the verifiable presentation, the value of the issuer property of the verifiable credential MUST be identical to the holder property of the verifiable presentation.", run: func(e *suiteEnv) error {
			if err := e.verifyVP(selfAsserted(e.local.did, "")(e)); err != nil {
				return fmt.Errorf("a self-asserted credential with its holder: %w", err)
			}
			if e.verifyVP(selfAsserted("did:example:acme", "")(e)) == nil {
				return errors.New("verified a holder/issuer mismatch")
			}
			if e.verifyVP(selfAsserted(e.local.did, "did:example:acme")(e)) == nil {
				return errors.New("verified an issuer/holder mismatch")
			}
			return nil
		}},
		// 5-00-advanced-concepts.js
		{file: "5.00", title: "JSON-LD-based processors MUST produce an error when a JSON-LD context redefines any term in the active context.", run: rejects("credential-redef-type-fail.json", "credential-redef-type2-fail.json")},
		{file: "5.00", title: "The value of the relatedResource property MUST be one or more objects of the following form:", pending: true},
		{file: "5.00", title: "The identifier for the resource is REQUIRED and conforms to the format defined in Section 4.4 Identifiers. The value MUST be unique among the list of related resource objects.", pending: true},
		{file: "5.00", title: "Each object associated with relatedResource MUST contain at least a digestSRI or a digestMultibase value.", pending: true},
		{file: "5.00", title: "The value of the refreshService property MUST be one or more refresh services that provides enough information to the recipient`s software such that the recipient can refresh the verifiable credential.", run: accepts("credential-refresh-ok.json", "credential-refreshs-ok.json")},
		{file: "5.00", title: "Each refreshService value MUST specify its type.", run: rejects("credential-refresh-no-type-fail.json")},
		{file: "5.00", title: "The value of the termsOfUse property MUST specify one or more terms of use policies under which the creator issued the credential or presentation.", run: accepts("credential-termsofuses-ok.json")},
		{file: "5.00", title: "Each termsOfUse value MUST specify its type, for example, IssuerPolicy, and MAY specify its instance id.", run: all(rejects("credential-termsofuse-no-type-fail.json"), accepts("credential-termsofuse-id-ok.json"))},
		{file: "5.00", title: "If present, the value associated with the evidence property is a single object or a set of one or more objects.", run: accepts("credential-evidences-ok.json")},
		{file: "5.00", title: "In order to avoid collisions regarding how the following properties are used, implementations MUST specify a type property in the value associated with the reserved property.", pending: true},
	}
}

func TestVCDM2Suite(t *testing.T) {
	rows := vcdm2Rows()
	for _, mech := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022, "vc+jwt"} {
		t.Run(mech, func(t *testing.T) {
			e := &suiteEnv{t: t, mech: mech, iss: newKeyIssuer(t), local: newKeyIssuer(t), v: &Verifier{Resolver: keyVerifier().Resolver}}
			passed, pending := 0, 0
			for _, row := range rows {
				if row.pending {
					pending++
					continue
				}
				if err := row.run(e); err != nil {
					t.Errorf("%s %q: %v", row.file, row.title, err)
					continue
				}
				passed++
			}
			t.Logf("%s: %d of %d suite tests pass, %d pending in the suite", mech, passed, len(rows), pending)
		})
	}
}

// An issuer instance of the default policy ("signer") still refuses the
// suite's inputs that name another issuer than its DID (4.04's
// did:example:other-issuer, 4.07's issuer object): 400
// credential.issuerMismatch, W3C VCALM's "does not match the expected
// configuration".
func TestVCDM2Suite_DefaultPolicyRefusesAnotherIssuer(t *testing.T) {
	iss := newKeyIssuer(t)
	e := &suiteEnv{t: t, iss: iss, local: newKeyIssuer(t), v: &Verifier{Resolver: keyVerifier().Resolver}}
	for _, f := range []string{"credential-id-other-ok.json", "credential-issuer-object-ok.json"} {
		b, _ := json.Marshal(e.input(f))
		_, jwtErr := IssueJWT(iss.signer(), b, time.Now(), IssueOptions{})
		_, diErr := SignDataIntegrity(iss.signer(), b, CryptosuiteEdDSARDFC2022, time.Now())
		for _, err := range []error{jwtErr, diErr} {
			var ee *errs.Error
			if !errors.As(err, &ee) || ee.Status != 400 || ee.Code != "credential.issuerMismatch" {
				t.Errorf("%s: %v, want 400 credential.issuerMismatch", f, err)
			}
		}
	}
}
