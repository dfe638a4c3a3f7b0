package oid4vp

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

const testQuery = `{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]},` +
	`"claims":[{"path":["degree"]},{"path":["holderName"]}]}]}`

const testPD = `{"id":"check","input_descriptors":[{"id":"diploma","format":{"vc+sd-jwt":{}},"constraints":{"limit_disclosure":"required",` +
	`"fields":[{"path":["$.vct"],"filter":{"type":"string","const":"UniversityDegreeCredential"}},{"path":["$.degree"]},{"path":["$.holderName"]},{"path":["$.gpa"],"optional":true}]}}]}`

func testRequestObject(d string, now time.Time) *RequestObject {
	return &RequestObject{
		ClientID: PrefixDecentralizedIdentifier + d, ResponseType: ResponseTypeVPToken, ResponseMode: ResponseModeDirectPost,
		ResponseURI: "https://verifier.example/oid4vp/responses/1", Nonce: "n", State: "s",
		DCQLQuery: json.RawMessage(testQuery), Aud: SelfIssuedAudience, Iat: now.Unix(), Exp: now.Add(time.Minute).Unix(),
	}
}

func TestParseDCQL_RefusesWhatSection6Forbids(t *testing.T) {
	for name, q := range map[string]string{
		"no credentials":        `{"credentials":[]}`,
		"bad id":                `{"credentials":[{"id":"a b","format":"dc+sd-jwt","meta":{"vct_values":["X"]}}]}`,
		"repeated id":           `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]}},{"id":"a","format":"ldp_vc","meta":{"type_values":[["X"]]}}]}`,
		"unsupported format":    `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{}}]}`,
		"vct for a W3C VC":      `{"credentials":[{"id":"a","format":"ldp_vc","meta":{"vct_values":["x"]}}]}`,
		"no vct_values":         `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{}}]}`,
		"no type_values":        `{"credentials":[{"id":"a","format":"jwt_vc_json","meta":{"type_values":[]}}]}`,
		"no meta":               `{"credentials":[{"id":"a","format":"ldp_vc"}]}`,
		"empty claims":          `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[]}]}`,
		"empty path":            `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[{"path":[]}]}]}`,
		"negative index":        `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[{"path":["a",-1]}]}]}`,
		"object in path":        `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[{"path":[{}]}]}]}`,
		"float value":           `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[{"path":["a"],"values":[1.5]}]}]}`,
		"claim_sets without id": `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]},"claims":[{"path":["a"]}],"claim_sets":[["x"]]}]}`,
		"unknown set member":    `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]}}],"credential_sets":[{"options":[["b"]]}]}`,
		"trailing data":         testQuery + `{}`,
	} {
		if _, err := ParseDCQL([]byte(q)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseDCQL([]byte(testQuery)); err != nil {
		t.Fatal(err)
	}
}

func TestMatch_ClaimsPathsValuesAndClaimSets(t *testing.T) {
	q, err := ParseDCQL([]byte(`{"credentials":[{"id":"a","format":"ldp_vc","meta":{"type_values":[["VerifiableCredential","UniversityDegreeCredential"]]},` +
		`"claims":[{"id":"n","path":["credentialSubject","name"]},{"id":"d","path":["credentialSubject","degrees",null,"type"],"values":["BSc"]},{"id":"g","path":["credentialSubject","gpa"]}],` +
		`"claim_sets":[["g","n"],["n","d"]]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.Unmarshal([]byte(`{"type":["VerifiableCredential","UniversityDegreeCredential"],"credentialSubject":{"name":"Alice","secret":1,"degrees":[{"type":"BSc","year":2020},{"type":"MSc"}]}}`), &doc)
	c := &Credential{Format: FormatLDPVC, Types: []string{"VerifiableCredential", "UniversityDegreeCredential"}, Claims: doc}
	m, err := q.Credentials[0].Match(c)
	if err != nil {
		t.Fatal(err)
	}
	// No gpa: the second claim set; only the requested claims are kept.
	want := map[string]any{"credentialSubject": map[string]any{"name": "Alice", "degrees": []any{map[string]any{"type": "BSc"}, map[string]any{"type": "MSc"}}}}
	if !reflect.DeepEqual(m.Disclosed, want) || len(m.Claims) != 2 {
		t.Errorf("disclosed %v", m.Disclosed)
	}
	if got := m.Pointers(); !reflect.DeepEqual(got, []string{"/credentialSubject/name", "/credentialSubject/degrees"}) {
		t.Errorf("pointers %v", got)
	}
	doc["credentialSubject"].(map[string]any)["degrees"] = []any{map[string]any{"type": "PhD"}}
	if _, err := q.Credentials[0].Match(c); !errors.Is(err, ErrNoMatch) {
		t.Errorf("a value not asked for matched: %v", err)
	}
	c.Types = []string{"VerifiableCredential"}
	if _, err := q.Credentials[0].Match(c); !errors.Is(err, ErrNoMatch) {
		t.Errorf("the wrong type matched: %v", err)
	}
	c.Format = FormatSDJWT
	if _, err := q.Credentials[0].Match(c); !errors.Is(err, ErrNoMatch) {
		t.Errorf("the wrong format matched: %v", err)
	}
}

func TestW3CTypes_CompactAndExpanded(t *testing.T) {
	var doc map[string]any
	_ = json.Unmarshal([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],`+
		`"type":["VerifiableCredential","UniversityDegreeCredential"],"credentialSubject":{"undefinedTerm":1}}`), &doc)
	want := []string{"VerifiableCredential", "UniversityDegreeCredential", "https://www.w3.org/2018/credentials#VerifiableCredential", "https://www.w3.org/ns/credentials/examples#UniversityDegreeCredential"}
	if got := W3CTypes(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("W3CTypes = %v", got)
	}
}

func TestParsePresentationDefinition_TranslatesToDCQL(t *testing.T) {
	_, q, err := ParsePresentationDefinition([]byte(testPD))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ParseDCQL([]byte(testQuery))
	if !reflect.DeepEqual(q, want) {
		a, _ := json.Marshal(q)
		t.Errorf("translated to %s", a)
	}
	for name, pd := range map[string]string{
		"no format":      `{"id":"x","input_descriptors":[{"id":"a","constraints":{}}]}`,
		"pattern filter": `{"id":"x","input_descriptors":[{"id":"a","format":{"ldp_vc":{}},"constraints":{"fields":[{"path":["$.a"],"filter":{"pattern":"^x"}}]}}]}`,
		"filter path":    `{"id":"x","input_descriptors":[{"id":"a","format":{"ldp_vc":{}},"constraints":{"fields":[{"path":["$..a"]}]}}]}`,
		"no descriptors": `{"id":"x","input_descriptors":[]}`,
		"no type field":  `{"id":"x","input_descriptors":[{"id":"a","format":{"ldp_vc":{}},"constraints":{"fields":[{"path":["$.credentialSubject.a"]}]}}]}`,
		"no vct field":   `{"id":"x","input_descriptors":[{"id":"a","format":{"dc+sd-jwt":{}},"constraints":{"fields":[{"path":["$.vct"],"optional":true,"filter":{"const":"X"}}]}}]}`,
		"vcts disagree":  `{"id":"x","input_descriptors":[{"id":"a","format":{"dc+sd-jwt":{}},"constraints":{"fields":[{"path":["$.vct"],"filter":{"const":"X"}},{"path":["$.vct"],"filter":{"const":"Y"}}]}}]}`,
		"const null":     `{"id":"x","input_descriptors":[{"id":"a","format":{"dc+sd-jwt":{}},"constraints":{"fields":[{"path":["$.vct"],"filter":{"const":"X"}},{"path":["$.a"],"filter":{"const":null}}]}}]}`,
		"format keyword": `{"id":"x","input_descriptors":[{"id":"a","format":{"dc+sd-jwt":{}},"constraints":{"fields":[{"path":["$.vct"],"filter":{"const":"X"}},{"path":["$.a"],"filter":{"type":"string","format":"date"}}]}}]}`,
		"contains claim": `{"id":"x","input_descriptors":[{"id":"a","format":{"dc+sd-jwt":{}},"constraints":{"fields":[{"path":["$.vct"],"filter":{"const":"X"}},{"path":["$.a"],"filter":{"contains":{"const":"b"}}}]}}]}`,
		"not":            `{"id":"x","input_descriptors":[{"id":"a","format":{"ldp_vc":{}},"constraints":{"fields":[{"path":["$.type"],"filter":{"contains":{"const":"X"},"not":{"contains":{"const":"Y"}}}}]}}]}`,
	} {
		if _, _, err := ParsePresentationDefinition([]byte(pd)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if p, err := jsonPath(`$.vc.credentialSubject['given name'][0][*]`, FormatJWTVCJSON); err != nil || !reflect.DeepEqual(p, Path{"credentialSubject", "given name", 0, nil}) {
		t.Errorf("jsonPath: %v %v", p, err)
	}
}

func TestRequestObject_SignParseVerify(t *testing.T) {
	k, _ := keys.Generate(keys.Ed25519)
	d := did.KeyDID(k.Public())
	kid := d + "#" + k.Public().Multibase()
	now := time.Now()
	ro := testRequestObject(d, now)
	tok, err := SignRequestObject(k, kid, ro)
	if err != nil {
		t.Fatal(err)
	}
	link := RequestURI(ro.ClientID, "https://verifier.example/oid4vp/requests/1")
	cid, ref, err := ParseRequestURI(link)
	if err != nil || cid != ro.ClientID || ref != "https://verifier.example/oid4vp/requests/1" {
		t.Fatalf("link: %q %q %v", cid, ref, err)
	}
	r, err := ParseRequestObject(tok, cid, now)
	if err != nil {
		t.Fatal(err)
	}
	pk := k.Public()
	doc := &did.Document{ID: d, VerificationMethod: []did.VerificationMethod{{ID: kid, Type: "Multikey", Controller: d, PublicKeyMultibase: pk.Multibase()}}, Authentication: []string{kid}}
	if err := r.VerifyRequestObject(doc); err != nil {
		t.Fatal(err)
	}
	other, _ := keys.Generate(keys.Ed25519)
	doc.VerificationMethod[0].PublicKeyMultibase = other.Public().Multibase()
	if err := r.VerifyRequestObject(doc); err == nil {
		t.Error("a signature by another key verified")
	}
	if _, err := ParseRequestObject(tok, "decentralized_identifier:did:key:zother", now); err == nil {
		t.Error("a client_id other than the link's was accepted")
	}
	if _, err := ParseRequestObject(tok, cid, now.Add(time.Hour)); err == nil {
		t.Error("an expired request object was accepted")
	}
	plain, _ := jose.Sign(k, jose.Header{Typ: "JWT", Kid: kid}, []byte(`{}`))
	if _, err := ParseRequestObject(plain, "", now); err == nil {
		t.Error("a JWT of another typ was accepted")
	}
	for _, bad := range []string{"openid4vp://?client_id=x", "openid4vp://?client_id=x&request_uri=http%3A%2F%2Fevil.example%2F", "openid4vp://?client_id=x&request_uri=https%3A%2F%2Fa.example&request_uri_method=post"} {
		if _, _, err := ParseRequestURI(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestDirectPostJWT_EncryptDecrypt(t *testing.T) {
	ek, err := NewEphemeralKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ek.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{EncA128GCM, EncA256GCM} {
		md := &ClientMetadata{JWKS: &JWKS{Keys: []json.RawMessage{pub}}, EncryptedResponseEncValuesSupported: []string{enc}}
		jwe, err := EncryptResponse(md, &Response{VPToken: json.RawMessage(`{"diploma":["a~b~c"]}`), State: "s"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseResponseForm([]byte("response="+jwe), ResponseModeDirectPostJWT, ek.Decrypt)
		if err != nil || r.State != "s" || string(r.VPToken) != `{"diploma":["a~b~c"]}` {
			t.Fatalf("%s: %+v %v", enc, r, err)
		}
		other, _ := NewEphemeralKey("k1")
		if _, err := ParseResponseForm([]byte("response="+jwe), ResponseModeDirectPostJWT, other.Decrypt); err == nil {
			t.Errorf("%s: decrypted with another key", enc)
		}
	}
	if _, err := EncryptResponse(&ClientMetadata{JWKS: &JWKS{Keys: []json.RawMessage{pub}}, EncryptedResponseEncValuesSupported: []string{"A256CBC-HS512"}}, &Response{}); err == nil || !strings.Contains(err.Error(), "A128GCM") {
		t.Errorf("an unknown enc: %v", err)
	}
}

func TestParseDCQL_SaysWhichMetaMemberIsWrong(t *testing.T) {
	for q, want := range map[string]string{
		`{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"],"type_values":[["X"]]}}`: "meta.type_values is for W3C credentials; a dc+sd-jwt query has meta.vct_values",
		`{"id":"a","format":"dc+sd-jwt","meta":{}}`:                                         "meta.vct_values is required: the vct values accepted (Appendix B.3.5)",
		`{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[""]}}`:                        "meta.vct_values holds non-empty strings",
		`{"id":"a","format":"ldp_vc","meta":{"vct_values":["X"]}}`:                          "meta.vct_values is for dc+sd-jwt; a W3C credential query has meta.type_values",
		`{"id":"a","format":"jwt_vc_json","meta":{}}`:                                       "meta.type_values is required: lists of the types a credential must have (Appendix B.1.1)",
		`{"id":"a","format":"ldp_vc","meta":{"type_values":[["X",""]]}}`:                    "meta.type_values holds non-empty lists of non-empty types",
		`{"id":"a","format":"ldp_vc","meta":{"type_values":[[]]}}`:                          "meta.type_values holds non-empty lists of non-empty types",
	} {
		_, err := ParseDCQL([]byte(`{"credentials":[` + q + `]}`))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

// TestParseRequestObject_RepeatedMemberRefused: a signed request object
// naming response_uri or dcql_query twice is refused, naming the member:
// the wallet would have sent the answer to, or matched, the last one while
// the verifier's reviewers read the first.
func TestParseRequestObject_RepeatedMemberRefused(t *testing.T) {
	k, _ := keys.Generate(keys.Ed25519)
	d := did.KeyDID(k.Public())
	kid := d + "#" + k.Public().Multibase()
	now := time.Now()
	body, err := json.Marshal(testRequestObject(d, now))
	if err != nil {
		t.Fatal(err)
	}
	for member, extra := range map[string]string{
		"response_uri": `"response_uri":"https://evil.example/cb",`,
		"dcql_query":   `"dcql_query":{"credentials":[{"id":"x","format":"dc+sd-jwt","meta":{"vct_values":["Y"]}}]},`,
	} {
		payload := append([]byte("{"+extra), body[1:]...)
		tok, err := jose.Sign(k, jose.Header{Typ: RequestObjectTyp, Kid: kid}, payload)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseRequestObject(tok, "", now)
		if err == nil || !strings.Contains(err.Error(), `member "`+member+`" appears twice`) {
			t.Errorf("%s twice: %v", member, err)
		}
	}
}
