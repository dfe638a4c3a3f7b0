package sdjwt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/jsontest"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

const testKid = "did:example:issuer#key-1"

var testNow = time.Unix(1_750_000_000, 0)

const testClaims = `{
  "iss": "did:example:issuer",
  "iat": 1700000000,
  "vct": "https://example.com/pid",
  "given_name": "Erika",
  "family_name": "Mustermann",
  "email": "erika@example.com",
  "birthdate": "1963-08-12",
  "address": {"street_address": "Heidestraße 17", "locality": "Köln", "country": "DE"},
  "nationalities": ["DE", "FR", "NL"],
  "degrees": [{"type": "BSc", "year": 2010}, {"type": "MSc", "year": 2012}]
}`

// wantCode fails unless err is an *errs.Error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error %v is not an *errs.Error (want %s)", err, code)
	}
	if e.Code != code {
		t.Fatalf("error %v: code %s, want %s", err, e.Code, code)
	}
}

func verify(t *testing.T, s string, pk keys.PublicKey, o VerifyOptions) (*Verified, error) {
	t.Helper()
	j, err := Parse(s)
	if err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = testNow
	}
	return j.Verify(pk, o)
}

func TestRFC9901ExampleDisclosures(t *testing.T) {
	// RFC 9901 §4.2.1 and §4.2.2 (object member and array element).
	for _, tc := range []struct {
		raw, digest, salt, name string
		value                   any
	}{
		{"WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0", "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0", "_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"},
		{"WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0", "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs", "lklxF5jMYlGTPUovMNIvCA", "", "FR"},
	} {
		d, err := decodeDisclosure(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest != tc.digest || d.Salt != tc.salt || d.Name != tc.name || d.Value != tc.value || d.ArrayElement != (tc.name == "") {
			t.Errorf("%s: got %+v", tc.raw, d)
		}
	}
}

// withoutDigests returns the JSON of an issuer JWT payload with every
// digest ("_sd" arrays, {"...": digest} elements) blanked: random base64
// digests may contain any short string.
func withoutDigests(t *testing.T, payload []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		t.Fatal(err)
	}
	blank := func(name string, v any) (any, bool, bool) {
		if name == "_sd" || name == "..." {
			return "digests", false, false
		}
		return v, true, false
	}
	b, err := json.Marshal(RewriteJSON(v, blank))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRoundTrip(t *testing.T) {
	var full map[string]any
	if err := json.Unmarshal([]byte(testClaims), &full); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		disclosable []string
		hidden      []string // strings that must not appear in the issuer JWT payload
	}{
		{"none", nil, nil},
		{"flat", []string{"/given_name", "/family_name", "/email"}, []string{"Erika", "Mustermann", "erika@"}},
		{"nested", []string{"/address/street_address", "/address/locality"}, []string{"Heidestra", "locality"}},
		{"recursive", []string{"/address", "/address/street_address", "/address/country"}, []string{"address", "locality", "Heidestra"}},
		{"array", []string{"/nationalities/0", "/nationalities/2", "/degrees/1", "/degrees/1/year"}, []string{"NL", "MSc", "2012"}},
		{"everything", []string{"/given_name", "/family_name", "/email", "/birthdate", "/address", "/address/street_address", "/address/locality", "/address/country", "/nationalities", "/nationalities/0", "/nationalities/1", "/nationalities/2", "/degrees/0", "/degrees/0/type", "/degrees/1/year", "/iat"}, []string{"Erika", "Köln", "BSc", "2012", "1700000000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1, keys.SM2} {
				k := keytest.New(t, typ)
				s, err := Issue(k, testKid, json.RawMessage(testClaims), IssueOptions{Disclosable: tc.disclosable, Decoys: 2})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(s, "~") || strings.Count(s, "~") != len(tc.disclosable)+1 {
					t.Fatalf("want %d disclosures: %s", len(tc.disclosable), s)
				}
				j, err := Parse(s)
				if err != nil {
					t.Fatal(err)
				}
				if j.Issuer.Header.Kid != testKid || j.Issuer.Header.Typ != TypVC || j.Payload["_sd_alg"] != HashAlg {
					t.Fatalf("header %+v, _sd_alg %v", j.Issuer.Header, j.Payload["_sd_alg"])
				}
				plain := withoutDigests(t, j.Issuer.Payload)
				for _, h := range tc.hidden {
					if strings.Contains(plain, h) {
						t.Errorf("the issuer JWT payload shows %q: %s", h, j.Issuer.Payload)
					}
				}
				for _, d := range j.Disclosures {
					if salt, err := base64.RawURLEncoding.DecodeString(d.Salt); err != nil || len(salt) != SaltBytes {
						t.Errorf("salt %q is not %d bytes of base64url", d.Salt, SaltBytes)
					}
				}
				v, err := j.Verify(k.Public(), VerifyOptions{Now: testNow})
				if err != nil {
					t.Fatal(err)
				}
				if got := Normalize(t, v.Claims); !reflect.DeepEqual(got, Normalize(t, full)) {
					t.Errorf("claims\n got %v\nwant %v", got, full)
				}
				want := slices.Sorted(slices.Values(tc.disclosable))
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(v.Disclosed, want) {
					t.Errorf("disclosed %q, want %q", v.Disclosed, want)
				}
				if v.Issuer != "did:example:issuer" || v.VCT != "https://example.com/pid" || !v.IssuedAt.Equal(time.Unix(1700000000, 0)) || v.KeyBound || v.HolderKey != nil {
					t.Errorf("registered claims: %+v", v)
				}
			}
		})
	}
}

func TestDigestsSortedWithDecoys(t *testing.T) {
	k := keytest.New(t, keys.Ed25519)
	s, err := Issue(k, testKid, json.RawMessage(testClaims), IssueOptions{Disclosable: []string{"/given_name", "/family_name", "/email", "/birthdate"}, Decoys: 3})
	if err != nil {
		t.Fatal(err)
	}
	j, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := j.Payload["_sd"].([]any)
	if len(sd) != 7 {
		t.Fatalf("_sd has %d digests, want 4 + 3 decoys", len(sd))
	}
	if !slices.IsSortedFunc(sd, func(a, b any) int { return strings.Compare(a.(string), b.(string)) }) {
		t.Error("_sd is not sorted")
	}
	if !slices.IsSortedFunc(j.Disclosures, func(a, b Disclosure) int { return strings.Compare(a.Digest, b.Digest) }) {
		t.Error("disclosures are not ordered by digest")
	}
}

func TestPresent(t *testing.T) {
	issuer, holder := keytest.New(t, keys.Ed25519), keytest.New(t, keys.P256)
	hk := holder.Public()
	all := []string{"/given_name", "/family_name", "/email", "/birthdate", "/address", "/address/street_address", "/address/locality", "/nationalities/0", "/nationalities/1", "/nationalities/2"}
	s, err := Issue(issuer, testKid, json.RawMessage(testClaims), IssueOptions{Disclosable: all, HolderKey: &hk})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("two claims", func(t *testing.T) {
		p, err := Present(s, []string{"/given_name", "/email"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(p, "~") != 3 {
			t.Fatalf("want exactly 2 disclosures: %s", p)
		}
		v, err := verify(t, p, issuer.Public(), VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.Disclosed, []string{"/email", "/given_name"}) {
			t.Errorf("disclosed %q", v.Disclosed)
		}
		// family_name, birthdate, address and the three nationalities;
		// address's own digests are inside it, not met.
		if v.Withheld != 6 {
			t.Errorf("withheld %d, want 6", v.Withheld)
		}
		if all, err := verify(t, s, issuer.Public(), VerifyOptions{}); err != nil || all.Withheld != 0 {
			t.Errorf("every disclosure: withheld %v, %v; want 0", all, err)
		}
		want := map[string]any{"iss": "did:example:issuer", "iat": 1700000000.0, "vct": "https://example.com/pid", "given_name": "Erika", "email": "erika@example.com", "nationalities": []any{}, "degrees": Normalize(t, []any{map[string]any{"type": "BSc", "year": 2010}, map[string]any{"type": "MSc", "year": 2012}}), "cnf": Normalize(t, v.Claims["cnf"])}
		if got := Normalize(t, v.Claims); !reflect.DeepEqual(got, Normalize(t, want)) {
			t.Errorf("claims\n got %v\nwant %v", got, want)
		}
		if v.HolderKey == nil || !v.HolderKey.Equal(hk) {
			t.Error("holder key not read from cnf")
		}
	})
	t.Run("nested claim brings its parent, not its siblings", func(t *testing.T) {
		p, err := Present(s, []string{"/address/locality", "/nationalities/2"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := verify(t, p, issuer.Public(), VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.Disclosed, []string{"/address", "/address/locality", "/nationalities/0"}) {
			t.Errorf("disclosed %q", v.Disclosed)
		}
		if got := Normalize(t, v.Claims["address"]); !reflect.DeepEqual(got, map[string]any{"locality": "Köln", "country": "DE"}) {
			t.Errorf("address %v", got)
		}
		if got := Normalize(t, v.Claims["nationalities"]); !reflect.DeepEqual(got, []any{"NL"}) {
			t.Errorf("nationalities %v", got)
		}
	})
	t.Run("nothing", func(t *testing.T) {
		p, err := Present(s, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p != s[:strings.IndexByte(s, '~')+1] {
			t.Errorf("got %s", p)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for p, code := range map[string]string{"/iss": CodeNotDisclosable, "/nope": CodeNotDisclosable, "/address/country": CodeNotDisclosable, "/nationalities/01": CodeNotDisclosable, "given_name": CodeInvalidPointer, "/a~2": CodeInvalidPointer} {
			_, err := Present(s, []string{p}, nil)
			wantCode(t, err, code)
		}
		_, err := Present(s, nil, &KeyBinding{Key: keytest.New(t, keys.P256), Audience: "a", Nonce: "n"})
		wantCode(t, err, CodeNoHolderKey)
		_, err = Present(s, nil, &KeyBinding{Key: holder, Audience: "a"})
		wantCode(t, err, CodeInvalidOptions)
		p, err := Present(s, nil, &KeyBinding{Key: holder, Audience: "a", Nonce: "n"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Present(p, nil, nil)
		wantCode(t, err, CodeMalformed)
		unbound, err := Issue(issuer, testKid, json.RawMessage(testClaims), IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Present(unbound, nil, &KeyBinding{Key: holder, Audience: "a", Nonce: "n"})
		wantCode(t, err, CodeNoHolderKey)
	})
}

func TestKeyBinding(t *testing.T) {
	issuer := keytest.New(t, keys.P256)
	for _, ht := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1, keys.SM2} {
		holder := keytest.New(t, ht)
		hk := holder.Public()
		s, err := Issue(issuer, testKid, json.RawMessage(testClaims), IssueOptions{Disclosable: []string{"/given_name", "/email", "/nationalities/1"}, HolderKey: &hk})
		if err != nil {
			t.Fatal(err)
		}
		kb := &KeyBinding{Key: holder, Audience: "https://verifier.example", Nonce: "n-0S6_WzA2Mj", IssuedAt: testNow.Add(-time.Minute)}
		p, err := Present(s, []string{"/email", "/nationalities/1"}, kb)
		if err != nil {
			t.Fatal(err)
		}
		o := VerifyOptions{RequireKeyBinding: true, Audience: kb.Audience, Nonce: kb.Nonce, Now: testNow}
		v, err := verify(t, p, issuer.Public(), o)
		if err != nil {
			t.Fatal(err)
		}
		if !v.KeyBound || !v.KeyBindingIssuedAt.Equal(kb.IssuedAt) || !slices.Equal(v.Disclosed, []string{"/email", "/nationalities/1"}) {
			t.Errorf("verified %+v", v)
		}
		j, _ := Parse(p)
		if j.KeyBinding.Header.Typ != TypKB || j.KeyBindingPayload["sd_hash"] != hashPresentation(p[:strings.LastIndexByte(p, '~')+1]) {
			t.Errorf("KB-JWT %+v %v", j.KeyBinding.Header, j.KeyBindingPayload)
		}

		reject := func(name, pres string, o VerifyOptions, code string) {
			t.Run(string(ht)+"/"+name, func(t *testing.T) {
				_, err := verify(t, pres, issuer.Public(), o)
				wantCode(t, err, code)
			})
		}
		with := func(f func(*VerifyOptions)) VerifyOptions { c := o; f(&c); return c }
		reject("wrong audience", p, with(func(o *VerifyOptions) { o.Audience = "https://evil.example" }), CodeBadKeyBinding)
		reject("wrong nonce", p, with(func(o *VerifyOptions) { o.Nonce = "other" }), CodeBadKeyBinding)
		reject("stale", p, with(func(o *VerifyOptions) { o.Now = testNow.Add(time.Hour) }), CodeBadKeyBinding)
		reject("future", p, with(func(o *VerifyOptions) { o.Now = testNow.Add(-time.Hour) }), CodeBadKeyBinding)
		reject("no expected nonce", p, with(func(o *VerifyOptions) { o.Nonce = "" }), CodeInvalidOptions)
		reject("required", s, o, CodeKeyBindingRequired)
		// A disclosure removed after the holder signed: sd_hash differs.
		first := strings.IndexByte(p, '~')
		second := first + 1 + strings.IndexByte(p[first+1:], '~')
		reject("disclosure dropped", p[:first]+p[second:], o, CodeBadKeyBinding)
		// The KB-JWT of one presentation on another.
		p2, err := Present(s, []string{"/given_name"}, kb)
		if err != nil {
			t.Fatal(err)
		}
		reject("KB-JWT moved", p2[:strings.LastIndexByte(p2, '~')+1]+p[strings.LastIndexByte(p, '~')+1:], o, CodeBadKeyBinding)
		// Signed by another key.
		other := keytest.New(t, ht)
		forged := signKB(t, other, p[:strings.LastIndexByte(p, '~')+1], map[string]any{"aud": kb.Audience, "nonce": kb.Nonce, "iat": testNow.Unix()})
		reject("wrong key", forged, o, CodeBadKeyBinding)
		reject("no sd_hash", signKB(t, holder, s, map[string]any{"aud": kb.Audience, "nonce": kb.Nonce, "iat": testNow.Unix(), "sd_hash": nil}), o, CodeBadKeyBinding)
		reject("no iat", signKB(t, holder, s, map[string]any{"aud": kb.Audience, "nonce": kb.Nonce, "iat": nil}), o, CodeBadKeyBinding)
		reject("aud array", signKB(t, holder, s, map[string]any{"aud": []string{kb.Audience}, "nonce": kb.Nonce, "iat": testNow.Unix()}), o, CodeBadKeyBinding)
		// A KB-JWT whose typ is not kb+jwt.
		tok, err := jose.Sign(holder, jose.Header{Typ: "JWT"}, []byte(`{"iat":1}`))
		if err != nil {
			t.Fatal(err)
		}
		reject("typ JWT", s+tok, o, CodeMalformed)
	}
	// A KB-JWT on an SD-JWT that binds no key.
	holder := keytest.New(t, keys.Ed25519)
	s, err := Issue(issuer, testKid, json.RawMessage(testClaims), IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = verify(t, signKB(t, holder, s, map[string]any{"aud": "a", "nonce": "n", "iat": testNow.Unix()}), issuer.Public(), VerifyOptions{Audience: "a", Nonce: "n"})
	wantCode(t, err, CodeNoHolderKey)
}

// signKB appends to pres (which ends with '~') a KB-JWT with claims c and
// the correct sd_hash unless c sets one (nil removes a claim).
func signKB(t *testing.T, k *keys.PrivateKey, pres string, c map[string]any) string {
	t.Helper()
	b := jsontest.MergePatch(t, map[string]any{"sd_hash": hashPresentation(pres)}, c)
	tok, err := jose.Sign(k, jose.Header{Typ: TypKB}, b)
	if err != nil {
		t.Fatal(err)
	}
	return pres + tok
}

// disclosure encodes a disclosure array as base64url JSON and returns it
// and its digest.
func disclosure(t *testing.T, arr ...any) (string, string) {
	t.Helper()
	b, err := json.Marshal(arr)
	if err != nil {
		t.Fatal(err)
	}
	raw := base64.RawURLEncoding.EncodeToString(b)
	return raw, hashPresentation(raw)
}

// handMade signs payload (a JSON object) as a dc+sd-jwt issuer JWT and
// appends the disclosures.
func handMade(t *testing.T, k *keys.PrivateKey, payload string, disclosures ...string) string {
	t.Helper()
	tok, err := jose.Sign(k, jose.Header{Typ: TypVC, Kid: testKid}, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	s := tok + "~"
	for _, d := range disclosures {
		s += d + "~"
	}
	return s
}

func TestVerifyRejects(t *testing.T) {
	k := keytest.New(t, keys.Ed25519)
	dName, hName := disclosure(t, "c2FsdHNhbHRzYWx0c2FsdA", "name", "Erika")
	dAge, hAge := disclosure(t, "c2FsdDI", "age", 42)
	dElem, hElem := disclosure(t, "c2FsdDM", "FR")
	dSD, hSD := disclosure(t, "c2FsdDQ", "_sd", "x")
	dDots, hDots := disclosure(t, "c2FsdDU", "...", "x")
	dNumSalt, hNumSalt := disclosure(t, 12345, "name", "Erika")
	dName2, hName2 := disclosure(t, "c2FsdDY", "name", "Max")
	dFour, hFour := disclosure(t, "c2FsdDc", "a", "b", "c")
	dOne, hOne := disclosure(t, "c2FsdDg")
	dIss, hIss := disclosure(t, "c2FsdDk", "iss", "did:example:evil")
	dVct, hVct := disclosure(t, "c2FsdDEw", "vct", "https://example.com/pid")
	vct := `"vct":"https://example.com/pid","iss":"did:example:issuer"`
	// More disclosures than Parse compares without a map, one given twice.
	var many []string
	manyDigests := ""
	for i := range smallDisclosures + 2 {
		d, h := disclosure(t, fmt.Sprintf("salt%d", i), fmt.Sprintf("c%d", i), i)
		many = append(many, d)
		manyDigests += `,"` + h + `"`
	}
	many = append(many, many[3])

	good := handMade(t, k, `{`+vct+`,"_sd_alg":"sha-256","_sd":["`+hName+`","`+hAge+`"],"nat":[{"...":"`+hElem+`"},"DE"]}`, dName, dAge, dElem)
	v, err := verify(t, good, k.Public(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := Normalize(t, v.Claims); !reflect.DeepEqual(got, Normalize(t, map[string]any{"vct": "https://example.com/pid", "iss": "did:example:issuer", "name": "Erika", "age": 42, "nat": []any{"FR", "DE"}})) {
		t.Fatalf("claims %v", got)
	}
	if v, err := verify(t, handMade(t, k, `{`+vct+`,"_sd":[`+manyDigests[1:]+`]}`, many[:len(many)-1]...), k.Public(), VerifyOptions{}); err != nil || len(v.Disclosed) != smallDisclosures+2 {
		t.Fatalf("%d disclosures: %v", smallDisclosures+2, err)
	}
	// _sd_alg may be absent (sha-256 is the default).
	if _, err := verify(t, handMade(t, k, `{`+vct+`,"_sd":["`+hName+`"]}`, dName), k.Public(), VerifyOptions{}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, s, code string
	}{
		{"no tilde", strings.TrimSuffix(good[:strings.IndexByte(good, '~')], "~"), CodeMalformed},
		{"empty disclosure", handMade(t, k, `{`+vct+`}`) + "~", CodeMalformed},
		{"disclosure not base64url", handMade(t, k, `{`+vct+`}`, "WyJhIiwi=="), CodeMalformed},
		{"disclosure not JSON", handMade(t, k, `{`+vct+`}`, base64.RawURLEncoding.EncodeToString([]byte(`["a","b"`))), CodeMalformed},
		{"disclosure with trailing data", handMade(t, k, `{`+vct+`}`, base64.RawURLEncoding.EncodeToString([]byte(`["a","b"] {}`))), CodeMalformed},
		{"disclosure an object", handMade(t, k, `{`+vct+`}`, base64.RawURLEncoding.EncodeToString([]byte(`{"a":"b"}`))), CodeMalformed},
		{"claim name _sd", handMade(t, k, `{`+vct+`,"_sd":["`+hSD+`"]}`, dSD), CodeInvalidDisclosure},
		{"claim name ...", handMade(t, k, `{`+vct+`,"_sd":["`+hDots+`"]}`, dDots), CodeInvalidDisclosure},
		{"salt not a string", handMade(t, k, `{`+vct+`,"_sd":["`+hNumSalt+`"]}`, dNumSalt), CodeInvalidDisclosure},
		{"four elements", handMade(t, k, `{`+vct+`,"_sd":["`+hFour+`"]}`, dFour), CodeInvalidDisclosure},
		{"one element", handMade(t, k, `{`+vct+`,"_sd":["`+hOne+`"]}`, dOne), CodeInvalidDisclosure},
		{"array form in _sd", handMade(t, k, `{`+vct+`,"_sd":["`+hElem+`"]}`, dElem), CodeInvalidDisclosure},
		{"object form in array", handMade(t, k, `{`+vct+`,"a":[{"...":"`+hName+`"}]}`, dName), CodeInvalidDisclosure},
		{"duplicate digest in _sd", handMade(t, k, `{`+vct+`,"_sd":["`+hName+`","`+hName+`"]}`, dName), CodeDuplicateDigest},
		{"duplicate undisclosed digest", handMade(t, k, `{`+vct+`,"_sd":["`+hAge+`"],"x":{"_sd":["`+hAge+`"]}}`), CodeDuplicateDigest},
		{"digest in _sd and in an array", handMade(t, k, `{`+vct+`,"_sd":["`+hElem+`"],"a":[{"...":"`+hElem+`"}]}`, dElem), CodeDuplicateDigest},
		{"duplicate disclosure", handMade(t, k, `{`+vct+`,"_sd":["`+hName+`"]}`, dName, dName), CodeDuplicateDigest},
		{"duplicate disclosure among many", handMade(t, k, `{`+vct+`,"_sd":[`+manyDigests[1:]+`]}`, many...), CodeDuplicateDigest},
		{"unreferenced disclosure", handMade(t, k, `{`+vct+`,"_sd":["`+hName+`"]}`, dName, dAge), CodeUnreferencedDisclosure},
		{"collision with a plain claim", handMade(t, k, `{`+vct+`,"name":"Max","_sd":["`+hName+`"]}`, dName), CodeClaimCollision},
		{"collision with a registered claim", handMade(t, k, `{`+vct+`,"_sd":["`+hIss+`"]}`, dIss), CodeClaimCollision},
		{"two disclosures of one name", handMade(t, k, `{`+vct+`,"_sd":["`+hName+`","`+hName2+`"]}`, dName, dName2), CodeClaimCollision},
		{"_sd_alg sha-512", handMade(t, k, `{`+vct+`,"_sd_alg":"sha-512","_sd":["`+hName+`"]}`, dName), CodeUnsupportedAlg},
		{"_sd_alg not a string", handMade(t, k, `{`+vct+`,"_sd_alg":1}`), CodeUnsupportedAlg},
		{"_sd not an array", handMade(t, k, `{`+vct+`,"_sd":"`+hName+`"}`, dName), CodeMalformed},
		{"_sd digest not a string", handMade(t, k, `{`+vct+`,"_sd":[1]}`), CodeMalformed},
		{"array digest not a string", handMade(t, k, `{`+vct+`,"a":[{"...":1}]}`), CodeMalformed},
		{"no vct", handMade(t, k, `{"iss":"x"}`), CodeMalformed},
		{"vct disclosed", handMade(t, k, `{"_sd":["`+hVct+`"]}`, dVct), CodeInvalidDisclosure},
		{"iss disclosed", handMade(t, k, `{"vct":"x","_sd":["`+hIss+`"]}`, dIss), CodeInvalidDisclosure},
		{"duplicate payload member", handMade(t, k, `{`+vct+`,"iss":"y"}`), CodeMalformed},
		{"expired", handMade(t, k, `{`+vct+`,"exp":1600000000}`), CodeExpired},
		{"not yet valid", handMade(t, k, `{`+vct+`,"nbf":1800000000}`), CodeNotYetValid},
		{"exp a string", handMade(t, k, `{`+vct+`,"exp":"soon"}`), CodeMalformed},
		{"cnf without jwk", handMade(t, k, `{`+vct+`,"cnf":{"kid":"x"}}`), CodeNoHolderKey},
		{"too large", good + strings.Repeat("A", MaxBytes), CodeTooLarge},
		{"too many disclosures", good + strings.Repeat("~", MaxDisclosures), CodeTooLarge},
		{"bad signature", strings.Replace(good, ".", ".e30", 1), CodeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verify(t, tc.s, k.Public(), VerifyOptions{})
			wantCode(t, err, tc.code)
		})
	}
	t.Run("wrong issuer key", func(t *testing.T) {
		_, err := verify(t, good, keytest.New(t, keys.Ed25519).Public(), VerifyOptions{})
		wantCode(t, err, CodeBadSignature)
		_, err = verify(t, good, keytest.New(t, keys.P256).Public(), VerifyOptions{})
		wantCode(t, err, CodeUnsupportedAlg)
	})
	t.Run("tampered payload", func(t *testing.T) {
		jwt := good[:strings.IndexByte(good, '~')]
		parts := strings.Split(jwt, ".")
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{` + vct + `,"name":"Mallory"}`))
		_, err := verify(t, strings.Join(parts, ".")+"~", k.Public(), VerifyOptions{})
		wantCode(t, err, CodeBadSignature)
	})
	t.Run("typ", func(t *testing.T) {
		tok, err := jose.Sign(k, jose.Header{Typ: "JWT"}, []byte(`{`+vct+`}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(tok + "~")
		wantCode(t, err, CodeMalformed)
		if _, err := Parse(tok+"~", "JWT"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("undisclosed elements removed, empty array kept", func(t *testing.T) {
		s := handMade(t, k, `{`+vct+`,"a":[{"...":"`+hElem+`"}],"b":[{"...":"`+hElem+`x"},{"...":"y","z":1}]}`)
		v, err := verify(t, s, k.Public(), VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := Normalize(t, v.Claims); !reflect.DeepEqual(got, Normalize(t, map[string]any{"vct": "https://example.com/pid", "iss": "did:example:issuer", "a": []any{}, "b": []any{map[string]any{"...": "y", "z": 1}}})) {
			t.Fatalf("claims %v", got)
		}
	})
}

func TestIssueRejects(t *testing.T) {
	k := keytest.New(t, keys.Ed25519)
	for _, tc := range []struct {
		name, claims string
		o            IssueOptions
		code         string
	}{
		{"not an object", `[1]`, IssueOptions{}, CodeInvalidClaims},
		{"duplicate member", `{"vct":"x","vct":"y"}`, IssueOptions{}, CodeInvalidClaims},
		{"no vct", `{"a":1}`, IssueOptions{}, CodeInvalidClaims},
		{"_sd", `{"vct":"x","a":{"_sd":[]}}`, IssueOptions{}, CodeInvalidClaims},
		{"...", `{"vct":"x","a":[{"...":"d"}]}`, IssueOptions{}, CodeInvalidClaims},
		{"_sd_alg", `{"vct":"x","_sd_alg":"sha-256"}`, IssueOptions{}, CodeInvalidClaims},
		{"cnf and holder key", `{"vct":"x","cnf":{}}`, IssueOptions{HolderKey: ptr(k.Public())}, CodeInvalidClaims},
		{"pointer without slash", `{"vct":"x","a":1}`, IssueOptions{Disclosable: []string{"a"}}, CodeInvalidPointer},
		{"whole document", `{"vct":"x","a":1}`, IssueOptions{Disclosable: []string{""}}, CodeInvalidPointer},
		{"missing member", `{"vct":"x","a":1}`, IssueOptions{Disclosable: []string{"/b"}}, CodeInvalidPointer},
		{"index out of range", `{"vct":"x","a":[1]}`, IssueOptions{Disclosable: []string{"/a/1"}}, CodeInvalidPointer},
		{"index with leading zero", `{"vct":"x","a":[1]}`, IssueOptions{Disclosable: []string{"/a/00"}}, CodeInvalidPointer},
		{"index -", `{"vct":"x","a":[1]}`, IssueOptions{Disclosable: []string{"/a/-"}}, CodeInvalidPointer},
		{"through a string", `{"vct":"x","a":"s"}`, IssueOptions{Disclosable: []string{"/a/0"}}, CodeInvalidPointer},
		{"twice", `{"vct":"x","a":1}`, IssueOptions{Disclosable: []string{"/a", "/a"}}, CodeInvalidPointer},
		{"vct", `{"vct":"x","a":1}`, IssueOptions{Disclosable: []string{"/vct"}}, CodeInvalidPointer},
		{"iss", `{"vct":"x","iss":"y"}`, IssueOptions{Disclosable: []string{"/iss"}}, CodeInvalidPointer},
		{"decoys", `{"vct":"x"}`, IssueOptions{Decoys: MaxDecoys + 1}, CodeInvalidOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Issue(k, testKid, json.RawMessage(tc.claims), tc.o)
			wantCode(t, err, tc.code)
		})
	}
	_, err := Issue(nil, testKid, json.RawMessage(`{"vct":"x"}`), IssueOptions{})
	wantCode(t, err, CodeInvalidOptions)
	// Pointers escape '/' and '~'; a generic SD-JWT needs no vct.
	s, err := Issue(k, "", json.RawMessage(`{"a/b":1,"c~d":{"":2}}`), IssueOptions{Typ: "example+sd-jwt", Disclosable: []string{"/a~1b", "/c~0d/"}})
	if err != nil {
		t.Fatal(err)
	}
	j, err := Parse(s, "example+sd-jwt")
	if err != nil {
		t.Fatal(err)
	}
	v, err := j.Verify(k.Public(), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Disclosed, []string{"/a~1b", "/c~0d/"}) {
		t.Errorf("disclosed %q", v.Disclosed)
	}
	if _, err := Present(s, []string{"/c~0d/"}, nil); err != nil {
		t.Error(err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestBase64URLByte_IsTheAlphabet(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for c := range 256 {
		if want := strings.IndexByte(alphabet, byte(c)) >= 0; base64URLByte[c] != want {
			t.Fatalf("byte %#x: %v, want %v", c, base64URLByte[c], want)
		}
	}
}
