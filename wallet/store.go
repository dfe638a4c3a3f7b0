package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/sdjwt"
)

// IDLen is the length of a stored credential's id: hex digits of the
// SHA-256 of the credential as stored.
const IDLen = 12

// ErrNoCredential reports a credential id the wallet does not hold.
var ErrNoCredential = errors.New("no credential")

// ErrHeld reports a credential the wallet already holds.
var ErrHeld = errors.New("the credential is already in the wallet")

// HeldError reports a credential the wallet already holds, and as which
// id; it is ErrHeld (errors.Is).
type HeldError struct{ ID string }

func (e *HeldError) Error() string { return ErrHeld.Error() + " as " + e.ID }

// Is reports whether target is ErrHeld.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// AmbiguousError reports an id prefix (Find) that names N credentials of
// the wallet.
type AmbiguousError struct {
	Prefix string
	N      int
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%q names %d credentials of the wallet; give more of the id", e.Prefix, e.N)
}

// Stored is a credential of the wallet, credentials/<id>.json: the
// credential as received (normalized: an enveloped vc+jwt or SD-JWT is
// kept as its compact token) and what the wallet read from it to index it,
// unverified.
type Stored struct {
	Entry
	// Credential is a JSON string (vc+jwt, SD-JWT) or object (Data
	// Integrity).
	Credential json.RawMessage `json:"credential"`
}

// Entry is what the wallet reads from a credential to index it, unverified:
// the members of Stored besides the credential, and of each row of
// "weid wallet list -o json".
type Entry struct {
	// ID is the wallet's id of the credential: the first IDLen hex digits
	// of the SHA-256 of the compact token, or of the credential object's
	// compacted JSON.
	ID     string            `json:"id"`
	Format credential.Format `json:"format"`
	// CredentialID is the credential's own id ("id" or "jti"), if any.
	CredentialID string   `json:"credentialId,omitempty"`
	Types        []string `json:"types"`
	Issuer       string   `json:"issuer"`
	Subject      string   `json:"subject,omitempty"`
	// Issued is when the issuer issued the credential, as the verifier
	// takes it to find the issuer's key as of issuance: a JWT's "iat",
	// else a W3C credential's validFrom (VC DM 2.0 §4.9) or issuanceDate
	// (VC DM 1.1 §4.6); an SD-JWT VC's "iat" only (SD-JWT VC §3.2.2).
	Issued string `json:"issued,omitempty"`
	// ValidFrom and ValidUntil bound the credential's validity: a W3C
	// credential's validFrom and validUntil (VC DM 1.1: issuanceDate and
	// expirationDate), else a JWT's "nbf" and "exp"; an SD-JWT VC's "nbf"
	// and "exp" only. An SD-JWT VC's other claims are its subject's, one
	// named validFrom among them.
	ValidFrom  string `json:"validFrom,omitempty"`
	ValidUntil string `json:"validUntil,omitempty"`
	Added      string `json:"added"`
}

// Disclosure is a disclosure of a stored SD-JWT, as Stored.Claims decodes
// it: a claim's name and value, or an array element's value.
type Disclosure struct {
	Name         string `json:"name,omitempty"`
	Value        any    `json:"value"`
	ArrayElement bool   `json:"arrayElement,omitempty"`
}

// ParseCredential reads raw (a file's bytes: a compact token or JSON) as a
// credential, normalizes it (an enveloped credential becomes its compact
// token) and indexes it, without verifying anything.
func ParseCredential(raw []byte) (*Stored, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("the credential is empty")
	}
	value := json.RawMessage(raw)
	if raw[0] != '{' && raw[0] != '"' {
		b, err := json.Marshal(string(raw))
		if err != nil {
			return nil, err
		}
		value = b
	}
	sec, err := credential.Classify(value)
	if err != nil {
		return nil, err
	}
	if sec.Format == credential.FormatSDJWT && !strings.HasSuffix(sec.Token, "~") {
		return nil, errors.New("this is an SD-JWT presentation, not a credential: it ends with a key-binding JWT made for one verifier; add the credential as its issuer sent it (ending with \"~\")")
	}
	s := &Stored{Entry: Entry{Format: sec.Format}}
	stored, claims, err := s.normalize(sec)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(stored)
	s.ID = hex.EncodeToString(sum[:])[:IDLen]
	s.index(claims)
	return s, nil
}

// normalize sets s.Credential to the form the wallet keeps of sec and
// returns the bytes its id hashes and its claims.
func (s *Stored) normalize(sec credential.Secured) ([]byte, map[string]any, error) {
	var claims map[string]any
	switch sec.Format {
	case credential.FormatJWT, credential.FormatSDJWT:
		issuerJWT, _, _ := strings.Cut(sec.Token, "~")
		j, err := jose.Parse(issuerJWT)
		if err != nil {
			return nil, nil, fmt.Errorf("%s credential: %w", sec.Format, err)
		}
		if err := json.Unmarshal(j.Payload, &claims); err != nil || claims == nil {
			return nil, nil, fmt.Errorf("%s credential: the payload is not a JSON object", sec.Format)
		}
		if s.Credential, err = json.Marshal(sec.Token); err != nil {
			return nil, nil, err
		}
		return []byte(sec.Token), claims, nil
	case credential.FormatDataIntegrity:
		var buf bytes.Buffer
		if err := json.Compact(&buf, sec.Doc); err != nil {
			return nil, nil, fmt.Errorf("credential: %w", err)
		}
		if err := json.Unmarshal(buf.Bytes(), &claims); err != nil {
			return nil, nil, fmt.Errorf("credential: %w", err)
		}
		s.Credential = buf.Bytes()
		return buf.Bytes(), claims, nil
	}
	return nil, nil, fmt.Errorf("credential format %q is not supported", sec.Format)
}

// index fills the indexed fields from a credential's claims: the members
// of a W3C credential (id, type, issuer, credentialSubject.id and its
// dates; a VC 1.1 JWT's "vc" claim, VC DM 1.1 §6.3.1), else the JWT claims
// (jti, iss, sub, iat, nbf, exp); of an SD-JWT VC only its registered
// claims (jti, vct, iss, sub, iat, nbf, exp): its other claims, a "type"
// or "validFrom" among them, are claims about its subject, as the
// verifier maps them (credential.IssueSDJWT).
func (s *Stored) index(c map[string]any) {
	// vc is the W3C credential, jwt the JWT claims; either may be nil.
	vc, jwt := c, c
	switch s.Format {
	case credential.FormatSDJWT:
		vc = nil
	case credential.FormatJWT:
		if m, ok := c["vc"].(map[string]any); ok {
			vc = m
		}
	default:
		jwt = nil
	}
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	s.CredentialID = first(str(vc, "id"), str(jwt, "jti"))
	s.Types = credential.Strings(vc["type"])
	if vct := str(jwt, "vct"); vct != "" {
		s.Types = append(s.Types, vct)
	}
	switch is := vc["issuer"].(type) {
	case string:
		s.Issuer = is
	case map[string]any:
		s.Issuer, _ = is["id"].(string)
	}
	s.Issuer = first(s.Issuer, str(jwt, "iss"))
	s.Subject = first(subjectID(vc["credentialSubject"]), str(jwt, "sub"))
	from, until := "validFrom", "validUntil"
	if ctx := credential.Strings(vc["@context"]); len(ctx) > 0 && ctx[0] == credential.ContextV1 {
		from, until = "issuanceDate", "expirationDate"
	}
	s.ValidFrom = first(date(vc, from), date(jwt, "nbf"))
	s.ValidUntil = first(date(vc, until), date(jwt, "exp"))
	s.Issued = date(jwt, "iat")
	if vc != nil {
		s.Issued = first(s.Issued, s.ValidFrom)
	}
	if s.Types == nil {
		s.Types = []string{}
	}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// date reads claim k as a date: a string as it is, a NumericDate as RFC
// 3339.
func date(c map[string]any, k string) string {
	switch v := c[k].(type) {
	case string:
		return v
	case float64:
		return time.Unix(int64(v), 0).UTC().Format(time.RFC3339)
	}
	return ""
}

// subjectID is the id of a credentialSubject (the first, of several).
func subjectID(s any) string {
	if a, ok := s.([]any); ok && len(a) > 0 {
		s = a[0]
	}
	m, _ := s.(map[string]any)
	id, _ := m["id"].(string)
	return id
}

// Secured returns how the stored credential is secured.
func (s *Stored) Secured() (credential.Secured, error) {
	sec, err := credential.Classify(s.Credential)
	if err != nil {
		return sec, fmt.Errorf("stored credential %s: %w", s.ID, err)
	}
	return sec, nil
}

// Claims decodes the stored credential's claims: the credential object,
// the vc+jwt payload, or the SD-JWT issuer JWT payload and its
// disclosures. Nothing is verified.
func (s *Stored) Claims() (map[string]any, []Disclosure, error) {
	sec, claims, err := s.payload()
	if err != nil {
		return nil, nil, err
	}
	if sec.Format != credential.FormatSDJWT {
		return claims, nil, nil
	}
	ds := []Disclosure{}
	if p, err := sdjwt.Parse(sec.Token, sdjwt.TypVC, "vc+sd-jwt"); err == nil {
		for _, d := range p.Disclosures {
			ds = append(ds, Disclosure{Name: d.Name, Value: d.Value, ArrayElement: d.ArrayElement})
		}
	}
	return claims, ds, nil
}

// payload decodes the stored credential's own claims, without its
// disclosures: the credential object, the vc+jwt payload or the SD-JWT
// issuer JWT payload.
func (s *Stored) payload() (credential.Secured, map[string]any, error) {
	sec, err := s.Secured()
	if err != nil {
		return sec, nil, err
	}
	var claims map[string]any
	switch sec.Format {
	case credential.FormatDataIntegrity:
		err = json.Unmarshal(sec.Doc, &claims)
	case credential.FormatJWT, credential.FormatSDJWT:
		issuerJWT, _, _ := strings.Cut(sec.Token, "~")
		var j *jose.JWS
		if j, err = jose.Parse(issuerJWT); err == nil {
			err = json.Unmarshal(j.Payload, &claims)
		}
	}
	if err != nil {
		return sec, nil, fmt.Errorf("stored credential %s: %w", s.ID, err)
	}
	return sec, claims, nil
}

// IssuerSigned is the stored credential as the wallet sends it to be
// verified: an SD-JWT without its disclosures (RFC 9901 §4: the
// issuer-signed JWT and the separator), so that asking for its status
// discloses none of its selectively disclosable claims; any other
// credential as it is.
func (s *Stored) IssuerSigned() json.RawMessage {
	var tok string
	if s.Format != credential.FormatSDJWT || json.Unmarshal(s.Credential, &tok) != nil {
		return s.Credential
	}
	issuerJWT, _, _ := strings.Cut(tok, "~")
	b, _ := json.Marshal(issuerJWT + "~")
	return b
}

// path is the file of the stored credential id.
func (w *Wallet) path(id string) string {
	return filepath.Join(w.Dir, CredentialDir, id+".json")
}

// DamagedError reports a file of the wallet's credentials/ that does not
// read as a stored credential (cut short by a crash of another program or
// a full disk, or edited by hand). The wallet goes on without it and never
// removes it: it may be the only copy of a credential.
type DamagedError struct {
	Path string
	Err  error
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s is damaged (%v): the wallet goes on without it; move it out of the wallet (or remove it) to stop this message, and ask its issuer for the credential again if you need it", e.Path, e.Err)
}

func (e *DamagedError) Unwrap() error { return e.Err }

// Credentials returns every stored credential that reads, sorted by the
// time added then id; it skips the damaged files Scan names.
func (w *Wallet) Credentials() ([]Stored, error) {
	out, _, err := w.Scan()
	return out, err
}

// Scan returns every stored credential that reads, sorted by the time
// added then id, and the credential files that do not (damaged), which it
// skips: one damaged file does not hide the others.
func (w *Wallet) Scan() ([]Stored, []*DamagedError, error) {
	ents, err := os.ReadDir(filepath.Join(w.Dir, CredentialDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var out []Stored
	var damaged []*DamagedError
	for _, e := range ents {
		// A temporary file a crash left (.<id>.json.tmp-…, see
		// internal/durable) does not end in .json.
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		s, err := w.Credential(id)
		var de *DamagedError
		if errors.As(err, &de) {
			damaged = append(damaged, de)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Added != out[j].Added {
			return out[i].Added < out[j].Added
		}
		return out[i].ID < out[j].ID
	})
	return out, damaged, nil
}

// Credential reads the stored credential id; a file that does not read as
// one is a *DamagedError.
func (w *Wallet) Credential(id string) (*Stored, error) {
	p := w.path(id)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w %q in the wallet %s", ErrNoCredential, id, w.Dir)
	}
	if err != nil {
		return nil, err
	}
	var s Stored
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, &DamagedError{Path: p, Err: err}
	}
	if s.ID != id || len(s.Credential) == 0 {
		return nil, &DamagedError{Path: p, Err: fmt.Errorf("not a stored credential of id %s", id)}
	}
	// The index is read from the credential, not trusted from the file:
	// one stored before the wallet read it right (an SD-JWT VC's subject
	// claim "validFrom" taken for its validity) lists as it reads now.
	if _, claims, err := s.payload(); err == nil && claims != nil {
		s.index(claims)
	}
	return &s, nil
}

// Find returns the stored credential whose id is id or starts with it.
func (w *Wallet) Find(id string) (*Stored, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return nil, fmt.Errorf("%w %q: not a credential id of the wallet", ErrNoCredential, id)
	}
	if len(id) == IDLen {
		return w.Credential(id)
	}
	all, damaged, err := w.Scan()
	if err != nil {
		return nil, err
	}
	var match []*Stored
	for i := range all {
		if strings.HasPrefix(all[i].ID, id) {
			match = append(match, &all[i])
		}
	}
	switch len(match) {
	case 0:
		for _, d := range damaged {
			if strings.HasPrefix(filepath.Base(d.Path), id) {
				return nil, d
			}
		}
		return nil, fmt.Errorf("%w %q in the wallet %s", ErrNoCredential, id, w.Dir)
	case 1:
		return match[0], nil
	}
	return nil, &AmbiguousError{Prefix: id, N: len(match)}
}

// Has reports whether the wallet holds the credential id: its file reads
// as that credential (a damaged one holds nothing: Add replaces it).
func (w *Wallet) Has(id string) bool {
	_, err := w.Credential(id)
	return err == nil
}

// Holds reports whether the wallet holds s and under which id: s itself,
// or, for an SD-JWT, a credential with the same issuer-signed JWT — s is
// then the held credential with other disclosures (a presentation's copy
// of it), not another credential.
func (w *Wallet) Holds(s *Stored) (string, bool) {
	if w.Has(s.ID) {
		return s.ID, true
	}
	if s.Format != credential.FormatSDJWT {
		return "", false
	}
	all, err := w.Credentials()
	if err != nil {
		return "", false
	}
	signed := string(s.IssuerSigned())
	for _, h := range all {
		if h.Format == credential.FormatSDJWT && string(h.IssuerSigned()) == signed {
			return h.ID, true
		}
	}
	return "", false
}

// CanAdd reports whether Add would store s: nil if the wallet does not
// hold it, or holds it only as an SD-JWT with fewer disclosures (a
// presentation's copy, added first), which s then replaces provided its
// disclosures are all the issuer's (referenced by the digests it signed);
// otherwise ErrHeld, naming the credential held, or why s may not replace
// it.
func (w *Wallet) CanAdd(s *Stored) error {
	id, ok := w.Holds(s)
	if !ok {
		return nil
	}
	if id == s.ID || !w.widens(s, id) {
		return &HeldError{ID: id}
	}
	// It replaces a copy that can be presented: every disclosure it adds
	// must be one whose digest the issuer signed.
	if _, err := processed(s); err != nil {
		return fmt.Errorf("it would replace %s, the same credential with fewer disclosures, but %w", id, err)
	}
	return nil
}

// widens reports whether s holds every disclosure of the held SD-JWT id
// and more (the two have one issuer-signed JWT: Holds).
func (w *Wallet) widens(s *Stored, id string) bool {
	h, err := w.Credential(id)
	if err != nil {
		return false
	}
	have, more := disclosures(h), disclosures(s)
	for d := range have {
		if !more[d] {
			return false
		}
	}
	return len(more) > len(have)
}

// disclosures is the set of a stored SD-JWT's disclosures, as encoded.
func disclosures(s *Stored) map[string]bool {
	var tok string
	if json.Unmarshal(s.Credential, &tok) != nil {
		return nil
	}
	parts := strings.Split(tok, "~")
	set := map[string]bool{}
	for _, d := range parts[1:] {
		if d != "" {
			set[d] = true
		}
	}
	return set
}

// Add stores a credential, stamped with the time added, unless CanAdd
// refuses it. Where s replaces the held copy of an SD-JWT with fewer
// disclosures, the copy is removed once s is stored (a crash between
// leaves both, never neither) and Add returns the copy's id.
//
// Add holds the wallet's lock (LockFile) from the check to the write, so
// that writers at once (two "weid wallet add" of one SD-JWT with other
// disclosures) store one copy.
func (w *Wallet) Add(s *Stored) (replaced string, err error) {
	unlock, err := w.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	return w.add(s)
}

// add is Add with the wallet's lock held.
func (w *Wallet) add(s *Stored) (replaced string, err error) {
	if err := w.CanAdd(s); err != nil {
		return "", err
	}
	if id, ok := w.Holds(s); ok {
		replaced = id
	}
	s.Added = time.Now().UTC().Format(time.RFC3339)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(w.Dir, CredentialDir)
	if err := durable.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := durable.WriteNew(w.path(s.ID), append(b, '\n'), 0o600); err != nil {
		var damaged *DamagedError
		if _, rerr := w.Credential(s.ID); !errors.Is(err, fs.ErrExist) || !errors.As(rerr, &damaged) {
			if errors.Is(err, fs.ErrExist) {
				return "", &HeldError{ID: s.ID}
			}
			return "", err
		}
		// The file of its id is damaged (CanAdd took it for not held):
		// the credential takes its place.
		if err := durable.Replace(w.path(s.ID), append(b, '\n'), 0o600); err != nil {
			return "", err
		}
	}
	if replaced == "" {
		return "", nil
	}
	if err := os.Remove(w.path(replaced)); err != nil {
		return "", fmt.Errorf("stored %s, but the copy %s it replaces stays: %w", s.ID, replaced, err)
	}
	return replaced, durable.SyncDir(dir)
}
