package dids

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// resolutionStatus maps DID Resolution error codes (DID Resolution §7.1 and
// the did:key method's, did:key v0.7 §3.1) to HTTP statuses (DID Resolution
// v1.0 §12.1 "HTTP(S) Binding": invalidDid 400, notFound 404,
// representationNotSupported 406, methodNotSupported 501; the key and URL
// errors are bad input too).
var resolutionStatus = map[string]int{
	"invalidDid":                 400,
	"invalidDidUrl":              400,
	"notFound":                   404,
	"methodNotSupported":         501,
	"representationNotSupported": 406,
	"invalidPublicKey":           400,
	"invalidPublicKeyLength":     400,
	"invalidPublicKeyType":       400,
	"unsupportedPublicKeyType":   400,
	"invalidOptions":             400,
}

// Resolve implements the DID Resolution HTTP(S) binding: the DID (or DID
// URL) in one path segment, percent-encoded or not; options versionId,
// versionTime, and for did:key publicKeyFormat and
// enableExperimentalPublicKeyTypes, in the query. A DID URL (with a path,
// query or fragment) is dereferenced (DID Resolution §5): its fragment
// selects a verification method or service. Every answer, success or error,
// is a result with the DID Resolution @context, didDocument,
// didDocumentMetadata and didResolutionMetadata (didDereferencingMetadata
// for a DID URL); errors are also problems whose code is "did." and the
// metadata's error. A deactivated DID answers 410 with its metadata.
// The Accept header chooses the result or the document (or the content)
// alone, and the Content-Type (did.Negotiate; DID Resolution v1.0 §12.1).
// GET /v1/dids/{did} answers the same.
func (h *Handlers) Resolve(w http.ResponseWriter, r *http.Request) error {
	w.Header().Add("Vary", "Accept")
	d, opts, proof, err := resolutionRequest(r)
	deref := did.IsDIDURL(d)
	rep, nerr := did.Negotiate(strings.Join(r.Header.Values("Accept"), ","), deref)
	if err = cmp.Or(err, nerr); err != nil {
		return resolutionError(w, r, deref, err)
	}
	if deref {
		return h.dereference(w, r, d, opts, rep)
	}
	if proof {
		return h.resolveProven(w, r, d, opts, rep)
	}
	res, err := h.Node.Resolver.Resolve(r.Context(), d, opts)
	if err != nil && !errors.Is(err, did.ErrDeactivated) {
		return resolutionError(w, r, false, err)
	}
	// Results may be cached and shared: copy before setting the context.
	out := *res
	out.Context = did.ContextResolution
	status := http.StatusOK
	if err != nil {
		status = http.StatusGone
	}
	return answer(w, status, rep, &out, out.Document)
}

// answer writes result, or only its document (its content, for a DID URL)
// when the client asked for that representation.
func answer(w http.ResponseWriter, status int, rep did.Representation, result, doc any) error {
	if !rep.Result {
		result = doc
	}
	return httpx.Body(w, status, rep.MediaType, result)
}

// resolveProven answers ?proof=true (issue 18): the result read from one
// view of the state with the proof of the records behind it (or of the
// DID's absence: 404 with the proof), the block header and its signature
// or commit (api.ProvenResolution), which no document alone can carry.
func (h *Handlers) resolveProven(w http.ResponseWriter, r *http.Request, d string, opts did.Options, rep did.Representation) error {
	if !opts.VersionTime.IsZero() {
		return errs.BadRequest("did.invalidOptions", "proof=true takes versionId, not versionTime")
	}
	if !rep.Result {
		return resolutionError(w, r, false, fmt.Errorf("%w: proof=true answers a whole result, not %s", did.ErrRepresentationNotSupported, rep.MediaType))
	}
	res, err := h.Node.ResolveProven(r.Context(), d, opts.VersionID)
	switch {
	case errors.Is(err, did.ErrNotFound) && res != nil:
		return httpx.Body(w, http.StatusNotFound, rep.MediaType, res)
	case err != nil:
		return resolutionError(w, r, false, err)
	case res.DocumentMetadata.Deactivated:
		return httpx.Body(w, http.StatusGone, rep.MediaType, res)
	}
	return httpx.Body(w, http.StatusOK, rep.MediaType, res)
}

// dereference answers for a DID URL (DID Resolution §5).
func (h *Handlers) dereference(w http.ResponseWriter, r *http.Request, d string, opts did.Options, rep did.Representation) error {
	res, err := h.Node.Resolver.Dereference(r.Context(), d, opts)
	if err != nil && !(errors.Is(err, did.ErrDeactivated) && res != nil) {
		return resolutionError(w, r, true, err)
	}
	res.Context = did.ContextResolution
	status := http.StatusOK
	if err != nil {
		status = http.StatusGone
	}
	return answer(w, status, rep, res, res.Content)
}

// resolutionRequest reads the DID, the resolution options (did.ParseOptions)
// and weid's ?proof= (true or false, as did.BoolOption reads them).
func resolutionRequest(r *http.Request) (string, did.Options, bool, error) {
	d, err := url.PathUnescape(chi.URLParam(r, "did"))
	if err != nil {
		return "", did.Options{}, false, errs.BadRequest("did.invalidDid", "DID in path: %v", err)
	}
	opts, err := did.ParseOptions(r.URL.Query())
	if err != nil {
		return d, opts, false, err
	}
	proof, err := did.BoolOption(r.URL.Query(), "proof")
	return d, opts, proof, err
}

// resolutionError renders a resolution error as a problem that is also a
// DID Resolution result (DID Resolution §4.1): the @context, an empty
// didDocument (DID Core 1.0 §7.1.2: "If the resolution is unsuccessful,
// this value MUST be empty"), empty didDocumentMetadata, and the error (the
// problem code after "did.") in didResolutionMetadata, or in
// didDereferencingMetadata when a DID URL was dereferenced.
func resolutionError(w http.ResponseWriter, r *http.Request, deref bool, err error) error {
	var code, detail string
	if e, ok := errs.As(err); ok {
		code, detail = strings.TrimPrefix(e.Code, "did."), e.Detail
	} else {
		code = did.ErrorCode(err)
		if errors.Is(err, did.ErrInvalidOptions) {
			code = "invalidOptions"
		}
		if status := resolutionStatus[code]; status != 0 {
			detail = strings.TrimSpace(err.Error())
			err = errs.New(status, "did."+code, "%s", detail)
		} else {
			// A bug or a broken disk: WriteProblem logs err and answers 5xx.
			code, detail = "internalError", httpx.ProblemFor(err).Detail
		}
	}
	meta := "didResolutionMetadata"
	if deref {
		meta = "didDereferencingMetadata"
	}
	httpx.WriteProblem(w, r, err, map[string]any{
		"@context":            did.ContextResolution,
		"didDocument":         map[string]any{},
		meta:                  map[string]string{"error": code, "errorMessage": detail},
		"didDocumentMetadata": map[string]any{},
	})
	return nil
}
