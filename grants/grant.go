package grants

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// SchemaID is the system schema of a grant's claims (schemas.SystemSchemas:
// "Data authorization grant").
const SchemaID = 1

// TypeGrant is the credential type of a grant, besides VerifiableCredential.
const TypeGrant = "DataAuthorizationGrant"

// Limits of a grant, those of system schema 1.
const (
	MaxResourceLength = 2048
	MaxScope          = 256
	MaxClaimLength    = 256
	MaxPurposeLength  = 1024
	MaxDIDLength      = 512
	// MaxGrantBytes bounds a grant's compact JWS.
	MaxGrantBytes = 16 << 10
)

// Grant is a data authorization: Grantor allows Grantee to use the claims
// named in Scope of Resource for Purpose, from NotBefore until Expires.
type Grant struct {
	ID        string    `json:"id"` // urn:uuid:…, the credential's id
	Grantor   string    `json:"grantor"`
	Grantee   string    `json:"grantee"`
	Resource  string    `json:"resource"`
	Scope     []string  `json:"scope"`
	Purpose   string    `json:"purpose"`
	NotBefore time.Time `json:"notBefore"`
	Expires   time.Time `json:"expires"`
}

var uuidURN = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidID checks a grant id: urn:uuid: and a lowercase UUID.
func ValidID(id string) error {
	if !uuidURN.MatchString(id) {
		return errs.BadRequest("grant.invalidId", "a grant id is urn:uuid: followed by a lowercase UUID")
	}
	return nil
}

// NewID returns a new grant id: a random (version 4) UUID as urn:uuid.
func NewID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func invalid(format string, args ...any) error {
	return errs.BadRequest("grant.invalid", format, args...)
}

// printable reports UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Validate checks g on its own: the limits of system schema 1, a did:weid
// grantor (it signs the receipt's transaction), a DID grantee, a scope of
// distinct claim names and NotBefore before Expires, both whole seconds.
func (g *Grant) Validate() error {
	if err := ValidID(g.ID); err != nil {
		return err
	}
	if len(g.Grantor) > MaxDIDLength {
		return invalid("grantor is longer than %d bytes", MaxDIDLength)
	}
	if _, _, err := did.ParseWeid(g.Grantor); err != nil {
		return invalid("grantor must be a did:weid DID (it signs the receipt on the ledger): %v", err)
	}
	if len(g.Grantee) > MaxDIDLength {
		return invalid("grantee is longer than %d bytes", MaxDIDLength)
	}
	if _, err := did.ParseDID(g.Grantee); err != nil {
		return invalid("grantee: %v", err)
	}
	if g.Grantee == g.Grantor {
		return invalid("grantor and grantee are the same DID")
	}
	if g.Resource == "" || len(g.Resource) > MaxResourceLength || !printable(g.Resource) || strings.ContainsAny(g.Resource, " \t") {
		return invalid("resource must be a URI of 1 to %d characters without spaces", MaxResourceLength)
	}
	if !strings.Contains(g.Resource, ":") {
		return invalid("resource must be an absolute URI: a credential id, a schema URL or a data resource URL")
	}
	if len(g.Scope) == 0 || len(g.Scope) > MaxScope {
		return invalid("scope names 1 to %d claims", MaxScope)
	}
	for i, c := range g.Scope {
		if c == "" || len(c) > MaxClaimLength || !printable(c) {
			return invalid("scope[%d] must be 1 to %d characters without control characters", i, MaxClaimLength)
		}
		if slices.Contains(g.Scope[:i], c) {
			return invalid("scope names %q twice", c)
		}
	}
	if g.Purpose == "" || utf8.RuneCountInString(g.Purpose) > MaxPurposeLength || !printable(g.Purpose) {
		return invalid("purpose must be 1 to %d characters without control characters", MaxPurposeLength)
	}
	if g.NotBefore.IsZero() || g.Expires.IsZero() {
		return invalid("notBefore and expires are required")
	}
	if !g.NotBefore.Equal(g.NotBefore.Truncate(time.Second)) || !g.Expires.Equal(g.Expires.Truncate(time.Second)) {
		return invalid("notBefore and expires are whole seconds")
	}
	if !g.Expires.After(g.NotBefore) {
		return invalid("expires must be after notBefore")
	}
	return nil
}

// InScope reports whether every claim is in g's scope.
func (g *Grant) InScope(claims []string) bool {
	for _, c := range claims {
		if !slices.Contains(g.Scope, c) {
			return false
		}
	}
	return true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Credential returns g as an unsecured VC 2.0 credential under the system
// authorization schema: issued by the grantor, whose subject is the grantee,
// with the grant's fields as claims and its validity as validFrom and
// validUntil. No published context defines DataAuthorizationGrant or the
// claims, so the undefined-terms context is named last (VC Data Model 2.0
// §5.2). schemaBase is the URL of a weid node ("https://weid.example"):
// the credentialSchema is schemaBase + "/v1/schemas/1" (any node of the
// chain serves the same schema).
func (g *Grant) Credential(schemaBase string) (json.RawMessage, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	subject := map[string]any{
		"id": g.Grantee, "grantor": g.Grantor, "grantee": g.Grantee, "resource": g.Resource,
		"scope": g.Scope, "purpose": g.Purpose, "notBefore": stamp(g.NotBefore), "expires": stamp(g.Expires),
	}
	doc := map[string]any{
		"@context":          []string{credential.ContextV2, credential.ContextUndefinedTerms},
		"id":                g.ID,
		"type":              []string{credential.TypeVerifiableCredential, TypeGrant},
		"issuer":            g.Grantor,
		"validFrom":         stamp(g.NotBefore),
		"validUntil":        stamp(g.Expires),
		"credentialSchema":  map[string]any{"id": strings.TrimRight(schemaBase, "/") + fmt.Sprintf("/v1/schemas/%d", SchemaID), "type": credential.SchemaTypeJSONSchema},
		"credentialSubject": subject,
	}
	return json.Marshal(doc)
}

// Sign returns g as a vc+jwt credential signed by k as verification method
// vm, which must be an assertionMethod key of the grantor's DID for the
// ledger to record it.
func (g *Grant) Sign(k *keys.PrivateKey, vm, schemaBase string) (string, error) {
	cred, err := g.Credential(schemaBase)
	if err != nil {
		return "", err
	}
	return credential.IssueJWT(credential.Signer{DID: g.Grantor, VerificationMethod: vm, Key: k}, cred, g.NotBefore, credential.IssueOptions{})
}

// Hash returns the hash of a grant as the ledger records it: the SHA-256 of
// its compact JWS, in lowercase hex.
func Hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Signed is a parsed grant with its JWS, not yet verified.
type Signed struct {
	Grant
	Token string
	Hash  string
	JWS   *jose.JWS
}

// Parse strictly parses a grant: a vc+jwt credential (credential.ParseJWS,
// credential.Parse) of types VerifiableCredential and
// DataAuthorizationGrant, naming system schema 1, issued by the grantor to
// the grantee, with exactly the claims of schema 1 and validFrom/validUntil
// equal to notBefore/expires, signed by a method of the grantor. It checks
// no signature. Errors are 400 grant.invalid (413 grant.tooLarge).
func Parse(token string) (*Signed, error) {
	if len(token) > MaxGrantBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "grant.tooLarge", "a grant is at most %d bytes", MaxGrantBytes)
	}
	j, err := credential.ParseJWS(token)
	if err != nil {
		return nil, invalid("the grant is not a vc+jwt credential: %v", err)
	}
	c, err := credential.Parse(j.Payload)
	if err != nil {
		return nil, invalid("%v", err)
	}
	if c.Version != 2 {
		return nil, invalid("a grant is a VC 2.0 credential")
	}
	if len(c.Types) != 2 || !slices.Contains(c.Types, TypeGrant) {
		return nil, invalid("a grant's types are VerifiableCredential and %s", TypeGrant)
	}
	if len(c.Schemas) != 1 {
		return nil, invalid("a grant names exactly one credentialSchema, system schema %d", SchemaID)
	}
	if id, _, ok := c.Schemas[0].WeidSchema(); !ok || id != SchemaID {
		return nil, invalid("a grant's credentialSchema is the weid system schema %d (…/v1/schemas/%d, JsonSchema)", SchemaID, SchemaID)
	}
	if len(c.Statuses) > 0 {
		return nil, invalid("a grant has no credentialStatus: the ledger's receipt is its status")
	}
	if len(c.Subjects) != 1 {
		return nil, invalid("a grant has exactly one credentialSubject")
	}
	var g Grant
	g.ID = c.ID
	if err := subjectFields(c.Subjects[0], &g); err != nil {
		return nil, err
	}
	if c.Issuer != g.Grantor {
		return nil, invalid("the grant's issuer is not its grantor")
	}
	if !c.ValidFrom.Equal(g.NotBefore) || !c.ValidUntil.Equal(g.Expires) {
		return nil, invalid("validFrom and validUntil must equal notBefore and expires")
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	u, err := did.ParseDIDURL(j.Header.Kid)
	if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" || u.DID != g.Grantor {
		return nil, invalid("the grant's kid must be a verification method of its grantor")
	}
	return &Signed{Grant: g, Token: token, Hash: Hash(token), JWS: j}, nil
}

// subjectFields reads the claims of schema 1 from a credential subject,
// refusing any other member.
func subjectFields(s map[string]any, g *Grant) error {
	str := func(name string, required bool) (string, error) {
		v, ok := s[name]
		if !ok {
			if required {
				return "", invalid("credentialSubject.%s is required", name)
			}
			return "", nil
		}
		x, ok := v.(string)
		if !ok {
			return "", invalid("credentialSubject.%s must be a string", name)
		}
		return x, nil
	}
	for k := range s {
		switch k {
		case "id", "grantor", "grantee", "resource", "scope", "purpose", "notBefore", "expires":
		default:
			return invalid("credentialSubject has a member %q that schema %d does not allow", errs.Truncate(k, 64), SchemaID)
		}
	}
	var err error
	var id, nb, exp string
	if id, err = str("id", true); err != nil {
		return err
	}
	if g.Grantor, err = str("grantor", true); err != nil {
		return err
	}
	if g.Grantee, err = str("grantee", true); err != nil {
		return err
	}
	if id != g.Grantee {
		return invalid("credentialSubject.id must be the grantee")
	}
	if g.Resource, err = str("resource", true); err != nil {
		return err
	}
	if g.Purpose, err = str("purpose", true); err != nil {
		return err
	}
	if nb, err = str("notBefore", true); err != nil {
		return err
	}
	if exp, err = str("expires", true); err != nil {
		return err
	}
	if g.NotBefore, err = time.Parse(time.RFC3339, nb); err != nil {
		return invalid("credentialSubject.notBefore is not an RFC 3339 time")
	}
	if g.Expires, err = time.Parse(time.RFC3339, exp); err != nil {
		return invalid("credentialSubject.expires is not an RFC 3339 time")
	}
	arr, ok := s["scope"].([]any)
	if !ok {
		return invalid("credentialSubject.scope must be an array of claim names")
	}
	if len(arr) > MaxScope {
		return invalid("scope names 1 to %d claims", MaxScope)
	}
	for _, v := range arr {
		x, ok := v.(string)
		if !ok {
			return invalid("credentialSubject.scope must be an array of claim names")
		}
		g.Scope = append(g.Scope, x)
	}
	return nil
}
