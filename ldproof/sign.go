package ldproof

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// Options say what proof Sign adds.
type Options struct {
	// Cryptosuite is one of Suites(): EdDSARDFC2022, EdDSAJCS2022,
	// ECDSARDFC2019 or Ed25519Signature2020.
	Cryptosuite string
	// Key signs: Ed25519 for the EdDSA suites, P-256 for ECDSARDFC2019.
	Key *keys.PrivateKey
	// VerificationMethod is the DID URL of Key's verification method.
	VerificationMethod string
	// ProofPurpose defaults to PurposeAssertionMethod.
	ProofPurpose string
	// Created, when not zero, is written in UTC to the second.
	Created time.Time
	// Expires, when not zero, is written in UTC to the second.
	Expires time.Time
	// Challenge and Domain bind a presentation's proof
	// (PurposeAuthentication) to one verifier's request.
	Challenge, Domain string
	// ID names the proof, so that later proofs can chain to it.
	ID string
	// PreviousProof lists the ids of proofs of the document this proof
	// chains to (VC Data Integrity §4.4); they are signed with it.
	PreviousProof []string
}

// Sign adds one Data Integrity proof to doc (a JSON-LD credential or
// presentation) and returns the secured document: with its "proof" member
// set to the new proof, or, when doc already has proofs, to the array of
// them followed by the new one (a proof set, VC Data Integrity §4.4).
// With o.PreviousProof, the new proof also signs the proofs it names (a
// proof chain). The other members keep their order and form.
//
// Errors are *errs.Error: 413 ldproof.tooLarge, 400 ldproof.invalidDocument,
// ldproof.invalidOptions, ldproof.unknownPreviousProof,
// ldproof.unknownContext, ldproof.undefinedTerm and ldproof.invalidJSONLD
// (the RDFC suites process doc as JSON-LD in safe mode).
func Sign(doc json.RawMessage, o Options) (json.RawMessage, error) {
	s, ok := suites[o.Cryptosuite]
	if !ok {
		return nil, errs.BadRequest(CodeInvalidOptions, "unsupported cryptosuite %q (want one of %v)", strictjson.Truncate(o.Cryptosuite, 64), Suites())
	}
	if o.Key == nil {
		return nil, errs.BadRequest(CodeInvalidOptions, "no signing key")
	}
	if o.Key.Type() != s.keyType {
		return nil, errs.BadRequest(CodeInvalidOptions, "%s needs a %s key, not %s", s.name, s.keyType, o.Key.Type())
	}
	if o.VerificationMethod == "" {
		return nil, errs.BadRequest(CodeInvalidOptions, "no verification method")
	}
	if o.ProofPurpose == "" {
		o.ProofPurpose = PurposeAssertionMethod
	}
	d, err := decodeDocument(doc)
	if err != nil {
		return nil, err
	}
	existing, _, err := proofList(d)
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxProofs {
		return nil, errs.BadRequest(CodeInvalidDocument, "the document already has %d proofs", len(existing))
	}
	if s.typ != TypeDataIntegrityProof && !holdsString(d["@context"], ContextEd25519Signature2020) {
		return nil, errs.BadRequest(CodeInvalidOptions, "%s needs %s in the document's @context", s.name, ContextEd25519Signature2020)
	}
	// VC Data Integrity §4.4 Add Proof Set/Chain: the new proof signs the
	// document with the proofs it chains to as its "proof".
	unsecured := withoutProof(d)
	if len(o.PreviousProof) > 0 {
		matching := make([]any, 0, len(o.PreviousProof))
		for _, id := range o.PreviousProof {
			p := proofByID(existing, id)
			if p == nil {
				return nil, errs.BadRequest(CodeUnknownPreviousProof, "previousProof %q names no proof of the document", strictjson.Truncate(id, 200))
			}
			matching = append(matching, p)
		}
		unsecured["proof"] = matching
	}
	if o.ID != "" && proofByID(existing, o.ID) != nil {
		return nil, errs.BadRequest(CodeInvalidOptions, "the document already has a proof with id %q", strictjson.Truncate(o.ID, 200))
	}

	p := newProof(s, o, d["@context"])
	options, err := p.object()
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	_, _, hash, err := s.hashData(unsecured, options)
	if err != nil {
		return nil, err
	}
	sig, err := o.Key.Sign(hash)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	p.add("proofValue", "z"+base58.Encode(sig))
	proof := p.encode()

	members, err := topLevel(doc)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, CodeInvalidDocument, err)
	}
	replaced := false
	for i, m := range members {
		if m.name != "proof" {
			continue
		}
		replaced = true
		raw := bytes.TrimSpace(m.value)
		v := make([]byte, 0, len(raw)+len(proof)+3)
		if raw[0] == '[' {
			v = append(v, bytes.TrimRight(raw[:len(raw)-1], " \t\r\n")...)
		} else {
			v = append(append(v, '['), raw...)
		}
		if len(existing) > 0 {
			v = append(v, ',')
		}
		v = append(append(v, proof...), ']')
		members[i].value = v
	}
	if !replaced {
		members = append(members, member{"proof", proof})
	}
	out := joinMembers(members)
	if len(out) > MaxDocumentBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, CodeTooLarge, "the secured document would be larger than %d bytes", MaxDocumentBytes)
	}
	return out, nil
}

// orderedProof is a proof's members in the order of the specifications'
// examples.
type orderedProof []member

func (p *orderedProof) add(name string, v any) {
	b, _ := strictjson.Marshal(v)
	*p = append(*p, member{name, b})
}

func (p orderedProof) encode() json.RawMessage { return joinMembers(p) }

// object is p as decoded JSON.
func (p orderedProof) object() (map[string]any, error) {
	return strictjson.DecodeObject(p.encode(), docLimits)
}

func newProof(s *suite, o Options, docContext any) orderedProof {
	var p orderedProof
	p.add("type", s.typ)
	if o.ID != "" {
		p.add("id", o.ID)
	}
	if s.typ == TypeDataIntegrityProof {
		p.add("cryptosuite", s.name)
	}
	if !o.Created.IsZero() {
		p.add("created", o.Created.UTC().Format(time.RFC3339))
	}
	if !o.Expires.IsZero() {
		p.add("expires", o.Expires.UTC().Format(time.RFC3339))
	}
	p.add("verificationMethod", o.VerificationMethod)
	p.add("proofPurpose", o.ProofPurpose)
	if o.Challenge != "" {
		p.add("challenge", o.Challenge)
	}
	if o.Domain != "" {
		p.add("domain", o.Domain)
	}
	switch len(o.PreviousProof) {
	case 0:
	case 1:
		p.add("previousProof", o.PreviousProof[0])
	default:
		p.add("previousProof", o.PreviousProof)
	}
	// eddsa-jcs-2022 proofs carry the document's @context (VC DI EdDSA
	// §3.3.1 step 2).
	if s.jcs && docContext != nil {
		p.add("@context", docContext)
	}
	return p
}

// proofByID returns the proof whose id is id, or nil.
func proofByID(proofs []map[string]any, id string) map[string]any {
	for _, p := range proofs {
		if pid, _ := p["id"].(string); pid == id && id != "" {
			return p
		}
	}
	return nil
}

// holdsString reports whether v, a JSON string or array, is the string s
// or holds it: an @context naming a URL, a proof's domain (a string or a
// set of them, VC Data Integrity §2.1) naming the one expected.
func holdsString(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return v == s
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { es, _ := e.(string); return es == s })
	}
	return false
}
