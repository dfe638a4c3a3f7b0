package wallet

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

// localVerifier verifies credentials as a node's POST /credentials/verify
// does, with did:key issuers resolved here; revoked makes every verdict a
// revoked one.
type localVerifier struct {
	revoked bool
	sent    []json.RawMessage
}

func (l *localVerifier) VerifyCredential(ctx context.Context, vc any, _ map[string]any) (*api.VerifyResult, error) {
	raw, err := json.Marshal(vc)
	if err != nil {
		return nil, err
	}
	l.sent = append(l.sent, raw)
	v := &credential.Verifier{Resolver: did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}})}
	res, err := v.Verify(ctx, raw, credential.Policy{})
	if err != nil {
		return nil, err
	}
	if l.revoked {
		c := api.Check{Name: credential.CheckStatus, Status: credential.StatusFailed, Code: credential.ReasonStatusRevoked, Detail: "revoked: list 1 index 7"}
		res.Verified, res.Errors = false, append(res.Errors, c)
	}
	return &res.VerifyResult, nil
}

// fakeIssuer is an OpenID4VCI credential issuer of one configuration of
// format that answers every credential request with what creds returns;
// it returns an offer link (the offer by value).
func fakeIssuer(t *testing.T, format string, creds func() []any) string {
	t.Helper()
	return fakeIssuerOf(t, map[string]any{"format": format}, creds)
}

// fakeIssuerOf is fakeIssuer of the credential configuration conf.
func fakeIssuerOf(t *testing.T, conf map[string]any, creds func() []any) string {
	t.Helper()
	var srv *httptest.Server
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-credential-issuer", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"credential_issuer": srv.URL, "credential_endpoint": srv.URL + "/credential", "nonce_endpoint": srv.URL + "/nonce",
			"batch_credential_issuance":           map[string]any{"batch_size": 10},
			"credential_configurations_supported": map[string]any{"diploma": conf}})
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"issuer": srv.URL, "token_endpoint": srv.URL + "/token"})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"access_token": "tok", "token_type": "Bearer"})
	})
	mux.HandleFunc("POST /nonce", func(w http.ResponseWriter, r *http.Request) { reply(w, map[string]any{"c_nonce": "n"}) })
	mux.HandleFunc("POST /credential", func(w http.ResponseWriter, r *http.Request) {
		var out []map[string]any
		for _, c := range creds() {
			out = append(out, map[string]any{"credential": c})
		}
		reply(w, map[string]any{"credentials": out})
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	offer, _ := json.Marshal(map[string]any{"credential_issuer": srv.URL, "credential_configuration_ids": []string{"diploma"},
		"grants": map[string]any{"urn:ietf:params:oauth:grant-type:pre-authorized_code": map[string]any{"pre-authorized_code": "code"}}})
	return "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(offer))
}

// sdDiploma is an SD-JWT VC diploma of iss about subject, bound to holder.
func sdDiploma(t *testing.T, iss credential.Signer, subject string, holder keys.PublicKey) string {
	t.Helper()
	claims := `{"iss":"` + iss.DID + `","vct":"UniversityDegreeCredential","sub":"` + subject + `","degree":"Bachelor of Engineering"}`
	sd, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(claims), sdjwt.IssueOptions{Disclosable: []string{"/degree"}, HolderKey: &holder})
	if err != nil {
		t.Fatal(err)
	}
	return sd
}

// TestReceive_RefusesWhatTheWalletCannotKeep: the wallet verifies every
// credential an issuer sends — its signature and disclosures, that it is
// bound to the wallet's key, in the offered format, from one issuer, not
// revoked, no more than the proofs sent — and stores all of them or, when
// one fails, none.
func TestReceive_RefusesWhatTheWalletCannotKeep(t *testing.T) {
	t.Parallel()
	uni, other := credtest.Issuer(t, keys.Ed25519), credtest.Issuer(t, keys.Ed25519)
	w := newTestWallet(t)
	mine, err := keys.ParseMultibase(w.Meta.PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := keys.Generate(keys.Ed25519)
	strangerDID := did.KeyDID(stranger.Public())

	good := sdDiploma(t, uni, w.Meta.DID, mine)
	issuerJWT, rest, _ := strings.Cut(good, "~")
	altered := credtest.Tampered(t, issuerJWT, func(p map[string]any) { p["vct"] = "DoctorOfMedicineCredential" }) + "~" + rest
	fake, _ := json.Marshal([]any{"c2FsdA", "degree", "Doctor of Philosophy"})
	withFake := good + base64.RawURLEncoding.EncodeToString(fake) + "~"
	othersWallet := sdDiploma(t, uni, strangerDID, stranger.Public())
	othersKey := sdDiploma(t, uni, w.Meta.DID, stranger.Public())
	fromOther := sdDiploma(t, other, w.Meta.DID, mine)
	jwtFor := func(subject string) string {
		tok, err := credential.IssueJWT(uni, credtest.Credential(uni.DID, subject, "TrainingCertificate", "2031-01-01T00:00:00Z"), time.Now(), credential.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ahead := strings.Replace(string(credtest.Credential(uni.DID, w.Meta.DID, "TrainingCertificate", "2031-01-01T00:00:00Z")), `"issuer":`, `"validFrom":"2030-06-01T00:00:00Z","issuer":`, 1)
	validLater, err := credential.IssueJWT(uni, []byte(ahead), time.Now(), credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	diFor := func(subject string) any {
		doc, err := credential.SignDataIntegrityJCS(uni, credtest.Credential(uni.DID, subject, "LibraryCard", ""), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return json.RawMessage(doc)
	}

	for _, tc := range []struct {
		name, format string
		count        int
		creds        []any
		revoked      bool
		want         string         // in the error; "" for a credential kept
		conf         map[string]any // the configuration's type, beside its format
	}{
		{"an SD-JWT bound to the wallet's key", "dc+sd-jwt", 1, []any{good}, false, "", nil},
		{"a vc+jwt about the wallet's DID", "jwt_vc_json", 1, []any{jwtFor(w.Meta.DID)}, false, "", nil},
		{"three credentials for one proof", "dc+sd-jwt", 1, []any{altered, othersWallet, withFake}, false, "3 credentials for 1 key proof", nil},
		{"its payload altered", "dc+sd-jwt", 1, []any{altered}, false, "proof failed", nil},
		{"a fake disclosure appended", "dc+sd-jwt", 1, []any{withFake}, false, "disclosure", nil},
		{"bound to another wallet", "dc+sd-jwt", 1, []any{othersWallet}, false, "not bound to this wallet's key", nil},
		{"about the wallet but bound to another key", "dc+sd-jwt", 1, []any{othersKey}, false, "not bound to this wallet's key", nil},
		{"a vc+jwt about another DID", "jwt_vc_json", 1, []any{jwtFor(strangerDID)}, false, "not about this wallet's holder " + w.Meta.DID, nil},
		{"a Data Integrity credential about the wallet's DID", "ldp_vc", 1, []any{diFor(w.Meta.DID)}, false, "", nil},
		{"a Data Integrity credential about another DID", "ldp_vc", 1, []any{diFor(strangerDID)}, false, "not about this wallet's holder", nil},
		{"valid only from a later date", "jwt_vc_json", 1, []any{validLater}, false, "", nil},
		{"one good, one garbage", "dc+sd-jwt", 2, []any{good, "garbage~"}, false, "credential 2 of 2", nil},
		{"a format other than the offer's", "dc+sd-jwt", 1, []any{jwtFor(w.Meta.DID)}, false, "not the offered dc+sd-jwt", nil},
		{"two issuers in one answer", "dc+sd-jwt", 2, []any{good, fromOther}, false, "issued by " + other.DID, nil},
		{"the same credential twice", "dc+sd-jwt", 2, []any{good, good}, false, "twice", nil},
		{"revoked at receipt", "dc+sd-jwt", 1, []any{good}, true, "status failed", nil},
		{"the offered vct", "dc+sd-jwt", 1, []any{good}, false, "", map[string]any{"vct": "UniversityDegreeCredential"}},
		{"another vct than the offered", "dc+sd-jwt", 1, []any{good}, false, `a "UniversityDegreeCredential" credential (vct), not the offered "DriverLicence"`, map[string]any{"vct": "DriverLicence"}},
		{"the offered W3C types", "jwt_vc_json", 1, []any{jwtFor(w.Meta.DID)}, false, "", map[string]any{"credential_definition": map[string]any{"type": []string{"VerifiableCredential", "TrainingCertificate"}}}},
		{"another W3C type than the offered", "jwt_vc_json", 1, []any{jwtFor(w.Meta.DID)}, false, "not the offered VerifiableCredential, UniversityDegreeCredential", map[string]any{"credential_definition": map[string]any{"type": []string{"VerifiableCredential", "UniversityDegreeCredential"}}}},
		{"another Data Integrity type than the offered", "ldp_vc", 1, []any{diFor(w.Meta.DID)}, false, "not the offered", map[string]any{"credential_definition": map[string]any{"type": []string{"VerifiableCredential", "UniversityDegreeCredential"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A copy of the wallet, so that each case starts empty.
			dir := filepath.Join(t.TempDir(), "w")
			if err := os.CopyFS(dir, os.DirFS(w.Dir)); err != nil {
				t.Fatal(err)
			}
			cw, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			cw.Passphrase = w.Passphrase
			conf := map[string]any{"format": tc.format}
			maps.Copy(conf, tc.conf)
			link := fakeIssuerOf(t, conf, func() []any { return tc.creds })
			v := &localVerifier{revoked: tc.revoked}
			got, stored, err := cw.Receive(context.Background(), NewVCIClient(), v, link, ReceiveOptions{Count: tc.count})
			held, _ := cw.Credentials()
			if tc.want == "" {
				if err != nil || len(stored) != len(tc.creds) || len(held) != len(tc.creds) || got == nil {
					t.Fatalf("stored %d, held %d: %v", len(stored), len(held), err)
				}
				// An SD-JWT is verified without its disclosures: none of
				// its claims leaves the wallet.
				for _, sent := range v.sent {
					if strings.Count(string(sent), "~") > 1 {
						t.Errorf("sent with its disclosures: %s", sent)
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
			if len(stored) != 0 || len(held) != 0 {
				t.Fatalf("refused, yet stored %d and the wallet holds %d", len(stored), len(held))
			}
		})
	}
}

// TestReceive_AlreadyHeldStoresNothing: an answer holding a credential the
// wallet already holds stores none of its credentials.
func TestReceive_AlreadyHeldStoresNothing(t *testing.T) {
	t.Parallel()
	uni := credtest.Issuer(t, keys.Ed25519)
	w := newTestWallet(t)
	mine, _ := keys.ParseMultibase(w.Meta.PublicKeyMultibase)
	first, second := sdDiploma(t, uni, w.Meta.DID, mine), sdDiploma(t, uni, w.Meta.DID, mine)
	link := fakeIssuer(t, "dc+sd-jwt", func() []any { return []any{first} })
	if _, _, err := w.Receive(context.Background(), NewVCIClient(), &localVerifier{}, link, ReceiveOptions{}); err != nil {
		t.Fatal(err)
	}
	link = fakeIssuer(t, "dc+sd-jwt", func() []any { return []any{second, first} })
	_, _, err := w.Receive(context.Background(), NewVCIClient(), &localVerifier{}, link, ReceiveOptions{Count: 2})
	if !errors.Is(err, ErrHeld) {
		t.Fatalf("want ErrHeld, got %v", err)
	}
	if held, _ := w.Credentials(); len(held) != 1 {
		t.Fatalf("the wallet holds %d credentials, want 1", len(held))
	}
}

// downVerifier is a verifier that cannot be reached.
type downVerifier struct{}

func (downVerifier) VerifyCredential(context.Context, any, map[string]any) (*api.VerifyResult, error) {
	return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
}

// TestReceive_VerifierDownKeepsTheAnswer: an offer is redeemed once, so
// when the verifier cannot be reached after the issuer answered, nothing is
// stored as held but the answer is not lost: each credential is kept,
// unverified, in the wallet's received/ directory, which the error names.
func TestReceive_VerifierDownKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	uni := credtest.Issuer(t, keys.Ed25519)
	w := newTestWallet(t)
	mine, _ := keys.ParseMultibase(w.Meta.PublicKeyMultibase)
	cred := sdDiploma(t, uni, w.Meta.DID, mine)
	link := fakeIssuer(t, "dc+sd-jwt", func() []any { return []any{cred} })
	_, _, err := w.Receive(context.Background(), NewVCIClient(), downVerifier{}, link, ReceiveOptions{})
	if err == nil || !strings.Contains(err.Error(), "nothing was stored") || !strings.Contains(err.Error(), filepath.Join(w.Dir, ReceivedDir)) {
		t.Fatalf("want an error naming where the answer is kept, got %v", err)
	}
	if held, _ := w.Credentials(); len(held) != 0 {
		t.Fatalf("the wallet holds %d credentials, want none", len(held))
	}
	files, _ := filepath.Glob(filepath.Join(w.Dir, ReceivedDir, "*"))
	if len(files) != 1 {
		t.Fatalf("kept %v, want one file", files)
	}
	if b, _ := os.ReadFile(files[0]); string(b) != cred {
		t.Errorf("kept %q, want the credential as the issuer sent it", b)
	}
}

// watchingVerifier is a localVerifier that records, when asked, the files
// of the wallet's received/ directory: what a crash at that moment leaves.
type watchingVerifier struct {
	localVerifier
	dir  string
	seen [][]byte
}

func (v *watchingVerifier) VerifyCredential(ctx context.Context, vc any, o map[string]any) (*api.VerifyResult, error) {
	files, _ := filepath.Glob(filepath.Join(v.dir, ReceivedDir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		v.seen = append(v.seen, b)
	}
	return v.localVerifier.VerifyCredential(ctx, vc, o)
}

// TestReceive_AnswerIsKeptWhileItIsVerified: the offer is used up once
// the issuer answered, so the answer is on disk (received/) before the
// node is asked about it — a wallet killed while the node checks it loses
// nothing — and is removed from there once stored, or once refused.
func TestReceive_AnswerIsKeptWhileItIsVerified(t *testing.T) {
	t.Parallel()
	uni := credtest.Issuer(t, keys.Ed25519)
	for _, revoked := range []bool{false, true} {
		w := newTestWallet(t)
		mine, _ := keys.ParseMultibase(w.Meta.PublicKeyMultibase)
		cred := sdDiploma(t, uni, w.Meta.DID, mine)
		link := fakeIssuer(t, "dc+sd-jwt", func() []any { return []any{cred} })
		v := &watchingVerifier{localVerifier: localVerifier{revoked: revoked}, dir: w.Dir}
		_, stored, err := w.Receive(context.Background(), NewVCIClient(), v, link, ReceiveOptions{})
		if len(v.seen) != 1 || string(v.seen[0]) != cred {
			t.Fatalf("revoked=%v: while verifying, received/ held %q; want the credential as the issuer sent it", revoked, v.seen)
		}
		var re *RefusedError
		if revoked != (err != nil) || (revoked && !errors.As(err, &re)) || (!revoked && len(stored) != 1) {
			t.Fatalf("revoked=%v: Receive = %v, %v", revoked, stored, err)
		}
		if files, _ := filepath.Glob(filepath.Join(w.Dir, ReceivedDir, "*")); len(files) != 0 {
			t.Errorf("revoked=%v: received/ still holds %v", revoked, files)
		}
	}
}

// failingVerifier answers every verification with a node's error.
type failingVerifier struct{ err error }

func (f failingVerifier) VerifyCredential(context.Context, any, map[string]any) (*api.VerifyResult, error) {
	return nil, f.err
}

// TestReceive_NodeErrorThatJudgesNothingKeepsTheAnswer: a node's 4xx that
// says nothing about the credential (a 404 from an older node or a wrong
// --node, a 429, a 401) is not a refusal: the answer stays in received/
// (the offer is used up); a 400 about the credential is one.
func TestReceive_NodeErrorThatJudgesNothingKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	uni := credtest.Issuer(t, keys.Ed25519)
	for _, c := range []struct {
		status  int
		refused bool
	}{{404, false}, {429, false}, {401, false}, {400, true}} {
		w := newTestWallet(t)
		mine, _ := keys.ParseMultibase(w.Meta.PublicKeyMultibase)
		cred := sdDiploma(t, uni, w.Meta.DID, mine)
		link := fakeIssuer(t, "dc+sd-jwt", func() []any { return []any{cred} })
		_, _, err := w.Receive(context.Background(), NewVCIClient(), failingVerifier{&client.Error{Status: c.status, Code: "x.y", Detail: "no"}}, link, ReceiveOptions{})
		var re *RefusedError
		var ke *KeptError
		files, _ := filepath.Glob(filepath.Join(w.Dir, ReceivedDir, "*"))
		if c.refused && (!errors.As(err, &re) || len(files) != 0) {
			t.Errorf("%d: %v, received/ %v; want a refusal", c.status, err, files)
		}
		if !c.refused && (!errors.As(err, &ke) || len(files) != 1) {
			t.Errorf("%d: %v, received/ %v; want the answer kept", c.status, err, files)
		}
	}
}

// TestWallet_DamagedFileIsNotHeld: a damaged credential file does not
// count as the credential held: adding the credential (from received/, or
// again) replaces the damaged file instead of being refused as held.
func TestWallet_DamagedFileIsNotHeld(t *testing.T) {
	t.Parallel()
	w, _, s := sdjwtHeld(t)
	if _, err := w.Add(s); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.Dir, CredentialDir, s.ID+".json"), []byte(`{"id":`), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := ParseCredential([]byte(mustToken(t, s)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Holds(again); ok {
		t.Error("a damaged file counts as the credential held")
	}
	if _, err := w.Add(again); err != nil {
		t.Fatalf("Add over a damaged file: %v", err)
	}
	if got, err := w.Credential(s.ID); err != nil || got.ID != s.ID {
		t.Fatalf("after Add: %v, %v", got, err)
	}
}

func mustToken(t *testing.T, s *Stored) string {
	t.Helper()
	var tok string
	if err := json.Unmarshal(s.Credential, &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}
