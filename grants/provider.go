package grants

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/weidgo/weid/errs"
)

// Provider serves a data holder's data: the claims of a resource held about
// a subject (the grantor). Errors a caller should see are *errs.Error and
// must say nothing of the data.
type Provider interface {
	// Has reports whether the holder serves resource at all.
	Has(ctx context.Context, resource string) (bool, error)
	// Claims returns the named claims of resource about subject; claims
	// the holder does not have are left out. No data about subject is 404
	// exchange.noData.
	Claims(ctx context.Context, resource, subject string, names []string) (map[string]any, error)
}

var resourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidResourceName checks the name of an exchange resource: 1 to 128 of
// A–Z a–z 0–9 . _ -, not starting with a dot, underscore or hyphen.
func ValidResourceName(name string) error {
	if !resourceName.MatchString(name) {
		return errs.BadRequest("exchange.invalidResource", "a resource name is 1 to 128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit")
	}
	return nil
}

// MaxDataBytes bounds the data of one subject a provider reads.
const MaxDataBytes = 1 << 20

func noData() error {
	return errs.New(http.StatusNotFound, "exchange.noData", "the data holder has no data of this resource about the grantor")
}

// pick decodes a JSON object of claims and keeps the named ones.
func pick(raw []byte, names []string) (map[string]any, error) {
	var all map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&all); err != nil || all == nil {
		return nil, errors.New("the stored data is not a JSON object")
	}
	out := make(map[string]any, len(names))
	for _, n := range names {
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

// DirProvider serves files: the data of resource about subject is the JSON
// object in Dir/<resource>/<subject>.json (the subject DID as is; on systems
// whose file names cannot hold ':' it is percent-escaped: %3A).
type DirProvider struct {
	Dir string
}

// Has implements Provider: Dir/<resource> is a directory.
func (p DirProvider) Has(_ context.Context, resource string) (bool, error) {
	if ValidResourceName(resource) != nil {
		return false, nil
	}
	fi, err := os.Stat(filepath.Join(p.Dir, resource))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}

// Claims implements Provider.
func (p DirProvider) Claims(_ context.Context, resource, subject string, names []string) (map[string]any, error) {
	if err := ValidResourceName(resource); err != nil {
		return nil, err
	}
	if subject == "" || strings.ContainsAny(subject, `/\`) || strings.HasPrefix(subject, ".") {
		return nil, noData()
	}
	var raw []byte
	var err error
	for _, name := range []string{subject, url.PathEscape(subject)} {
		raw, err = readLimited(filepath.Join(p.Dir, resource, name+".json"))
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, noData()
	}
	if err != nil {
		return nil, err
	}
	return pick(raw, names)
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxDataBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxDataBytes {
		return nil, fmt.Errorf("data file is larger than %d bytes", MaxDataBytes)
	}
	return raw, nil
}

// HTTPProvider asks an HTTP backend: GET {URL}/{resource} answers 200 if
// the resource exists (its body is ignored) and GET
// {URL}/{resource}?subject={DID} answers 200 with the JSON object of the
// subject's claims, 404 if there is none.
type HTTPProvider struct {
	URL    string
	Client *http.Client // nil: http.DefaultClient
}

func (p HTTPProvider) get(ctx context.Context, resource string, q url.Values) (int, []byte, error) {
	u := strings.TrimRight(p.URL, "/") + "/" + url.PathEscape(resource)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	c := p.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, errs.New(http.StatusBadGateway, "exchange.backendFailed", "the data holder's backend did not answer")
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxDataBytes+1))
	if err != nil || len(raw) > MaxDataBytes {
		return 0, nil, errs.New(http.StatusBadGateway, "exchange.backendFailed", "the data holder's backend answered unreadably")
	}
	return resp.StatusCode, raw, nil
}

// Has implements Provider.
func (p HTTPProvider) Has(ctx context.Context, resource string) (bool, error) {
	if ValidResourceName(resource) != nil {
		return false, nil
	}
	code, _, err := p.get(ctx, resource, nil)
	if err != nil {
		return false, err
	}
	switch {
	case code == http.StatusOK:
		return true, nil
	case code == http.StatusNotFound:
		return false, nil
	}
	return false, errs.New(http.StatusBadGateway, "exchange.backendFailed", "the data holder's backend answered %d", code)
}

// Claims implements Provider.
func (p HTTPProvider) Claims(ctx context.Context, resource, subject string, names []string) (map[string]any, error) {
	code, raw, err := p.get(ctx, resource, url.Values{"subject": {subject}})
	if err != nil {
		return nil, err
	}
	switch code {
	case http.StatusOK:
		m, err := pick(raw, names)
		if err != nil {
			return nil, errs.New(http.StatusBadGateway, "exchange.backendFailed", "the data holder's backend answered %v", err)
		}
		return m, nil
	case http.StatusNotFound:
		return nil, noData()
	}
	return nil, errs.New(http.StatusBadGateway, "exchange.backendFailed", "the data holder's backend answered %d", code)
}
