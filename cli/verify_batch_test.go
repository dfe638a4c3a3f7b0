package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyBatch_CLI verifies a JSON array, an NDJSON file and a
// directory through the node's batch endpoint, in every output format,
// and exits non-zero when one credential fails.
func TestVerifyBatch_CLI(t *testing.T) {
	n := startTestNode(t)
	dir, cli := n.Dir, n.With
	var acct struct{ DID, Token string }
	mustCLIJSON(t, &acct, cli("account", "create", "--name", "uni", "--token", n.Admin)...)
	cred := filepath.Join(dir, "cred.json")
	_ = os.WriteFile(cred, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"`+acct.DID+`","credentialSubject":{"id":"did:example:1","name":"x"}}`), 0o600)
	var tokens []string
	for range 3 {
		tokens = append(tokens, strings.TrimSpace(mustCLI(t, cli("vc", "issue", cred, "--token", acct.Token)...)))
	}
	quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	arr := filepath.Join(dir, "all.json")
	_ = os.WriteFile(arr, []byte("["+quoted(tokens[0])+",\n"+quoted(tokens[1])+","+quoted(tokens[2])+"]"), 0o600)
	out := mustCLI(t, cli("vc", "verify-batch", arr)...)
	if !tableRow(out, "verified", "3", "100.0%") || !tableRow(out, "failed", "0", "0.0%") || !tableRow(out, "total", "3") {
		t.Fatalf("array, table:\n%s", out)
	}
	// NDJSON with a bare token, a quoted one and a tampered one.
	nd := filepath.Join(dir, "all.ndjson")
	tampered := tokens[2][:len(tokens[2])-10] + "AAAAAAAAAA"
	_ = os.WriteFile(nd, []byte(tokens[0]+"\n\n"+quoted(tokens[1])+"\n"+tampered+"\n"), 0o600)
	out, err := runCLI(t, cli("vc", "verify-batch", nd, "-o", "ndjson")...)
	if err == nil {
		t.Fatal("a failed credential should make verify-batch fail")
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 4 || lines[0]["verified"] != true || lines[1]["verified"] != true || lines[2]["verified"] != false || lines[3]["summary"] == nil {
		t.Fatalf("ndjson:\n%s", out)
	}
	// A directory, one credential per file, as one JSON document.
	cd := filepath.Join(dir, "creds")
	_ = os.Mkdir(cd, 0o700)
	for i, tk := range tokens {
		_ = os.WriteFile(filepath.Join(cd, string(rune('a'+i))+".jwt"), []byte(tk+"\n"), 0o600)
	}
	var doc struct {
		Results []struct {
			Index    int
			Verified bool
		}
		Summary struct{ Total int }
	}
	out = mustCLI(t, cli("vc", "verify-batch", cd, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 3 || doc.Summary.Total != 3 || doc.Results[2].Index != 2 || !doc.Results[2].Verified {
		t.Fatalf("dir, json (%v):\n%s", err, out)
	}
	if _, err := runCLI(t, cli("vc", "verify-batch", arr, "-o", "yaml")...); err == nil {
		t.Fatal("bad --output accepted")
	}

	// A directory with a tampered credential and files that hold none (a
	// text, taken as a bare compact token, and an empty file):
	// each result names its file, in every output format, and the summary
	// table counts outcomes and failed checks.
	_ = os.WriteFile(filepath.Join(cd, "b.jwt"), []byte(tampered), 0o600)
	_ = os.WriteFile(filepath.Join(cd, "notes.txt"), []byte("not a credential\n"), 0o600)
	_ = os.WriteFile(filepath.Join(cd, "empty.json"), nil, 0o600)
	out, err = runCLI(t, cli("vc", "verify-batch", cd)...)
	if err == nil {
		t.Fatal("a failed credential should make verify-batch fail")
	}
	for _, want := range []string{filepath.Join(cd, "b.jwt") + "\tfailed\tproof: ", filepath.Join(cd, "notes.txt") + "\tfailed\tstructure: ", filepath.Join(cd, "empty.json") + "\tinvalid\t"} {
		if !strings.Contains(out, want) {
			t.Fatalf("dir, table: no %q in\n%s", want, out)
		}
	}
	if !tableRow(out, "verified", "2", "40.0%") || !tableRow(out, "failed", "2", "40.0%") || !tableRow(out, "invalid", "1", "20.0%") ||
		!tableRow(out, "total", "5") || !tableRow(out, "proof", "1", "20.0%") || !tableRow(out, "structure", "1", "20.0%") || !strings.Contains(out, "failed check") {
		t.Fatalf("dir, summary table:\n%s", out)
	}
	out, _ = runCLI(t, cli("vc", "verify-batch", cd, "-o", "ndjson")...)
	var named []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			File     string
			Index    int
			Verified bool
		}
		_ = json.Unmarshal([]byte(l), &r)
		named = append(named, fmt.Sprintf("%d %s %v", r.Index, filepath.Base(r.File), r.Verified))
	}
	if got := strings.Join(named, ","); got != "0 a.jwt true,1 b.jwt false,2 c.jwt true,3 empty.json false,4 notes.txt false,0 . false" {
		t.Fatalf("dir, ndjson: %s\n%s", got, out)
	}
}

// tableRow reports whether out has a line whose fields are cells.
func tableRow(out string, cells ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(l), " ") == strings.Join(cells, " ") {
			return true
		}
	}
	return false
}
