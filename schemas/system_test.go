package schemas_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// systemGenesisTxs registers the system schemas in the genesis block, as
// the node's genesis is to do: after did.create and chain.init, signed by
// the admin.
var systemGenesisTxs = func() []func(testing.TB, *ledgertest.Actor) *chain.Tx {
	var out []func(testing.TB, *ledgertest.Actor) *chain.Tx
	for _, s := range schemas.SystemSchemas() {
		out = append(out, func(t testing.TB, admin *ledgertest.Actor) *chain.Tx {
			return admin.Tx(t, schemas.TxRegister, s.Payload())
		})
	}
	return out
}()

func TestSystemSchemas_Compile(t *testing.T) {
	t.Parallel()
	ss := schemas.SystemSchemas()
	if len(ss) != 3 {
		t.Fatalf("%d system schemas", len(ss))
	}
	for i, s := range ss {
		if s.ID != uint64(i+1) || s.Name == "" {
			t.Fatalf("system schema %d: %+v", i, s)
		}
		if schemas.RangeOf(s.ID) != schemas.RangeSystem {
			t.Fatalf("id %d is not a system id", s.ID)
		}
		if err := s.Payload().Validate(); err != nil {
			t.Fatalf("system schema %d (%s): %v", s.ID, s.Name, err)
		}
	}
}

func TestSystemSchemas_RegisteredAtGenesis(t *testing.T) {
	t.Parallel()
	e := newLedger(t, systemGenesisTxs...)
	for _, s := range schemas.SystemSchemas() {
		r, err := schemas.Get(e.L, s.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r.Height != 0 || r.Version != 1 || r.Publisher != e.Admin.DID || r.Name != s.Name || string(r.Schema) != string(s.Schema) {
			t.Fatalf("schema %d: %+v", s.ID, r)
		}
	}
	// The counters are untouched: automatic ids still start at the range starts.
	alice := e.User(t, keys.Ed25519)
	if id := e.register(t, alice, 0, tiny); id != schemas.FirstPublicID {
		t.Fatalf("first public id %d", id)
	}
	// Nobody but a governor registers a system id, even a free one.
	_, err := e.submit(t, alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: 4, Schema: json.RawMessage(tiny)}))
	wantForbidden(t, err)
	// Nor takes one that exists.
	_, err = e.submit(t, e.Admin.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: 2, Schema: json.RawMessage(tiny)}))
	ledgertest.WantErr(t, err, http.StatusConflict, "schema.exists")
	if _, err := e.L.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestSystemSchemas_ValidateClaims(t *testing.T) {
	t.Parallel()
	e := newLedger(t, systemGenesisTxs...)
	subject := "did:weid:test:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"
	grantor := "did:weid:test:0x0000000000000000000000000000000000000001"
	var v schemas.Validator
	for _, c := range []struct {
		id       uint64
		good     string
		bad      string
		badPlace string
	}{
		{1,
			`{"grantor":"` + grantor + `","grantee":"` + subject + `","resource":"urn:uuid:6a1f","scope":["name","degree"],"purpose":"hiring","notBefore":"2026-01-01T00:00:00Z","expires":"2027-01-01T00:00:00Z"}`,
			`{"grantor":"alice","grantee":"` + subject + `","resource":"r","scope":["name","name"],"purpose":"hiring","expires":"next year"}`,
			"/scope"},
		{2,
			`{"id":"` + subject + `","holderName":"Li Hua","holderIdNumber":"11010519491231002X","degree":"Bachelor of Engineering","degreeLevel":"bachelor","fieldOfStudy":"Computer Science","institution":"Example University","awardedDate":"2024-07-01","diplomaNumber":"1000120240001"}`,
			`{"holderName":"Li Hua","degree":"BEng","fieldOfStudy":"CS","institution":"EU","awardedDate":"July 2024","diplomaNumber":"1"}`,
			"/awardedDate"},
		{3,
			`{"holderName":"Wang Fang","licenceType":"medical practitioner","licenceNumber":"110440000012345","issuingAuthority":"Health Commission","validFrom":"2020-01-01","validUntil":"2030-12-31","conditions":["general practice"]}`,
			`{"holderName":"Wang Fang","licenceType":"medical practitioner","issuingAuthority":"Health Commission","validFrom":"2020-01-01","colour":"blue"}`,
			"licenceNumber"},
	} {
		if err := v.Validate(e.L, c.id, 0, json.RawMessage(c.good)); err != nil {
			t.Errorf("schema %d rejects good claims: %v", c.id, err)
		}
		pe := ledgertest.WantErr(t, v.Validate(e.L, c.id, 0, json.RawMessage(c.bad)), http.StatusUnprocessableEntity, "schema.violation")
		if !strings.Contains(pe.Detail, c.badPlace) {
			t.Errorf("schema %d: detail %q does not name %s", c.id, pe.Detail, c.badPlace)
		}
	}
}
