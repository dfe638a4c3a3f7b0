package ldproof

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// Cryptosuites and proof types Sign makes and Verify checks.
const (
	// EdDSARDFC2022 is eddsa-rdfc-2022 (VC DI EdDSA §3.2): RDFC-1.0,
	// SHA-256, Ed25519.
	EdDSARDFC2022 = "eddsa-rdfc-2022"
	// EdDSAJCS2022 is eddsa-jcs-2022 (VC DI EdDSA §3.3): JCS (RFC 8785),
	// SHA-256, Ed25519.
	EdDSAJCS2022 = "eddsa-jcs-2022"
	// ECDSARDFC2019 is ecdsa-rdfc-2019 (VC DI ECDSA §3.2) with P-256 and
	// SHA-256 (P-384 is not supported).
	ECDSARDFC2019 = "ecdsa-rdfc-2019"
	// Ed25519Signature2020 is the legacy proof type of the same name
	// (W3C CCG Ed25519Signature2020, VC DI EdDSA §4 test vectors): like
	// eddsa-rdfc-2022 but named by its type and without a cryptosuite. The
	// document's @context must include ContextEd25519Signature2020.
	Ed25519Signature2020 = "Ed25519Signature2020"

	// TypeDataIntegrityProof is the proof type of the cryptosuites.
	TypeDataIntegrityProof = "DataIntegrityProof"
	// ContextEd25519Signature2020 defines the Ed25519Signature2020 terms.
	ContextEd25519Signature2020 = "https://w3id.org/security/suites/ed25519-2020/v1"

	// PurposeAssertionMethod is the proof purpose of credentials.
	PurposeAssertionMethod = "assertionMethod"
	// PurposeAuthentication is the proof purpose of presentations, with
	// a challenge and a domain.
	PurposeAuthentication = "authentication"
)

// suite is one way of making proof hash data and signing it.
type suite struct {
	name    string    // cryptosuite, or the legacy proof type
	typ     string    // proof type
	keyType keys.Type // signing key type
	jcs     bool      // JCS instead of RDFC-1.0
}

var suites = map[string]*suite{
	EdDSARDFC2022:        {name: EdDSARDFC2022, typ: TypeDataIntegrityProof, keyType: keys.Ed25519},
	EdDSAJCS2022:         {name: EdDSAJCS2022, typ: TypeDataIntegrityProof, keyType: keys.Ed25519, jcs: true},
	ECDSARDFC2019:        {name: ECDSARDFC2019, typ: TypeDataIntegrityProof, keyType: keys.P256},
	Ed25519Signature2020: {name: Ed25519Signature2020, typ: Ed25519Signature2020, keyType: keys.Ed25519},
}

// legacySuites maps the cryptosuite names of earlier drafts, which
// deployed issuers still write, to the suite Verify checks them with:
// eddsa-2022 is eddsa-rdfc-2022 under its name before VC DI EdDSA added
// eddsa-jcs-2022 (the proof configuration, cryptosuite and all, is signed
// as written). Sign never writes them.
var legacySuites = map[string]string{"eddsa-2022": EdDSARDFC2022}

// Suites returns the names Options.Cryptosuite accepts.
func Suites() []string {
	return []string{EdDSARDFC2022, EdDSAJCS2022, ECDSARDFC2019, Ed25519Signature2020}
}

// proofConfig is the proof configuration of proof options: the options
// without proofValue, with the unsecured document's @context (VC DI EdDSA
// §3.2.5, §3.3.5; VC DI ECDSA §3.2.5).
func proofConfig(unsecured, options map[string]any) map[string]any {
	config := make(map[string]any, len(options)+1)
	for k, v := range options {
		if k != "proofValue" {
			config[k] = v
		}
	}
	if ctx, ok := unsecured["@context"]; ok {
		config["@context"] = ctx
	}
	return config
}

// hashData runs a suite's transformation, proof configuration and hashing
// on an unsecured document and proof options (without proofValue): it
// returns the canonical document, the canonical proof configuration and
// SHA-256(configuration) ‖ SHA-256(document). The proof configuration
// carries the document's @context (VC DI EdDSA §3.2.5, §3.3.5; VC DI ECDSA
// §3.2.5).
func (s *suite) hashData(unsecured, options map[string]any) (canonDoc, canonConfig, hash []byte, err error) {
	config := proofConfig(unsecured, options)
	if s.jcs {
		if canonDoc, err = canonicalJSON(unsecured); err != nil {
			return nil, nil, nil, errs.New(http.StatusBadRequest, CodeInvalidDocument, "canonicalize the document: %v", err)
		}
		if canonConfig, err = canonicalJSON(config); err != nil {
			return nil, nil, nil, errs.New(http.StatusBadRequest, CodeInvalidDocument, "canonicalize the proof configuration: %v", err)
		}
	} else {
		if canonConfig, err = canonicalRDF(config); err != nil {
			return nil, nil, nil, prefixErr("the proof configuration: ", err)
		}
		if canonDoc, err = canonicalRDF(unsecured); err != nil {
			return nil, nil, nil, err
		}
	}
	ph, dh := sha256.Sum256(canonConfig), sha256.Sum256(canonDoc)
	return canonDoc, canonConfig, append(ph[:], dh[:]...), nil
}

// hash is the hash of hashData alone. For JCS it canonicalizes into
// reused buffers, since only the hashes are kept.
func (s *suite) hash(unsecured, options map[string]any) ([]byte, error) {
	if !s.jcs {
		_, _, hash, err := s.hashData(unsecured, options)
		return hash, err
	}
	config := proofConfig(unsecured, options)
	dh, err := jcsSum(unsecured)
	if err != nil {
		return nil, errs.New(http.StatusBadRequest, CodeInvalidDocument, "canonicalize the document: %v", err)
	}
	ph, err := jcsSum(config)
	if err != nil {
		return nil, errs.New(http.StatusBadRequest, CodeInvalidDocument, "canonicalize the proof configuration: %v", err)
	}
	return append(ph[:], dh[:]...), nil
}

// jcsBuffers are canonicalization buffers jcsSum reuses.
var jcsBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// jcsSum is the SHA-256 of canonicalJSON(v).
func jcsSum(v any) ([sha256.Size]byte, error) {
	bp := jcsBuffers.Get().(*[]byte)
	defer jcsBuffers.Put(bp)
	out, ok := appendJCS((*bp)[:0], v)
	if cap(out) <= 1<<20 {
		*bp = out[:0] // a larger one is not kept
	}
	if ok {
		return sha256.Sum256(out), nil
	}
	b, err := transformJCS(v)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// prefixErr prefixes the detail of an *errs.Error.
func prefixErr(prefix string, err error) error {
	if e, ok := errs.As(err); ok {
		c := *e
		c.Detail = prefix + c.Detail
		return &c
	}
	return fmt.Errorf("%s%w", prefix, err)
}

// canonicalJSON is the JCS form (RFC 8785) of a decoded JSON value: that
// of jcs.Transform of its JSON. appendJCS writes it directly; a value it
// does not take (a type other than a decoded JSON value's, invalid UTF-8,
// a number out of range) goes through encoding/json and jcs.Transform,
// whose errors the callers report.
func canonicalJSON(v any) ([]byte, error) {
	if out, ok := appendJCS(make([]byte, 0, 1024), v); ok {
		return out, nil
	}
	return transformJCS(v)
}

// transformJCS is canonicalJSON through encoding/json and jcs.Transform.
func transformJCS(v any) ([]byte, error) {
	b, err := strictjson.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(b)
}
