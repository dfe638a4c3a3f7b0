package status_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/weidgo/weid/status"
)

func TestCredentialAndEntry(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	l := e.newList(t, a, "rev-7", status.PurposeRevocation, 0)
	url := status.URL("https://node.example/", "rev-7")
	if url != "https://node.example/status-lists/rev-7" {
		t.Fatal(url)
	}
	c, err := status.Credential(e.l, "rev-7", url)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(c)
	want := `{"@context":["https://www.w3.org/ns/credentials/v2"],"credentialSubject":{"encodedList":"` +
		c["credentialSubject"].(map[string]any)["encodedList"].(string) +
		`","id":"https://node.example/status-lists/rev-7#list","statusPurpose":"revocation","type":"BitstringStatusList"},` +
		`"id":"https://node.example/status-lists/rev-7","issuer":"` + a.DID + `","type":["VerifiableCredential","BitstringStatusListCredential"],"validFrom":"` + l.Updated + `"}`
	if string(raw) != want {
		t.Fatalf("credential:\n%s\nwant\n%s", raw, want)
	}

	en, err := status.Entry(l, url, 94567)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(en)
	if string(raw) != `{"id":"https://node.example/status-lists/rev-7#94567","statusListCredential":"https://node.example/status-lists/rev-7","statusListIndex":"94567","statusPurpose":"revocation","type":"BitstringStatusListEntry"}` {
		t.Fatalf("entry: %s", raw)
	}
	_, err = status.Entry(l, url, l.Size)
	wantErr(t, err, http.StatusBadRequest, "status.indexOutOfRange")
	for _, bad := range []string{"https://node.example/status-lists/other", "https://node.example/lists/rev-7", "https://node.example/status-lists/rev-7?x=1", "node.example/status-lists/rev-7", "ftp://n.example/status-lists/rev-7"} {
		_, err = status.Entry(l, bad, 1)
		wantErr(t, err, http.StatusBadRequest, "status.invalidUrl")
		_, err = status.Credential(e.l, "rev-7", bad)
		wantErr(t, err, http.StatusBadRequest, "status.invalidUrl")
	}
	_, err = status.Credential(e.l, "nope", status.URL("https://n.example", "nope"))
	wantErr(t, err, http.StatusNotFound, "status.notFound")
}
