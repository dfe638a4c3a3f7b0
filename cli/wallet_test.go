package cli

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
	"github.com/weidgo/weid/wallet"
)

const walletTestPass = "wallet test passphrase"

// walletEnv isolates the CLI from the environment of whoever runs the
// tests and sets the key passphrase.
func walletEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"WEID_NODE", "WEID_TOKEN", "WEID_CHAIN_ID", "WEID_KEYSTORE_PASSPHRASE", "WEID_DATA", "WEID_LISTEN", "WEID_WALLET"} {
		t.Setenv(v, "")
	}
	t.Setenv("WEID_PASSPHRASE", walletTestPass)
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} { // English, whatever the machine's locale
		t.Setenv(v, "")
	}
}

// walletInitResult is what "weid wallet init -o json" prints.
type walletInitResult struct {
	Wallet             string `json:"wallet"`
	DID                string `json:"did"`
	VerificationMethod string `json:"verificationMethod"`
	KeyType            string `json:"keyType"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
}

// walletKey opens the wallet's key file, as a test that plays the issuer
// needs its public key.
func walletKey(t *testing.T, dir string) *keys.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, wallet.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := keys.DecryptKeyFile(b, []byte(walletTestPass))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// initTestWallet isolates the CLI (walletEnv) and makes a wallet
// "alice" in a temporary directory: the directory, the wallet's and what
// "weid wallet init" printed.
func initTestWallet(t *testing.T) (dir, wdir string, w walletInitResult) {
	t.Helper()
	walletEnv(t)
	dir = t.TempDir()
	wdir = filepath.Join(dir, "alice")
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)
	return dir, wdir, w
}

// listHasRow reports whether the table "weid wallet list" printed, out,
// has a row of the fields want after its number.
func listHasRow(out string, want []string) bool {
	for _, l := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(l); len(f) > 1 && slices.Equal(f[1:], want) {
			return true
		}
	}
	return false
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileMode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// TestWallet_Local: wallet init, add, list and show against temporary
// directories, with credentials a local did:key issuer signs; vp create
// of vc+jwt, Data Integrity and SD-JWT credentials, checked locally.
func TestWallet_Local(t *testing.T) {
	walletEnv(t)
	dir := t.TempDir()
	wdir := filepath.Join(dir, "alice")

	var w walletInitResult
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)
	if !strings.HasPrefix(w.DID, "did:key:z6Mk") || w.VerificationMethod != w.DID+"#"+strings.TrimPrefix(w.DID, "did:key:") || w.KeyType != "Ed25519" || w.Wallet != wdir {
		t.Fatalf("wallet init: %+v", w)
	}
	if m := fileMode(t, wdir); m != 0o700 {
		t.Errorf("wallet directory mode %o, want 700", m)
	}
	if m := fileMode(t, filepath.Join(wdir, wallet.KeyFile)); m != 0o600 {
		t.Errorf("key file mode %o, want 600", m)
	}
	if k := walletKey(t, wdir); did.KeyDID(k.Public()) != w.DID {
		t.Fatalf("the wallet's key file does not hold the key of %s", w.DID)
	}
	if _, err := runCLI(t, "wallet", "init", "--wallet", wdir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("wallet init over an existing wallet: %v, want an error", err)
	}

	// $WEID_WALLET is the default; other key types.
	envDir := filepath.Join(dir, "env-wallet")
	t.Setenv("WEID_WALLET", envDir)
	var p256 walletInitResult
	mustCLIJSON(t, &p256, "wallet", "init", "--type", "p-256")
	if p256.Wallet != envDir || p256.KeyType != "P-256" || !strings.HasPrefix(p256.DID, "did:key:zDn") {
		t.Fatalf("wallet init --type p-256 in $WEID_WALLET: %+v", p256)
	}
	t.Setenv("WEID_WALLET", "")
	var k1 walletInitResult
	mustCLIJSON(t, &k1, "wallet", "init", "--wallet", filepath.Join(dir, "k1"), "--type", "secp256k1")
	if k1.KeyType != "secp256k1" || !strings.HasPrefix(k1.DID, "did:key:zQ3s") {
		t.Fatalf("wallet init --type secp256k1: %+v", k1)
	}
	if _, err := runCLI(t, "wallet", "init", "--wallet", filepath.Join(dir, "x"), "--type", "rsa"); err == nil {
		t.Fatal("wallet init --type rsa succeeded")
	}

	// An existing DID's key file: --did with --key (and --key-id, no node).
	keyFile := filepath.Join(dir, "bob.key")
	var gen struct{ DID, DIDKey string }
	mustCLIJSON(t, &gen, "key", "generate", "--out", keyFile)
	var bob walletInitResult
	mustCLIJSON(t, &bob, "wallet", "init", "--wallet", filepath.Join(dir, "bob"), "--did", gen.DID, "--key", keyFile, "--key-id", "key-1")
	if bob.DID != gen.DID || bob.VerificationMethod != gen.DID+"#key-1" {
		t.Fatalf("wallet init --did --key: %+v", bob)
	}
	var bobKey walletInitResult
	mustCLIJSON(t, &bobKey, "wallet", "init", "--wallet", filepath.Join(dir, "bob-key"), "--did", gen.DIDKey, "--key", keyFile)
	if bobKey.DID != gen.DIDKey || bobKey.VerificationMethod != gen.DIDKey+"#"+strings.TrimPrefix(gen.DIDKey, "did:key:") {
		t.Fatalf("wallet init --did did:key --key: %+v", bobKey)
	}
	if _, err := runCLI(t, "wallet", "init", "--wallet", filepath.Join(dir, "y"), "--did", k1.DID, "--key", keyFile); err == nil || !strings.Contains(err.Error(), "does not hold") {
		t.Fatalf("wallet init with another did:key's key: %v", err)
	}
	if _, err := runCLI(t, "wallet", "init", "--wallet", filepath.Join(dir, "z"), "--did", gen.DID); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Fatalf("wallet init --did without --key: %v", err)
	}
	if _, err := runCLI(t, "wallet", "list", "--wallet", filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "no wallet") {
		t.Fatalf("wallet list of no wallet: %v", err)
	}

	// Credentials of every form.
	iss := credtest.Issuer(t, keys.Ed25519)
	now := time.Now()
	jwt, err := credential.IssueJWT(iss, credtest.Credential(iss.DID, w.DID, "TrainingCertificate", "2031-01-01T00:00:00Z"), now, credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	di, err := credential.SignDataIntegrityJCS(iss, credtest.Credential(iss.DID, w.DID, "LibraryCard", ""), now)
	if err != nil {
		t.Fatal(err)
	}
	holder := walletKey(t, wdir).Public()
	sdClaims := `{"iss":"` + iss.DID + `","vct":"UniversityDegreeCredential","sub":"` + w.DID + `","exp":1924992000,"degree":"Bachelor of Engineering","fieldOfStudy":"Computer Science","holderName":"Alice"}`
	sd, err := sdjwt.Issue(iss.Key, iss.VerificationMethod, json.RawMessage(sdClaims), sdjwt.IssueOptions{Disclosable: []string{"/degree", "/fieldOfStudy", "/holderName"}, HolderKey: &holder})
	if err != nil {
		t.Fatal(err)
	}
	envelope := `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + jwt + `"}`

	add := func(name, content string) wallet.Stored {
		t.Helper()
		var sc wallet.Stored
		mustCLIJSON(t, &sc, "wallet", "add", writeTestFile(t, dir, name, content), "--wallet", wdir)
		if len(sc.ID) != wallet.IDLen {
			t.Fatalf("wallet add %s: %+v", name, sc)
		}
		return sc
	}
	jwtSC := add("cert.jwt", jwt+"\n")
	if jwtSC.Format != credential.FormatJWT || jwtSC.Issuer != iss.DID || jwtSC.Subject != w.DID || jwtSC.ValidUntil != "2031-01-01T00:00:00Z" ||
		jwtSC.CredentialID != "urn:uuid:TrainingCertificate" || !slices.Equal(jwtSC.Types, []string{"VerifiableCredential", "TrainingCertificate"}) || jwtSC.ValidFrom == "" {
		t.Fatalf("wallet add vc+jwt: %+v", jwtSC)
	}
	if m := fileMode(t, filepath.Join(wdir, wallet.CredentialDir, jwtSC.ID+".json")); m != 0o600 {
		t.Errorf("credential file mode %o, want 600", m)
	}
	// The same credential, enveloped, is the same credential.
	if _, err := runCLI(t, "wallet", "add", writeTestFile(t, dir, "cert.env.json", envelope), "--wallet", wdir); err == nil || !strings.Contains(err.Error(), "already in the wallet as "+jwtSC.ID) {
		t.Fatalf("wallet add of the enveloped form of a stored credential: %v", err)
	}
	diSC := add("card.json", string(di))
	if diSC.Format != credential.FormatDataIntegrity || diSC.Issuer != iss.DID || mainType(diSC.Types) != "LibraryCard" || diSC.ValidUntil != "" {
		t.Fatalf("wallet add Data Integrity: %+v", diSC)
	}
	sdSC := add("degree.sd-jwt", sd)
	if sdSC.Format != credential.FormatSDJWT || sdSC.Issuer != iss.DID || sdSC.Subject != w.DID || !slices.Equal(sdSC.Types, []string{"UniversityDegreeCredential"}) || sdSC.ValidUntil != "2031-01-01T00:00:00Z" {
		t.Fatalf("wallet add SD-JWT: %+v", sdSC)
	}
	for _, bad := range []string{"not a credential", `{"type":"VerifiableCredential"}`, "a.b.c"} {
		if _, err := runCLI(t, "wallet", "add", writeTestFile(t, dir, "bad", bad), "--wallet", wdir); err == nil {
			t.Errorf("wallet add %q succeeded", bad)
		}
	}

	// list, as a table and as JSON; --offline asks no node.
	out := mustCLI(t, "wallet", "list", "--wallet", wdir, "--offline")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 || strings.Join(strings.Fields(lines[0]), " ") != "# ID FORMAT TYPE ISSUER ISSUED STATUS CLAIMS" {
		t.Fatalf("wallet list printed:\n%s", out)
	}
	for _, want := range [][]string{
		{jwtSC.ID, "vc+jwt", "TrainingCertificate", iss.DID, orDash(day(jwtSC.Issued)), "unchecked", "course=First", "aid"},
		{diSC.ID, "data-integrity", "LibraryCard", iss.DID, orDash(day(diSC.Issued)), "unchecked", "course=First", "aid"},
		{sdSC.ID, "dc+sd-jwt", "UniversityDegreeCredential", iss.DID, orDash(day(sdSC.Issued)), "unchecked", "degree=Bachelor", "of", "Engineering,", "fieldOfStudy=Computer", "Scien…"},
	} {
		if !listHasRow(out, want) {
			t.Errorf("wallet list has no row %v:\n%s", want, out)
		}
	}
	var list struct {
		Holder      string        `json:"holder"`
		Credentials []walletEntry `json:"credentials"`
	}
	mustCLIJSON(t, &list, "wallet", "list", "--wallet", wdir, "--offline")
	if list.Holder != w.DID || len(list.Credentials) != 3 || list.Credentials[0].N != 1 || list.Credentials[2].N != 3 {
		t.Fatalf("wallet list -o json: %+v", list)
	}
	for _, e := range list.Credentials {
		if e.ID == sdSC.ID && (e.Claims["holderName"] != "Alice" || e.Claims["vct"] != nil || e.Status != "unchecked") {
			t.Errorf("wallet list -o json, the SD-JWT: %+v", e)
		}
	}
	// Without a node the list is still shown, with a note on stderr.
	stdout, stderr, code := runChild(t, "wallet", "list", "--wallet", wdir, "--node", freeAddr(t))
	if code != 0 || strings.Count(stdout, "unchecked") != 3 || !strings.Contains(stderr, "weid: status and issuer names not checked: no weid node at http://") {
		t.Errorf("wallet list without a node: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// --credential takes the list's number, N or #N; a bare N that also
	// starts an id is refused as ambiguous.
	wl, err := wallet.Open(wdir)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range list.Credentials {
		n := strconv.Itoa(i + 1)
		if sc, err := pickCredential(wl, "#"+n); err != nil || sc.ID != e.ID {
			t.Errorf("--credential #%s: %v, %v; want %s", n, sc, err, e.ID)
		}
		ambiguous := slices.ContainsFunc(list.Credentials, func(o walletEntry) bool { return strings.HasPrefix(o.ID, n) })
		sc, err := pickCredential(wl, n)
		if ambiguous && (err == nil || !strings.Contains(err.Error(), "write #"+n)) || !ambiguous && (err != nil || sc.ID != e.ID) {
			t.Errorf("--credential %s (ambiguous: %v): %v, %v", n, ambiguous, sc, err)
		}
	}
	if _, err := pickCredential(wl, "#4"); err == nil || !strings.Contains(err.Error(), "the wallet holds 3 credentials") {
		t.Errorf("--credential #4 of 3: %v", err)
	}
	if sc, err := pickCredential(wl, idPrefix(sdSC.ID, 7)); err != nil || sc.ID != sdSC.ID {
		t.Errorf("--credential by id prefix: %v, %v", sc, err)
	}

	// show, by id and by a unique prefix.
	// show, too, takes the number wallet list prints.
	if byNum, byID := mustCLI(t, "wallet", "show", "#1", "--wallet", wdir), mustCLI(t, "wallet", "show", list.Credentials[0].ID, "--wallet", wdir); byNum != byID {
		t.Fatalf("wallet show #1: %q, want %q", byNum, byID)
	}
	out = mustCLI(t, "wallet", "show", jwtSC.ID, "--wallet", wdir)
	if !strings.Contains(out, `"course": "First aid"`) || !strings.Contains(out, jwt) || !strings.Contains(out, "TrainingCertificate") {
		t.Fatalf("wallet show vc+jwt:\n%s", out)
	}
	var shown struct {
		ID          string           `json:"id"`
		Claims      map[string]any   `json:"claims"`
		Disclosures []map[string]any `json:"disclosures"`
	}
	mustCLIJSON(t, &shown, "wallet", "show", idPrefix(sdSC.ID, 8), "--wallet", wdir)
	if shown.ID != sdSC.ID || shown.Claims["vct"] != "UniversityDegreeCredential" || len(shown.Disclosures) != 3 {
		t.Fatalf("wallet show SD-JWT: %+v", shown)
	}
	if out := mustCLI(t, "wallet", "show", sdSC.ID, "--wallet", wdir); !strings.Contains(out, `degree: "Bachelor of Engineering"`) {
		t.Fatalf("wallet show SD-JWT (text):\n%s", out)
	}
	if _, err := runCLI(t, "wallet", "show", "000000000000", "--wallet", wdir); err == nil || !strings.Contains(err.Error(), "no credential") {
		t.Fatalf("wallet show of an unknown id: %v", err)
	}
	if _, err := runCLI(t, "wallet", "show", "../wallet", "--wallet", wdir); err == nil {
		t.Fatal("wallet show ../wallet succeeded")
	}

	// vp create: a vp+jwt of the vc+jwt and the Data Integrity credential.
	vp := strings.TrimSpace(mustCLI(t, "vp", "create", "--wallet", wdir, "--credential", jwtSC.ID, "--credential", idPrefix(diSC.ID, 6), "--challenge", "c-1", "--domain", "https://verifier.example"))
	j, err := jose.Parse(vp, credential.TypVPJWT)
	if err != nil {
		t.Fatalf("vp create printed %q: %v", vp, err)
	}
	if j.Header.Typ != credential.TypVPJWT || j.Header.Kid != w.VerificationMethod || j.Verify(holder) != nil {
		t.Fatalf("vp+jwt header %+v, or its signature does not verify with the wallet key", j.Header)
	}
	var payload map[string]any
	if err := json.Unmarshal(j.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	p, err := credential.ParsePresentation(j.Payload)
	if err != nil || p.Holder != w.DID || len(p.Credentials) != 2 || payload["nonce"] != "c-1" || payload["aud"] != "https://verifier.example" {
		t.Fatalf("vp+jwt payload %s: %v", j.Payload, err)
	}
	if sec, err := credential.Classify(p.Credentials[0]); err != nil || sec.Format != credential.FormatJWT || sec.Token != jwt {
		t.Fatalf("first credential of the presentation: %+v, %v", sec, err)
	}
	if sec, err := credential.Classify(p.Credentials[1]); err != nil || sec.Format != credential.FormatDataIntegrity {
		t.Fatalf("second credential of the presentation: %+v, %v", sec, err)
	}

	// vp create of the SD-JWT: only the disclosed claim, and a key-binding
	// JWT with the challenge and domain.
	pres := strings.TrimSpace(mustCLI(t, "vp", "create", "--wallet", wdir, "--credential", sdSC.ID, "--disclose", "/credentialSubject/degree", "--challenge", "c-2", "--domain", "https://verifier.example"))
	parsed, err := sdjwt.Parse(pres)
	if err != nil {
		t.Fatalf("vp create of an SD-JWT printed %q: %v", pres, err)
	}
	ver, err := parsed.Verify(iss.Key.Public(), sdjwt.VerifyOptions{RequireKeyBinding: true, Audience: "https://verifier.example", Nonce: "c-2"})
	if err != nil {
		t.Fatalf("the SD-JWT presentation does not verify: %v", err)
	}
	if !slices.Equal(ver.Disclosed, []string{"/degree"}) || ver.Claims["holderName"] != nil {
		t.Fatalf("the SD-JWT presentation discloses %v: %v", ver.Disclosed, ver.Claims)
	}

	// Refusals.
	for _, c := range []struct {
		what, want string
		args       []string
	}{
		{"no credential", "--credential is required", nil},
		{"unknown credential", "no credential", []string{"--credential", "ffffffffffff"}},
		{"SD-JWT with another credential", "presented alone", []string{"--credential", sdSC.ID, "--credential", jwtSC.ID, "--challenge", "c", "--domain", "d"}},
		{"--disclose without an SD-JWT", "--disclose applies to an SD-JWT", []string{"--credential", jwtSC.ID, "--disclose", "/credentialSubject/course"}},
		{"SD-JWT without a challenge", "needs --challenge and --domain", []string{"--credential", sdSC.ID, "--domain", "d"}},
		{"not disclosable", "selectively disclosable", []string{"--credential", sdSC.ID, "--disclose", "/vct", "--challenge", "c", "--domain", "d"}},
		{"twice", "named twice", []string{"--credential", jwtSC.ID, "--credential", jwtSC.ID}},
	} {
		if _, err := runCLI(t, append([]string{"vp", "create", "--wallet", wdir}, c.args...)...); err == nil || !strings.Contains(oneLine(err), c.want) {
			t.Errorf("vp create, %s: %v, want an error containing %q", c.what, err, c.want)
		}
	}
	t.Setenv("WEID_PASSPHRASE", "wrong")
	if _, err := runCLI(t, "vp", "create", "--wallet", wdir, "--credential", jwtSC.ID); err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("vp create with a wrong passphrase: %v", err)
	}
}

// TestWallet_Presentations_CLI: an institution account issues a diploma to
// a citizen's wallet; the wallet stores it after verifying it, presents it
// for a challenge the node issued, and the node verifies the presentation
// once; a replay and a presentation for another domain fail.
func TestWallet_Presentations_CLI(t *testing.T) {
	walletEnv(t)
	n := startTestNode(t)
	dir, base, nodeCmd, withNode, admin := n.Dir, n.URL, n.Cmd, n.With, n.Admin

	var uni struct{ Name, Token, DID string }
	mustCLIJSON(t, &uni, withNode("account", "create", "--name", "example-university", "--token", admin)...)
	mustCLI(t, withNode("issuer", "recognize", uni.DID, "--name", "Example University", "--type", "UniversityDegreeCredential", "--schema", "2", "--token", admin)...)

	wdir := filepath.Join(dir, "wallet")
	var w walletInitResult
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)

	diploma := func(subject string) string {
		return writeTestFile(t, dir, "diploma.json", `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],`+
			`"issuer":"`+uni.DID+`","credentialSchema":{"id":"`+base+`/v1/schemas/2","type":"JsonSchema"},`+
			`"credentialSubject":{"id":"`+subject+`","holderName":"Alice","degree":"Bachelor of Engineering","fieldOfStudy":"Computer Science",`+
			`"institution":"Example University","awardedDate":"2026-07-01","diplomaNumber":"EU-2026-0001"}}`)
	}
	jwt := strings.TrimSpace(mustCLI(t, withNode("vc", "issue", diploma(w.DID), "--token", uni.Token)...))
	jwtFile := writeTestFile(t, dir, "diploma.jwt", jwt+"\n")

	// A tampered credential is refused by wallet add --verify.
	tampered := jwt[:len(jwt)-4] + "AAAA"
	if tampered == jwt {
		tampered = jwt[:len(jwt)-4] + "BBBB"
	}
	if _, err := runCLI(t, withNode("wallet", "add", writeTestFile(t, dir, "tampered.jwt", tampered), "--wallet", wdir, "--verify")...); err == nil || !strings.Contains(err.Error(), "not stored") {
		t.Fatalf("wallet add --verify of a tampered credential: %v", err)
	}
	id := strings.TrimSpace(mustCLI(t, withNode("wallet", "add", jwtFile, "--wallet", wdir, "--verify", "--require-accreditation")...))
	if len(id) != wallet.IDLen {
		t.Fatalf("wallet add printed %q", id)
	}

	const domain = "https://verifier.example"
	present := func(name, challenge, domain string, ids ...string) string {
		t.Helper()
		args := []string{"vp", "create", "--wallet", wdir, "--challenge", challenge, "--domain", domain}
		for _, id := range ids {
			args = append(args, "--credential", id)
		}
		return writeTestFile(t, dir, name, mustCLI(t, args...))
	}
	ch := strings.TrimSpace(mustCLI(t, withNode("vp", "challenge")...))
	var chJSON struct {
		Challenge string    `json:"challenge"`
		Expires   time.Time `json:"expires"`
	}
	mustCLIJSON(t, &chJSON, withNode("vp", "challenge")...)
	if ch == "" || chJSON.Challenge == "" || chJSON.Challenge == ch || time.Until(chJSON.Expires) <= 0 {
		t.Fatalf("vp challenge: %q, %+v", ch, chJSON)
	}

	vpFile := present("vp.jwt", ch, domain, id)
	out := mustCLI(t, withNode("vp", "verify", vpFile, "--challenge", ch, "--domain", domain, "--require-accreditation")...)
	for _, want := range []string{"verified: true", "holder: " + w.DID, "holderProof", "challenge", "domain", "credential 0: verified: true", "accreditation"} {
		if !strings.Contains(out, want) {
			t.Fatalf("vp verify printed, without %q:\n%s", want, out)
		}
	}
	// The same presentation again: the challenge was used.
	if _, err := runCLI(t, withNode("vp", "verify", vpFile, "--challenge", ch, "--domain", domain)...); err == nil || !strings.Contains(err.Error(), "challenge failed") {
		t.Fatalf("replayed presentation: %v, want the challenge check to fail", err)
	}
	var replay credential.PresentationResult
	out, _ = runCLI(t, withNode("vp", "verify", vpFile, "--challenge", ch, "--domain", domain, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), &replay); err != nil || replay.Verified || len(replay.Errors) != 1 || replay.Errors[0].Name != credential.CheckChallenge {
		t.Fatalf("replay, -o json: %v, %s", err, out)
	}
	// A presentation for another domain.
	ch2 := strings.TrimSpace(mustCLI(t, withNode("vp", "challenge")...))
	other := present("vp-other.jwt", ch2, "https://other.example", id)
	if _, err := runCLI(t, withNode("vp", "verify", other, "--challenge", ch2, "--domain", domain)...); err == nil || !strings.Contains(err.Error(), "domain failed") {
		t.Fatalf("presentation for another domain: %v, want the domain check to fail", err)
	}
	// As a user sees a failure: a non-zero exit and one line on stderr.
	stdout, stderr, code := runChild(t, withNode("vp", "verify", vpFile, "--challenge", ch, "--domain", domain)...)
	if code == 0 || !strings.Contains(stdout, "verified: false") || !strings.HasPrefix(stderr, "weid: presentation not verified: challenge failed") {
		t.Fatalf("vp verify of a replay: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	// A Data Integrity credential presented with the vc+jwt one, from
	// standard input's point of view a JSON object.
	diOut := mustCLI(t, withNode("vc", "issue", diploma(w.DID), "--token", uni.Token, "--format", "eddsa-jcs-2022")...)
	diID := strings.TrimSpace(mustCLI(t, withNode("wallet", "add", writeTestFile(t, dir, "diploma.di.json", diOut), "--wallet", wdir, "--verify")...))
	ch3 := strings.TrimSpace(mustCLI(t, withNode("vp", "challenge")...))
	both := present("vp-both.jwt", ch3, domain, id, diID)
	if out := mustCLI(t, withNode("vp", "verify", both, "--challenge", ch3, "--domain", domain)...); !strings.Contains(out, "credential 1: verified: true") {
		t.Fatalf("vp verify of two credentials:\n%s", out)
	}

	// An SD-JWT diploma: presented alone, disclosing only the degree, with
	// a key-binding JWT for the challenge and domain.
	sd := strings.TrimSpace(mustCLI(t, withNode("vc", "issue", diploma(w.DID), "--token", uni.Token, "--format", "dc+sd-jwt",
		"--disclose", "/credentialSubject/degree", "--disclose", "/credentialSubject/fieldOfStudy")...))
	sdID := strings.TrimSpace(mustCLI(t, withNode("wallet", "add", writeTestFile(t, dir, "diploma.sd-jwt", sd), "--wallet", wdir, "--verify")...))
	ch5 := strings.TrimSpace(mustCLI(t, withNode("vp", "challenge")...))
	sdVP := writeTestFile(t, dir, "vp.sd-jwt", mustCLI(t, "vp", "create", "--wallet", wdir, "--credential", sdID,
		"--disclose", "/credentialSubject/degree", "--challenge", ch5, "--domain", domain))
	if b, err := os.ReadFile(sdVP); err != nil {
		t.Fatal(err)
	} else if parsed, err := sdjwt.Parse(strings.TrimSpace(string(b))); err != nil || len(parsed.Disclosures) != 1 || parsed.Disclosures[0].Name != "degree" || parsed.KeyBinding == nil {
		t.Fatalf("the SD-JWT presentation: %v, %+v", err, parsed)
	}
	var sdRes credential.PresentationResult
	mustCLIJSON(t, &sdRes, withNode("vp", "verify", sdVP, "--challenge", ch5, "--domain", domain)...)
	if !sdRes.Verified || len(sdRes.Credentials) != 1 {
		t.Fatalf("vp verify of an SD-JWT presentation: %+v", sdRes)
	}
	if _, err := runCLI(t, withNode("vp", "verify", sdVP, "--challenge", ch5, "--domain", domain)...); err == nil || !strings.Contains(err.Error(), "challenge failed") {
		t.Fatalf("replayed SD-JWT presentation: %v, want the challenge check to fail", err)
	}

	// A wallet for a registered did:weid: the key found by resolving it.
	keyFile := filepath.Join(dir, "bob.key")
	mustCLI(t, "key", "generate", "--out", keyFile)
	var created struct{ DID string }
	mustCLIJSON(t, &created, withNode("did", "create", "--key", keyFile)...)
	bdir := filepath.Join(dir, "bob-wallet")
	var bob walletInitResult
	mustCLIJSON(t, &bob, withNode("wallet", "init", "--wallet", bdir, "--did", created.DID, "--key", keyFile)...)
	if bob.DID != created.DID || bob.VerificationMethod != created.DID+"#key-1" {
		t.Fatalf("wallet init --did did:weid: %+v", bob)
	}
	bjwt := strings.TrimSpace(mustCLI(t, withNode("vc", "issue", diploma(bob.DID), "--token", uni.Token)...))
	bid := strings.TrimSpace(mustCLI(t, "wallet", "add", writeTestFile(t, dir, "bob.jwt", bjwt), "--wallet", bdir))
	ch4 := strings.TrimSpace(mustCLI(t, withNode("vp", "challenge")...))
	bvp := writeTestFile(t, dir, "bob-vp.jwt", mustCLI(t, "vp", "create", "--wallet", bdir, "--credential", bid, "--challenge", ch4, "--domain", domain))
	if out := mustCLI(t, withNode("vp", "verify", bvp, "--challenge", ch4, "--domain", domain)...); !strings.Contains(out, "holder: "+bob.DID) {
		t.Fatalf("vp verify of a did:weid holder:\n%s", out)
	}
	stopNode(t, nodeCmd)
}

// idPrefix is the first n characters of a wallet credential id, or the
// whole id when those are all digits: a number selects by position
// (#N or N), so an all-digit prefix is rightly refused as ambiguous.
func idPrefix(id string, n int) string {
	if strings.Trim(id[:n], "0123456789") == "" {
		return id
	}
	return id[:n]
}

// TestWalletInit_AfterACrashedInit: "weid wallet init" in a directory
// where an earlier init was killed before its key file was whole (an
// empty credentials directory and a hidden temporary file) makes the
// wallet instead of calling the directory not empty; another hidden file
// still keeps it out.
func TestWalletInit_AfterACrashedInit(t *testing.T) {
	walletEnv(t)
	wdir := filepath.Join(t.TempDir(), "alice")
	if err := os.MkdirAll(filepath.Join(wdir, wallet.CredentialDir), 0o700); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, wdir, "."+wallet.KeyFile+".tmp-2718281828", "half a key")
	var w walletInitResult
	mustCLIJSON(t, &w, "wallet", "init", "--wallet", wdir)
	if k := walletKey(t, wdir); did.KeyDID(k.Public()) != w.DID {
		t.Fatalf("the wallet's key file does not hold the key of %s", w.DID)
	}
	if _, err := os.Stat(filepath.Join(wdir, "."+wallet.KeyFile+".tmp-2718281828")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the crashed init's temporary file is still there: %v", err)
	}

	other := filepath.Join(t.TempDir(), "bob")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, other, ".bashrc", "")
	if _, err := runCLI(t, "wallet", "init", "--wallet", other); err == nil || !strings.Contains(err.Error(), other+" exists and is not empty") {
		t.Errorf("wallet init in a directory holding .bashrc: %v, want it refused as not empty", err)
	}
}

// TestWallet_DamagedAndKeptFiles: a credential file that does not read
// does not lock the holder out — list goes on with the others and names
// it, with what to do, as show does — and an issuer's answer kept in
// received/ is named by list and leaves received/ once added.
func TestWallet_DamagedAndKeptFiles(t *testing.T) {
	dir, wdir, w := initTestWallet(t)
	iss := credtest.Issuer(t, keys.Ed25519)
	issueJWT := func(typ string) string {
		jwt, err := credential.IssueJWT(iss, credtest.Credential(iss.DID, w.DID, typ, ""), time.Now(), credential.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return jwt
	}
	good := strings.TrimSpace(mustCLI(t, "wallet", "add", writeTestFile(t, dir, "cert.jwt", issueJWT("TrainingCertificate")), "--wallet", wdir))
	bad := writeTestFile(t, filepath.Join(wdir, wallet.CredentialDir), "9d254e0a758a.json", `{"id":"9d254e0a758a","cred`)
	if err := os.MkdirAll(filepath.Join(wdir, wallet.ReceivedDir), 0o700); err != nil {
		t.Fatal(err)
	}
	kept := writeTestFile(t, filepath.Join(wdir, wallet.ReceivedDir), "20260101T000000.000000000Z-1.txt", issueJWT("LibraryCard"))

	stdout, stderr, code := runChild(t, "wallet", "list", "--wallet", wdir, "--offline")
	if code != 0 || !strings.Contains(stdout, good) || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "move it out of the wallet") || !strings.Contains(stderr, kept) {
		t.Fatalf("wallet list with a damaged file: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if _, err := runCLI(t, "wallet", "show", "9d254e0a758a", "--wallet", wdir); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "move it out of the wallet") {
		t.Fatalf("wallet show of the damaged credential: %v", err)
	}
	mustCLI(t, "wallet", "add", kept, "--wallet", wdir)
	if _, err := os.Stat(kept); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the added file is still in received/: %v", err)
	}
	if _, err := os.Stat(bad); err != nil {
		t.Fatalf("the damaged file was removed: %v", err)
	}
}

// TestAuthzGrant_WalletKeySaysHowToGetADIDWeid: a default wallet's key
// (did:key) cannot be a grantor, whose grant the ledger records; authz
// grant says so before anything is sent, and how to get a did:weid for
// the same key.
func TestAuthzGrant_WalletKeySaysHowToGetADIDWeid(t *testing.T) {
	walletEnv(t)
	wdir := filepath.Join(t.TempDir(), "wal")
	mustCLI(t, "wallet", "init", "--wallet", wdir)
	key := filepath.Join(wdir, wallet.KeyFile)
	_, err := runCLI(t, "authz", "grant", "--key", key, "--grantee", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"--resource", "https://uni.example/v1/exchange/transcripts", "--scope", "degree", "--purpose", "mortgage", "--node", freeAddr(t))
	if err == nil || !strings.Contains(err.Error(), "did:weid") || !strings.Contains(err.Error(), "weid did create --key "+key) || strings.Contains(err.Error(), "refused") {
		t.Fatalf("authz grant --key <a did:key wallet's key>: %v", err)
	}
	_, err = runCLI(t, "authz", "grant", "--wallet", wdir, "--grantee", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"--resource", "https://uni.example/v1/exchange/transcripts", "--scope", "degree", "--purpose", "mortgage", "--node", freeAddr(t))
	if err == nil || !strings.Contains(err.Error(), "weid did create --key "+key) {
		t.Fatalf("authz grant --wallet <a did:key wallet>: %v", err)
	}
}
