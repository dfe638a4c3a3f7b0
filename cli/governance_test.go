package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
)

// TestGovernance_CLI: the admin (through its token) adds a committee member
// and recognizes a university; the member recognizes a bank with its own key
// file; queries by DID, name and page; de-recognition.
func TestGovernance_CLI(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "governance test passphrase")
	n := startTestNode(t)
	dir, cmd, token, cli := n.Dir, n.Cmd, n.Admin, n.With
	uni, uniKey := n.NewDID(t, "uni")
	bank, bankKey := n.NewDID(t, "bank")
	member, memberKey := n.NewDID(t, "member")

	mustCLI(t, cli("issuer", "recognize", uni, "--name", "Example University", "--type", "UniversityDegreeCredential", "--schema", "2", "--token", token)...)
	var show struct {
		Issuer     struct{ Name string }
		Accredited *bool
	}
	mustCLIJSON(t, &show, cli("issuer", "show", uni, "--type", "UniversityDegreeCredential")...)
	if show.Issuer.Name != "Example University" || show.Accredited == nil || !*show.Accredited {
		t.Fatalf("show: %+v", show)
	}
	// Without a governor's key or a token, nothing is signed.
	if _, err := runCLI(t, cli("issuer", "recognize", bank, "--name", "Example Bank")...); err == nil {
		t.Fatal("recognize without --key or --token succeeded")
	}
	// The bank's own key is no governor's.
	if _, err := runCLI(t, cli("issuer", "recognize", bank, "--name", "Example Bank", "--key", bankKey)...); err == nil || !strings.Contains(oneLine(err), "tx.unauthorized") {
		t.Fatalf("self-recognition: %v", err)
	}
	mustCLI(t, cli("committee", "add", member, "--token", token)...)
	mustCLI(t, cli("issuer", "recognize", bank, "--name", "Example Bank", "--key", memberKey)...)
	// The recognized university publishes a schema with its own key: it gets
	// an id in the authority issuers' range.
	schemaFile := filepath.Join(dir, "diploma.json")
	if err := os.WriteFile(schemaFile, []byte(`{"type":"object","properties":{"degree":{"type":"string"}},"required":["degree"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var pub struct{ ID, Version uint64 }
	mustCLIJSON(t, &pub, cli("schema", "register", schemaFile, "--name", "Diploma", "--key", uniKey)...)
	if pub.ID < 1000 || pub.ID >= 2000000 || pub.Version != 1 {
		t.Fatalf("schema register: %+v", pub)
	}
	mustCLIJSON(t, &pub, cli("schema", "update", schemaFile, "--id", fmt.Sprint(pub.ID), "--token", token)...)
	if pub.Version != 2 {
		t.Fatalf("schema update: %+v", pub)
	}
	if out := mustCLI(t, cli("schema", "show", fmt.Sprint(pub.ID), "--version", "1")...); !strings.Contains(out, `"degree"`) {
		t.Fatalf("schema show: %s", out)
	}
	if out := mustCLI(t, cli("schema", "list")...); !strings.Contains(out, "Diploma") {
		t.Fatalf("schema list: %s", out)
	}

	out := mustCLI(t, cli("issuer", "list")...)
	if !strings.Contains(out, uni) || !strings.Contains(out, bank) {
		t.Fatalf("list:\n%s", out)
	}
	out = mustCLI(t, cli("issuer", "list", "--name", "example bank")...)
	if !strings.Contains(out, bank) {
		t.Fatalf("by name: %s", out)
	}
	out = mustCLI(t, cli("committee", "list")...)
	if !strings.Contains(out, member) {
		t.Fatalf("committee: %s", out)
	}
	mustCLI(t, cli("issuer", "derecognize", bank, "--key", memberKey)...)
	if _, err := runCLI(t, cli("issuer", "show", bank)...); err == nil || !strings.Contains(oneLine(err), "issuer.notFound") {
		t.Fatalf("after derecognize: %v", err)
	}
	mustCLI(t, cli("committee", "remove", member, "--token", token)...)

	// An institution account: its token acts for its own custodial DID.
	var acct struct{ Name, Token, DID string }
	mustCLIJSON(t, &acct, cli("account", "create", "--name", "city-university", "--token", token)...)
	if acct.Token == "" || acct.DID == "" {
		t.Fatalf("account: %+v", acct)
	}
	if out := mustCLI(t, cli("account", "list", "--token", token)...); !strings.Contains(out, "city-university") || !strings.Contains(out, acct.DID) {
		t.Fatalf("account list does not name the account and its DID %s: %s", acct.DID, out)
	}
	var list struct{ Accounts []api.Account }
	mustCLIJSON(t, &list, cli("account", "list", "--token", token)...)
	if len(list.Accounts) != 1 || !slices.Equal(list.Accounts[0].DIDs, []string{acct.DID}) {
		t.Fatalf("account list -o json: %+v, want city-university with DIDs [%s] (the admin is no account)", list.Accounts, acct.DID)
	}
	if _, err := runCLI(t, cli("account", "list", "--token", acct.Token)...); err == nil || !strings.Contains(oneLine(err), "auth.adminOnly") {
		t.Fatalf("account list with an institution token: %v", err)
	}
	// Its token leaked: the admin gives it a new one; the old one is refused.
	var nt api.AccountToken
	mustCLIJSON(t, &nt, cli("account", "token", "--name", "city-university", "--token", token)...)
	if nt.Token == "" || nt.Token == acct.Token {
		t.Fatalf("account token: %+v", nt)
	}
	oldToken := acct.Token
	acct.Token = nt.Token

	// The account issues a credential as its DID; anyone verifies it. It is
	// not an authority issuer, so a verifier that requires accreditation refuses it.
	credFile := filepath.Join(dir, "cred.json")
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential","TrainingCertificate"],"issuer":"` + acct.DID + `","credentialSubject":{"course":"First aid"}}`
	if err := os.WriteFile(credFile, []byte(cred), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, cli("vc", "issue", credFile, "--token", oldToken)...); err == nil || !strings.Contains(oneLine(err), "auth.invalidToken") {
		t.Fatalf("vc issue with the replaced token: %v", err)
	}
	jwt := strings.TrimSpace(mustCLI(t, cli("vc", "issue", credFile, "--token", acct.Token)...))
	jwtFile := filepath.Join(dir, "cred.jwt")
	if err := os.WriteFile(jwtFile, []byte(jwt), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustCLI(t, cli("vc", "verify", jwtFile)...); !strings.Contains(out, "verified: true") || !strings.Contains(out, "accreditation") {
		t.Fatalf("vc verify: %s", out)
	}
	if _, err := runCLI(t, cli("vc", "verify", jwtFile, "--require-accreditation")...); err == nil || !strings.Contains(err.Error(), "accreditation failed") {
		t.Fatalf("vc verify --require-accreditation: %v", err)
	}
	stopNode(t, cmd)
}

// TestPrintPage: a page prints a line per item and, while there is a next
// page, the --after that asks for it, whatever the cursor's type; -o json
// gives the items under their key and the cursor as "next".
func TestPrintPage(t *testing.T) {
	var b strings.Builder
	g := &globals{out: &b}
	line := func(w io.Writer, s string) { fmt.Fprintln(w, s) }
	for _, tc := range []struct {
		print func() error
		want  string
	}{
		{func() error { return printPage(g, "issuers", []string{"a", "b"}, "did:weid:x", line) }, "a\nb\nmore: --after did:weid:x\n"},
		{func() error { return printPage(g, "issuers", []string{"a"}, "", line) }, "a\n"},
		{func() error { return printPage(g, "schemas", []string{"c"}, uint64(1000), line) }, "c\nmore: --after 1000\n"},
		{func() error { return printPage(g, "schemas", []string{}, uint64(0), line) }, ""},
	} {
		b.Reset()
		if err := tc.print(); err != nil || b.String() != tc.want {
			t.Errorf("text: %q, %v; want %q", b.String(), err, tc.want)
		}
	}
	b.Reset()
	g.output = "json"
	if err := printPage(g, "schemas", []string{"c"}, uint64(7), line); err != nil || b.String() != "{\n  \"next\": 7,\n  \"schemas\": [\n    \"c\"\n  ]\n}\n" {
		t.Errorf("json: %q, %v", b.String(), err)
	}
}
