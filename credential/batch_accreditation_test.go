package credential_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// batchOfDiplomas returns a ledger, an accredited university on it, three
// vc+jwt diplomas it issued and a verifier an hour later.
func batchOfDiplomas(t *testing.T) (*ledger, *actor, []credential.Secured, *credential.Verifier) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	alice := e.User(t, keys.Ed25519)
	var items []credential.Secured
	for range 3 {
		items = append(items, credential.Secured{Format: credential.FormatJWT, Token: issue(t, e, signerOf(uni), diploma(t, uni.DID, alice.DID, nil))})
	}
	return e, uni, items, e.verifier(e.Now.Add(time.Hour))
}

// TestBatch_AccreditationFollowsTheLedger: a batch reads an issuer's trust
// registry entry once per ledger height, and a chunk verified after the
// registry changed sees the change (accredited, then derecognized).
func TestBatch_AccreditationFollowsTheLedger(t *testing.T) {
	e, uni, items, v := batchOfDiplomas(t)
	b := v.NewBatch(credential.Policy{RequireAccreditation: true})
	for i, r := range b.VerifyChunk(ctx, items) {
		want(t, r, true, with(credential.CheckAccreditation, passed))
		if single := v.VerifySecured(ctx, items[i], credential.Policy{RequireAccreditation: true}); single.Verified != r.Verified {
			t.Fatalf("item %d: batch %v, single %v", i, r.Verified, single.Verified)
		}
	}
	e.Must(t, e.admin.Tx(t, authz.TxDerecognize, authz.DerecognizePayload{DID: uni.DID}))
	for _, r := range b.VerifyChunk(ctx, items) {
		want(t, r, false, with(credential.CheckAccreditation, failed))
	}
}

// TestBatch_SchemaVersionFollowsTheLedger: a batch reads the latest version
// of a credential's schema once per ledger height, and a chunk verified
// after a new version was published is validated against it (here one that
// requires a claim the diplomas lack).
func TestBatch_SchemaVersionFollowsTheLedger(t *testing.T) {
	e, _, items, v := batchOfDiplomas(t)
	b := v.NewBatch(credential.Policy{})
	for range 2 {
		for _, r := range b.VerifyChunk(ctx, items) {
			want(t, r, true, with(credential.CheckSchema, passed))
		}
	}
	e.Must(t, e.admin.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: diplomaSchema, Schema: json.RawMessage(`{"type":"object","required":["gpa"]}`)}))
	for i, r := range b.VerifyChunk(ctx, items) {
		want(t, r, false, with(credential.CheckSchema, failed))
		single := v.VerifySecured(ctx, items[i], credential.Policy{})
		if got, w := r.Checks[5], single.Checks[5]; got.Name != credential.CheckSchema || got.Detail != w.Detail {
			t.Fatalf("item %d: batch %+v, single %+v", i, got, w)
		}
	}
}
