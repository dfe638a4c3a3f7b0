package dids

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// mediaResolution is the media type of a DID Resolution result.
const mediaResolution = "application/did-resolution+json"

// resolutionStatus maps DID Resolution error codes to HTTP statuses.
var resolutionStatus = map[string]int{"invalidDid": 400, "notFound": 404, "methodNotSupported": 501, "invalidPublicKey": 400, "invalidOptions": 400}

// Resolve implements the DID Resolution HTTP(S) binding: the DID (or DID
// URL) in one path segment, percent-encoded or not; options versionId and
// versionTime in the query. Errors are problems that also carry the
// didResolutionMetadata error code; a deactivated DID answers 410 with its
// metadata. GET /v1/dids/{did} answers the same.
func (h *Handlers) Resolve(w http.ResponseWriter, r *http.Request) error {
	d, opts, err := resolutionRequest(r)
	if err != nil {
		return resolutionError(w, r, err)
	}
	res, err := h.Node.Resolver.Resolve(r.Context(), d, opts)
	switch {
	case err == nil:
		return httpx.Body(w, http.StatusOK, mediaResolution, res)
	case errors.Is(err, did.ErrDeactivated):
		return httpx.Body(w, http.StatusGone, mediaResolution, res)
	}
	code := did.ErrorCode(err)
	if errors.Is(err, did.ErrInvalidOptions) {
		code = "invalidOptions"
	}
	status := resolutionStatus[code]
	if status == 0 {
		return err
	}
	return resolutionError(w, r, errs.New(status, "did."+code, "%s", strings.TrimSpace(err.Error())))
}

// resolutionRequest reads the DID and the resolution options.
func resolutionRequest(r *http.Request) (string, did.Options, error) {
	var opts did.Options
	d, err := url.PathUnescape(chi.URLParam(r, "did"))
	if err != nil {
		return "", opts, errs.BadRequest("did.invalidDid", "DID in path: %v", err)
	}
	q := r.URL.Query()
	opts.VersionID = q.Get("versionId")
	if vt := q.Get("versionTime"); vt != "" {
		t, err := time.Parse(time.RFC3339, vt)
		if err != nil {
			return "", opts, errs.BadRequest("did.invalidOptions", "versionTime must be an RFC 3339 date-time")
		}
		opts.VersionTime = t
	}
	if opts.VersionID != "" && !opts.VersionTime.IsZero() {
		return "", opts, errs.BadRequest("did.invalidOptions", "give versionId or versionTime, not both")
	}
	return d, opts, nil
}

// resolutionError renders a resolution error as a problem that carries
// didResolutionMetadata.error (the code after "did.").
func resolutionError(w http.ResponseWriter, r *http.Request, err error) error {
	e, _ := errs.As(err)
	httpx.WriteProblem(w, r, err, map[string]any{
		"didDocument":           nil,
		"didResolutionMetadata": map[string]string{"error": strings.TrimPrefix(e.Code, "did."), "errorMessage": e.Detail},
		"didDocumentMetadata":   map[string]any{},
	})
	return nil
}
