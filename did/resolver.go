package did

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors a resolver returns; they map to the DID Resolution error codes
// (DID Resolution §7.1, and the did:key method's own codes, did:key v0.7
// §3.1.1-3.1.5) and to HTTP statuses in the server.
var (
	ErrNotFound           = errors.New("DID not found")
	ErrMethodNotSupported = errors.New("DID method not supported")
	ErrInvalidPublicKey   = errors.New("invalid public key")
	ErrDeactivated        = errors.New("DID deactivated")
	// ErrInvalidPublicKeyLength is a key of the wrong length for its type
	// (did:key "invalidPublicKeyLength"); it is also an ErrInvalidPublicKey.
	ErrInvalidPublicKeyLength = fmt.Errorf("%w length", ErrInvalidPublicKey)
	// ErrUnsupportedPublicKeyType is a publicKeyFormat the resolver does not
	// know (did:key "unsupportedPublicKeyType").
	ErrUnsupportedPublicKeyType = errors.New("unsupported public key type")
	// ErrInvalidPublicKeyType is a known publicKeyFormat that may not be used
	// for the key (did:key "invalidPublicKeyType"): an experimental type
	// without enableExperimentalPublicKeyTypes, or a type of another curve.
	ErrInvalidPublicKeyType = errors.New("invalid public key type")
	// ErrInvalidDIDURL is a string that starts like a DID but is not a valid
	// DID URL (DID Resolution "invalidDidUrl"); it is also an ErrInvalidDID.
	ErrInvalidDIDURL = fmt.Errorf("%w URL", ErrInvalidDID)
)

// ContextResolution is the JSON-LD context of DID Resolution and DID URL
// Dereferencing results (DID Resolution §4.1, §5.1).
const ContextResolution = "https://w3id.org/did-resolution/v1"

// ResolutionResult is what resolving a DID returns (DID Resolution §4).
type ResolutionResult struct {
	Context            string             `json:"@context,omitempty"`
	Document           *Document          `json:"didDocument"`
	ResolutionMetadata ResolutionMetadata `json:"didResolutionMetadata"`
	DocumentMetadata   DocumentMetadata   `json:"didDocumentMetadata"`
}

// ResolutionMetadata describes the resolution itself.
type ResolutionMetadata struct {
	ContentType  string `json:"contentType,omitempty"`
	Error        string `json:"error,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	Retrieved    string `json:"retrieved,omitempty"`
}

// DocumentMetadata describes the resolved document (DID Core 1.0 §7.1.3),
// plus the ledger facts behind it for did:weid.
type DocumentMetadata struct {
	Created       string `json:"created,omitempty"`
	Updated       string `json:"updated,omitempty"`
	Deactivated   bool   `json:"deactivated,omitempty"`
	VersionID     string `json:"versionId,omitempty"`
	NextVersionID string `json:"nextVersionId,omitempty"`
	TxHash        string `json:"txHash,omitempty"`
	BlockHeight   uint64 `json:"blockHeight,omitempty"`
	// CompromisedKeys (did:weid) are the keys the controller declared
	// compromised up to this version: nothing they signed is accepted.
	CompromisedKeys []CompromisedKey `json:"compromisedKeys,omitempty"`
}

// Options select a version of a document (DID Core 1.0 §7.1.1 versionId,
// versionTime). Zero values select the latest version.
//
// PublicKeyFormat and EnableExperimentalPublicKeyTypes are the did:key
// resolution options (did:key v0.7 §3.1.2 steps 6-8): the verification
// method type to express the key in ("" is Multikey) and whether the
// experimental types (Ed25519VerificationKey2018, X25519KeyAgreementKey2019)
// may be asked for. Other methods ignore them.
type Options struct {
	VersionID                        string
	VersionTime                      time.Time
	PublicKeyFormat                  string
	EnableExperimentalPublicKeyTypes bool
}

// MethodResolver resolves the DIDs of one method.
type MethodResolver interface {
	// Resolve returns the document of d. A deactivated DID returns its
	// result with DocumentMetadata.Deactivated set and ErrDeactivated.
	Resolve(ctx context.Context, d DIDURL, opts Options) (*ResolutionResult, error)
}

// Resolver resolves DIDs of every method it has been given.
type Resolver struct {
	methods map[string]MethodResolver
}

// NewResolver returns a resolver for the given methods, keyed by method name
// ("weid", "key", "jwk", "web").
func NewResolver(methods map[string]MethodResolver) *Resolver {
	m := make(map[string]MethodResolver, len(methods))
	for k, v := range methods {
		m[k] = v
	}
	return &Resolver{methods: m}
}

// Resolve resolves a DID (a DID URL's path, query and fragment are ignored).
func (r *Resolver) Resolve(ctx context.Context, did string, opts Options) (*ResolutionResult, error) {
	u, err := ParseDIDURL(did)
	if err != nil {
		return nil, err
	}
	// DID Resolution, the resolve algorithm: a syntactically valid DID of
	// a method this resolver does not implement is methodNotSupported
	// (HTTP 501 in the HTTP(S) binding), whatever a method's own
	// algorithm would say of it (did:key's raises invalidDid, §3.1.1).
	m, ok := r.methods[u.Method]
	if !ok {
		return nil, fmt.Errorf("%w: did:%s", ErrMethodNotSupported, u.Method)
	}
	return m.Resolve(ctx, u, opts)
}

// errorCodes are the DID Resolution error codes of the resolvers' errors,
// each error before those it wraps (ErrInvalidDIDURL is an ErrInvalidDID,
// ErrInvalidPublicKeyLength an ErrInvalidPublicKey).
var errorCodes = []struct {
	err  error
	code string
}{
	{ErrInvalidDIDURL, "invalidDidUrl"},
	{ErrInvalidDID, "invalidDid"},
	{ErrNotFound, "notFound"},
	{ErrMethodNotSupported, "methodNotSupported"},
	{ErrInvalidPublicKeyLength, "invalidPublicKeyLength"},
	{ErrInvalidPublicKey, "invalidPublicKey"},
	{ErrUnsupportedPublicKeyType, "unsupportedPublicKeyType"},
	{ErrInvalidPublicKeyType, "invalidPublicKeyType"},
	{ErrDeactivated, "deactivated"},
	{ErrRepresentationNotSupported, "representationNotSupported"},
}

// ErrorCode returns the DID Resolution error code for err.
func ErrorCode(err error) string {
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "internalError"
}

// resolveComputed resolves a DID whose document is computed from the
// identifier itself (did:key, did:jwk). Such a document never changes, so a
// versionId selects nothing and fails with ErrNotFound.
func resolveComputed(ctx context.Context, method string, d DIDURL, opts Options, build func(id string) (*Document, error)) (*ResolutionResult, error) {
	if d.Method != method {
		return nil, fmt.Errorf("%w: this resolver handles did:%s, not did:%s", ErrMethodNotSupported, method, d.Method)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := computedDocs.get(method, d.ID, build)
	if err != nil {
		return nil, err
	}
	if opts.VersionID != "" {
		return nil, fmt.Errorf("%w: %s has a single, immutable version; versionId %q does not exist", ErrNotFound, doc.ID, opts.VersionID)
	}
	return &ResolutionResult{Document: doc, ResolutionMetadata: ResolutionMetadata{ContentType: mediaTypeDIDLD}}, nil
}

// computedDocs caches the documents of computed methods (did:key,
// did:jwk): a document is a pure function of its identifier, and building
// an Ed25519 did:key's (with its derived X25519 key) costs as much as a
// signature check, which a verifier of many credentials from one issuer
// should pay once. Callers must not modify a resolved document (the
// did:weid resolver shares its cached results the same way).
var computedDocs = &docCache{m: map[string]*Document{}}

// maxComputedDocs bounds the cache; past it the cache starts over.
const maxComputedDocs = 4096

type docCache struct {
	mu sync.RWMutex
	m  map[string]*Document
}

func (c *docCache) get(method, id string, build func(id string) (*Document, error)) (*Document, error) {
	key := method + ":" + id
	c.mu.RLock()
	doc, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return doc, nil
	}
	doc, err := build(id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxComputedDocs {
		clear(c.m)
	}
	c.m[key] = doc
	c.mu.Unlock()
	return doc, nil
}
