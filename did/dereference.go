package did

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// DereferencingResult is what dereferencing a DID URL returns (DID
// Resolution §5 "DID URL Dereferencing"). It is shaped like a resolution
// result, as the DID Resolution HTTP(S) binding's implementations and the
// did:key test suite read it: the dereferenced resource (the document, or
// one of its verification methods or services) under didDocument, its
// document's metadata under didDocumentMetadata and the dereferencing
// metadata under didDereferencingMetadata.
type DereferencingResult struct {
	Context               string             `json:"@context,omitempty"`
	Content               any                `json:"didDocument"`
	DereferencingMetadata ResolutionMetadata `json:"didDereferencingMetadata"`
	ContentMetadata       DocumentMetadata   `json:"didDocumentMetadata"`
}

// ResourceMethod is a verification method dereferenced on its own, with the
// @context of its document so that it reads as JSON-LD by itself.
type ResourceMethod struct {
	Context []string `json:"@context"`
	VerificationMethod
}

// ResourceService is a service dereferenced on its own, with the @context
// of its document.
type ResourceService struct {
	Context []string `json:"@context"`
	Service
}

// IsDIDURL reports whether s starts as a DID and goes on with a path, query
// or fragment: a string to dereference (DID Resolution §5) rather than to
// resolve. It does not check that s is valid.
func IsDIDURL(s string) bool {
	return strings.HasPrefix(s, "did:") && strings.ContainsAny(s[4:], "/?#")
}

// Dereference dereferences a DID URL (DID Resolution §5.2 "Algorithm"): it
// resolves the DID and selects the verification method or service the
// fragment names (DID Core 1.0 §3.2.2), or the document when there is no
// fragment. The DID parameters versionId and versionTime (DID Core 1.0
// §3.2.1) in the query select the version, as the options of the same names
// do; a path or another parameter names nothing weid serves (ErrNotFound).
// A string that is not a valid DID URL fails with ErrInvalidDIDURL.
func (r *Resolver) Dereference(ctx context.Context, s string, opts Options) (*DereferencingResult, error) {
	u, err := ParseDIDURL(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidDIDURL, strings.TrimPrefix(err.Error(), ErrInvalidDID.Error()+": "))
	}
	if u.Path != "" {
		return nil, fmt.Errorf("%w: %s: weid dereferences no DID URL path", ErrNotFound, s)
	}
	if u.Query != "" {
		if opts, err = didParameters(u, opts); err != nil {
			return nil, err
		}
	}
	m, ok := r.methods[u.Method]
	if !ok {
		return nil, fmt.Errorf("%w: did:%s", ErrMethodNotSupported, u.Method)
	}
	res, err := m.Resolve(ctx, u, opts)
	if res == nil {
		return nil, err
	}
	out := &DereferencingResult{
		Content:               res.Document,
		DereferencingMetadata: res.ResolutionMetadata,
		ContentMetadata:       res.DocumentMetadata,
	}
	if err != nil || u.Fragment == "" || res.Document == nil {
		return out, err
	}
	doc := res.Document
	id := u.DID + "#" + u.Fragment
	if vm, ok := doc.Method(id); ok {
		out.Content = ResourceMethod{Context: doc.Context, VerificationMethod: *vm}
		return out, nil
	}
	for _, svc := range doc.Service {
		if doc.absolute(svc.ID) == id {
			out.Content = ResourceService{Context: doc.Context, Service: svc}
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w: %s has no verification method or service %q", ErrNotFound, u.DID, "#"+u.Fragment)
}

// didParameters reads the DID parameters of u's query into opts (DID Core
// 1.0 §3.2.1): versionId and versionTime, which must agree with options
// already given.
func didParameters(u DIDURL, opts Options) (Options, error) {
	q, err := url.ParseQuery(u.Query)
	if err != nil {
		return opts, fmt.Errorf("%w: %s: query: %v", ErrInvalidDIDURL, u, err)
	}
	for k, v := range q {
		if len(v) != 1 {
			return opts, fmt.Errorf("%w: %s: DID parameter %q given %d times", ErrInvalidDIDURL, u, k, len(v))
		}
		switch k {
		case "versionId":
			if opts.VersionID != "" && opts.VersionID != v[0] {
				return opts, fmt.Errorf("%w: versionId %q in the DID URL and %q in the options", ErrInvalidOptions, v[0], opts.VersionID)
			}
			opts.VersionID = v[0]
		case "versionTime":
			t, err := time.Parse(time.RFC3339, v[0])
			if err != nil {
				return opts, fmt.Errorf("%w: %s: versionTime must be an XML Schema dateTime in UTC", ErrInvalidDIDURL, u)
			}
			if !opts.VersionTime.IsZero() && !opts.VersionTime.Equal(t) {
				return opts, fmt.Errorf("%w: versionTime in the DID URL and in the options differ", ErrInvalidOptions)
			}
			opts.VersionTime = t
		default:
			return opts, fmt.Errorf("%w: %s: weid dereferences no DID parameter %q", ErrNotFound, u, k)
		}
	}
	if opts.VersionID != "" && !opts.VersionTime.IsZero() {
		return opts, fmt.Errorf("%w: give versionId or versionTime, not both", ErrInvalidOptions)
	}
	return opts, nil
}
