// Package interop holds the credentials weid's interoperability tests and
// benchmarks share with the aries-framework-go baseline (the aries-compat
// program in compat/aries, a module of its own): the university diploma
// aries-compat signs in its benchmarks, as a VC Data Model 1.1 credential,
// and the same diploma as a VC 2.0 credential in the shape of the
// credential package's tests.
//
// Its tests (aries_test.go) build aries-compat and check that credentials
// weid signs with Ed25519Signature2020 verify with aries and the other way
// round. tokenstatus_test.go checks with the JavaScript
// @sd-jwt/jwt-status-list (installed with npm into a temporary directory;
// skipped without node, npm or the registry) that an SD-JWT VC weid issues
// and revokes is seen as revoked through its Token Status List.
package interop
