package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// detailCorpus is three NDJSON lines: a did:key vc+jwt that verifies, the
// same token tampered, and a line that is not JSON.
func detailCorpus(t *testing.T) string {
	t.Helper()
	k := keytest.New(t, keys.Ed25519)
	d := did.KeyDID(k.Public())
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"` + d + `","validFrom":"2025-01-01T00:00:00Z","credentialSubject":{"id":"did:example:1"}}`
	tok, err := credential.IssueJWT(credential.Signer{DID: d, VerificationMethod: d + "#" + k.Public().Multibase(), Key: k}, json.RawMessage(cred), time.Now(), credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return q(tok) + "\n" + q(tok[:len(tok)-8]+"AAAAAAAA") + "\n{not json\n"
}

// TestStream_DetailFailures: ?detail=failures answers {index, verified} for
// a credential that verified, names only the failed checks of one that
// failed, and keeps code and detail for a line that is not a credential;
// the summary is the full form's. The default stays the full form.
func TestStream_DetailFailures(t *testing.T) {
	srv := streamServer(t, 0, nil)
	body := detailCorpus(t)
	post := func(query string) []string {
		t.Helper()
		resp, err := http.Post(srv.URL+api.PathVerifyBatch+query, api.MediaTypeNDJSON, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		var lines []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		return lines
	}
	full, compact := post(""), post("?detail=failures")
	if len(full) != 4 || len(compact) != 4 {
		t.Fatalf("full %d lines, compact %d", len(full), len(compact))
	}
	if full[3] != compact[3] || !strings.Contains(full[3], `"verified":1`) {
		t.Fatalf("summaries differ:\n%s\n%s", full[3], compact[3])
	}
	if compact[0] != `{"index":0,"verified":true}` {
		t.Fatalf("verified: %s", compact[0])
	}
	var f, c api.BatchResult
	_ = json.Unmarshal([]byte(full[1]), &f)
	if err := json.Unmarshal([]byte(compact[1]), &c); err != nil {
		t.Fatal(err)
	}
	if len(f.Checks) < 3 || c.Checks != nil || c.Verified || len(c.Errors) == 0 || len(c.Errors) != len(f.Errors) || !reflect.DeepEqual(c.Errors[0], f.Errors[0]) {
		t.Fatalf("failed:\nfull    %s\ncompact %s", full[1], compact[1])
	}
	if strings.Contains(compact[1], `"passed"`) {
		t.Fatalf("a passed check in the compact form: %s", compact[1])
	}
	if !strings.HasPrefix(compact[2], `{"index":2,"verified":false,"code":"credential.invalid","detail":`) {
		t.Fatalf("invalid: %s", compact[2])
	}
	if len(compact[0])*10 > len(full[0]) {
		t.Fatalf("the compact form is not much smaller: %d bytes vs %d", len(compact[0]), len(full[0]))
	}
}

// TestVerify_DetailFailuresJSONAndBadDetail: the JSON body takes
// ?detail=failures too; another value is a 400 naming the parameter.
func TestVerify_DetailFailuresJSONAndBadDetail(t *testing.T) {
	srv := streamServer(t, 0, nil)
	var creds []json.RawMessage
	for _, l := range strings.Split(strings.TrimSpace(detailCorpus(t)), "\n")[:2] {
		creds = append(creds, json.RawMessage(l))
	}
	req, _ := json.Marshal(api.VerifyBatchRequest{Credentials: creds})
	resp, err := http.Post(srv.URL+api.PathVerifyBatch+"?detail=failures", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Results []json.RawMessage
		Summary api.BatchSummary
	}
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(got.Results) != 2 || string(got.Results[0]) != `{"index":0,"verified":true}` ||
		!strings.HasPrefix(string(got.Results[1]), `{"index":1,"verified":false,"errors":[`) || got.Summary.Total != 2 {
		t.Fatalf("status %d (%v): %+v", resp.StatusCode, err, got)
	}
	for _, ctype := range []string{"application/json", api.MediaTypeNDJSON} {
		resp, err := http.Post(srv.URL+api.PathVerifyBatch+"?detail=some", ctype, bytes.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || p.Code != "request.badQuery" || !strings.Contains(p.Detail, "detail") {
			t.Fatalf("%s: status %d, %+v", ctype, resp.StatusCode, p)
		}
	}
}
