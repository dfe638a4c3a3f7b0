package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/proxytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/txn"
)

func soloAnchor(t *testing.T, tn *testNode) api.StateAnchor {
	t.Helper()
	init, err := chain.InitRecord(tn.n.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	return api.StateAnchor{NodeKey: init.NodeKey}
}

func TestStateProof_ResolveVerifiedAgainstAnHonestNode(t *testing.T) {
	tn := startNode(t)
	ctx := context.Background()
	d := tn.newDID(t)
	a := soloAnchor(t, tn)
	res, v, err := tn.c.ResolveVerified(ctx, d, "", a)
	if err != nil {
		t.Fatal(err)
	}
	if res.Document.ID != d || v.Height != tn.n.Ledger.Head().Height || v.AppHash != tn.n.Ledger.Head().AppHash {
		t.Fatalf("verified %s at %+v", res.Document.ID, v)
	}
	if _, _, err := tn.c.ResolveVerified(ctx, d, "1", a); err != nil {
		t.Fatalf("versionId 1: %v", err)
	}
	// Absence is proven: 404 with the proof.
	_, _, missing := newDIDTx(t, tn.n.ChainID)
	_, v, err = tn.c.ResolveVerified(ctx, missing, "", a)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusNotFound || v == nil {
		t.Fatalf("absent DID: %v, verdict %+v", err, v)
	}
	// A schema version (system schema 2, the diploma) and one that does not exist.
	if rec, _, err := tn.c.ProvenSchemaVersion(ctx, 2, 1, a); err != nil || !bytes.Contains(rec, []byte("ersion")) {
		t.Fatalf("schema 2 version 1: %.200s %v", rec, err)
	}
	if rec, _, err := tn.c.ProvenSchemaVersion(ctx, 2, 99, a); err != nil || rec != nil {
		t.Fatalf("schema 2 version 99: %.200s %v", rec, err)
	}
	// The generic endpoint.
	val, _, err := tn.c.ProvenValue(ctx, chain.KeyChainInit, a)
	if err != nil || !bytes.Contains(val, []byte(a.NodeKey)) {
		t.Fatalf("chain/init: %q, %v", val, err)
	}
	if r := tn.do(t, "GET", "/v1/state/proof", "", nil); r.status != http.StatusBadRequest {
		t.Fatalf("no key: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "GET", "/v1/state/proof?key64=***", "", nil); r.status != http.StatusBadRequest {
		t.Fatalf("bad key64: %d %s", r.status, r.body)
	}
}

func TestStateProof_LyingNodeIsCaught(t *testing.T) {
	tn := startNode(t)
	ctx := context.Background()
	d, d2 := tn.newDID(t), tn.newDID(t)
	a := soloAnchor(t, tn)
	// A proof of the other DID's records, and an older header, to splice in.
	var otherProof map[string]any
	raw, _ := json.Marshal(must(tn.n.ResolveProven(ctx, d2, "")).StateProof)
	json.Unmarshal(raw, &otherProof)
	old, err := tn.n.Ledger.Block(1)
	if err != nil {
		t.Fatal(err)
	}
	sp := func(m map[string]any) map[string]any { return m["stateProof"].(map[string]any) }
	proofs := func(m map[string]any) []any { return sp(m)["proofs"].([]any) }
	stranger, _ := keys.Generate(keys.Ed25519)
	for _, c := range []struct {
		name   string
		lie    func(map[string]any)
		anchor api.StateAnchor
		want   string
	}{
		{"changed document", func(m map[string]any) {
			m["didDocument"].(map[string]any)["service"] = []any{map[string]any{"id": d + "#evil", "type": "LinkedDomains", "serviceEndpoint": "https://evil.example"}}
		}, a, "document the node returned differs"},
		{"changed metadata", func(m map[string]any) { m["didDocumentMetadata"].(map[string]any)["deactivated"] = true }, a, "metadata"},
		{"another key's proof", func(m map[string]any) { m["stateProof"] = otherProof }, a, "no proof for key"},
		{"tampered value", func(m map[string]any) {
			p := proofs(m)[1].(map[string]any)
			p["value"] = strings.Replace(p["value"].(string), "A", "B", 1)
		}, a, ""},
		{"another height", func(m map[string]any) {
			h, _ := json.Marshal(old.Header)
			var hm map[string]any
			json.Unmarshal(h, &hm)
			sp(m)["header"], sp(m)["blockHash"], sp(m)["signature"] = hm, old.Hash, old.Signature
		}, a, "root"},
		{"header changed", func(m map[string]any) { sp(m)["header"].(map[string]any)["time"] = "2030-01-01T00:00:00.000000Z" }, a, "header was changed"},
		{"not signed by the trusted key", func(m map[string]any) {}, api.StateAnchor{NodeKey: stranger.Public().Multibase()}, "not the trusted node key"},
		{"no proof at all", func(m map[string]any) { delete(m, "stateProof") }, a, "no stateProof"},
	} {
		t.Run(c.name, func(t *testing.T) {
			liar := client.New(proxytest.Rewriting(t, tn.url, func(_ string, m map[string]any) { c.lie(m) }))
			_, _, err := liar.ResolveVerified(ctx, d, "", c.anchor)
			if err == nil || !errors.Is(err, txn.ErrStateProof) && !strings.Contains(err.Error(), "decode") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("lie accepted or misnamed: %v (want %q)", err, c.want)
			}
			t.Log(err)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStateProof_IssuerAndStatusEntry: an authority issuer's registry
// entry and a status list bit are proven, before and after a revocation;
// an issuer never recognized is proven absent.
func TestStateProof_IssuerAndStatusEntry(t *testing.T) {
	tn := startNode(t)
	ctx := context.Background()
	a := soloAnchor(t, tn)
	uni := tn.account(t, `{"name":"uni"}`)
	if rec, _, err := tn.c.ProvenIssuer(ctx, uni.DID, a); err != nil || rec != nil {
		t.Fatalf("not yet an issuer: %s %v", rec, err)
	}
	if r := tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+uni.DID+`","name":"Example University","types":["UniversityDegreeCredential"],"schemas":[2]}`)); r.status != 201 {
		t.Fatalf("recognize: %d %s", r.status, r.body)
	}
	if rec, _, err := tn.c.ProvenIssuer(ctx, uni.DID, a); err != nil || !strings.Contains(string(rec), "Example University") {
		t.Fatalf("issuer entry: %s %v", rec, err)
	}
	inst := `{"name":"diploma","issuer":"` + uni.DID + `","format":"vc+jwt","schema":2,"types":["UniversityDegreeCredential"],"status":["revocation"]}`
	if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(inst)); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	vc := tn.issueDiploma(t, uni)
	vb, _ := json.Marshal(vc)
	vr := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(vb)+`}`))
	var res credential.Result
	if err := json.Unmarshal(vr.body, &res); err != nil {
		t.Fatal(err)
	}
	credID, _ := res.Credential["id"].(string)
	entry, _ := res.Credential["credentialStatus"].(map[string]any)
	if entry == nil {
		if l, _ := res.Credential["credentialStatus"].([]any); len(l) > 0 {
			entry, _ = l[0].(map[string]any)
		}
	}
	listURL, _ := entry["statusListCredential"].(string)
	index, err := strconv.ParseUint(fmt.Sprint(entry["statusListIndex"]), 10, 64)
	if listURL == "" || err != nil {
		t.Fatalf("credentialStatus %v: %d %.600s", res.Credential["credentialStatus"], vr.status, vr.body)
	}
	listID := listURL[strings.LastIndex(listURL, "/")+1:]
	if set, _, err := tn.c.ProvenStatusBit(ctx, listID, index, a); err != nil || set {
		t.Fatalf("before revocation: %v %v", set, err)
	}
	if r := tn.do(t, "POST", "/credentials/status", uni.Token, []byte(`{"credentialId":"`+credID+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`)); r.status/100 != 2 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if set, v, err := tn.c.ProvenStatusBit(ctx, listID, index, a); err != nil || !set || v.Height != tn.n.Ledger.Head().Height {
		t.Fatalf("after revocation: %v %+v %v", set, v, err)
	}
	if _, _, err := tn.c.ProvenStatusBit(ctx, "no-such-list", 0, a); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("absent list: %v", err)
	}
}

// TestStateProof_BadKeysAre400: GET /v1/state/proof takes 1 to
// api.MaxStateProofKeys keys of 1 to txn.MaxStateKey bytes, key64 in
// unpadded base64url; anything else is 400 state.badKey.
func TestStateProof_BadKeysAre400(t *testing.T) {
	tn := startNode(t)
	many := strings.Repeat("key=a&", api.MaxStateProofKeys+1)
	for name, q := range map[string]string{
		"no key":    "",
		"too many":  many,
		"empty key": "key=",
		"long key":  "key=" + strings.Repeat("k", txn.MaxStateKey+1),
		"padded":    "key64=YQ==",
	} {
		wantProblem(t, name, tn.do(t, "GET", "/v1/state/proof?"+q, "", nil), 400, "state.badKey")
	}
	if r := tn.do(t, "GET", "/v1/state/proof?key=chain/init&key64=YQ", "", nil); r.status != 200 {
		t.Errorf("two good keys: %d %s", r.status, r.body)
	}
}
