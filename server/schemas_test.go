package server

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/weidgo/weid/node"
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
	var sr SchemaResponse
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
	var acct node.NewAccount
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
	var list SchemaList
	r = tn.do(t, "GET", "/v1/schemas?limit=2", "", nil)
	if _ = json.Unmarshal(r.body, &list); len(list.Schemas) != 2 || list.Next == 0 {
		t.Fatalf("list: %s", r.body)
	}
	if _, err := tn.n.Ledger.AuditStore(); err != nil {
		t.Fatal(err)
	}
}
