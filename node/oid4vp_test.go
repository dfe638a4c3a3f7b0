package node

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/oid4vp"
)

// The presentation requests' store keeps a record and its account index
// entry together, and reads back what it wrote.
func TestPresentationRequests_RoundTrip(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	st := n.PresentationRequests()
	exp := time.Now().UTC().Truncate(time.Second).Add(time.Minute)
	rec := &oid4vp.Record{ID: "r1", Account: "desk", Status: api.VPPending, Query: json.RawMessage(`{"credentials":[]}`), Expires: exp}
	if err := st.Create(rec); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(rec); err == nil {
		t.Error("a request was created twice")
	}
	rec.Status = api.VPRetrieved
	if err := st.Put(rec); err != nil {
		t.Fatal(err)
	}
	got, err := st.Get("r1")
	if err != nil || got.Status != api.VPRetrieved || !got.Expires.Equal(exp) {
		t.Fatalf("get: %v %+v", err, got)
	}
	indexed := map[string]time.Time{}
	if err := st.Expiries("desk", func(id string, e time.Time) { indexed[id] = e }); err != nil || !indexed["r1"].Equal(exp) || len(indexed) != 1 {
		t.Fatalf("index: %v %v", err, indexed)
	}
	var all []string
	if err := st.Each(func(r *oid4vp.Record) { all = append(all, r.ID) }); err != nil || len(all) != 1 {
		t.Fatalf("each: %v %v", err, all)
	}
	if err := st.Delete("desk", "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get("r1"); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("deleted: %v", err)
	}
	indexed = map[string]time.Time{}
	if err := st.Expiries("desk", func(id string, e time.Time) { indexed[id] = e }); err != nil || len(indexed) != 0 {
		t.Errorf("index after delete: %v %v", err, indexed)
	}
}

// The node's verifier signs as the account's own custodial DID only.
func TestNewPresentationVerifier_SignsWithTheAccountsDID(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	ctx := context.Background()
	desk := mustCreateAccount(t, n, "desk", keys.Ed25519, false)
	v := n.NewPresentationVerifier()
	q := json.RawMessage(`{"credentials":[{"id":"d","format":"dc+sd-jwt","meta":{"vct_values":["X"]}}]}`)
	out, err := v.Create(ctx, oid4vp.Caller{Account: "desk"}, "http://127.0.0.1:8080", &api.PresentationRequestBody{DCQLQuery: q})
	if err != nil {
		t.Fatal(err)
	}
	if out.ClientID != oid4vp.PrefixDecentralizedIdentifier+desk.DID {
		t.Errorf("client_id %s, want the account's DID %s", out.ClientID, desk.DID)
	}
	_, err = v.Create(ctx, oid4vp.Caller{Account: "desk"}, "http://127.0.0.1:8080", &api.PresentationRequestBody{DCQLQuery: q, DID: n.AdminDID})
	if errs.Code(err) != "auth.notOwner" {
		t.Errorf("the admin's DID for another account: %v", err)
	}
}
