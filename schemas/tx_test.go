package schemas_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

const tiny = `{"type":"object"}`

func TestRegister_AutomaticIDsPerRange(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.User(t, keys.Ed25519), e.User(t, keys.Ed25519)
	iss := e.issuer(t, "Example University")
	member := e.committee(t)

	for i, c := range []struct {
		who  *ledgertest.Actor
		want uint64
	}{
		{alice, schemas.FirstPublicID},
		{bob, schemas.FirstPublicID + 1},
		{iss, schemas.FirstAuthorityID},
		{iss, schemas.FirstAuthorityID + 1},
		// Governors asking for an automatic id get the authority range.
		{e.Admin, schemas.FirstAuthorityID + 2},
		{member, schemas.FirstAuthorityID + 3},
		{alice, schemas.FirstPublicID + 2},
	} {
		if got := e.register(t, c.who, 0, tiny); got != c.want {
			t.Fatalf("registration %d: got id %d, want %d", i, got, c.want)
		}
	}
	r, err := schemas.Get(e.L, schemas.FirstPublicID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Publisher != alice.DID || r.Signer != alice.DID || r.Version != 1 || string(r.Schema) != tiny || r.Created == "" || r.TxHash == "" {
		t.Fatalf("record %+v", r)
	}
	if _, ok, err := schemas.IDForTx(e.L, strings.Repeat("0", 64)); ok || err != nil {
		t.Fatalf("IDForTx of an unknown tx: %v %v", ok, err)
	}
}

func TestRegister_AutomaticSkipsExplicitIDs(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	e.register(t, alice, schemas.FirstPublicID, tiny)
	e.register(t, alice, schemas.FirstPublicID+1, tiny)
	e.register(t, alice, schemas.FirstPublicID+3, tiny)
	for _, want := range []uint64{schemas.FirstPublicID + 2, schemas.FirstPublicID + 4} {
		if got := e.register(t, alice, 0, tiny); got != want {
			t.Fatalf("got id %d, want %d", got, want)
		}
	}
}

// Several automatic registrations in one block get distinct ids.
func TestRegister_AutomaticInOneBlock(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	var txs []*chain.Tx
	for range 5 {
		txs = append(txs, alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{Schema: json.RawMessage(tiny)}))
	}
	for i, err := range e.Commit(t, txs...) {
		if err != nil {
			t.Fatal(err)
		}
		if id, ok, _ := schemas.IDForTx(e.L, txs[i].Hash()); !ok || id != schemas.FirstPublicID+uint64(i) {
			t.Fatalf("tx %d got id %d", i, id)
		}
	}
}

func TestRegister_RangeAuthorization(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	iss := e.issuer(t, "Licensing Board")
	member := e.committee(t)
	reg := func(a *ledgertest.Actor, id uint64) error {
		_, err := e.submit(t, a.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: id, Schema: json.RawMessage(tiny)}))
		return err
	}
	// Anyone with a DID: the public range only.
	wantForbidden(t, reg(alice, 500))
	wantForbidden(t, reg(alice, 1500))
	wantForbidden(t, reg(alice, schemas.FirstPublicID-1))
	e.register(t, alice, 2_500_000, tiny)
	// Authority issuers: their range and the public one.
	wantForbidden(t, reg(iss, 500))
	e.register(t, iss, 1500, tiny)
	e.register(t, iss, 2_600_000, tiny)
	// Governors: every range.
	e.register(t, e.Admin, 500, tiny)
	e.register(t, e.Admin, 1600, tiny)
	e.register(t, member, 7, tiny)
	e.register(t, member, 999, tiny)
	// A DID that is not registered cannot sign at all.
	stranger := ledgertest.NewActor(t, keys.Ed25519)
	if err := reg(stranger, 3_000_000); err == nil {
		t.Fatal("a signer without a DID registered a schema")
	}
	// Once de-recognized, an issuer loses its range.
	if _, err := e.submit(t, e.Admin.Tx(t, authz.TxDerecognize, authz.DerecognizePayload{DID: iss.DID})); err != nil {
		t.Fatal(err)
	}
	wantForbidden(t, reg(iss, 1700))
	if got := e.register(t, iss, 0, tiny); got < schemas.FirstPublicID {
		t.Fatalf("a former issuer got id %d", got)
	}
}

func TestRegister_DuplicateID(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.User(t, keys.Ed25519), e.User(t, keys.Ed25519)
	e.register(t, alice, 2_000_123, tiny)
	_, err := e.submit(t, bob.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: 2_000_123, Schema: json.RawMessage(tiny)}))
	ledgertest.WantErr(t, err, http.StatusConflict, "schema.exists")
	// The same signer too: register never overwrites.
	_, err = e.submit(t, alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: 2_000_123, Schema: json.RawMessage(tiny)}))
	ledgertest.WantErr(t, err, http.StatusConflict, "schema.exists")
	// In the same block, the second of two registrations of one id fails.
	e.FirstWins(t, "schema.exists",
		alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: 2_000_200, Schema: json.RawMessage(tiny)}),
		bob.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: 2_000_200, Schema: json.RawMessage(tiny)}))
}

func TestUpdate_AddsVersions(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.User(t, keys.Ed25519), e.User(t, keys.Ed25519)
	h1 := e.Must(t, alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{Name: "Person", Schema: json.RawMessage(tiny)}))
	id, _, _ := schemas.IDForTx(e.L, h1)
	v2 := `{"required":["name"],"type":"object"}` // canonical (RFC 8785) as stored
	h2 := e.Must(t, alice.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(v2)}))
	if gid, ver, ok, err := schemas.Published(e.L, h2); err != nil || !ok || gid != id || ver != 2 {
		t.Fatalf("Published(update) = %d %d %v %v", gid, ver, ok, err)
	}

	r1, err := schemas.Get(e.L, id, 1)
	if err != nil || string(r1.Schema) != tiny || r1.Version != 1 || r1.Name != "Person" {
		t.Fatalf("version 1: %+v %v", r1, err)
	}
	latest, err := schemas.Get(e.L, id, 0)
	if err != nil || latest.Version != 2 || string(latest.Schema) != v2 || latest.Name != "Person" || latest.Publisher != alice.DID || latest.TxHash != h2 {
		t.Fatalf("latest: %+v %v", latest, err)
	}
	_, err = schemas.Get(e.L, id, 3)
	ledgertest.WantErr(t, err, http.StatusNotFound, "schema.notFound")
	_, err = schemas.Get(e.L, id+1, 0)
	ledgertest.WantErr(t, err, http.StatusNotFound, "schema.notFound")

	// Only the publisher or a governor may update.
	_, err = e.submit(t, bob.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(tiny)}))
	wantForbidden(t, err)
	iss := e.issuer(t, "Some Issuer")
	_, err = e.submit(t, iss.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(tiny)}))
	wantForbidden(t, err)
	member := e.committee(t)
	e.Must(t, member.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(tiny)}))
	r3, err := schemas.Get(e.L, id, 0)
	if err != nil || r3.Version != 3 || r3.Publisher != alice.DID || r3.Signer != member.DID {
		t.Fatalf("version 3: %+v %v", r3, err)
	}
	// The publisher keeps the right after a governor's update.
	e.Must(t, alice.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(v2)}))

	_, err = e.submit(t, alice.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: 2_999_999, Schema: json.RawMessage(tiny)}))
	ledgertest.WantErr(t, err, http.StatusNotFound, "schema.notFound")
	_, err = e.submit(t, alice.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: 0, Schema: json.RawMessage(tiny)}))
	ledgertest.WantErr(t, err, http.StatusBadRequest, "schema.invalidId")
}

func TestRegister_InvalidSchemas(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"items":`, schemas.MaxSchemaDepth+1) + `true` + strings.Repeat(`}`, schemas.MaxSchemaDepth+1)
	large := `{"description":"` + strings.Repeat("x", schemas.MaxSchemaBytes) + `"}`
	cases := []struct {
		name, schema, code string
	}{
		{"missing", ``, "schema.invalid"},
		{"null", `null`, "schema.invalid"},
		{"array", `[]`, "schema.invalid"},
		{"string", `"x"`, "schema.invalid"},
		{"boolean schema", `true`, "schema.invalid"},
		{"draft-07", `{"$schema":"http://json-schema.org/draft-07/schema#"}`, "schema.invalid"},
		{"draft 2019-09", `{"$schema":"https://json-schema.org/draft/2019-09/schema"}`, "schema.invalid"},
		{"unknown meta-schema", `{"$schema":"https://example.com/meta"}`, "schema.invalid"},
		{"nested draft-07", `{"$defs":{"a":{"$id":"https://x.example/a","$schema":"http://json-schema.org/draft-07/schema#"}}}`, "schema.invalid"},
		{"remote ref", `{"$ref":"https://example.com/s.json"}`, "schema.invalid"},
		{"file ref", `{"properties":{"a":{"$ref":"file:///etc/passwd"}}}`, "schema.invalid"},
		{"relative ref", `{"$ref":"other.json"}`, "schema.invalid"},
		{"meta-schema ref", `{"$ref":"https://json-schema.org/draft/2020-12/schema"}`, "schema.invalid"},
		{"escaped meta-schema ref", `{"$ref":"https://json%2Dschema.org/draft/2020-12/schema"}`, "schema.invalid"},
		{"dynamic ref outside", `{"$dynamicRef":"https://example.com/s.json#meta"}`, "schema.invalid"},
		{"dangling pointer", `{"$ref":"#/$defs/missing"}`, "schema.invalid"},
		{"bad type", `{"type":5}`, "schema.invalid"},
		{"unknown type", `{"type":"strin"}`, "schema.invalid"},
		{"bad pattern", `{"pattern":"(?<=a)b"}`, "schema.invalid"},
		{"negative minLength", `{"minLength":-1}`, "schema.invalid"},
		{"too complex pattern", `{"pattern":"(ab|cd|ef|gh|ij){1000}"}`, "schema.invalid"},
		{"too complex pattern property", `{"patternProperties":{"(ab|cd|ef|gh|ij){1000}":{}}}`, "schema.invalid"},
		{"too many patterns", `{"allOf":[` + strings.TrimSuffix(strings.Repeat(`{"pattern":"(ab|cd){1000}"},`, 30), ",") + `]}`, "schema.invalid"},
		// JSON Schema Core 2020-12 §9.4.1: loops that never descend.
		{"ref to itself", `{"$ref":"#"}`, "schema.invalid"},
		{"property ref to itself", `{"type":"object","properties":{"a":{"$ref":"#/properties/a"}}}`, "schema.invalid"},
		{"defs referring to each other", `{"type":"object","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"properties":{"x":{"$ref":"#/$defs/a"}}}`, "schema.invalid"},
		{"allOf back to the root", `{"allOf":[{"$ref":"#"}]}`, "schema.invalid"},
		{"anyOf loop", `{"$defs":{"a":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/a"}]}},"properties":{"x":{"$ref":"#/$defs/a"}}}`, "schema.invalid"},
		{"if/then loop", `{"$defs":{"a":{"if":{"type":"object"},"then":{"$ref":"#/$defs/a"}}},"items":{"$ref":"#/$defs/a"}}`, "schema.invalid"},
		{"too large", large, "schema.tooLarge"},
		{"too deep", deep, "schema.tooDeep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := schemas.RegisterPayload{Schema: json.RawMessage(c.schema)}
			if c.schema == "" {
				p.Schema = nil
			}
			e := ledgertest.WantErr(t, p.Validate(), http.StatusBadRequest, c.code)
			if strings.ContainsAny(e.Detail, "\n\r") || len(e.Detail) > schemas.MaxDetailLength {
				t.Fatalf("detail is not one capped line: %q", e.Detail)
			}
			if strings.Contains(e.Detail, "weid.invalid") {
				t.Fatalf("detail names the internal base URL: %q", e.Detail)
			}
			up := schemas.UpdatePayload{ID: 5, Schema: p.Schema}
			ledgertest.WantErr(t, up.Validate(), http.StatusBadRequest, c.code)
		})
	}
}

func TestRegister_ValidSchemas(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`{}`,
		tiny,
		personSchema,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"a":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}}}`,
		// An embedded resource with its own $id, referenced by that id.
		`{"$id":"https://issuer.example/person.json","$defs":{"n":{"$id":"name.json","type":"string"}},"properties":{"name":{"$ref":"name.json"}}}`,
		`{"$defs":{"a":{"$anchor":"here","type":"integer"}},"items":{"$ref":"#here"}}`,
		// A recursive schema.
		`{"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}}}}`,
		// Recursion through a property or item descends: not a loop.
		`{"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}},"additionalProperties":{"anyOf":[{"type":"string"},{"$ref":"#/$defs/node"}]}}},"properties":{"head":{"$ref":"#/$defs/node"}}}`,
		// The same subschema reached twice is not a loop (JSON-Schema-Test-Suite infinite-loop-detection).
		`{"$defs":{"int":{"type":"integer"}},"allOf":[{"properties":{"foo":{"$ref":"#/$defs/int"}}},{"additionalProperties":{"$ref":"#/$defs/int"}}]}`,
		// A property may be named like a keyword.
		`{"properties":{"$ref":{"type":"string"},"$schema":{"type":"string"}}}`,
		strings.Repeat(`{"items":`, schemas.MaxSchemaDepth) + `true` + strings.Repeat(`}`, schemas.MaxSchemaDepth),
	} {
		if err := schemas.CheckSchema([]byte(s)); err != nil {
			t.Errorf("CheckSchema(%.80s): %v", s, err)
		}
	}
}

func TestRegister_InvalidPayloads(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	for _, c := range []struct {
		payload string
		code    string
	}{
		{`{"schema":{},"name":" padded"}`, "schema.invalidName"},
		{`{"schema":{},"name":"a\u0000b"}`, "schema.invalidName"},
		{`{"schema":{},"name":"amolpid ytisrevinu\u202e"}`, "schema.invalidName"},
		{`{"schema":{},"name":"` + strings.Repeat("n", schemas.MaxNameLength+1) + `"}`, "schema.invalidName"},
		{`{"schema":{},"id":9007199254740992}`, "schema.invalidId"},
		{`{"schema":{},"extra":1}`, "tx.invalidPayload"},
		{`{"schema":{"type":5}}`, "schema.invalid"},
	} {
		tx := alice.Tx(t, schemas.TxRegister, json.RawMessage(c.payload))
		_, err := e.submit(t, tx)
		ledgertest.WantErr(t, err, http.StatusBadRequest, c.code)
	}
	// A name with inner spaces and non-ASCII letters is fine.
	e.Must(t, alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{Name: "学位证书 v2", Schema: json.RawMessage(tiny)}))
}

func TestList_Paging(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	var ids []uint64
	for i := range 5 {
		ids = append(ids, e.register(t, alice, 0, fmt.Sprintf(`{"title":"s%d"}`, i)))
	}
	e.register(t, e.Admin, 42, tiny)
	ids = append([]uint64{42}, ids...)
	e.Must(t, alice.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: ids[2], Schema: json.RawMessage(`{"title":"new"}`)}))

	var got []schemas.Record
	var after uint64
	for {
		page, err := schemas.List(e.L, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d", len(page))
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	if len(got) != len(ids) {
		t.Fatalf("listed %d schemas, want %d", len(got), len(ids))
	}
	for i, r := range got {
		if r.ID != ids[i] {
			t.Fatalf("entry %d is %d, want %d", i, r.ID, ids[i])
		}
	}
	if got[2].Version != 2 || string(got[2].Schema) != `{"title":"new"}` {
		t.Fatalf("List does not return the latest version: %+v", got[2])
	}
	all, err := schemas.List(e.L, 0, 0)
	if err != nil || len(all) != len(ids) {
		t.Fatalf("default limit: %d %v", len(all), err)
	}
}

// Replaying the chain gives the same state: the handlers are deterministic.
func TestAudit_Replays(t *testing.T) {
	t.Parallel()
	e := newLedger(t, systemGenesisTxs...)
	alice := e.User(t, keys.Ed25519)
	iss := e.issuer(t, "Issuer")
	e.register(t, alice, 0, personSchema)
	id := e.register(t, iss, 0, tiny)
	e.Must(t, iss.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(personSchema)}))
	if _, err := e.L.AuditStore(); err != nil {
		t.Fatal(err)
	}
	r, err := schemas.Get(e.L, id, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The stored schema is the canonical JSON the transaction carried.
	canon, err := jcs.Transform([]byte(personSchema))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Schema, canon) {
		t.Fatalf("stored schema %s, want %s", r.Schema, canon)
	}
}
