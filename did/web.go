package did

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// webTimeout bounds one did:web resolution, redirects and body included.
const webTimeout = 10 * time.Second

// webMaxRedirects bounds the same-host redirects a did:web fetch follows.
const webMaxRedirects = 3

// WebMethod resolves did:web DIDs (W3C CCG "did:web Method Specification",
// §2.4 "DID method operations", "Read (Resolve)") by fetching the document
// over HTTPS:
//
//	did:web:example.com              → https://example.com/.well-known/did.json
//	did:web:example.com:user:alice   → https://example.com/user/alice/did.json
//	did:web:example.com%3A8443       → https://example.com:8443/.well-known/did.json
//
// Only hosts listed in AllowedHosts are contacted: resolving a did:web makes
// the resolver fetch a URL chosen by whoever wrote the DID, so an open
// resolver could be pointed at internal services. Redirects are followed
// only to https URLs on the same host; the document must decode with
// DecodeDocument and its id must be the DID.
type WebMethod struct {
	// Client sends the requests. Nil means a client with a 10 s timeout.
	// Resolve works on a copy whose CheckRedirect is replaced.
	Client *http.Client
	// AllowedHosts lists the host or host:port values (as they appear in
	// the DID once %3A is decoded) whose DIDs may be resolved. Matching is
	// exact and case-insensitive; "example.com" does not allow
	// "example.com:8443". Empty allows none.
	AllowedHosts []string
	// MaxBytes bounds the response body; 0 means MaxDocumentBytes (64 KiB),
	// which DecodeDocument enforces in any case.
	MaxBytes int64
}

// Resolve implements MethodResolver. It fails with ErrInvalidDID for an
// identifier that is not a valid did:web, ErrMethodNotSupported for a host
// outside AllowedHosts, and ErrNotFound for a 404 or 410 answer or a document
// whose id is another DID. Each call is bounded by ctx and by 10 s. did:web
// keeps no history, so a requested versionId or versionTime fails with
// ErrNotFound.
func (w WebMethod) Resolve(ctx context.Context, d DIDURL, opts Options) (*ResolutionResult, error) {
	if d.Method != "web" {
		return nil, fmt.Errorf("%w: WebMethod resolves did:web, not did:%s", ErrMethodNotSupported, d.Method)
	}
	target, host, err := webDocumentURL(d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.DID, err)
	}
	if !w.allowed(host) {
		return nil, fmt.Errorf("%w: %s: host %q is not in the did:web allowlist (WebMethod.AllowedHosts)", ErrMethodNotSupported, d.DID, host)
	}
	if opts.VersionID != "" || !opts.VersionTime.IsZero() {
		return nil, fmt.Errorf("%w: %s: did:web keeps no version history (versionId and versionTime are not supported)", ErrNotFound, d.DID)
	}

	ctx, cancel := context.WithTimeout(ctx, webTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("did:web: %s: %w", target, err)
	}
	req.Header.Set("Accept", "application/did+json, application/did+ld+json, application/json;q=0.9")
	resp, err := w.httpClient(host).Do(req)
	if err != nil {
		return nil, fmt.Errorf("did:web: fetch %s: %w", target, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("%w: %s: %s answered %s", ErrNotFound, d.DID, target, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("did:web: fetch %s: unexpected status %s", target, resp.Status)
	}

	limit := w.MaxBytes
	if limit <= 0 {
		limit = MaxDocumentBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("did:web: read %s: %w", target, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("did:web: %s: document larger than %d bytes", target, limit)
	}
	doc, err := DecodeDocument(body)
	if err != nil {
		return nil, fmt.Errorf("did:web: %s: %w", target, err)
	}
	// A document whose id is another DID is not this DID's document.
	if doc.ID != d.DID {
		return nil, fmt.Errorf("%w: %s: document id mismatch: %s serves the document of %q", ErrNotFound, d.DID, target, doc.ID)
	}
	return &ResolutionResult{
		Document: doc,
		ResolutionMetadata: ResolutionMetadata{
			ContentType: mediaTypeDIDLD,
			Retrieved:   time.Now().UTC().Format(time.RFC3339),
		},
	}, nil
}

// allowed reports whether host (host or host:port, lowercase) is listed.
func (w WebMethod) allowed(host string) bool {
	for _, h := range w.AllowedHosts {
		if strings.EqualFold(strings.TrimSpace(h), host) {
			return true
		}
	}
	return false
}

// httpClient returns a copy of the configured client that follows at most
// webMaxRedirects redirects, each to an https URL on host.
func (w WebMethod) httpClient(host string) *http.Client {
	c := http.Client{Timeout: webTimeout}
	if w.Client != nil {
		c = *w.Client
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > webMaxRedirects {
			return fmt.Errorf("did:web: more than %d redirects", webMaxRedirects)
		}
		if req.URL.Scheme != "https" || !strings.EqualFold(req.URL.Host, host) {
			return fmt.Errorf("did:web: refusing redirect to %s: only https on %s is followed", req.URL.Redacted(), host)
		}
		return nil
	}
	return &c
}

// webDocumentURL maps a did:web method-specific id to the URL of its
// document ("Read (Resolve)" steps 1-5) and returns the host[:port] it
// names, lowercase. The host must be a DNS name, not an IP address (did:web
// §2.3 "Method-specific identifier": it "MUST NOT include IP addresses");
// %3A before a port is the only percent-encoding accepted in it. Path
// segments are letters, digits, '.', '-' and '_', and neither "." nor "..".
func webDocumentURL(id string) (url, host string, err error) {
	segs := strings.Split(id, ":")
	hostport := segs[0]
	name, port := hostport, ""
	if i := strings.Index(strings.ToLower(hostport), "%3a"); i >= 0 {
		name, port = hostport[:i], hostport[i+3:]
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return "", "", fmt.Errorf("%w: did:web port %q is not a number from 1 to 65535", ErrInvalidDID, port)
		}
	}
	name = strings.ToLower(name)
	if err := checkWebHostname(name); err != nil {
		return "", "", fmt.Errorf("%w: did:web host %q: %v", ErrInvalidDID, name, err)
	}
	host = name
	if port != "" {
		host += ":" + port
	}
	path := "/.well-known"
	if len(segs) > 1 {
		path = ""
		for _, s := range segs[1:] {
			if err := checkWebPathSegment(s); err != nil {
				return "", "", fmt.Errorf("%w: did:web path segment %q: %v", ErrInvalidDID, s, err)
			}
			path += "/" + s
		}
	}
	return "https://" + host + path + "/did.json", host, nil
}

// checkWebHostname checks a lowercase DNS name (RFC 1123 §2.1 labels).
func checkWebHostname(name string) error {
	if name == "" {
		return errors.New("empty host")
	}
	if len(name) > 253 {
		return errors.New("host longer than 253 characters")
	}
	if net.ParseIP(name) != nil {
		return errors.New("IP addresses are not allowed")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return errors.New("each label must have 1 to 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return errors.New("a label cannot start or end with '-'")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("character %q not allowed in a host name", c)
			}
		}
	}
	return nil
}

// checkWebPathSegment checks one colon-separated path segment of a did:web.
func checkWebPathSegment(s string) error {
	if s == "" {
		return errors.New("empty path segment")
	}
	if s == "." || s == ".." {
		return errors.New("dot segments are not allowed")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("character %q not allowed", c)
		}
	}
	return nil
}
