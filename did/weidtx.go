package did

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Transaction types of the did:weid registry. Every one but create is
// signed by a current authentication key of the DID it changes; create is
// signed by the key the DID's address derives from, so nobody can register
// an address whose key they do not hold.
const (
	TxCreate             = "did.create"
	TxAddMethod          = "did.addVerificationMethod"
	TxRemoveMethod       = "did.removeVerificationMethod"
	TxAddService         = "did.addService"
	TxRemoveService      = "did.removeService"
	TxRotateKey          = "did.rotateKey"
	TxDeactivate         = "did.deactivate"
	TxReportCompromised  = "did.reportCompromisedKey"
	FirstKeyFragment     = "key-1"
	defaultRelationships = "authentication,assertionMethod,capabilityInvocation,capabilityDelegation"
)

// CreatePayload creates a DID whose first key, #key-1, is PublicKeyMultibase.
type CreatePayload struct {
	DID                string    `json:"did"`
	PublicKeyMultibase string    `json:"publicKeyMultibase"`
	Service            []Service `json:"service,omitempty"`
}

// AddMethodPayload adds verification method #ID.
type AddMethodPayload struct {
	DID                string   `json:"did"`
	ID                 string   `json:"id"` // fragment, without '#'
	PublicKeyMultibase string   `json:"publicKeyMultibase"`
	Relationships      []string `json:"relationships,omitempty"` // default: authentication, assertionMethod
}

// RemoveMethodPayload removes verification method #ID. Compromised
// declares its key compromised: see CompromisedKey.
type RemoveMethodPayload struct {
	DID         string `json:"did"`
	ID          string `json:"id"`
	Compromised bool   `json:"compromised,omitempty"`
}

// AddServicePayload adds a service.
type AddServicePayload struct {
	DID     string  `json:"did"`
	Service Service `json:"service"`
}

// RemoveServicePayload removes service #ID.
type RemoveServicePayload struct {
	DID string `json:"did"`
	ID  string `json:"id"`
}

// RotateKeyPayload replaces verification method #ID by a new key #NewID that
// takes over its relationships. Compromised declares the old key
// compromised: see CompromisedKey.
type RotateKeyPayload struct {
	DID                string `json:"did"`
	ID                 string `json:"id"`
	NewID              string `json:"newId"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	Compromised        bool   `json:"compromised,omitempty"`
}

// ReportCompromisedPayload declares compromised a key the DID no longer
// has (one removed or rotated out earlier without saying so).
type ReportCompromisedPayload struct {
	DID                string `json:"did"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// DeactivatePayload deactivates a DID for good.
type DeactivatePayload struct {
	DID string `json:"did"`
}

func validWeid(d string) error {
	if _, _, err := ParseWeid(d); err != nil {
		return errs.BadRequest("did.invalid", "%v", err)
	}
	return nil
}

func validFragment(f string) error {
	if f == "" || len(f) > 64 || strings.HasPrefix(f, "#") || !validURIPart(f, "") {
		return errs.BadRequest("did.invalidId", "id %q must be a fragment of 1 to 64 URI characters, without '#'", f)
	}
	return nil
}

func validKey(mb string) error {
	if _, err := keys.ParseMultibase(mb); err != nil {
		return errs.BadRequest("did.invalidKey", "publicKeyMultibase: %v", err)
	}
	return nil
}

// firstError returns the first of a payload's checks that failed, in the
// order given: the one its Validate reports.
func firstError(checks ...error) error {
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// Validate implements chain.Payload.
func (p *CreatePayload) Validate() error {
	if err := firstError(validWeid(p.DID), validKey(p.PublicKeyMultibase)); err != nil {
		return err
	}
	if len(p.Service) > MaxServices {
		return errs.BadRequest("did.tooManyServices", "at most %d services", MaxServices)
	}
	for _, s := range p.Service {
		if err := s.Validate(p.DID); err != nil {
			return errs.BadRequest("did.invalidService", "%v", err)
		}
	}
	return nil
}

// Validate implements chain.Payload.
func (p *AddMethodPayload) Validate() error {
	if err := firstError(validWeid(p.DID), validFragment(p.ID)); err != nil {
		return err
	}
	for _, r := range p.Relationships {
		if !slices.Contains(Relationships, r) {
			return errs.BadRequest("did.invalidRelationship", "unknown relationship %q (want one of %s)", r, strings.Join(Relationships, ", "))
		}
	}
	return validKey(p.PublicKeyMultibase)
}

// Validate implements chain.Payload.
func (p *RemoveMethodPayload) Validate() error {
	return firstError(validWeid(p.DID), validFragment(p.ID))
}

// Validate implements chain.Payload.
func (p *AddServicePayload) Validate() error {
	if err := validWeid(p.DID); err != nil {
		return err
	}
	if err := p.Service.Validate(p.DID); err != nil {
		return errs.BadRequest("did.invalidService", "%v", err)
	}
	return nil
}

// Validate implements chain.Payload.
func (p *RemoveServicePayload) Validate() error {
	return firstError(validWeid(p.DID), validFragment(p.ID))
}

// Validate implements chain.Payload.
func (p *RotateKeyPayload) Validate() error {
	return firstError(validWeid(p.DID), validFragment(p.ID), validFragment(p.NewID), validKey(p.PublicKeyMultibase))
}

// Validate implements chain.Payload.
func (p *DeactivatePayload) Validate() error { return validWeid(p.DID) }

// Validate implements chain.Payload.
func (p *ReportCompromisedPayload) Validate() error {
	return firstError(validWeid(p.DID), validKey(p.PublicKeyMultibase))
}

// Target returns the DID a DID transaction's payload changes and, for a
// removal, the fragment id of the verification method or service removed.
func Target(p any) (did, id string) {
	switch p := p.(type) {
	case *AddMethodPayload:
		return p.DID, ""
	case *RemoveMethodPayload:
		return p.DID, p.ID
	case *AddServicePayload:
		return p.DID, ""
	case *RemoveServicePayload:
		return p.DID, p.ID
	case *RotateKeyPayload:
		return p.DID, ""
	case *DeactivatePayload:
		return p.DID, ""
	case *ReportCompromisedPayload:
		return p.DID, ""
	case *CreatePayload:
		return p.DID, ""
	}
	return "", ""
}

func payloadDID(p any) string {
	d, _ := Target(p)
	return d
}

// Document returns the first version of the document a create makes.
func (c *CreatePayload) Document() (*Document, error) {
	doc := &Document{Context: []string{ContextDIDv1, ContextMultikey}, ID: c.DID}
	if err := (&Record{Document: doc}).addMethod(FirstKeyFragment, c.PublicKeyMultibase, strings.Split(defaultRelationships, ",")); err != nil {
		return nil, err
	}
	for _, s := range c.Service {
		s.ID = doc.absolute(s.ID)
		if slices.ContainsFunc(doc.Service, func(e Service) bool { return e.ID == s.ID }) {
			return nil, errs.BadRequest("did.invalidService", "duplicate service id %s", s.ID)
		}
		doc.Service = append(doc.Service, s)
	}
	return doc, nil
}

// addMethod adds verification method #frag with key mb to the record's
// document, in relationships rels. A key declared compromised is refused.
func (next *Record) addMethod(frag, mb string, rels []string) error {
	doc := next.Document
	if i := next.compromisedIndex(mb); i >= 0 {
		return errs.New(http.StatusConflict, "did.keyCompromised", "%s was declared compromised at %s and may not be used again", mb, next.Compromised[i].Since)
	}
	id := doc.ID + "#" + frag
	if _, ok := doc.Method(id); ok {
		return errs.New(http.StatusConflict, "did.methodExists", "verification method %s already exists", id)
	}
	if len(doc.VerificationMethod) >= MaxMethods {
		return errs.BadRequest("did.tooManyMethods", "at most %d verification methods", MaxMethods)
	}
	doc.VerificationMethod = append(doc.VerificationMethod, VerificationMethod{ID: id, Type: MultikeyType, Controller: doc.ID, PublicKeyMultibase: mb})
	for _, rel := range rels {
		l := doc.relationship(rel)
		*l = append(*l, id)
	}
	return nil
}

// removeMethod removes verification method #frag from the record's
// document and, if compromised, declares its key compromised.
func (next *Record) removeMethod(frag string, compromised bool) error {
	doc := next.Document
	id := doc.ID + "#" + frag
	i := slices.IndexFunc(doc.VerificationMethod, func(vm VerificationMethod) bool { return vm.ID == id })
	if i < 0 {
		return errs.New(http.StatusNotFound, "did.methodNotFound", "no verification method %s", id)
	}
	if compromised {
		if err := next.compromise(id, doc.VerificationMethod[i].PublicKeyMultibase); err != nil {
			return err
		}
	}
	if doc.HasRelationship("authentication", id) && len(doc.Authentication) == 1 {
		return errs.New(http.StatusConflict, "did.lastAuthenticationKey", "%s is the last authentication key; add another before removing it", id)
	}
	doc.VerificationMethod = slices.Delete(doc.VerificationMethod, i, i+1)
	for _, rel := range Relationships {
		l := doc.relationship(rel)
		*l = slices.DeleteFunc(*l, func(r string) bool { return r == id })
		if len(*l) == 0 {
			*l = nil
		}
	}
	return nil
}

// compromise declares key mb (once verification method id, if known)
// compromised as of the record's update.
func (next *Record) compromise(id, mb string) error {
	if i := next.compromisedIndex(mb); i >= 0 {
		return errs.New(http.StatusConflict, "did.keyCompromised", "%s was already declared compromised at %s", mb, next.Compromised[i].Since)
	}
	if len(next.Compromised) >= MaxCompromisedKeys {
		return errs.BadRequest("did.tooManyCompromisedKeys", "at most %d keys may be declared compromised", MaxCompromisedKeys)
	}
	next.Compromised = append(next.Compromised, CompromisedKey{PublicKeyMultibase: CanonicalKey(mb), ID: id, Since: next.Updated, TxHash: next.TxHash})
	return nil
}

func (r *Record) compromisedIndex(mb string) int {
	if len(r.Compromised) == 0 {
		return -1
	}
	mb = CanonicalKey(mb)
	return slices.IndexFunc(r.Compromised, func(c CompromisedKey) bool { return c.PublicKeyMultibase == mb })
}

// CanonicalKey returns the one encoding of the key a publicKeyMultibase
// value holds (an EC key compressed, a minimal multicodec prefix), so that
// two encodings of one key compare equal; a value that is not a key comes
// back as it is.
func CanonicalKey(mb string) string {
	pk, err := keys.ParseMultibase(mb)
	if err != nil {
		return mb
	}
	return pk.Multibase()
}

func cloneDocument(d *Document) *Document {
	raw, _ := json.Marshal(d)
	var c Document
	_ = json.Unmarshal(raw, &c)
	return &c
}

// NextRecord returns the next version of r, a change made at updated (RFC
// 3339) by transaction txHash at height: a copy of its document that the
// change may modify, r itself untouched (records are shared).
func NextRecord(r *Record, updated, txHash string, height uint64) *Record {
	return &Record{Document: cloneDocument(r.Document), Version: r.Version + 1, Created: r.Created, Updated: updated,
		TxHash: txHash, Height: height, Compromised: slices.Clone(r.Compromised)}
}

// Apply applies the change of an update payload (every did.* payload but
// CreatePayload) to next, the record NextRecord made. It only reads the
// payload and the record: the registry on the ledger (did/weid) loads,
// validates and stores.
func Apply(next *Record, p any) error {
	doc := next.Document
	switch p := p.(type) {
	case *AddMethodPayload:
		rels := p.Relationships
		if len(rels) == 0 {
			rels = []string{"authentication", "assertionMethod"}
		}
		return next.addMethod(p.ID, p.PublicKeyMultibase, rels)
	case *RemoveMethodPayload:
		return next.removeMethod(p.ID, p.Compromised)
	case *ReportCompromisedPayload:
		mb := CanonicalKey(p.PublicKeyMultibase)
		for _, vm := range doc.VerificationMethod {
			if CanonicalKey(vm.PublicKeyMultibase) == mb {
				return errs.New(http.StatusConflict, "did.keyInUse", "%s is the key of %s: remove or rotate it with compromised set instead", mb, vm.ID)
			}
		}
		return next.compromise("", mb)
	case *AddServicePayload:
		s := p.Service
		s.ID = doc.absolute(s.ID)
		for _, e := range doc.Service {
			if e.ID == s.ID {
				return errs.New(http.StatusConflict, "did.serviceExists", "service %s already exists", s.ID)
			}
		}
		if len(doc.Service) >= MaxServices {
			return errs.BadRequest("did.tooManyServices", "at most %d services", MaxServices)
		}
		doc.Service = append(doc.Service, s)
		return nil
	case *RemoveServicePayload:
		id := doc.ID + "#" + p.ID
		i := slices.IndexFunc(doc.Service, func(s Service) bool { return s.ID == id })
		if i < 0 {
			return errs.New(http.StatusNotFound, "did.serviceNotFound", "no service %s", id)
		}
		doc.Service = slices.Delete(doc.Service, i, i+1)
		return nil
	case *RotateKeyPayload:
		old := doc.ID + "#" + p.ID
		if _, ok := doc.Method(old); !ok {
			return errs.New(http.StatusNotFound, "did.methodNotFound", "no verification method %s", old)
		}
		var rels []string
		for _, rel := range Relationships {
			if doc.HasRelationship(rel, old) {
				rels = append(rels, rel)
			}
		}
		if err := next.addMethod(p.NewID, p.PublicKeyMultibase, rels); err != nil {
			return err
		}
		return next.removeMethod(p.ID, p.Compromised)
	case *DeactivatePayload:
		// A deactivated DID keeps no keys or services: nothing may be
		// verified against it any more.
		*doc = Document{Context: doc.Context, ID: doc.ID}
		next.Deactivated = true
		return nil
	}
	return fmt.Errorf("did.Apply: %T is not a DID update", p)
}
