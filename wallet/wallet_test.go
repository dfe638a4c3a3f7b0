package wallet

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/crashtest"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

const testPass = "wallet test passphrase"

// newTestWallet makes a did:key wallet in a temporary directory.
func newTestWallet(t *testing.T) *Wallet {
	t.Helper()
	w, err := CreateDIDKey(filepath.Join(t.TempDir(), "alice"), keys.Ed25519, []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	w.Passphrase = func() ([]byte, error) { return []byte(testPass), nil }
	return w
}

// creds are a vc+jwt, a Data Integrity credential and an SD-JWT VC about
// subject, whose key the SD-JWT binds.
type creds struct{ jwt, di, sd string }

func issue(t testing.TB, iss credential.Signer, subject string, holder keys.PublicKey) creds {
	t.Helper()
	now := time.Now()
	jwt, err := credential.IssueJWT(iss, credtest.Credential(iss.DID, subject, "TrainingCertificate", "2031-01-01T00:00:00Z"), now, credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	di, err := credential.SignDataIntegrityJCS(iss, credtest.Credential(iss.DID, subject, "LibraryCard", ""), now)
	if err != nil {
		t.Fatal(err)
	}
	claims := `{"iss":"` + iss.DID + `","vct":"UniversityDegreeCredential","sub":"` + subject + `","exp":1924992000,"degree":"Bachelor of Engineering","holderName":"Alice"}`
	sd, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(claims), sdjwt.IssueOptions{Disclosable: []string{"/degree", "/holderName"}, HolderKey: &holder})
	if err != nil {
		t.Fatal(err)
	}
	return creds{jwt, string(di), sd}
}

// addIssued issues a vc+jwt and a Data Integrity credential to w's DID,
// adds both to w and returns them.
func addIssued(t *testing.T, w *Wallet) []*Stored {
	t.Helper()
	k, err := w.Key()
	if err != nil {
		t.Fatal(err)
	}
	c := issue(t, credtest.Issuer(t, keys.Ed25519), w.Meta.DID, k.Public())
	var out []*Stored
	for _, raw := range []string{c.jwt, c.di} {
		s, err := ParseCredential([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Add(s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestParseCredential_NormalizesAndIndexes(t *testing.T) {
	t.Parallel()
	iss := credtest.Issuer(t, keys.Ed25519)
	k, _ := keys.Generate(keys.Ed25519)
	c := issue(t, iss, "did:example:alice", k.Public())
	envelope := `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + c.jwt + `"}`
	jwt, err := ParseCredential([]byte(c.jwt + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, raw string
		check     func(s *Stored) bool
	}{
		{"vc+jwt", c.jwt, func(s *Stored) bool {
			return s.Format == credential.FormatJWT && s.Issuer == iss.DID && s.Subject == "did:example:alice" && s.ValidUntil == "2031-01-01T00:00:00Z" &&
				s.CredentialID == "urn:uuid:TrainingCertificate" && slices.Equal(s.Types, []string{"VerifiableCredential", "TrainingCertificate"})
		}},
		{"its envelope is the same credential", envelope, func(s *Stored) bool { return s.ID == jwt.ID && string(s.Credential) == string(jwt.Credential) }},
		{"Data Integrity, compacted", "  " + strings.ReplaceAll(c.di, ",", ", ") + " ", func(s *Stored) bool {
			return s.Format == credential.FormatDataIntegrity && s.ValidUntil == "" && !strings.Contains(string(s.Credential), ", ")
		}},
		{"SD-JWT VC", c.sd, func(s *Stored) bool {
			return s.Format == credential.FormatSDJWT && slices.Equal(s.Types, []string{"UniversityDegreeCredential"}) && s.ValidUntil == "2031-01-01T00:00:00Z"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseCredential([]byte(tc.raw))
			if err != nil || len(s.ID) != IDLen || !tc.check(s) {
				t.Fatalf("%+v %v", s, err)
			}
		})
	}
	for _, bad := range []string{"", "not a credential", `{"type":"VerifiableCredential"}`, "a.b.c", `"x"`} {
		if s, err := ParseCredential([]byte(bad)); err == nil {
			t.Errorf("%q: parsed as %+v", bad, s)
		}
	}
}

// TestParseCredential_DatesByFormat: when each format says it was issued
// and how long it is valid, as the verifier reads them; an SD-JWT VC's
// subject claims named validFrom and validUntil are neither.
func TestParseCredential_DatesByFormat(t *testing.T) {
	t.Parallel()
	iss := credtest.Issuer(t, keys.Ed25519)
	const (
		iat, nbf, exp    = 1748854800, 1751328000, 1924992000 // 2025-06-02T09:00:00Z, 2025-07-01, 2031-01-01
		iatS, nbfS, expS = "2025-06-02T09:00:00Z", "2025-07-01T00:00:00Z", "2031-01-01T00:00:00Z"
	)
	n := func(v int) string { return strconv.Itoa(v) }
	jws := func(payload string) string {
		tok, err := credential.SignJWS(iss.Key, iss.VerificationMethod, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	v2 := `"@context":["` + credential.ContextV2 + `"],"type":["VerifiableCredential","Licence"],"issuer":"` + iss.DID + `","credentialSubject":{"id":"did:example:alice","field":"civil"}`
	v1 := `"@context":["` + credential.ContextV1 + `"],"type":["VerifiableCredential","Licence"],"issuer":"` + iss.DID + `","credentialSubject":{"id":"did:example:alice","field":"civil"}`
	proof := `,"proof":{"type":"DataIntegrityProof"}`
	sdClaims := `{"iss":"` + iss.DID + `","vct":"Licence","sub":"did:example:alice","iat":` + n(iat) + `,"nbf":` + n(nbf) + `,"exp":` + n(exp) +
		`,"field":"civil","validFrom":"2026-01-01","validUntil":"2027-12-31"}`
	sd := func(disclosable ...string) string {
		tok, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(sdClaims), sdjwt.IssueOptions{Disclosable: disclosable})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, tc := range []struct {
		name, raw                     string
		issued, validFrom, validUntil string
	}{
		{"SD-JWT VC: iat, nbf and exp, not its subject's validFrom", sd(), iatS, nbfS, expS},
		{"SD-JWT VC with its subject's validFrom disclosable", sd("/validFrom", "/validUntil"), iatS, nbfS, expS},
		{"SD-JWT VC without iat: no issue date", func() string {
			tok, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(`{"iss":"`+iss.DID+`","vct":"Licence","nbf":`+n(nbf)+`,"validFrom":"2026-01-01"}`), sdjwt.IssueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}(), "", nbfS, ""},
		{"vc+jwt: validFrom", jws(`{` + v2 + `,"validFrom":"2025-05-01T00:00:00Z","validUntil":"2030-01-01T00:00:00Z"}`), "2025-05-01T00:00:00Z", "2025-05-01T00:00:00Z", "2030-01-01T00:00:00Z"},
		{"vc+jwt: iat before validFrom", jws(`{` + v2 + `,"iat":` + n(iat) + `,"validFrom":"2026-01-01T00:00:00Z"}`), iatS, "2026-01-01T00:00:00Z", ""},
		{"vc+jwt: nbf and exp", jws(`{` + v2 + `,"nbf":` + n(nbf) + `,"exp":` + n(exp) + `}`), nbfS, nbfS, expS},
		{"VC 1.1 JWT: iat, and nbf and exp for issuanceDate and expirationDate", jws(`{"iss":"` + iss.DID + `","iat":` + n(iat) + `,"nbf":` + n(nbf) + `,"exp":` + n(exp) + `,"vc":{` + v1 + `}}`), iatS, nbfS, expS},
		{"VC 1.1 JWT: its issuanceDate", jws(`{"iss":"` + iss.DID + `","vc":{` + v1 + `,"issuanceDate":"2024-03-01T00:00:00Z"}}`), "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", ""},
		{"Data Integrity: validFrom", `{` + v2 + `,"validFrom":"2025-05-01T00:00:00Z","validUntil":"2030-01-01T00:00:00Z"` + proof + `}`, "2025-05-01T00:00:00Z", "2025-05-01T00:00:00Z", "2030-01-01T00:00:00Z"},
		{"Data Integrity VC 1.1: issuanceDate", `{` + v1 + `,"issuanceDate":"2024-03-01T00:00:00Z","expirationDate":"2029-03-01T00:00:00Z"` + proof + `}`, "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", "2029-03-01T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseCredential([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if s.Issued != tc.issued || s.ValidFrom != tc.validFrom || s.ValidUntil != tc.validUntil || s.Issuer != iss.DID || !slices.Contains(s.Types, "Licence") {
				t.Errorf("issued %q, valid from %q until %q (%s %v); want %q, %q, %q", s.Issued, s.ValidFrom, s.ValidUntil, s.Issuer, s.Types, tc.issued, tc.validFrom, tc.validUntil)
			}
		})
	}
}

// TestWallet_CredentialReindexed: a credential stored with the index an
// older wallet wrote (an SD-JWT VC's subject claim validFrom taken for its
// validity) reads with the index the credential gives now.
func TestWallet_CredentialReindexed(t *testing.T) {
	t.Parallel()
	w := newTestWallet(t)
	iss := credtest.Issuer(t, keys.Ed25519)
	tok, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(`{"iss":"`+iss.DID+`","vct":"Licence","iat":1748854800,"nbf":1751328000,"validFrom":"2026-01-01"}`), sdjwt.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseCredential([]byte(tok))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Add(s); err != nil {
		t.Fatal(err)
	}
	old := *s
	old.Issued, old.ValidFrom = "", "2026-01-01"
	b, _ := json.Marshal(old)
	if err := os.WriteFile(w.path(s.ID), b, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := w.Credential(s.ID)
	if err != nil || got.Issued != "2025-06-02T09:00:00Z" || got.ValidFrom != "2025-07-01T00:00:00Z" || got.Added != s.Added {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestWallet_StoresFindsAndRefusesTwice(t *testing.T) {
	t.Parallel()
	w := newTestWallet(t)
	if st, _ := os.Stat(w.Dir); st.Mode().Perm() != 0o700 {
		t.Errorf("wallet directory mode %o", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Join(w.Dir, KeyFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %o", st.Mode().Perm())
	}
	if _, err := CreateDIDKey(w.Dir, keys.Ed25519, []byte(testPass)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a wallet over a wallet: %v", err)
	}
	var ids []string
	for _, s := range addIssued(t, w) {
		if _, err := w.Add(s); !errors.Is(err, ErrHeld) || !w.Has(s.ID) {
			t.Fatalf("stored twice: %v", err)
		}
		ids = append(ids, s.ID)
	}
	// A credential being stored when the wallet was killed leaves its
	// temporary file (durable.WriteNew), which is not a credential.
	if err := os.WriteFile(filepath.Join(w.Dir, CredentialDir, ".ffffffffffff.json.tmp-123"), []byte(`{"id":`), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Open(w.Dir)
	if err != nil {
		t.Fatal(err)
	}
	all, err := w.Credentials()
	if err != nil || len(all) != 2 {
		t.Fatalf("credentials: %+v %v", all, err)
	}
	if s, err := w.Find(ids[0][:5]); err != nil || s.ID != ids[0] {
		t.Fatalf("find by prefix: %+v %v", s, err)
	}
	for _, id := range []string{"", "../wallet", "ffffffffffff", "fffff"} {
		if _, err := w.Find(id); !errors.Is(err, ErrNoCredential) {
			t.Errorf("find %q: %v", id, err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none")); !errors.Is(err, ErrNoWallet) {
		t.Fatalf("open no wallet: %v", err)
	}
}

func TestWallet_KeyNeedsItsPassphrase(t *testing.T) {
	t.Parallel()
	w := newTestWallet(t)
	k, err := w.Key()
	if err != nil || did.KeyDID(k.Public()) != w.Meta.DID {
		t.Fatalf("key: %v", err)
	}
	w.Passphrase = func() ([]byte, error) { return []byte("wrong"), nil }
	if _, err := w.Key(); err == nil {
		t.Fatal("a wrong passphrase unlocked the key")
	}
	w.Passphrase = nil
	if _, err := w.Holder(); err == nil {
		t.Fatal("no passphrase unlocked the key")
	}
}

func TestWallet_Presentation(t *testing.T) {
	t.Parallel()
	w := newTestWallet(t)
	k, _ := w.Key()
	iss := credtest.Issuer(t, keys.Ed25519)
	c := issue(t, iss, w.Meta.DID, k.Public())
	var st []*Stored
	for _, raw := range []string{c.jwt, c.di, c.sd} {
		s, _ := ParseCredential([]byte(raw))
		st = append(st, s)
	}
	o := PresentationOptions{Challenge: "c-1", Domain: "https://verifier.example"}
	p, err := w.Presentation(st[:2], o)
	if err != nil || p.Format != credential.TypVPJWT {
		t.Fatalf("vp+jwt: %+v %v", p, err)
	}
	j, err := jose.Parse(p.Presentation, credential.TypVPJWT)
	if err != nil || j.Header.Kid != w.Meta.VerificationMethod || j.Verify(k.Public()) != nil {
		t.Fatalf("the vp+jwt is not signed by the wallet's key: %v", err)
	}
	var payload map[string]any
	_ = json.Unmarshal(j.Payload, &payload)
	if vp, err := credential.ParsePresentation(j.Payload); err != nil || vp.Holder != w.Meta.DID || len(vp.Credentials) != 2 || payload["nonce"] != "c-1" {
		t.Fatalf("vp+jwt payload %s: %v", j.Payload, err)
	}

	o.Disclose = []string{"/credentialSubject/degree"}
	p, err = w.Presentation(st[2:], o)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := sdjwt.Parse(p.Presentation)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := parsed.Verify(iss.Key.Public(), sdjwt.VerifyOptions{RequireKeyBinding: true, Audience: o.Domain, Nonce: o.Challenge})
	if err != nil || !slices.Equal(ver.Disclosed, []string{"/degree"}) {
		t.Fatalf("the SD-JWT presentation: %+v %v", ver, err)
	}

	for _, tc := range []struct {
		name  string
		creds []*Stored
		o     PresentationOptions
		want  error
		text  string
	}{
		{"nothing", nil, o, nil, "no credential"},
		{"twice", []*Stored{st[0], st[0]}, o, nil, "named twice"},
		{"an SD-JWT with another", []*Stored{st[0], st[2]}, o, nil, "presented alone"},
		{"disclosures of a whole credential", st[:1], o, ErrDiscloseWhole, ""},
		{"an SD-JWT without a domain", st[2:], PresentationOptions{Challenge: "c"}, ErrNoBinding, ""},
	} {
		err := CheckPresentation(tc.creds, tc.o)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// docResolver resolves one document.
type docResolver struct{ doc *did.Document }

func (r docResolver) Resolve(_ context.Context, d string, _ did.Options) (*did.ResolutionResult, error) {
	if r.doc == nil || r.doc.ID != d {
		return nil, errors.New("not found")
	}
	return &did.ResolutionResult{Document: r.doc}, nil
}

func TestHolderMethod(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	other, _ := keys.Generate(keys.Ed25519)
	weid := did.WeidDID("1", k.Public())
	doc := &did.Document{ID: weid, VerificationMethod: []did.VerificationMethod{
		{ID: weid + "#key-0", Type: "Multikey", Controller: weid, PublicKeyMultibase: k.Public().Multibase()}, // not authentication
		{ID: weid + "#key-1", Type: "Multikey", Controller: weid, PublicKeyMultibase: k.Public().Multibase()},
	}, Authentication: []string{weid + "#key-1"}}
	keyDID := did.KeyDID(k.Public())
	for _, tc := range []struct {
		holder, keyID string
		pk            keys.PublicKey
		want          string
	}{
		{weid, "#key-7", k.Public(), weid + "#key-7"},
		{keyDID, "", k.Public(), keyDID + "#" + k.Public().Multibase()},
		{keyDID, "", other.Public(), ""},
		{weid, "", k.Public(), weid + "#key-1"},
		{weid, "", other.Public(), ""},
		{did.WeidDID("1", other.Public()), "", other.Public(), ""},
	} {
		got, err := HolderMethod(context.Background(), docResolver{doc}, tc.holder, tc.keyID, tc.pk)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("%s %q: %q %v, want %q", tc.holder, tc.keyID, got, err, tc.want)
		}
	}
}

// TestCreate_TakesOverWhatACrashedCreateLeft: a directory holding only
// what a Create killed before wallet.json leaves — an empty credentials
// directory and temporary files of the key file and wallet.json — is no
// obstacle to a new wallet ("weid wallet init" there), and the temporary
// files go.
func TestCreate_TakesOverWhatACrashedCreateLeft(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "alice")
	if err := os.MkdirAll(filepath.Join(dir, CredentialDir), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".holder.key.tmp-123", ".wallet.json.tmp-456"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := CheckNew(dir); err != nil {
		t.Fatalf("CheckNew: %v", err)
	}
	if _, err := CreateDIDKey(dir, keys.Ed25519, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	if got, want := crashtest.Names(t, dir), []string{CredentialDir, KeyFile, MetaFile}; !slices.Equal(got, want) {
		t.Errorf("the wallet holds %v, want %v", got, want)
	}
	if _, err := Open(dir); err != nil {
		t.Error(err)
	}
}

// TestCheckNew_RefusesADirectoryInUse: anything but a crashed Create's
// leftovers — a file of the user's, another program's hidden file, a
// credential, a complete key file without wallet.json — keeps Create out,
// and it touches nothing.
func TestCheckNew_RefusesADirectoryInUse(t *testing.T) {
	t.Parallel()
	for name, files := range map[string][]string{
		"a file of the user's":   {".holder.key.tmp-1", "notes.txt"},
		"a hidden file":          {".wallet.json.swp"},
		"a credential":           {"credentials/0123456789ab.json"},
		"a key file":             {"holder.key", ".wallet.json.tmp-2"},
		"credentials not a dir":  {"credentials"},
		"a temporary of another": {".notes.txt.tmp-3"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range files {
				p := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before := crashtest.Names(t, dir)
			want := dir + " exists and is not empty"
			if err := CheckNew(dir); err == nil || err.Error() != want {
				t.Errorf("CheckNew: %v, want %q", err, want)
			}
			if _, err := Create(dir, "did:example:alice", "did:example:alice#k", keys.PublicKey{}, []byte("key")); err == nil || err.Error() != want {
				t.Errorf("Create: %v, want %q", err, want)
			}
			if after := crashtest.Names(t, dir); !slices.Equal(after, before) {
				t.Errorf("Create changed the directory: %v, was %v", after, before)
			}
		})
	}
}

// sdjwtHeld returns a new wallet, an SD-JWT issued to its key (the token)
// and that SD-JWT read as a credential to store (not stored yet).
func sdjwtHeld(t *testing.T) (*Wallet, string, *Stored) {
	t.Helper()
	w := newTestWallet(t)
	k, _ := w.Key()
	c := issue(t, credtest.Issuer(t, keys.Ed25519), w.Meta.DID, k.Public())
	s, err := ParseCredential([]byte(c.sd))
	if err != nil {
		t.Fatal(err)
	}
	return w, c.sd, s
}

// presentedCopy is a presentation's copy of the SD-JWT s, disclosing one
// claim, without its key-binding JWT: the credential with fewer
// disclosures.
func presentedCopy(t *testing.T, w *Wallet, s *Stored) *Stored {
	t.Helper()
	p, err := w.Presentation([]*Stored{s}, PresentationOptions{Challenge: "c-1", Domain: "https://verifier.example", Disclose: []string{"/credentialSubject/degree"}})
	if err != nil {
		t.Fatal(err)
	}
	fewer, err := ParseCredential([]byte(p.Presentation[:strings.LastIndex(p.Presentation, "~")+1]))
	if err != nil {
		t.Fatal(err)
	}
	return fewer
}

// TestWallet_SDJWTPresentationIsNotACredential: an SD-JWT presentation —
// the issued token with fewer disclosures, or with a key-binding JWT made
// for one verifier — is not stored beside the credential it was cut from:
// one with a key-binding JWT is refused as a presentation, one without is
// the credential the wallet holds already (ErrHeld, naming it).
func TestWallet_SDJWTPresentationIsNotACredential(t *testing.T) {
	t.Parallel()
	w, _, s := sdjwtHeld(t)
	if _, err := w.Add(s); err != nil {
		t.Fatal(err)
	}
	p, err := w.Presentation([]*Stored{s}, PresentationOptions{Challenge: "c-1", Domain: "https://verifier.example", Disclose: []string{"/credentialSubject/degree"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCredential([]byte(p.Presentation)); err == nil || !strings.Contains(err.Error(), "key-binding JWT") {
		t.Fatalf("an SD-JWT with its key-binding JWT: %v, want it refused as a presentation", err)
	}
	withoutKB := p.Presentation[:strings.LastIndex(p.Presentation, "~")+1]
	fewer, err := ParseCredential([]byte(withoutKB))
	if err != nil {
		t.Fatal(err)
	}
	if fewer.ID == s.ID {
		t.Fatal("the test wants a token that differs from the one held")
	}
	if id, ok := w.Holds(fewer); !ok || id != s.ID {
		t.Fatalf("Holds(the held SD-JWT with fewer disclosures) = %q, %v; want %s", id, ok, s.ID)
	}
	if _, err := w.Add(fewer); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), s.ID) {
		t.Fatalf("Add(the held SD-JWT with fewer disclosures) = %v, want ErrHeld naming %s", err, s.ID)
	}
	if all, _ := w.Credentials(); len(all) != 1 {
		t.Fatalf("%d credentials stored, want 1", len(all))
	}
}

// TestWallet_SDJWTFullerCopyReplacesTheHeldOne: a presentation's copy of an
// SD-JWT added first (fewer disclosures) is replaced when the credential
// as issued is added: the wallet keeps the one with every disclosure, once.
func TestWallet_SDJWTFullerCopyReplacesTheHeldOne(t *testing.T) {
	t.Parallel()
	w, _, full := sdjwtHeld(t)
	fewer := presentedCopy(t, w, full)
	if replaced, err := w.Add(fewer); err != nil || replaced != "" {
		t.Fatalf("Add(the copy) = %q, %v", replaced, err)
	}
	replaced, err := w.Add(full)
	if err != nil || replaced != fewer.ID {
		t.Fatalf("Add(the credential as issued) = %q, %v; want it to replace %s", replaced, err, fewer.ID)
	}
	all, _ := w.Credentials()
	if len(all) != 1 || all[0].ID != full.ID || w.Has(fewer.ID) {
		t.Fatalf("stored %+v, want only %s", all, full.ID)
	}
	if _, err := w.Add(fewer); !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), full.ID) {
		t.Fatalf("Add(the copy again) = %v, want ErrHeld naming %s", err, full.ID)
	}
}

// TestWallet_SDJWTForgedDisclosureReplacesNothing: a "fuller" copy whose
// extra disclosure the issuer never signed a digest of does not replace
// the copy held (it could no longer be presented), and is refused saying
// why.
func TestWallet_SDJWTForgedDisclosureReplacesNothing(t *testing.T) {
	t.Parallel()
	w, sd, held := sdjwtHeld(t)
	if _, err := w.Add(held); err != nil {
		t.Fatal(err)
	}
	forged, err := ParseCredential([]byte(sd + base64.RawURLEncoding.EncodeToString([]byte(`["salt-x","evil",true]`)) + "~"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Add(forged); err == nil || !strings.Contains(err.Error(), "not the issuer's") {
		t.Fatalf("Add(a copy with a forged disclosure) = %v, want it refused as not the issuer's", err)
	}
	if all, _ := w.Credentials(); len(all) != 1 || all[0].ID != held.ID {
		t.Fatalf("stored %+v, want only %s", all, held.ID)
	}
}

// TestWallet_DamagedFileDoesNotHideTheOthers: a credential file that does
// not read (cut short by a full disk, say) is skipped by Credentials and
// named by Scan and by Credential, with what to do; the others still list,
// and nothing is removed.
func TestWallet_DamagedFileDoesNotHideTheOthers(t *testing.T) {
	t.Parallel()
	w := newTestWallet(t)
	addIssued(t, w)
	bad := filepath.Join(w.Dir, CredentialDir, "9d254e0a758a.json")
	if err := os.WriteFile(bad, []byte(`{"id":"9d254e0a758a","cred`), 0o600); err != nil {
		t.Fatal(err)
	}
	all, err := w.Credentials()
	if err != nil || len(all) != 2 {
		t.Fatalf("Credentials() = %d credentials, %v; want the 2 that read", len(all), err)
	}
	_, damaged, err := w.Scan()
	if err != nil || len(damaged) != 1 || damaged[0].Path != bad {
		t.Fatalf("Scan() damaged = %v, %v; want %s", damaged, err, bad)
	}
	for _, find := range []func() error{
		func() error { _, err := w.Credential("9d254e0a758a"); return err },
		func() error { _, err := w.Find("9d25"); return err },
	} {
		err := find()
		var de *DamagedError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "move it out of the wallet") {
			t.Errorf("want a DamagedError naming %s and what to do, got %v", bad, err)
		}
	}
	if _, err := os.Stat(bad); err != nil {
		t.Errorf("the damaged file is gone: %v", err)
	}
}

// TestWallet_ParallelAddsStoreOneCopy: four adds at once of one SD-JWT
// with different disclosures leave one credential — the one with all of
// them — as the check of what is held and the write are one step under
// the wallet's lock.
func TestWallet_ParallelAddsStoreOneCopy(t *testing.T) {
	t.Parallel()
	iss := credtest.Issuer(t, keys.Ed25519)
	for round := range 10 {
		w := newTestWallet(t)
		k, _ := w.Key()
		c := issue(t, iss, w.Meta.DID, k.Public())
		parts := strings.Split(c.sd, "~")
		if len(parts) != 4 {
			t.Fatalf("want an SD-JWT of 2 disclosures, got %d parts", len(parts))
		}
		variants := []string{c.sd, parts[0] + "~" + parts[1] + "~", parts[0] + "~" + parts[2] + "~", parts[0] + "~"}
		start := make(chan struct{})
		done := make(chan error, len(variants))
		for _, v := range variants {
			s, err := ParseCredential([]byte(v))
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				<-start
				_, err := w.Add(s)
				done <- err
			}()
		}
		close(start)
		for range variants {
			if err := <-done; err != nil && !errors.Is(err, ErrHeld) {
				t.Fatal(err)
			}
		}
		all, _, err := w.Scan()
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || len(disclosures(&all[0])) != 2 {
			t.Fatalf("round %d: stored %d copies (%v), want only the one with both disclosures", round+1, len(all), all)
		}
	}
}
