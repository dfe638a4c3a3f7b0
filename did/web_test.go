package did

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWebDocumentURL(t *testing.T) {
	cases := []struct{ id, url, host string }{
		// The examples of did:web §2.3 and "Read (Resolve)".
		{"w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json", "w3c-ccg.github.io"},
		{"w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json", "w3c-ccg.github.io"},
		{"example.com%3A3000", "https://example.com:3000/.well-known/did.json", "example.com:3000"},
		{"example.com%3a3000:user:alice", "https://example.com:3000/user/alice/did.json", "example.com:3000"},
		{"Example.COM:Users:Bob_1.x", "https://example.com/Users/Bob_1.x/did.json", "example.com"},
		{"localhost", "https://localhost/.well-known/did.json", "localhost"},
	}
	for _, c := range cases {
		url, host, err := webDocumentURL(c.id)
		if err != nil || url != c.url || host != c.host {
			t.Errorf("webDocumentURL(%q) = %q, %q, %v; want %q, %q", c.id, url, host, err, c.url, c.host)
		}
	}
	for _, bad := range []string{
		"127.0.0.1", "127.0.0.1%3A8080", "example.com%3A0", "example.com%3A99999", "example.com%3A",
		"example.com%3A08", "example.com%3A80%3A81", "example.com%2F..", "example.com%40evil.net",
		"exa_mple.com", "-example.com", "example-.com", "example..com", ".example.com",
		strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 127) + "com",
		"example.com:", "example.com::x", "example.com:..", "example.com:.", "example.com:a%2Fb",
	} {
		if url, _, err := webDocumentURL(bad); !errors.Is(err, ErrInvalidDID) {
			t.Errorf("webDocumentURL(%q) = %q, %v; want ErrInvalidDID", bad, url, err)
		}
	}
}

// webFixture is a TLS server that answers for every host: the client dials
// it whatever the URL, so DIDs can name real host names (the test
// certificate is valid for example.com) and the test sees which hosts the
// resolver tried to reach.
type webFixture struct {
	method WebMethod

	mu     sync.Mutex
	dialed []string
	paths  []string
}

func (f *webFixture) record(list *[]string, s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*list = append(*list, s)
}

func (f *webFixture) seen() (dialed, paths []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.dialed), slices.Clone(f.paths)
}

// webDoc is a minimal did:web document with one Multikey.
func webDoc(did string) string {
	return `{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": "` + did + `",
  "verificationMethod": [{
    "id": "#key-1",
    "type": "Multikey",
    "controller": "` + did + `",
    "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
  }],
  "authentication": ["#key-1"],
  "assertionMethod": ["` + did + `#key-1"]
}`
}

func newWebFixture(t *testing.T) *webFixture {
	f := &webFixture{}
	// The slow document is never served while the test runs, not even
	// once the request's context ends: in a run on a loaded machine the
	// handler returned on that and its empty 200 reached the client
	// before the client's own deadline ("decode DID document: EOF").
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.record(&f.paths, r.Host+r.URL.Path)
		w.Header().Set("Content-Type", "application/did+json")
		switch r.URL.Path {
		case "/.well-known/did.json":
			fmt.Fprint(w, webDoc("did:web:"+strings.ReplaceAll(r.Host, ":", "%3A")))
		case "/user/alice/did.json":
			fmt.Fprint(w, webDoc("did:web:example.com:user:alice"))
		case "/mismatch/did.json":
			fmt.Fprint(w, webDoc("did:web:example.com:someone-else"))
		case "/big/did.json":
			fmt.Fprint(w, webDoc("did:web:example.com:big")+strings.Repeat(" ", MaxDocumentBytes))
		case "/notjson/did.json":
			fmt.Fprint(w, "<html>hello</html>")
		case "/gone/did.json":
			http.Error(w, "gone", http.StatusGone)
		case "/error/did.json":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/redirect-out/did.json":
			http.Redirect(w, r, "https://evil.example.net/did.json", http.StatusFound)
		case "/redirect-http/did.json":
			http.Redirect(w, r, "http://example.com/user/alice/did.json", http.StatusFound)
		case "/redirect-same/did.json":
			http.Redirect(w, r, "/moved/did.json", http.StatusMovedPermanently)
		case "/moved/did.json":
			fmt.Fprint(w, webDoc("did:web:example.com:redirect-same"))
		case "/loop/did.json":
			http.Redirect(w, r, "/loop/did.json", http.StatusFound)
		case "/slow/did.json":
			<-release
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the handlers
	tr := srv.Client().Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		f.record(&f.dialed, a)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	f.method = WebMethod{
		Client:       &http.Client{Transport: tr},
		AllowedHosts: []string{"example.com", " Example.COM:8443 "},
	}
	return f
}

func (f *webFixture) resolve(t *testing.T, did string) (*ResolutionResult, error) {
	t.Helper()
	u, err := ParseDID(did)
	if err != nil {
		t.Fatalf("ParseDID(%s): %v", did, err)
	}
	return f.method.Resolve(context.Background(), u, Options{})
}

func TestWebResolve(t *testing.T) {
	f := newWebFixture(t)
	for _, c := range []struct{ did, path string }{
		{"did:web:example.com", "example.com/.well-known/did.json"},
		{"did:web:example.com:user:alice", "example.com/user/alice/did.json"},
		{"did:web:example.com%3A8443", "example.com:8443/.well-known/did.json"},
		{"did:web:example.com:redirect-same", "example.com/moved/did.json"},
	} {
		res, err := f.resolve(t, c.did)
		if err != nil {
			t.Errorf("Resolve(%s): %v", c.did, err)
			continue
		}
		d := res.Document
		if d.ID != c.did {
			t.Errorf("Resolve(%s): id %s", c.did, d.ID)
		}
		if vm, ok := d.Method(c.did + "#key-1"); !ok || !d.HasRelationship("authentication", vm.ID) || !d.HasRelationship("assertionMethod", "#key-1") {
			t.Errorf("Resolve(%s): key-1 missing: %+v", c.did, d)
		}
		if res.ResolutionMetadata.ContentType == "" {
			t.Errorf("Resolve(%s): no content type", c.did)
		}
		if _, err := time.Parse(time.RFC3339, res.ResolutionMetadata.Retrieved); err != nil {
			t.Errorf("Resolve(%s): retrieved %q: %v", c.did, res.ResolutionMetadata.Retrieved, err)
		}
		if _, paths := f.seen(); paths[len(paths)-1] != c.path {
			t.Errorf("Resolve(%s) fetched %s, want %s", c.did, paths[len(paths)-1], c.path)
		}
	}
	dialed, _ := f.seen()
	for _, a := range dialed {
		if a != "example.com:443" && a != "example.com:8443" {
			t.Errorf("dialed %s", a)
		}
	}
}

func TestWebErrors(t *testing.T) {
	f := newWebFixture(t)
	cases := []struct {
		did  string
		want error // nil: any error that is none of the sentinels
		msg  string
	}{
		{"did:web:example.com:missing", ErrNotFound, "404"},
		{"did:web:example.com:gone", ErrNotFound, "410"},
		{"did:web:example.com:error", nil, "500"},
		{"did:web:example.com:mismatch", ErrNotFound, "document id mismatch"},
		{"did:web:example.com:big", nil, "larger than"},
		{"did:web:example.com:notjson", nil, "decode DID document"},
		{"did:web:example.com:redirect-out", nil, "refusing redirect"},
		{"did:web:example.com:redirect-http", nil, "refusing redirect"},
		{"did:web:example.com:loop", nil, "redirects"},
		{"did:web:127.0.0.1", ErrInvalidDID, "IP address"},
	}
	for _, c := range cases {
		res, err := f.resolve(t, c.did)
		if err == nil || res != nil {
			t.Errorf("Resolve(%s) = %v, %v; want an error", c.did, res, err)
			continue
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("Resolve(%s): %v; want %v", c.did, err, c.want)
		}
		if c.want == nil && ErrorCode(err) != "internalError" {
			t.Errorf("Resolve(%s): %v has code %s", c.did, err, ErrorCode(err))
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Resolve(%s): error %q does not mention %q", c.did, err, c.msg)
		}
	}
	dialed, _ := f.seen()
	for _, a := range dialed {
		if !strings.HasPrefix(a, "example.com:") {
			t.Errorf("dialed %s", a)
		}
	}
}

func TestWebAllowlist(t *testing.T) {
	f := newWebFixture(t)
	for _, did := range []string{
		"did:web:other.example",
		"did:web:example.com%3A9443",  // port not listed
		"did:web:sub.example.com",     // exact match only
		"did:web:example.com.evil.io", // suffix tricks
	} {
		_, err := f.resolve(t, did)
		if !errors.Is(err, ErrMethodNotSupported) || !strings.Contains(err.Error(), "allowlist") {
			t.Errorf("Resolve(%s): %v; want ErrMethodNotSupported naming the allowlist", did, err)
		}
	}
	f.method.AllowedHosts = nil
	if _, err := f.resolve(t, "did:web:example.com"); !errors.Is(err, ErrMethodNotSupported) {
		t.Errorf("empty allowlist: %v", err)
	}
	if dialed, paths := f.seen(); len(dialed)+len(paths) != 0 {
		t.Errorf("hosts outside the allowlist were contacted: %q %q", dialed, paths)
	}
}

func TestWebLimits(t *testing.T) {
	f := newWebFixture(t)
	f.method.MaxBytes = 200
	if _, err := f.resolve(t, "did:web:example.com"); err == nil || !strings.Contains(err.Error(), "larger than 200 bytes") {
		t.Errorf("MaxBytes 200: %v", err)
	}
	f.method.MaxBytes = 0

	u, _ := ParseDID("did:web:example.com:slow")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.method.Resolve(ctx, u, Options{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow server: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("slow server took %v", d)
	}

	u, _ = ParseDID("did:web:example.com")
	if _, err := f.method.Resolve(context.Background(), u, Options{VersionID: "1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("versionId: %v", err)
	}
	if _, err := f.method.Resolve(context.Background(), u, Options{VersionTime: time.Now()}); !errors.Is(err, ErrNotFound) {
		t.Errorf("versionTime: %v", err)
	}
	k, _ := ParseDID("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	if _, err := f.method.Resolve(context.Background(), k, Options{}); !errors.Is(err, ErrMethodNotSupported) {
		t.Errorf("did:key: %v", err)
	}
	// The caller's client is not modified.
	if f.method.Client.CheckRedirect != nil {
		t.Error("Resolve changed the caller's http.Client")
	}
}
