package did

import (
	"context"
	"errors"
	"testing"
)

const (
	testEdKey = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	testEdMB  = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
)

// TestKeyResolve_ErrorCodes checks the did:key error codes of did:key v0.7
// §3.1.1-3.1.5 for each failing step.
func TestKeyResolve_ErrorCodes(t *testing.T) {
	r := NewResolver(map[string]MethodResolver{"key": KeyMethod{}})
	ctx := context.Background()
	cases := []struct {
		did  string
		opts Options
		code string
	}{
		{"did:key:zTjsVPtY", Options{}, "invalidPublicKeyLength"},
		{"did:key:-4:" + testEdMB, Options{}, "invalidDid"},
		{"did:key:" + testEdMB[1:], Options{}, "invalidDid"},
		// DID Resolution: the resolver has no did:other (nor did:experimental,
		// the did:key test suite's) method, so methodNotSupported, not the
		// invalidDid the did:key method itself raises (did:key v0.7 §3.1.1).
		{"did:other:" + testEdMB, Options{}, "methodNotSupported"},
		{"did:experimental:" + testEdMB, Options{}, "methodNotSupported"},
		{testEdKey, Options{PublicKeyFormat: "unknown"}, "unsupportedPublicKeyType"},
		{testEdKey, Options{PublicKeyFormat: TypeEd25519VerificationKey2018}, "invalidPublicKeyType"},
		{testEdKey, Options{PublicKeyFormat: TypeX25519KeyAgreementKey2020}, "invalidPublicKeyType"},
		{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", Options{PublicKeyFormat: TypeEd25519VerificationKey2020}, "invalidPublicKeyType"},
	}
	for _, c := range cases {
		_, err := r.Resolve(ctx, c.did, c.opts)
		if got := ErrorCode(err); got != c.code {
			t.Errorf("Resolve(%s, %+v): %v (code %s), want %s", c.did, c.opts, err, got, c.code)
		}
	}
	// A length error is still an invalid public key for callers that ask.
	if _, err := r.Resolve(ctx, "did:key:zTjsVPtY", Options{}); !errors.Is(err, ErrInvalidPublicKey) {
		t.Errorf("length error %v is not ErrInvalidPublicKey", err)
	}
	// Asking for a format never changes the cached Multikey document.
	if _, err := r.Resolve(ctx, testEdKey, Options{PublicKeyFormat: TypeJSONWebKey2020}); err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(ctx, testEdKey, Options{})
	if err != nil || res.Document.VerificationMethod[0].Type != MultikeyType || len(res.Document.VerificationMethod[0].PublicKeyJwk) != 0 {
		t.Fatalf("default resolution after a JsonWebKey2020 one: %+v, %v", res, err)
	}
}

// TestDereference_Fragment checks DID URL dereferencing (DID Resolution §5,
// DID Core 1.0 §3.2.1-3.2.2).
func TestDereference_Fragment(t *testing.T) {
	r := NewResolver(map[string]MethodResolver{"key": KeyMethod{}})
	ctx := context.Background()
	res, err := r.Dereference(ctx, testEdKey+"#"+testEdMB, Options{})
	if err != nil {
		t.Fatal(err)
	}
	vm, ok := res.Content.(ResourceMethod)
	if !ok || vm.ID != testEdKey+"#"+testEdMB || vm.Controller != testEdKey || len(vm.Context) == 0 || res.DereferencingMetadata.ContentType == "" {
		t.Fatalf("dereferenced %+v", res)
	}
	if res, err := r.Dereference(ctx, testEdKey+"?versionTime=2021-05-10T17:00:00Z", Options{}); err != nil || res.Content.(*Document).ID != testEdKey {
		t.Fatalf("no fragment: %+v, %v", res, err)
	}
	for s, code := range map[string]string{
		testEdKey + "/^bar^/?query=`#" + testEdMB: "invalidDidUrl",
		testEdKey + "#nope":                       "notFound",
		testEdKey + "/path#" + testEdMB:           "notFound",
		testEdKey + "?hl=x#" + testEdMB:           "notFound",
		testEdKey + "?versionId=2#" + testEdMB:    "notFound",
		"did:other:x#y":                           "methodNotSupported",
	} {
		if _, err := r.Dereference(ctx, s, Options{}); ErrorCode(err) != code {
			t.Errorf("Dereference(%s): %v, want %s", s, err, code)
		}
	}
	if !IsDIDURL(testEdKey+"#x") || IsDIDURL(testEdKey) || IsDIDURL("notDid:key:x/y") {
		t.Error("IsDIDURL")
	}
}
