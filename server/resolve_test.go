package server

import (
	"crypto/elliptic"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/did"
)

// The did:key test suite's fixtures (w3c-ccg/did-key-test-suite,
// tests/mock.data.js): an Ed25519 did:key, its two verification methods and
// a did:key whose Ed25519 key is 3 bytes long.
const (
	suiteDIDKey       = "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"
	suiteMultibase    = "z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"
	suiteKeyAgreement = suiteDIDKey + "#z6LSfHfAMAopsuBxaBzvp51GXrPf38Az13j2fmwqadbwwrzJ"
	suiteShortKeyDID  = "did:key:zTjsVPtY"
)

// resolutionBody is the part of a DID Resolution or dereferencing result
// every answer must have (DID Resolution §4.1, §5.1).
type resolutionBody struct {
	Context          *string                    `json:"@context"`
	Document         map[string]json.RawMessage `json:"didDocument"`
	DocumentMetadata *map[string]any            `json:"didDocumentMetadata"`
	Resolution       *struct{ Error string }    `json:"didResolutionMetadata"`
	Dereferencing    *struct{ Error string }    `json:"didDereferencingMetadata"`
}

// TestResolve_DIDKeyProblems sends the did:key test suite's failing
// requests and checks what the suite does not: the HTTP status of each
// error (DID Resolution HTTP(S) binding: invalidDid 400, notFound 404,
// methodNotSupported 501; the key and URL errors are bad input too), the
// RFC 9457 problem it also is, and that every answer, success or error, is
// a resolution result with the DID Resolution @context. Errors carry the
// codes of did:key v0.7 §3.1 and DID Resolution.
func TestResolve_DIDKeyProblems(t *testing.T) {
	tn := startNode(t)
	get := func(id, query string) (response, resolutionBody) {
		t.Helper()
		p := "/1.0/identifiers/" + url.QueryEscape(id)
		if query != "" {
			p += "?" + query
		}
		r := tn.do(t, "GET", p, "", nil)
		var b resolutionBody
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatalf("%s: body is not JSON: %v: %s", id, err, r.body)
		}
		if b.Context == nil || *b.Context != did.ContextResolution || b.Document == nil || b.DocumentMetadata == nil || (b.Resolution == nil) == (b.Dereferencing == nil) {
			t.Errorf("%s?%s: not a resolution result: %s", id, query, r.body)
		}
		return r, b
	}
	errCases := []struct {
		name, id, query string
		status          int
		deref           bool
		code            string
	}{
		{"scheme is not did", strings.Replace(suiteDIDKey, "did:", "notDid:", 1), "", 400, false, "invalidDid"},
		{"method is not supported", "did:experimental:" + suiteMultibase, "", 501, false, "methodNotSupported"},
		{"version is not a positive integer", "did:key:-4:" + suiteMultibase, "", 400, false, "invalidDid"},
		{"multibase value does not start with z", "did:key:" + suiteMultibase[1:], "", 400, false, "invalidDid"},
		{"invalid character", "did:key:@", "", 400, false, "invalidDid"},
		{"key of the wrong length", suiteShortKeyDID, "", 400, false, "invalidPublicKeyLength"},
		{"key not on its curve", offCurveP256DID(), "", 400, false, "invalidPublicKey"},
		{"invalid DID URL", suiteDIDKey + "/^bar^/?query=`#" + suiteMultibase, "", 400, true, "invalidDidUrl"},
		{"unknown publicKeyFormat", suiteDIDKey, "publicKeyFormat=unknown", 400, false, "unsupportedPublicKeyType"},
		{"experimental signature type without the option", suiteDIDKey + "#" + suiteMultibase, "publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=false", 400, true, "invalidPublicKeyType"},
		{"experimental encryption type without the option", suiteKeyAgreement, "publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=false", 400, true, "invalidPublicKeyType"},
		{"type of another curve", "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "publicKeyFormat=Ed25519VerificationKey2020", 400, false, "invalidPublicKeyType"},
		{"no such verification method", suiteDIDKey + "#nope", "", 404, true, "notFound"},
	}
	for _, c := range errCases {
		r, b := get(c.id, c.query)
		wantProblem(t, c.name, r, c.status, "did."+c.code)
		meta := b.Resolution
		if c.deref {
			meta = b.Dereferencing
		}
		if meta == nil || meta.Error != c.code {
			t.Errorf("%s: metadata error %+v, want %s in %s: %s", c.name, meta, c.code, map[bool]string{false: "didResolutionMetadata", true: "didDereferencingMetadata"}[c.deref], r.body)
		}
	}

	// A DID resolves to its document; a DID URL with a fragment dereferences
	// to the verification method, whose controller is the DID.
	if r, b := get(suiteDIDKey, ""); r.status != 200 || b.Resolution == nil || string(b.Document["id"]) != `"`+suiteDIDKey+`"` {
		t.Errorf("resolve: %d %s", r.status, r.body)
	}
	for _, id := range []string{suiteDIDKey + "#" + suiteMultibase, suiteKeyAgreement} {
		r, b := get(id, "")
		if r.status != 200 || b.Dereferencing == nil || string(b.Document["controller"]) != `"`+suiteDIDKey+`"` || string(b.Document["id"]) != `"`+id+`"` {
			t.Errorf("dereference %s: %d %s", id, r.status, r.body)
		}
	}
}

// TestResolve_DIDKeyPublicKeyFormats checks each publicKeyFormat of did:key
// v0.7 §3.1.2 and §3.1.5: the method type, its key member and the context
// that defines the type (§3.1.7).
func TestResolve_DIDKeyPublicKeyFormats(t *testing.T) {
	tn := startNode(t)
	cases := []struct {
		id, format      string
		experimental    bool
		types           []string
		member, context string
	}{
		{suiteDIDKey, "Multikey", false, []string{"Multikey", "Multikey"}, "publicKeyMultibase", did.ContextMultikey},
		{suiteDIDKey, "JsonWebKey2020", false, []string{"JsonWebKey2020", "JsonWebKey2020"}, "publicKeyJwk", "https://w3id.org/security/suites/jws-2020/v1"},
		{suiteDIDKey, "Ed25519VerificationKey2020", false, []string{"Ed25519VerificationKey2020", "X25519KeyAgreementKey2020"}, "publicKeyMultibase", "https://w3id.org/security/suites/ed25519-2020/v1"},
		{suiteDIDKey, "Ed25519VerificationKey2018", true, []string{"Ed25519VerificationKey2018", "X25519KeyAgreementKey2019"}, "publicKeyBase58", "https://w3id.org/security/suites/ed25519-2018/v1"},
		{"did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "X25519KeyAgreementKey2020", false, []string{"X25519KeyAgreementKey2020"}, "publicKeyMultibase", "https://w3id.org/security/suites/x25519-2020/v1"},
		{"did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "X25519KeyAgreementKey2019", true, []string{"X25519KeyAgreementKey2019"}, "publicKeyBase58", "https://w3id.org/security/suites/x25519-2019/v1"},
		{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "JsonWebKey2020", false, []string{"JsonWebKey2020"}, "publicKeyJwk", "https://w3id.org/security/suites/jws-2020/v1"},
	}
	for _, c := range cases {
		q := "publicKeyFormat=" + c.format
		if c.experimental {
			q += "&enableExperimentalPublicKeyTypes=true"
		}
		r := tn.do(t, "GET", "/1.0/identifiers/"+url.QueryEscape(c.id)+"?"+q, "", nil)
		var res did.ResolutionResult
		if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 {
			t.Errorf("%s %s: %d %s", c.id, c.format, r.status, r.body)
			continue
		}
		doc := res.Document
		if len(doc.Context) < 2 || doc.Context[0] != did.ContextDIDv1 || doc.Context[1] != c.context {
			t.Errorf("%s %s: @context %v, want %s after the DID context", c.id, c.format, doc.Context, c.context)
		}
		if len(doc.VerificationMethod) != len(c.types) {
			t.Fatalf("%s %s: %d methods, want %d", c.id, c.format, len(doc.VerificationMethod), len(c.types))
		}
		for i, vm := range doc.VerificationMethod {
			var key string
			switch c.member {
			case "publicKeyMultibase":
				key = vm.PublicKeyMultibase
			case "publicKeyJwk":
				key = string(vm.PublicKeyJwk)
			case "publicKeyBase58":
				key = vm.PublicKeyBase58
			}
			if vm.Type != c.types[i] || key == "" || !strings.HasPrefix(vm.ID, c.id+"#z") {
				t.Errorf("%s %s: method %d = %+v, want type %s with %s", c.id, c.format, i, vm, c.types[i], c.member)
			}
		}
	}
}

// TestResolve_DIDKeyConformance replays, offline, the W3C-CCG did:key test
// suite (w3c-ccg/did-key-test-suite, tests/10-create.js, its assertions.js,
// helpers.js and mock.data.js) against the DID Resolution binding, as a new
// implementer registers weid (a didResolvers entry tagged did-key whose
// endpoint is /1.0/identifiers): one row per suite test ("it"), its title
// in the row, its request and its assertions as Go code.
//
// Which version: the code index holds several versions of 10-create.js; the
// newest there (commit 6ed50ba, the one the run of 2026-12-05 used) still
// titles row 4 "MUST raise `invalidDid` error if method is not `key`" and
// sends did:experimental:…. The suite's published report
// (w3c-ccg.github.io/did-key-test-suite, generated from a later commit)
// titles it "MUST raise `methodNotSupported` error if method is not `key`"
// and fails a resolver answering invalidDid there ("expected 'invalidDid'
// to equal 'methodNotSupported'"); its stack traces put every other
// assertion one line below 6ed50ba's, so the rest is 6ed50ba's. The
// replay follows the newer suite, which agrees with DID Resolution: a
// resolver of several methods answers a method it does not implement with
// methodNotSupported (did.Resolver); the did:key method's own invalidDid
// for another method (did:key v0.7 §3.1.1 step 3) is raised by
// did.KeyMethod when it is handed one, which the resolver never does.
//
// The harness is the suite's: the DID percent-encoded by
// encodeURIComponent in one path segment, the Accept header
// application/ld+json;profile="https://w3id.org/did-resolution", options as
// query parameters; a 2xx answer is a "result", anything else an "error"
// whose data is the body when its content type contains "json"
// (@digitalbazaar/http-client), and data is the result's or the error's.
//
// Row 11 ("If an invalid public key value is detected…") is it.skip in the
// suite: pending, so 15 of 16 is full marks. The replay checks weid's
// answer to it anyway (a P-256 key whose x has no point on the curve).
func TestResolve_DIDKeyConformance(t *testing.T) {
	tn := startNode(t)
	passed := 0
	for i, row := range didKeySuiteRows {
		ok := t.Run(fmt.Sprintf("%02d %s", i+1, row.title), func(t *testing.T) {
			if err := row.run(&suiteResolver{t: t, endpoint: tn.url + "/1.0/identifiers"}); err != nil {
				t.Error(err)
			}
		})
		if ok && !row.pending {
			passed++
		}
	}
	if passed != len(didKeySuiteRows)-1 {
		t.Errorf("did-key-test-suite replay: %d of %d pass (1 pending in the suite)", passed, len(didKeySuiteRows))
	}
	t.Logf("did-key-test-suite replay: %d of %d pass, 1 pending in the suite", passed, len(didKeySuiteRows))
}

// didKeySuiteRows are the suite's 16 tests in its order, with its titles.
var didKeySuiteRows = []struct {
	title   string
	pending bool // it.skip in the suite
	run     func(c *suiteResolver) error
}{
	{"The scheme MUST be the value `did`", false, func(*suiteResolver) error {
		if p := splitDid(suiteDIDKey); p.scheme != "did" {
			return fmt.Errorf("expected scheme to be \"did\", got %q", p.scheme)
		}
		return nil
	}},
	{"MUST raise `invalidDid` error if scheme is not `did`", false, func(c *suiteResolver) error {
		return c.wantError(strings.Replace(suiteDIDKey, "did:", "notDid:", 1), nil, "didResolutionMetadata", "invalidDid")
	}},
	{"The method MUST be the value `key`", false, func(*suiteResolver) error {
		if p := splitDid(suiteDIDKey); p.method != "key" {
			return fmt.Errorf("expected method to equal key, got %q", p.method)
		}
		return nil
	}},
	{"MUST raise `methodNotSupported` error if method is not `key`", false, func(c *suiteResolver) error {
		p := splitDid(suiteDIDKey)
		return c.wantError(p.parts[0]+":experimental:"+strings.Join(p.parts[2:], ":"), nil, "didResolutionMetadata", "methodNotSupported")
	}},
	{"The version MUST be convertible to a positive integer value.", false, func(*suiteResolver) error {
		return shouldHaveValidVersion(splitDid(suiteDIDKey).version)
	}},
	{"MUST raise `invalidDid` if version is not convertible to a positive integer value.", false, func(c *suiteResolver) error {
		p := splitDid(suiteDIDKey)
		return c.wantError(p.scheme+":"+p.method+":-4:"+p.multibase, nil, "didResolutionMetadata", "invalidDid")
	}},
	{"The multibaseValue MUST be a string and begin with the letter `z`", false, func(*suiteResolver) error {
		if p := splitDid(suiteDIDKey); !strings.HasPrefix(p.multibase, "z") {
			return fmt.Errorf("expected multibase to start with z, got %q", p.multibase)
		}
		return nil
	}},
	{"MUST raise `invalidDid` if the multibaseValue does not begin with the letter `z`.", false, func(c *suiteResolver) error {
		p := splitDid(suiteDIDKey)
		return c.wantError(p.scheme+":"+p.method+":"+strings.TrimPrefix(p.multibase, "z"), nil, "didResolutionMetadata", "invalidDid")
	}},
	{"If \"didDocument.id\" is not a valid DID, an `invalidDid` error MUST be raised", false, func(c *suiteResolver) error {
		// The suite's "FIXME … we should not expect a didDocument for an
		// invalid did": it only asks that the member exists; weid's is
		// empty (DID Core 1.0 §7.1.2).
		rep := c.get("did:key:@", nil)
		if rep.result || rep.data == nil {
			return fmt.Errorf("expected resolution of did:key:@ to error with data: %s", rep.body)
		}
		if err := shouldBeDidResolverResponse(rep.data); err != nil {
			return err
		}
		if rep.data["didDocument"] == nil {
			return errors.New("expected a didDocument")
		}
		return shouldHaveMetadataError(rep.data, "didResolutionMetadata", "invalidDid")
	}},
	{"If the byte length of rawPublicKeyBytes does not match the expected public key length for the associated multicodecValue, an `invalidPublicKeyLength` error MUST be raised.", false, func(c *suiteResolver) error {
		return c.wantError(suiteShortKeyDID, nil, "didResolutionMetadata", "invalidPublicKeyLength")
	}},
	{"If an invalid public key value is detected, an `invalidPublicKey` error MUST be raised.", true, func(c *suiteResolver) error {
		return c.wantError(offCurveP256DID(), nil, "didResolutionMetadata", "invalidPublicKey")
	}},
	{"If verificationMethod.id is not a valid DID URL, an `invalidDidUrl` error MUST be raised.", false, func(c *suiteResolver) error {
		return c.wantError(suiteDIDKey+"/^bar^/?query=`#"+suiteMultibase, nil, "didDereferencingMetadata", "invalidDidUrl")
	}},
	{"If publicKeyFormat is not known to the implementation, an `unsupportedPublicKeyType` error MUST be raised.", false, func(c *suiteResolver) error {
		return c.wantError(suiteDIDKey, [][2]string{{"publicKeyFormat", "unknown"}}, "didResolutionMetadata", "unsupportedPublicKeyType")
	}},
	{"For Signature Verification Methods, if options.enableExperimentalPublicKeyTypes is set to false and publicKeyFormat is not Multikey, JsonWebKey2020, or Ed25519VerificationKey2020, an `invalidPublicKeyType` error MUST be raised.", false, func(c *suiteResolver) error {
		return c.wantError(suiteDIDKey+"#"+suiteMultibase, suiteExperimentalOff, "didDereferencingMetadata", "invalidPublicKeyType")
	}},
	{"For Encryption Verification Methods, if options.enableExperimentalPublicKeyTypes is set to false and publicKeyFormat is not Multikey, JsonWebKey2020, or X25519KeyAgreementKey2020, an `invalidPublicKeyType` error MUST be raised.", false, func(c *suiteResolver) error {
		return c.wantError(suiteKeyAgreement, suiteExperimentalOff, "didDereferencingMetadata", "invalidPublicKeyType")
	}},
	{"If verificationMethod.controller is not a valid DID, an `invalidDid` error MUST be raised.", false, func(c *suiteResolver) error {
		rep := c.get(suiteDIDKey+"#"+suiteMultibase, nil)
		if !rep.result {
			return fmt.Errorf("expected a result, got %d: %s", rep.status, rep.body)
		}
		if err := shouldBeDidResolverResponse(rep.data); err != nil {
			return err
		}
		doc, _ := rep.data["didDocument"].(map[string]any)
		controller, ok := doc["controller"].(string)
		if !ok {
			return fmt.Errorf("expected didDocument to have a string controller: %s", rep.body)
		}
		if err := shouldBeValidDid(splitDid(controller)); err != nil {
			// The suite then wants invalidDid in didDereferencingMetadata,
			// which a successful dereference cannot have.
			return shouldHaveMetadataError(rep.data, "didDereferencingMetadata", "invalidDid")
		}
		return nil
	}},
}

// suiteExperimentalOff are the query parameters of rows 14 and 15.
var suiteExperimentalOff = [][2]string{{"publicKeyFormat", "Ed25519VerificationKey2018"}, {"enableExperimentalPublicKeyTypes", "false"}}

// offCurveP256DID is a did:key of multicodec p256-pub whose 33 bytes are a
// well-formed compressed point encoding whose x has no point on P-256.
func offCurveP256DID() string {
	raw := make([]byte, 33)
	raw[0] = 2
	for x := byte(1); ; x++ {
		raw[32] = x
		if px, _ := elliptic.UnmarshalCompressed(elliptic.P256(), raw); px == nil {
			return "did:key:z" + base58.Encode(append(binary.AppendUvarint(nil, 0x1200), raw...))
		}
	}
}

// suiteResolver is the suite's didResolver.get (vc-test-suite-implementations
// over @digitalbazaar/http-client).
type suiteResolver struct {
	t        *testing.T
	endpoint string
}

type suiteReply struct {
	result bool           // a 2xx answer
	status int            // the HTTP status
	data   map[string]any // the body, when its content type contains "json"
	body   []byte
}

// get sends GET endpoint/encodeURIComponent(did)?params with the suite's
// Accept header.
func (c *suiteResolver) get(d string, params [][2]string) suiteReply {
	c.t.Helper()
	u := c.endpoint + "/" + encodeURIComponent(d)
	if len(params) > 0 {
		q := url.Values{}
		for _, p := range params {
			q.Add(p[0], p[1])
		}
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", `application/ld+json;profile="https://w3id.org/did-resolution"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	rep := suiteReply{result: resp.StatusCode/100 == 2, status: resp.StatusCode, body: b}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(b, &rep.data); err != nil {
			c.t.Errorf("%s: a JSON content type and a body that is not a JSON object: %v", d, err)
		}
	}
	return rep
}

// wantError is the suite's error rows: shouldErrorWithData,
// shouldBeDidResolverResponse, then the error in the metadata member.
func (c *suiteResolver) wantError(d string, params [][2]string, member, code string) error {
	rep := c.get(d, params)
	if rep.result {
		return fmt.Errorf("expected no response, got %d: %s", rep.status, rep.body)
	}
	if rep.data == nil {
		return fmt.Errorf("expected an error with data, got %d: %s", rep.status, rep.body)
	}
	if err := shouldBeDidResolverResponse(rep.data); err != nil {
		return err
	}
	return shouldHaveMetadataError(rep.data, member, code)
}

// shouldBeDidResolverResponse is assertions.js's.
func shouldBeDidResolverResponse(data map[string]any) error {
	for _, k := range []string{"didDocument", "@context", "didDocumentMetadata"} {
		if _, ok := data[k]; !ok {
			return fmt.Errorf("expected DID Resolver response to have property %s", k)
		}
	}
	if data["didDereferencingMetadata"] == nil && data["didResolutionMetadata"] == nil {
		return errors.New(`expected didResolver data to have either "didDereferencingMetadata" or "didResolutionMetadata"`)
	}
	return nil
}

// shouldHaveMetadataError is assertions.js's _shouldHaveMetadataError.
func shouldHaveMetadataError(data map[string]any, member, code string) error {
	m, ok := data[member].(map[string]any)
	if !ok {
		return fmt.Errorf("expected property %s to exist and be an object", member)
	}
	if got, _ := m["error"].(string); got != code {
		return fmt.Errorf("expected %q to equal %q (%s)", m["error"], code, member)
	}
	return nil
}

// didParts is helpers.js's splitDid: with three components the version is
// 1 and the last is the multibase value.
type didParts struct {
	scheme, method, version, multibase string
	parts                              []string
}

func splitDid(d string) didParts {
	parts := strings.Split(d, ":")
	at := func(i int) string {
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	p := didParts{scheme: at(0), method: at(1), version: at(2), multibase: at(3), parts: parts}
	if p.multibase == "" {
		p.version, p.multibase = "1", p.version
	}
	return p
}

// shouldBeValidDid is assertions.js's.
func shouldBeValidDid(p didParts) error {
	switch {
	case p.scheme != "did":
		return errors.New("expected scheme to be a did")
	case p.method != "key":
		return errors.New("expected did method to be key")
	case p.multibase == "":
		return errors.New("expected there to be a multibaseValue")
	}
	return shouldHaveValidVersion(p.version)
}

// shouldHaveValidVersion is assertions.js's: Number.parseInt of the version
// is a positive integer (parseInt reads a leading sign and digits).
func shouldHaveValidVersion(v string) error {
	v = strings.TrimLeft(v, " \t\n")
	n := 0
	if v != "" && (v[0] == '-' || v[0] == '+') {
		n = 1
	}
	end := n
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	if end == n {
		return fmt.Errorf("expected %q to be an Integer", v)
	}
	if i, err := strconv.Atoi(v[:end]); err != nil || i <= 0 {
		return fmt.Errorf("expected %q to be positive", v)
	}
	return nil
}

// encodeURIComponent is JavaScript's: everything but A–Z a–z 0–9 and
// -_.!~*'() is percent-encoded, byte by byte of its UTF-8.
func encodeURIComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || strings.IndexByte("-_.!~*'()", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// sendAccept sends GET url with an Accept header (none if accept is "").
func sendAccept(t *testing.T, url, accept string) response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return send(t, req)
}

// TestResolve_AcceptNegotiation checks each Accept case of the HTTP(S)
// binding over HTTP (DID Resolution v1.0 §12.1: application/did-resolution
// or application/did-url-dereferencing for the whole result, the accept
// option's media type for the document or the dereferenced resource
// alone, 406 representationNotSupported for what the resolver cannot
// answer; RFC 9110 §12.5.1 weights and wildcards; DID Core 1.0 §6.2.1 and
// §6.3.1 for the document types), the Content-Type of each answer and
// Vary: Accept. The former type and application/json keep answering the
// result for clients already deployed (the Go SDK sends no Accept, the web
// pages application/json).
func TestResolve_AcceptNegotiation(t *testing.T) {
	tn := startNode(t)
	vm := suiteDIDKey + "#" + suiteMultibase
	cases := []struct {
		name, id, accept string
		status           int
		ctype            string
		member           string // a member the body has: didResolutionMetadata, didDereferencingMetadata, or for the document alone id
	}{
		{"no Accept: the result", suiteDIDKey, "", 200, did.MediaResolution, "didResolutionMetadata"},
		{"*/*", suiteDIDKey, "*/*", 200, did.MediaResolution, "didResolutionMetadata"},
		{"application/did-resolution", suiteDIDKey, "application/did-resolution", 200, did.MediaResolution, "didResolutionMetadata"},
		{"the did:key suite's type", suiteDIDKey, did.MediaResolutionLD, 200, did.MediaResolutionLD, "didResolutionMetadata"},
		{"weid's former type", suiteDIDKey, "application/did-resolution+json", 200, did.MediaResolutionJSON, "didResolutionMetadata"},
		{"application/json (the web pages)", suiteDIDKey, "application/json", 200, did.MediaJSON, "didResolutionMetadata"},
		{"DID Core §6.3.1 document alone", suiteDIDKey, "application/did+ld+json", 200, did.MediaDIDLD, "id"},
		{"DID Core §6.2.1 document alone", suiteDIDKey, "application/did+json", 200, did.MediaDIDJSON, "id"},
		{"application/did document alone", suiteDIDKey, "application/did", 200, did.MediaDID, "id"},
		{"bare JSON-LD: the document alone", suiteDIDKey, "application/ld+json", 200, did.MediaJSONLD, "id"},
		{"q-values", suiteDIDKey, "application/did+json;q=0.4, application/did-resolution;q=0.8", 200, did.MediaResolution, "didResolutionMetadata"},
		{"a browser", suiteDIDKey, "text/html,application/xhtml+xml,*/*;q=0.8", 200, did.MediaResolution, "didResolutionMetadata"},
		{"nothing acceptable: 406", suiteDIDKey, "text/html", 406, "application/problem+json", "didResolutionMetadata"},
		{"all refused: 406", suiteDIDKey, "*/*;q=0", 406, "application/problem+json", "didResolutionMetadata"},
		{"DID URL: no Accept", vm, "", 200, did.MediaDereferencing, "didDereferencingMetadata"},
		{"DID URL: application/did-url-dereferencing", vm, "application/did-url-dereferencing", 200, did.MediaDereferencing, "didDereferencingMetadata"},
		{"DID URL: the suite's type", vm, did.MediaResolutionLD, 200, did.MediaResolutionLD, "didDereferencingMetadata"},
		{"DID URL: the resource alone", vm, "application/did+ld+json", 200, did.MediaDIDLD, "id"},
		{"DID URL: a resolution result is refused", vm, "application/did-resolution", 406, "application/problem+json", "didDereferencingMetadata"},
		{"errors stay problems whatever the Accept", "did:key:zTjsVPtY", "application/did+json", 400, "application/problem+json", "didResolutionMetadata"},
		{"proof=true needs a whole result", suiteDIDKey + "?proof=true", "application/did+json", 406, "application/problem+json", "didResolutionMetadata"},
	}
	for _, c := range cases {
		path := "/1.0/identifiers/" + url.PathEscape(c.id)
		if base, q, ok := strings.Cut(c.id, "?"); ok {
			path = "/1.0/identifiers/" + url.PathEscape(base) + "?" + q
		}
		r := sendAccept(t, tn.url+path, c.accept)
		var body map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &body); err != nil || r.status != c.status || r.ctype != c.ctype || body[c.member] == nil {
			t.Errorf("%s: %d %q %s; want %d %q with %s", c.name, r.status, r.ctype, r.body, c.status, c.ctype, c.member)
		}
		if c.member == "id" && (body["didDocument"] != nil || body["didDocumentMetadata"] != nil) {
			t.Errorf("%s: the document alone has result members: %s", c.name, r.body)
		}
		if c.status == 406 {
			wantProblem(t, c.name, r, 406, "did.representationNotSupported")
		}
	}
	// Caches must key answers on Accept (RFC 9110 §12.5.5).
	req, _ := http.NewRequest("GET", tn.url+"/1.0/identifiers/"+suiteDIDKey, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.Header.Get("Vary") != "Accept" {
		t.Errorf("Vary: %v %v", resp.Header, err)
	} else {
		resp.Body.Close()
	}
}
