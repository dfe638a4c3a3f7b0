package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// Vocabulary of VC Data Model 2.0.
const (
	// ContextV2 is the base context every credential lists first (§4.3).
	ContextV2 = "https://www.w3.org/ns/credentials/v2"
	// ContextV1 is the base context of VC Data Model 1.1 credentials,
	// which weid verifies (and issues with Data Integrity when asked).
	ContextV1 = "https://www.w3.org/2018/credentials/v1"
	// TypeVerifiableCredential is the type every credential has (§4.5).
	TypeVerifiableCredential = "VerifiableCredential"
	// SchemaTypeJSONSchema is the credentialSchema type of a JSON Schema
	// (VC JSON Schema §2.1), the type of weid's schemas.
	SchemaTypeJSONSchema = "JsonSchema"
	// MaxCredentialBytes bounds the JSON of a credential.
	MaxCredentialBytes = 128 << 10
	// maxURLLength bounds identifiers (ids, issuer, schema ids).
	maxURLLength = did.MaxDIDLength
)

// ErrInvalid reports a credential that breaks the VC Data Model 2.0 rules or
// this package's limits; the errors Parse returns wrap it.
var ErrInvalid = errors.New("invalid credential")

// ErrInvalidPresentation reports a presentation that breaks the VC Data
// Model 2.0 rules (§4.13) or this package's limits; the errors
// ParsePresentation returns wrap it. errors.Is matches it with ErrInvalid
// too, so a caller that refuses an invalid credential refuses an invalid
// presentation alike.
var ErrInvalidPresentation error = invalidPresentation{}

type invalidPresentation struct{}

func (invalidPresentation) Error() string        { return "invalid presentation" }
func (invalidPresentation) Is(target error) bool { return target == ErrInvalid }

// Credential is a credential whose structure has been checked. Doc is the
// whole JSON object (numbers as json.Number); the other fields are read
// from it.
type Credential struct {
	Doc map[string]any
	// Version is the data model: 2 (VC 2.0) or 1 (VC 1.1, whose
	// issuanceDate and expirationDate are read into ValidFrom and
	// ValidUntil).
	Version int
	// ID is the credential's id, if it has one.
	ID string
	// Types lists the credential's types; it contains
	// TypeVerifiableCredential.
	Types []string
	// Issuer is the issuer's id: a DID or another URL.
	Issuer string
	// Subjects are the credentialSubject objects (one, or each of a set).
	Subjects []map[string]any
	// ValidFrom and ValidUntil are zero when absent.
	ValidFrom, ValidUntil time.Time
	// Schemas are the credentialSchema entries.
	Schemas []SchemaRef
	// Statuses are the credentialStatus entries.
	Statuses []map[string]any
	// Related are the relatedResource entries (§5.3).
	Related []RelatedResource
	// IssuedAt, NotBefore and Expires are the JWT claims iat, nbf and exp
	// (RFC 7519 §4.1) if the JWS payload carries them; zero otherwise.
	IssuedAt, NotBefore, Expires time.Time

	// withheld counts the digests of an SD-JWT VC that name no disclosure
	// presented: claims the holder did not disclose (or decoys), which
	// the schema check cannot see; -1 if unknown (it did not verify).
	withheld int
	// tokenStatus is an SD-JWT VC's "status" claim (a Token Status List
	// reference), nil if none; tokenCheck the status check's outcome for
	// it, which needs a context and is decided before the claims checks.
	tokenStatus any
	tokenCheck  *Check
	// boundKey is the holder key an SD-JWT VC binds ("cnf"), if any: a
	// presentation must be made by that key.
	boundKey *keys.PublicKey
}

// SchemaRef is one credentialSchema entry (VC Data Model 2.0 §4.11).
type SchemaRef struct {
	ID   string
	Type string
}

// WeidSchema reports whether the schema is a weid schema: a JsonSchema
// whose id is an http(s) URL with the path /v1/schemas/{id} or
// /v1/schemas/{id}/versions/{version} (on any host: the verifier checks it
// against its own ledger's schema of that number). version 0 is the latest.
func (r SchemaRef) WeidSchema() (id, version uint64, ok bool) {
	if r.Type != SchemaTypeJSONSchema {
		return 0, 0, false
	}
	return ParseSchemaURL(r.ID)
}

// ParseSchemaURL reads a weid schema URL: http(s)://host/v1/schemas/{id}
// or http(s)://host/v1/schemas/{id}/versions/{version}, numbers in
// canonical decimal, with no query or fragment. version 0 means the
// latest.
func ParseSchemaURL(s string) (id, version uint64, ok bool) {
	path, ok := schemaURLPath(s)
	if !ok {
		return 0, 0, false
	}
	rest, found := strings.CutPrefix(path, "/v1/schemas/")
	if !found {
		return 0, 0, false
	}
	idPart, verPart, hasVersion := strings.Cut(rest, "/versions/")
	if id, ok = decimal(idPart, schemas.MaxID); !ok {
		return 0, 0, false
	}
	if hasVersion {
		if version, ok = decimal(verPart, math.MaxInt64); !ok {
			return 0, 0, false
		}
	}
	return id, version, true
}

// schemaURLPath returns the escaped path of s if s is an http(s) URL with
// a host and no query or fragment. A plainHTTPURL is split by hand (its
// host runs to the first '/', and its path needs no escaping); any other
// goes through url.Parse.
func schemaURLPath(s string) (string, bool) {
	if plainHTTPURL(s) {
		rest := s[strings.Index(s, "://")+3:]
		slash := strings.IndexByte(rest, '/')
		switch {
		case slash == 0:
			return "", false // no host
		case slash < 0:
			return "", rest != "" // no path; a host if anything
		}
		return rest[slash:], true
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	return u.EscapedPath(), true
}

// decimal parses a positive integer ≤ max in canonical decimal form.
func decimal(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 20 || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == 0 || v > max {
		return 0, false
	}
	return v, true
}

// Parse strictly decodes and checks a credential (the JSON of an
// unsecured credential, or a vc+jwt payload).
func Parse(b []byte) (*Credential, error) {
	return parse(b, false)
}

// parse is Parse; owned says that no one writes b again, so that the
// credential's strings may share its bytes.
func parse(b []byte, owned bool) (*Credential, error) {
	decode := decodeObject
	if owned {
		decode = decodeOwnedObject
	}
	doc, err := decodeDocument(b, ErrInvalid, decode)
	if err != nil {
		return nil, err
	}
	return FromDocument(doc)
}

// FromDocument checks the structure of a decoded credential (VC Data Model
// 2.0 §4). Numbers in doc should be json.Number, as Parse leaves them.
func FromDocument(doc map[string]any) (*Credential, error) {
	c := &Credential{Doc: doc}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return c, nil
}

// vcVocabulary is the namespace of the terms the VC 2.0 base context
// defines (verifiableCredential, credentialStatus, …).
const vcVocabulary = "https://www.w3.org/2018/credentials#"

// checkCompacted refuses a top-level member named by the full IRI of a VC
// vocabulary term: VC Data Model 2.0 §6.1 requires JSON-LD compacted
// document form, in which the base context turns that IRI into its term,
// so such a member is a non-conforming document that JSON processors
// (and weid) would otherwise silently not read — a presentation's
// credentials passed as "https://www.w3.org/2018/credentials#verifiableCredential"
// would be skipped instead of checked.
func checkCompacted(doc map[string]any) error {
	for k := range doc {
		if strings.HasPrefix(k, vcVocabulary) {
			return fmt.Errorf("%q is not in compacted form (VC Data Model 2.0 §6.1): use the term %q", k, strings.TrimPrefix(k, vcVocabulary))
		}
	}
	return nil
}

func (c *Credential) check() error {
	doc := c.Doc
	if err := checkCompacted(doc); err != nil {
		return err
	}
	// @context (§4.3): an ordered set whose first item is the v2 context;
	// the others are URLs or inline context objects.
	ctx, ok := doc["@context"].([]any)
	if !ok || len(ctx) == 0 {
		return errors.New(`"@context" must be an array whose first item is "` + ContextV2 + `"`)
	}
	switch first, _ := ctx[0].(string); first {
	case ContextV2:
		c.Version = 2
	case ContextV1:
		c.Version = 1
	default:
		return errors.New(`the first item of "@context" must be "` + ContextV2 + `" (VC 2.0) or "` + ContextV1 + `" (VC 1.1)`)
	}
	for i, item := range ctx[1:] {
		switch v := item.(type) {
		case string:
			if !isURL(v) {
				return fmt.Errorf(`"@context" item %d is not a URL`, i+1)
			}
		case map[string]any:
		default:
			return fmt.Errorf(`"@context" item %d must be a URL or an object`, i+1)
		}
	}
	// id (§4.4)
	if v, ok := doc["id"]; ok {
		s, isStr := v.(string)
		if !isStr || !isURL(s) {
			return errors.New(`"id" must be a URL`)
		}
		c.ID = s
	}
	// type (§4.5)
	types, err := stringSet(doc["type"], "type")
	if err != nil {
		return err
	}
	hasVC := false
	for _, t := range types {
		if t == TypeVerifiableCredential {
			hasVC = true
		}
	}
	if !hasVC {
		return errors.New(`"type" must include "` + TypeVerifiableCredential + `"`)
	}
	c.Types = types
	// issuer (§4.7): a URL, or an object with an id URL.
	switch v := doc["issuer"].(type) {
	case string:
		c.Issuer = v
	case map[string]any:
		c.Issuer, _ = v["id"].(string)
		if c.Issuer == "" {
			return errors.New(`an "issuer" object must have an "id"`)
		}
	case nil:
		if _, present := doc["issuer"]; present {
			return errors.New(`"issuer" is null: it must be a URL or an object with an "id"`)
		}
		return errors.New(`no "issuer"`)
	default:
		return errors.New(`"issuer" must be a URL or an object with an "id"`)
	}
	if !isURL(c.Issuer) {
		return fmt.Errorf(`"issuer" %q is not a URL`, truncate(c.Issuer, 80))
	}
	// name and description (§4.6) of the credential and of its issuer.
	if err := namesAndDescriptions(doc, ""); err != nil {
		return err
	}
	if iss, ok := doc["issuer"].(map[string]any); ok {
		if err := namesAndDescriptions(iss, "issuer "); err != nil {
			return err
		}
	}
	// URI schemes are case-insensitive (RFC 3986 §3.1): "DID:…" names the
	// did scheme too, whose syntax is lowercase (DID Core 1.0 §3.1), so it
	// is an invalid DID rather than a URL that is not a DID.
	if len(c.Issuer) >= 4 && strings.EqualFold(c.Issuer[:4], "did:") {
		if _, err := did.ParseDID(c.Issuer); err != nil {
			return fmt.Errorf(`"issuer": %v`, err)
		}
	}
	// credentialSubject (§4.8): an object or a non-empty array of objects,
	// each with at least one claim.
	subjects, err := objects(doc["credentialSubject"], "credentialSubject", true)
	if err != nil {
		return err
	}
	for i, s := range subjects {
		if len(s) == 0 {
			return fmt.Errorf(`"credentialSubject" %d has no claims`, i)
		}
		if v, ok := s["id"]; ok {
			if id, isStr := v.(string); !isStr || !isURL(id) {
				return fmt.Errorf(`"credentialSubject" %d: "id" must be a URL`, i)
			}
		}
	}
	c.Subjects = subjects
	// validFrom, validUntil (§4.9): XML Schema dateTimeStamp. VC 1.1
	// (§4.6, §4.7) has a required issuanceDate and an expirationDate
	// instead.
	from, until := "validFrom", "validUntil"
	if c.Version == 1 {
		from, until = "issuanceDate", "expirationDate"
		for _, v2 := range []string{"validFrom", "validUntil"} {
			if _, ok := doc[v2]; ok {
				return fmt.Errorf("%q is a VC 2.0 property; a VC 1.1 credential has issuanceDate and expirationDate", v2)
			}
		}
		if _, ok := doc[from]; !ok {
			return errors.New(`a VC 1.1 credential must have an "issuanceDate"`)
		}
	}
	if c.ValidFrom, err = dateTimeStamp(doc, from); err != nil {
		return err
	}
	if c.ValidUntil, err = dateTimeStamp(doc, until); err != nil {
		return err
	}
	if !c.ValidFrom.IsZero() && !c.ValidUntil.IsZero() && c.ValidUntil.Before(c.ValidFrom) {
		return fmt.Errorf("%q is before %q", until, from)
	}
	// credentialStatus (§4.10), credentialSchema (§4.11), refreshService
	// (§5.4), termsOfUse (§5.5) and evidence (§5.6): one object or a set
	// of them, each with a type (§4.5) and, where it has one, an id URL
	// (§4.4); only credentialSchema's id is required.
	typed := map[string][]map[string]any{}
	for _, name := range []string{"credentialStatus", "credentialSchema", "refreshService", "termsOfUse", "evidence"} {
		objs, err := typedObjects(doc, name)
		if err != nil {
			return err
		}
		typed[name] = objs
	}
	c.Statuses = typed["credentialStatus"]
	for i, s := range typed["credentialSchema"] {
		id, _ := s["id"].(string)
		if !isURL(id) {
			return fmt.Errorf(`"credentialSchema" %d must have an "id" URL`, i)
		}
		types, _ := stringSet(s["type"], "type")
		typ := types[0]
		if slices.Contains(types, SchemaTypeJSONSchema) {
			typ = SchemaTypeJSONSchema
		}
		if _, _, weid := ParseSchemaURL(id); weid && typ != SchemaTypeJSONSchema {
			return fmt.Errorf(`"credentialSchema" %d names a weid schema, whose "type" is %q, not %q`, i, SchemaTypeJSONSchema, truncate(typ, 64))
		}
		c.Schemas = append(c.Schemas, SchemaRef{ID: id, Type: typ})
	}
	if c.Related, err = relatedResources(doc); err != nil {
		return err
	}
	// JWT claims a vc+jwt payload may carry beside the credential: "iss"
	// must agree with the issuer; iat, nbf and exp are NumericDates.
	if v, ok := doc["iss"]; ok {
		if s, _ := v.(string); s != c.Issuer {
			return errors.New(`the JWT claim "iss" differs from "issuer"`)
		}
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"iat", &c.IssuedAt}, {"nbf", &c.NotBefore}, {"exp", &c.Expires}} {
		if *f.dst, err = numericDate(doc, f.name); err != nil {
			return err
		}
	}
	return nil
}

// namesAndDescriptions checks the name and description of obj (VC Data
// Model 2.0 §4.6): each, if present, is a string, a language value object
// (§11.1), or an array of them (one per language). where prefixes errors.
func namesAndDescriptions(obj map[string]any, where string) error {
	for _, name := range []string{"name", "description"} {
		v, ok := obj[name]
		if !ok {
			continue
		}
		list, isList := v.([]any)
		if !isList {
			list = []any{v}
		} else if len(list) == 0 {
			return fmt.Errorf("%s%q must not be an empty array", where, name)
		}
		for _, e := range list {
			if err := languageValue(e); err != nil {
				return fmt.Errorf("%s%q: %v", where, name, err)
			}
		}
	}
	return nil
}

// languageValue checks a string or a language value object (VC Data
// Model 2.0 §11.1): "@value" a string, "@language" a well-formed BCP 47
// language tag, "@direction" "ltr" or "rtl", and nothing else.
func languageValue(v any) error {
	switch v := v.(type) {
	case string:
		return nil
	case map[string]any:
		if _, ok := v["@value"].(string); !ok {
			return errors.New(`a language value object must have a string "@value"`)
		}
		for k, x := range v {
			switch k {
			case "@value":
			case "@language":
				if s, _ := x.(string); !languageTag(s) {
					return errors.New(`"@language" must be a BCP 47 language tag, such as "en" or "zh-Hans-CN"`)
				}
			case "@direction":
				if x != "ltr" && x != "rtl" {
					return errors.New(`"@direction" must be "ltr" or "rtl"`)
				}
			default:
				return fmt.Errorf("a language value object has only @value, @language and @direction, not %q", truncate(k, 64))
			}
		}
		return nil
	}
	return errors.New("must be a string or a language value object")
}

// languageTag reports whether s has the form of a BCP 47 language tag
// (RFC 5646 §2.1): subtags of 1 to 8 letters or digits separated by '-',
// the first of letters only.
func languageTag(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) == 0 || len(sub) > 8 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j] | 0x20
			letter := c >= 'a' && c <= 'z'
			if !letter && (i == 0 || sub[j] < '0' || sub[j] > '9') {
				return false
			}
		}
	}
	return true
}

// typedObjects reads member name of doc: absent, one object, or a
// non-empty array of objects, each with a "type" (a string or an array of
// strings) and, if it has an "id", an id that is a URL.
func typedObjects(doc map[string]any, name string) ([]map[string]any, error) {
	objs, err := objects(doc[name], name, false)
	if err != nil {
		return nil, err
	}
	for i, o := range objs {
		if _, ok := o["type"]; !ok {
			return nil, fmt.Errorf("%q %d must have a \"type\"", name, i)
		}
		if _, err := stringSet(o["type"], name+" type"); err != nil {
			return nil, err
		}
		if v, ok := o["id"]; ok {
			if id, isStr := v.(string); !isStr || !isURL(id) {
				return nil, fmt.Errorf(`%q %d: "id" must be a URL`, name, i)
			}
		}
	}
	return objs, nil
}

// stringSet reads a string or a non-empty array of non-empty strings.
func stringSet(v any, name string) ([]string, error) {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil, fmt.Errorf("%q must not be empty", name)
		}
		return []string{v}, nil
	case []any:
		if len(v) == 0 {
			return nil, fmt.Errorf("%q must not be empty", name)
		}
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("%q must be a string or an array of strings", name)
			}
			out = append(out, s)
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("no %q", name)
	}
	return nil, fmt.Errorf("%q must be a string or an array of strings", name)
}

// objects reads an object or an array of objects; absent is nil unless
// required.
func objects(v any, name string, required bool) ([]map[string]any, error) {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}, nil
	case []any:
		if len(v) == 0 {
			return nil, fmt.Errorf("%q must not be an empty array", name)
		}
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			o, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%q must be an object or an array of objects", name)
			}
			out = append(out, o)
		}
		return out, nil
	case nil:
		if required {
			return nil, fmt.Errorf("no %q", name)
		}
		return nil, nil
	}
	return nil, fmt.Errorf("%q must be an object or an array of objects", name)
}

// isURL reports whether s is an absolute URL (a DID is one).
func isURL(s string) bool {
	if s == "" || len(s) > maxURLLength {
		return false
	}
	if opaqueURL(s) || plainHTTPURL(s) { // neither holds white space
		return true
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

// opaqueURL reports whether s is an absolute URL url.Parse reads as
// opaque (a DID, a urn:uuid: id): a scheme, then something that does not
// begin with '/', with no control character, no space and no '%'
// (url.Parse validates neither the opaque part nor the query of such a
// URL, and only the escapes of its fragment). false means only that
// url.Parse must decide.
func opaqueURL(s string) bool {
	colon := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= 0x20 || c == 0x7f || c == '%':
			return false
		case colon >= 0:
		case c == ':':
			if i == 0 || i+1 == len(s) || s[i+1] == '/' || s[i+1] == '#' || s[i+1] == '?' {
				return false
			}
			colon = i
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return colon > 0
}

// plainHTTPURL reports whether s is an http or https URL of the plainest
// kind — after "https://" (or "http://") only letters, digits and
// "-._~/" — which url.Parse always reads as an absolute URL (no port, no
// escape, no query or fragment to check). false means only that url.Parse
// must decide.
func plainHTTPURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	for i := 0; i < len(rest); i++ {
		if !plainURLByte[rest[i]] {
			return false
		}
	}
	return true
}

var plainURLByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
	}
	return t
}()

// isDateTimeStamp reports whether s has the lexical form of XML Schema 1.1
// dateTimeStamp (a dateTime with a mandatory time zone), restricted to
// four-digit years:
// [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2}).
func isDateTimeStamp(s string) bool {
	const head = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(head)+1 {
		return false
	}
	for i := 0; i < len(head); i++ {
		if head[i] == 'd' {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		} else if s[i] != head[i] {
			return false
		}
	}
	rest := s[len(head):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return false
		}
		rest = rest[n:]
	}
	if rest == "Z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && digit2(rest[1:]) && rest[3] == ':' && digit2(rest[4:])
}

func digit2(s string) bool { return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' }

// num2 and num4 read digits isDateTimeStamp has checked.
func num2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
func num4(s string) int { return num2(s)*100 + num2(s[2:]) }

// dateTimeStamp reads member name of doc as an XML Schema dateTimeStamp
// (VC Data Model 2.0 §4.9); zero if absent.
func dateTimeStamp(doc map[string]any, name string) (time.Time, error) {
	v, ok := doc[name]
	if !ok {
		return time.Time{}, nil
	}
	s, _ := v.(string)
	if !isDateTimeStamp(s) {
		return time.Time{}, fmt.Errorf("%q must be a date and time with a time zone, such as 2026-01-02T15:04:05Z", name)
	}
	// The common form, YYYY-MM-DDThh:mm:ssZ with every field in range,
	// is what time.Parse would make of it; anything else goes to
	// time.Parse, for its answer and its errors.
	if len(s) == 20 && s[19] == 'Z' {
		y, mo, d, h, mi, sec := num4(s), num2(s[5:]), num2(s[8:]), num2(s[11:]), num2(s[14:]), num2(s[17:])
		if mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(time.Month(mo), y) && h < 24 && mi < 60 && sec < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: %v", name, err)
	}
	return t, nil
}

// daysIn is the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// numericDate reads a JWT NumericDate claim (RFC 7519 §2); zero if absent.
func numericDate(doc map[string]any, name string) (time.Time, error) {
	v, ok := doc[name]
	if !ok {
		return time.Time{}, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, fmt.Errorf("the JWT claim %q must be a number of seconds", name)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 { // up to 9999-12-31T23:59:59Z
		return time.Time{}, fmt.Errorf("the JWT claim %q is out of range", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}
