package server

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/schemas"
)

func TestSchemas_RegistryOverHTTP(t *testing.T) {
	tn := startNode(t)
	// Genesis registered the system schemas.
	for _, sys := range schemas.SystemSchemas() {
		r := tn.do(t, "GET", "/v1/schemas/"+strconv.FormatUint(sys.ID, 10), "", nil)
		if r.status != 200 {
			t.Fatalf("system schema %d: %d %s", sys.ID, r.status, r.body)
		}
	}
	diploma := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"degree":{"type":"string"}},"required":["degree"]}`
	r := tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"name":"Diploma","schema":`+diploma+`}`))
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var sr api.SchemaResponse
	_ = json.Unmarshal(r.body, &sr)
	if sr.ID < schemas.FirstAuthorityID || sr.ID >= schemas.FirstPublicID || sr.Version != 1 || sr.URL != "/v1/schemas/"+strconv.FormatUint(sr.ID, 10) {
		t.Fatalf("register response: %s", r.body)
	}
	v2 := `{"type":"object","properties":{"degree":{"type":"string"},"honours":{"type":"boolean"}},"required":["degree"]}`
	if r = tn.do(t, "POST", sr.URL+"/versions", tn.token, []byte(`{"schema":`+v2+`}`)); r.status != 201 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	var rec schemas.Record
	r = tn.do(t, "GET", sr.URL+"/versions/1", "", nil)
	if _ = json.Unmarshal(r.body, &rec); r.status != 200 || rec.Version != 1 {
		t.Fatalf("version 1: %s", r.body)
	}
	r = tn.do(t, "GET", sr.URL, "", nil)
	if _ = json.Unmarshal(r.body, &rec); rec.Version != 2 || rec.Publisher != tn.n.AdminDID {
		t.Fatalf("latest: %s", r.body)
	}
	// An institution that is not an authority issuer publishes in the public range only.
	r = tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"training-centre"}`))
	var acct api.NewAccount
	_ = json.Unmarshal(r.body, &acct)
	body := `{"signer":"` + acct.DID + `","schema":` + diploma + `}`
	r = tn.do(t, "POST", "/v1/schemas", acct.Token, []byte(body))
	if _ = json.Unmarshal(r.body, &sr); r.status != 201 || sr.ID < schemas.FirstPublicID {
		t.Fatalf("public register: %d %s", r.status, r.body)
	}
	wantProblem(t, "system id by anyone", tn.do(t, "POST", "/v1/schemas", acct.Token, []byte(`{"signer":"`+acct.DID+`","id":500,"schema":`+diploma+`}`)), 403, "tx.unauthorized")
	wantProblem(t, "not a schema", tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"schema":{"type":"nonsense"}}`)), 400, "schema.invalid")
	wantProblem(t, "external ref", tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"schema":{"$ref":"https://evil.example/s.json"}}`)), 400, "schema.invalid")
	wantProblem(t, "missing", tn.do(t, "GET", "/v1/schemas/1999999", "", nil), 404, "schema.notFound")
	wantProblem(t, "bad id", tn.do(t, "GET", "/v1/schemas/abc", "", nil), 400, "schema.invalidId")
	var list api.SchemaList
	r = tn.do(t, "GET", "/v1/schemas?limit=2", "", nil)
	if _ = json.Unmarshal(r.body, &list); len(list.Schemas) != 2 || list.Next == 0 {
		t.Fatalf("list: %s", r.body)
	}
	if _, err := tn.n.Ledger.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

// A signed schema transaction: an update must name the schema of its path;
// with ?async=true the answer is 202 once it is in the mempool, and the
// schema is published when its block commits.
func TestSchemas_SignedTxAtItsEndpoint(t *testing.T) {
	tn := startNode(t)
	tx, k, d := newDIDTx(t, tn.n.ChainID)
	if r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx)); r.status != 201 {
		t.Fatalf("create DID: %d %s", r.status, r.body)
	}
	schema := json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}}}`)
	other := signedBody(t, tn.n, d+"#key-1", k, schemas.TxUpdate, &schemas.UpdatePayload{ID: schemas.FirstPublicID + 1, Schema: schema})
	wantProblem(t, "update of another schema", tn.do(t, "POST", "/v1/schemas/"+strconv.FormatUint(schemas.FirstPublicID, 10)+"/versions", "", other), 400, "tx.wrongEndpoint")
	wantProblem(t, "an update at the register endpoint", tn.do(t, "POST", "/v1/schemas", "", other), 400, "tx.wrongEndpoint")
	wantProblem(t, "bad async", tn.do(t, "POST", "/v1/schemas?async=maybe", "", other), 400, "request.badQuery")

	reg := signedBody(t, tn.n, d+"#key-1", k, schemas.TxRegister, &schemas.RegisterPayload{Name: "counter", Schema: schema})
	r := tn.do(t, "POST", "/v1/schemas?async=true", "", reg)
	var rc api.Receipt
	if _ = json.Unmarshal(r.body, &rc); r.status != 202 || rc.Status != api.StatusPending || rc.TxHash == "" || rc.Height != 0 {
		t.Fatalf("async register: %d %s", r.status, r.body)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		got, err := tn.c.Tx(context.Background(), rc.TxHash)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == api.StatusCommitted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the async register never committed: %q", got.Status)
		}
	}
	var list api.SchemaList
	r = tn.do(t, "GET", "/v1/schemas?after="+strconv.FormatUint(schemas.FirstPublicID-1, 10), "", nil)
	if _ = json.Unmarshal(r.body, &list); len(list.Schemas) != 1 || list.Schemas[0].Publisher != d || list.Schemas[0].Name != "counter" {
		t.Fatalf("after the async register: %s", r.body)
	}
}

// TestSchemas_I18nAnnotationOverHTTP: a schema in the institution's words
// (x-weid-i18n) registers and is served as written; a malformed
// annotation is a 400 problem naming the JSON pointer of what is wrong.
func TestSchemas_I18nAnnotationOverHTTP(t *testing.T) {
	tn := startNode(t)
	good := `{"type":"object","title":"Diploma","x-weid-i18n":{"zh-CN":{"title":"学位证书"},"zh-HK":{"title":"學位證書"}},` +
		`"properties":{"degree":{"type":"string","title":"Degree","x-weid-i18n":{"zh-HK":{"title":"學位","description":"所頒授的學位"}}}}}`
	r := tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"schema":`+good+`}`))
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var sr api.SchemaResponse
	_ = json.Unmarshal(r.body, &sr)
	var rec schemas.Record
	_ = json.Unmarshal(tn.do(t, "GET", sr.URL, "", nil).body, &rec)
	l, err := schemas.ParseLabels(rec.Schema)
	if err != nil || l.Claim("zh-HK", "degree") != "學位" || l.In("zh-CN").Title != "学位证书" {
		t.Fatalf("served schema %s: %v %+v", rec.Schema, err, l)
	}
	for _, c := range []struct{ schema, pointer string }{
		{`{"properties":{"degree":{"x-weid-i18n":{"zh-HK":{"titel":"學位"}}}}}`, "/properties/degree/x-weid-i18n/zh-HK/titel"},
		{`{"properties":{"degree":{"x-weid-i18n":{"Traditional Chinese":{"title":"學位"}}}}}`, "/properties/degree/x-weid-i18n/Traditional Chinese"},
		{`{"x-weid-i18n":{"zh-CN":{"title":""}}}`, "/x-weid-i18n/zh-CN/title"},
	} {
		r := tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"schema":`+c.schema+`}`))
		wantProblem(t, c.pointer, r, 400, "schema.invalid")
		var p Problem
		if _ = json.Unmarshal(r.body, &p); !strings.Contains(p.Detail, c.pointer) {
			t.Errorf("%s: detail %q does not name it", c.schema, p.Detail)
		}
	}
}

// TestSchemas_VersionCannotRename: a new version keeps the name the schema
// was registered with (schema.update carries none), so a versions request
// naming one — malformed (NUL, 20 kB) or well-formed — is a 400
// schema.invalidName saying so instead of a 201 that silently dropped it
// (beside a signed tx, as any member there: TestSignedBodies_TxComesAlone);
// an id in the body other than the path's is a 400 schema.invalidId.
// Nothing is written.
func TestSchemas_VersionCannotRename(t *testing.T) {
	tn := startNode(t)
	diploma := `{"type":"object","properties":{"degree":{"type":"string"}}}`
	r := tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"name":"Diploma","schema":`+diploma+`}`))
	var sr api.SchemaResponse
	if _ = json.Unmarshal(r.body, &sr); r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	path := sr.URL + "/versions"
	head := tn.n.Ledger.Head()
	for name, c := range map[string]struct{ body, code, detail string }{
		"NUL in name":      {`{"name":"a\u0000b","schema":` + diploma + `}`, "schema.invalidName", `"name"`},
		"20 kB name":       {`{"name":"` + strings.Repeat("n", 20_000) + `","schema":` + diploma + `}`, "schema.invalidName", "Diploma"},
		"a new name":       {`{"name":"Diploma v2","schema":` + diploma + `}`, "schema.invalidName", "Diploma"},
		"name beside a tx": {`{"tx":{},"name":"Diploma v2"}`, "request.malformed", `"name" would be ignored`},
		"another id":       {`{"id":2000000,"schema":` + diploma + `}`, "schema.invalidId", strconv.FormatUint(sr.ID, 10)},
	} {
		r := tn.do(t, "POST", path, tn.token, []byte(c.body))
		wantProblem(t, name, r, 400, c.code)
		var p Problem
		if _ = json.Unmarshal(r.body, &p); !strings.Contains(p.Detail, c.detail) {
			t.Errorf("%s: the problem does not name %s: %s", name, c.detail, r.body)
		}
	}
	if h := tn.n.Ledger.Head(); h.Height != head.Height {
		t.Errorf("refused requests wrote blocks: height %d, was %d", h.Height, head.Height)
	}
	// The path's own id, or none, publishes version 2 under the same name.
	if r := tn.do(t, "POST", path, tn.token, []byte(`{"id":`+strconv.FormatUint(sr.ID, 10)+`,"schema":`+diploma+`}`)); r.status != 201 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	var rec schemas.Record
	if r := tn.do(t, "GET", sr.URL, "", nil); json.Unmarshal(r.body, &rec) != nil || rec.Version != 2 || rec.Name != "Diploma" {
		t.Errorf("latest: %d %s", r.status, r.body)
	}
}
