package did

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// JSON-LD contexts of the documents weid produces.
const (
	ContextDIDv1     = "https://www.w3.org/ns/did/v1"
	ContextMultikey  = "https://w3id.org/security/multikey/v1"
	MultikeyType     = "Multikey"
	MaxDocumentBytes = 64 << 10
	MaxServices      = 32
	MaxMethods       = 32
)

// Document is a DID document (DID Core 1.0 §5) in its JSON-LD form.
type Document struct {
	Context              []string             `json:"@context"`
	ID                   string               `json:"id"`
	Controller           []string             `json:"controller,omitempty"`
	AlsoKnownAs          []string             `json:"alsoKnownAs,omitempty"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []string             `json:"authentication,omitempty"`
	AssertionMethod      []string             `json:"assertionMethod,omitempty"`
	KeyAgreement         []string             `json:"keyAgreement,omitempty"`
	CapabilityInvocation []string             `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []string             `json:"capabilityDelegation,omitempty"`
	Service              []Service            `json:"service,omitempty"`
}

// VerificationMethod is one key of a DID document (DID Core 1.0 §5.2).
// weid writes Multikey methods; resolvers of other methods may produce
// JsonWebKey methods, and did:key asked for a 2018/2019 suite type
// (publicKeyFormat) publicKeyBase58 ones, which weid never accepts in a
// document it stores.
type VerificationMethod struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Controller         string          `json:"controller"`
	PublicKeyMultibase string          `json:"publicKeyMultibase,omitempty"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk,omitempty"`
	PublicKeyBase58    string          `json:"publicKeyBase58,omitempty"`
}

// PublicKey reads the public key of a Multikey (publicKeyMultibase) or
// JsonWebKey (publicKeyJwk) verification method (W3C Controlled Identifiers
// 1.0 §2.2.2, §2.2.3). A method with neither, such as a publicKeyBase58 one,
// has no key weid can use.
func (vm *VerificationMethod) PublicKey() (keys.PublicKey, error) {
	switch {
	case vm.PublicKeyMultibase != "":
		return keys.ParseMultibase(vm.PublicKeyMultibase)
	case len(vm.PublicKeyJwk) != 0:
		return jose.ParsePublicJWK(vm.PublicKeyJwk)
	}
	return keys.PublicKey{}, errors.New("no public key")
}

// Service is a service endpoint (DID Core 1.0 §5.4).
type Service struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	ServiceEndpoint json.RawMessage `json:"serviceEndpoint"`
}

// Relationships lists the verification relationships a method can be in.
var Relationships = []string{"authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation"}

// relationship returns a pointer to the list of relationship rel.
func (d *Document) relationship(rel string) *[]string {
	switch rel {
	case "authentication":
		return &d.Authentication
	case "assertionMethod":
		return &d.AssertionMethod
	case "keyAgreement":
		return &d.KeyAgreement
	case "capabilityInvocation":
		return &d.CapabilityInvocation
	case "capabilityDelegation":
		return &d.CapabilityDelegation
	}
	return nil
}

// Method returns the verification method with the given id (absolute or a
// "#fragment" relative to the document).
func (d *Document) Method(id string) (*VerificationMethod, bool) {
	id = d.absolute(id)
	for i := range d.VerificationMethod {
		if d.absolute(d.VerificationMethod[i].ID) == id {
			return &d.VerificationMethod[i], true
		}
	}
	return nil, false
}

// HasRelationship reports whether method id is listed under rel.
func (d *Document) HasRelationship(rel, id string) bool {
	list := d.relationship(rel)
	if list == nil {
		return false
	}
	id = d.absolute(id)
	for _, r := range *list {
		if d.absolute(r) == id {
			return true
		}
	}
	return false
}

func (d *Document) absolute(id string) string {
	if strings.HasPrefix(id, "#") {
		return d.ID + id
	}
	return id
}

// DecodeDocument strictly decodes a DID document: one JSON object of at most
// MaxDocumentBytes, known members only, and the structural rules of
// DID Core 1.0 §5 (an id that is a DID, unique method and service ids,
// relationships that point at methods of this document or reference a
// method of another DID (§5.3), public JWKs only).
// @context and controller may be a single string as well as a set
// (DID Core 1.0 §6.3.1, §5.1.2); the Document holds them as sets.
func DecodeDocument(b []byte) (*Document, error) {
	if len(b) > MaxDocumentBytes {
		return nil, fmt.Errorf("DID document larger than %d bytes", MaxDocumentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w documentJSON
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("decode DID document: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode DID document: trailing data after the document")
	}
	d := w.Document
	d.Context = w.Context
	d.Controller = w.Controller
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// documentJSON is the JSON form DecodeDocument reads: a Document whose
// @context (DID Core 1.0 §6.3.1) and controller (§5.1.2) may also be a single
// string rather than a set. Its own fields shadow the embedded ones of the
// same JSON name.
type documentJSON struct {
	Document
	Context    stringOrSet `json:"@context"`
	Controller stringOrSet `json:"controller,omitempty"`
}

// stringOrSet decodes a JSON string or an array of strings.
type stringOrSet []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *stringOrSet) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = []string{v}
		return nil
	}
	var v []string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = v
	return nil
}

// jwkPrivateMembers are the JWK members of the "Private" information class
// (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var jwkPrivateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// checkPublicJWK checks that b is a JSON object with a "kty" (RFC 7517 §4.1)
// and no private key members (DID Core 1.0 §5.2.1: publicKeyJwk "MUST NOT
// contain "d", or any other members of the private information class").
func checkPublicJWK(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return errors.New("JWK must be a JSON object")
	}
	var kty string
	if err := json.Unmarshal(m["kty"], &kty); err != nil || kty == "" {
		return errors.New("JWK has no \"kty\"")
	}
	for _, k := range jwkPrivateMembers {
		if _, ok := m[k]; ok {
			return fmt.Errorf("JWK contains the private key member %q", k)
		}
	}
	return nil
}

// Validate checks the structural rules of DID Core 1.0 §5.
func (d *Document) Validate() error {
	if len(d.Context) == 0 || d.Context[0] != ContextDIDv1 {
		return fmt.Errorf("DID document @context must start with %q", ContextDIDv1)
	}
	if _, err := ParseDID(d.ID); err != nil {
		return fmt.Errorf("DID document id: %w", err)
	}
	for _, c := range d.Controller {
		if _, err := ParseDID(c); err != nil {
			return fmt.Errorf("DID document controller: %w", err)
		}
	}
	if len(d.VerificationMethod) > MaxMethods {
		return fmt.Errorf("DID document has more than %d verification methods", MaxMethods)
	}
	if len(d.Service) > MaxServices {
		return fmt.Errorf("DID document has more than %d services", MaxServices)
	}
	seen := map[string]bool{}
	for _, vm := range d.VerificationMethod {
		id := d.absolute(vm.ID)
		u, err := ParseDIDURL(id)
		if err != nil || u.Fragment == "" {
			return fmt.Errorf("verification method id %q must be a DID URL with a fragment", vm.ID)
		}
		if seen[id] {
			return fmt.Errorf("duplicate verification method id %q", vm.ID)
		}
		seen[id] = true
		if vm.Type == "" {
			return fmt.Errorf("verification method %q has no type", vm.ID)
		}
		if _, err := ParseDID(vm.Controller); err != nil {
			return fmt.Errorf("verification method %q controller: %w", vm.ID, err)
		}
		if vm.PublicKeyBase58 != "" {
			return fmt.Errorf("verification method %q: publicKeyBase58 is not accepted; use publicKeyMultibase", vm.ID)
		}
		if (vm.PublicKeyMultibase == "") == (len(vm.PublicKeyJwk) == 0) {
			return fmt.Errorf("verification method %q must have exactly one of publicKeyMultibase and publicKeyJwk", vm.ID)
		}
		if len(vm.PublicKeyJwk) != 0 {
			if err := checkPublicJWK(vm.PublicKeyJwk); err != nil {
				return fmt.Errorf("verification method %q publicKeyJwk: %w", vm.ID, err)
			}
		}
	}
	for _, rel := range Relationships {
		for _, ref := range *d.relationship(rel) {
			if !seen[d.absolute(ref)] && !foreignMethod(d.ID, ref) {
				return fmt.Errorf("%s refers to %q, which is not a verification method of this document", rel, ref)
			}
		}
	}
	sids := map[string]bool{}
	for _, s := range d.Service {
		if err := s.Validate(d.ID); err != nil {
			return err
		}
		id := d.absolute(s.ID)
		if sids[id] {
			return fmt.Errorf("duplicate service id %q", s.ID)
		}
		sids[id] = true
	}
	return nil
}

// foreignMethod reports whether ref names a verification method of another
// DID than id: DID Core 1.0 §5.3 and Controlled Identifiers 1.0 §2.3 let a
// verification relationship reference a method defined in another
// document (a DID delegating, say, its assertions to another's key), which
// Method does not find here: whoever uses the reference resolves that
// DID and checks the method there. did:weid transactions write no such
// reference; documents of other methods (did:web) may carry them.
func foreignMethod(id, ref string) bool {
	u, err := ParseDIDURL(ref)
	return err == nil && u.Fragment != "" && u.Path == "" && u.Query == "" && u.DID != id
}

// Validate checks a service entry of the document with id docID.
func (s Service) Validate(docID string) error {
	id := s.ID
	if strings.HasPrefix(id, "#") {
		id = docID + id
	}
	u, err := ParseDIDURL(id)
	if err != nil || u.Fragment == "" {
		return fmt.Errorf("service id %q must be a DID URL with a fragment", s.ID)
	}
	if s.Type == "" || len(s.Type) > 128 {
		return fmt.Errorf("service %q must have a type of 1 to 128 characters", s.ID)
	}
	if len(s.ServiceEndpoint) == 0 {
		return fmt.Errorf("service %q has no serviceEndpoint", s.ID)
	}
	var v any
	if err := json.Unmarshal(s.ServiceEndpoint, &v); err != nil {
		return fmt.Errorf("service %q serviceEndpoint: %w", s.ID, err)
	}
	switch v.(type) {
	case string, map[string]any, []any:
	default:
		return fmt.Errorf("service %q serviceEndpoint must be a URI string, a map or a set", s.ID)
	}
	return nil
}
