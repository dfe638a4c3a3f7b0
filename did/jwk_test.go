package did

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

// The examples of the did:jwk specification (github.com/quartzjer/did-jwk,
// spec.md "Examples").
const (
	jwkSpecP256   = "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
	jwkSpecX25519 = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
)

// Keys used below: the spec's P-256 key, RFC 8037 §A.1's Ed25519 key and
// RFC 7748 §6.1's Bob.
const (
	jwkP256X   = "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0"
	jwkP256Y   = "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE"
	jwkEd25519 = `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	jwkX25519  = `{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}`
)

func jwkDIDOf(json string) string {
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(json))
}

func resolveJWK(t *testing.T, did string) (*ResolutionResult, error) {
	t.Helper()
	return resolveWith(t, JWKMethod{}, did)
}

// relSet lists which relationships contain the document's only method.
func relSet(d *Document) []string {
	var out []string
	for _, rel := range Relationships {
		if d.HasRelationship(rel, "#0") {
			out = append(out, rel)
		}
	}
	return out
}

var (
	relAll     = []string{"authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation"}
	relSigning = []string{"authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"}
	relAgree   = []string{"keyAgreement"}
)

func TestJWKSpecExamples(t *testing.T) {
	cases := []struct {
		did     string
		wantJWK string
		rels    []string
	}{
		{jwkSpecP256, `{"crv":"P-256","kty":"EC","x":"` + jwkP256X + `","y":"` + jwkP256Y + `"}`, relAll},
		{jwkSpecX25519, `{"kty":"OKP","crv":"X25519","use":"enc","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}`, relAgree},
	}
	for _, c := range cases {
		res, err := resolveJWK(t, c.did)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", c.did, err)
		}
		d := res.Document
		if err := d.Validate(); err != nil {
			t.Fatalf("document does not validate: %v", err)
		}
		if d.ID != c.did || !reflect.DeepEqual(d.Context, []string{ContextDIDv1, ContextJWK}) {
			t.Errorf("id %q, @context %q", d.ID, d.Context)
		}
		if len(d.VerificationMethod) != 1 {
			t.Fatalf("%d methods, want 1", len(d.VerificationMethod))
		}
		vm := d.VerificationMethod[0]
		if vm.ID != c.did+"#0" || vm.Type != JSONWebKeyType || vm.Controller != c.did || vm.PublicKeyMultibase != "" {
			t.Errorf("method = %+v", vm)
		}
		var got, want map[string]any
		if err := json.Unmarshal(vm.PublicKeyJwk, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(c.wantJWK), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("publicKeyJwk = %s, want %s", vm.PublicKeyJwk, c.wantJWK)
		}
		if r := relSet(d); !reflect.DeepEqual(r, c.rels) {
			t.Errorf("relationships = %q, want %q", r, c.rels)
		}
	}
}

func TestJWKDID(t *testing.T) {
	// Any serialization of the spec's P-256 key gives the spec's DID: JWKDID
	// canonicalizes with JCS, as the spec's example is.
	in := "{\n  \"y\": \"" + jwkP256Y + "\",\n  \"x\": \"" + jwkP256X + "\",\n  \"kty\": \"EC\",\n  \"crv\": \"P-256\"\n}"
	got, err := JWKDID([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got != jwkSpecP256 {
		t.Errorf("JWKDID = %s\nwant %s", got, jwkSpecP256)
	}
	for _, j := range []string{jwkEd25519, jwkX25519} {
		did, err := JWKDID([]byte(j))
		if err != nil {
			t.Fatalf("JWKDID(%s): %v", j, err)
		}
		if _, err := resolveJWK(t, did); err != nil {
			t.Errorf("Resolve(JWKDID(%s)): %v", j, err)
		}
	}
	for _, bad := range []string{
		`{"kty":"EC","crv":"P-256","x":"` + jwkP256X + `","y":"` + jwkP256Y + `","d":"gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc"}`,
		`{"kty":"oct","k":"AAAA"}`,
		`{"kty":"EC","crv":"P-256","x":"` + jwkP256Y + `","y":"` + jwkP256X + `"}`,
	} {
		if did, err := JWKDID([]byte(bad)); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("JWKDID(%s) = %q, %v; want ErrInvalidPublicKey", bad, did, err)
		}
	}
	if did, err := JWKDID([]byte(`not json`)); err == nil {
		t.Errorf("JWKDID(not json) = %q", did)
	}
}

func TestJWKRelationships(t *testing.T) {
	ed := strings.TrimSuffix(jwkEd25519, "}")
	cases := []struct {
		name, jwk string
		rels      []string
	}{
		{"no use", jwkEd25519, relAll},
		{"use sig", ed + `,"use":"sig"}`, relSigning},
		{"use enc", ed + `,"use":"enc"}`, relAgree},
		{"X25519 without use", jwkX25519, relAgree},
		{"secp256k1", `{"kty":"EC","crv":"secp256k1","x":"TEIJN9vnTq1EXMkqzo7yN_867-foKc2pREv45Fw_QA8","y":"9yiymlzdxKCiRbYq7p-ArRB-C1ytjHE-eb7RDTi6rVc"}`, relAll},
		{"P-384", `{"kty":"EC","crv":"P-384","x":"lInTxl8fjLKp_UCrxI0WDklahi-7-_6JbtiHjiRvMvhedhKVdHBfi2HCY8t_QJyc","y":"y6N1IC-2mXxHreETBW7K3mBcw0qGr3CWHCs-yl09yCQRLcyfGv7XhqAngHOu51Zv","use":"sig"}`, relSigning},
		{"RSA 2048", rsaJWK(2048), relAll},
		{"extra members", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1","alg":"EdDSA"}`, relAll},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := resolveJWK(t, jwkDIDOf(c.jwk))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if err := res.Document.Validate(); err != nil {
				t.Fatalf("document does not validate: %v", err)
			}
			if r := relSet(res.Document); !reflect.DeepEqual(r, c.rels) {
				t.Errorf("relationships = %q, want %q", r, c.rels)
			}
		})
	}
}

// rsaJWK returns an RSA public JWK with an odd modulus of the given size.
func rsaJWK(bits int) string {
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.Add(n, big.NewInt(1))
	return `{"kty":"RSA","n":"` + base64.RawURLEncoding.EncodeToString(n.Bytes()) + `","e":"AQAB"}`
}

func TestJWKInvalid(t *testing.T) {
	cases := []struct {
		name string
		id   string // method-specific id; or a JWK when jwk is set
		jwk  bool
		want error
		msg  string
	}{
		{"bad base64 char", "eyJ.abc", false, ErrInvalidDID, "base64url"},
		{"base64 trailing bits", "QR", false, ErrInvalidDID, "base64url"},
		{"base64 length", "eyJrd", false, ErrInvalidDID, "base64url"},
		{"padding", "eyJ9%3D", false, ErrInvalidDID, "base64url"},
		{"not JSON", "hello", true, ErrInvalidDID, "JWK"},
		{"JSON array", `[{"kty":"OKP"}]`, true, ErrInvalidDID, "object"},
		{"not UTF-8", "{\"kty\":\"\xff\"}", true, ErrInvalidDID, "UTF-8"},
		{"trailing data", jwkEd25519 + `{}`, true, ErrInvalidDID, "trailing"},
		{"duplicate member", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}`, true, ErrInvalidDID, "duplicate"},
		{"private EC", `{"kty":"EC","crv":"P-256","x":"` + jwkP256X + `","y":"` + jwkP256Y + `","d":"gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc"}`, true, ErrInvalidPublicKey, `"d"`},
		{"private OKP (RFC 8037 A.1)", `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, true, ErrInvalidPublicKey, `"d"`},
		{"private null d", `{"kty":"OKP","crv":"Ed25519","d":null,"x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, true, ErrInvalidPublicKey, `"d"`},
		{"private RSA prime", `{"kty":"RSA","n":"AQAB","e":"AQAB","p":"AQAB"}`, true, ErrInvalidPublicKey, `"p"`},
		{"symmetric", `{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"}`, true, ErrInvalidPublicKey, `"k"`},
		{"no kty", `{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, true, ErrInvalidPublicKey, "kty"},
		{"unknown kty", `{"kty":"XYZ","x":"AA"}`, true, ErrInvalidPublicKey, "XYZ"},
		{"P-256 off curve", `{"kty":"EC","crv":"P-256","x":"` + jwkP256Y + `","y":"` + jwkP256X + `"}`, true, ErrInvalidPublicKey, "curve"},
		{"P-256 short x", `{"kty":"EC","crv":"P-256","x":"AAAA","y":"` + jwkP256Y + `"}`, true, ErrInvalidPublicKey, "32 bytes"},
		{"secp256k1 off curve", `{"kty":"EC","crv":"secp256k1","x":"` + jwkP256X + `","y":"` + jwkP256Y + `"}`, true, ErrInvalidPublicKey, "secp256k1"},
		{"unknown EC curve", `{"kty":"EC","crv":"P-192","x":"AA","y":"AA"}`, true, ErrInvalidPublicKey, "P-192"},
		{"Ed448", `{"kty":"OKP","crv":"Ed448","x":"AA"}`, true, ErrInvalidPublicKey, "Ed448"},
		{"Ed25519 short", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR"}`, true, ErrInvalidPublicKey, "32 bytes"},
		{"Ed25519 small order", `{"kty":"OKP","crv":"Ed25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, true, ErrInvalidPublicKey, "small-order"},
		{"X25519 zero", `{"kty":"OKP","crv":"X25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, true, ErrInvalidPublicKey, "small-order"},
		{"X25519 use sig", `{"kty":"OKP","crv":"X25519","use":"sig","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}`, true, ErrInvalidPublicKey, "sig"},
		{"RSA 1024", rsaJWK(1024), true, ErrInvalidPublicKey, "2048"},
		{"RSA even exponent", strings.Replace(rsaJWK(2048), `"AQAB"`, `"AQAC"`, 1), true, ErrInvalidPublicKey, "exponent"},
		{"wrong member type", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":5}`, true, ErrInvalidPublicKey, "kid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := c.id
			if c.jwk {
				id = base64.RawURLEncoding.EncodeToString([]byte(c.id))
			}
			d, err := ParseDID("did:jwk:" + id)
			if err != nil {
				t.Fatalf("ParseDID: %v", err)
			}
			wantRefused(t, JWKMethod{}, d, c.want, c.msg)
		})
	}
}

func TestJWKResolveOptions(t *testing.T) {
	ctx := context.Background()
	u, _ := ParseDID(jwkSpecP256)
	if _, err := (JWKMethod{}).Resolve(ctx, u, Options{VersionID: "2"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("versionId: %v, want ErrNotFound", err)
	}
	k, _ := ParseDID("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	if _, err := (JWKMethod{}).Resolve(ctx, k, Options{}); !errors.Is(err, ErrMethodNotSupported) {
		t.Errorf("did:key: %v, want ErrMethodNotSupported", err)
	}
	r := NewResolver(map[string]MethodResolver{"jwk": JWKMethod{}})
	res, err := r.Resolve(ctx, jwkSpecP256+"#0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Document.Method(jwkSpecP256 + "#0"); !ok {
		t.Error("#0 not found")
	}
}
