package schemas_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

func TestValidator_AcceptsAndRejects(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	id := e.register(t, alice, 0, personSchema)
	var v schemas.Validator // the zero value works

	type person struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	for _, ok := range []any{
		json.RawMessage(`{"name":"Alice","age":30,"born":"1996-02-29","address":{"city":"Shenzhen"}}`),
		[]byte(`{"name":"Bob","age":0}`),
		map[string]any{"name": "Carol", "age": 41, "extra": true},
		person{Name: "Dan", Age: 7},
	} {
		if err := v.Validate(e.L, id, 0, ok); err != nil {
			t.Errorf("Validate(%v): %v", ok, err)
		}
	}

	for _, c := range []struct {
		claims string
		want   []string // in the detail
	}{
		{`{"name":"Alice","age":"thirty"}`, []string{"/age"}},
		{`{"name":"Alice"}`, []string{"at /:", "age"}},
		{`{"name":"","age":-1}`, []string{"/name", "/age"}},
		{`{"name":"A","age":1,"born":"1996-02-30"}`, []string{"/born"}},
		{`{"name":"A","age":1,"address":{}}`, []string{"/address", "city"}},
		{`{"name":"A","age":1,"address":{"city":5}}`, []string{"/address/city"}},
		{`[]`, []string{"at /:"}},
		{`{"name":"A","age":1.5}`, []string{"/age"}},
	} {
		err := v.Validate(e.L, id, 1, json.RawMessage(c.claims))
		pe := ledgertest.WantErr(t, err, http.StatusUnprocessableEntity, "schema.violation")
		if strings.ContainsAny(pe.Detail, "\n\r") || len(pe.Detail) > schemas.MaxDetailLength {
			t.Errorf("detail is not one capped line: %q", pe.Detail)
		}
		for _, w := range c.want {
			if !strings.Contains(pe.Detail, w) {
				t.Errorf("claims %s: detail %q does not name %q", c.claims, pe.Detail, w)
			}
		}
	}

	ledgertest.WantErr(t, v.Validate(e.L, id, 0, json.RawMessage(`{"name":`)), http.StatusBadRequest, "schema.invalidClaims")
	ledgertest.WantErr(t, v.Validate(e.L, id+1000, 0, json.RawMessage(`{}`)), http.StatusNotFound, "schema.notFound")
	ledgertest.WantErr(t, v.Validate(e.L, id, 2, json.RawMessage(`{}`)), http.StatusNotFound, "schema.notFound")
}

// Strings of format "regex" in claims are bounded like the schema's own
// patterns.
func TestValidator_FormatRegexIsBounded(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	id := e.register(t, alice, 0, `{"properties":{"re":{"type":"string","format":"regex"}}}`)
	var v schemas.Validator
	if err := v.Validate(e.L, id, 0, json.RawMessage(`{"re":"^a+$"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"re":"(ab|cd|ef|gh|ij){1000}"}`, `{"re":"(unclosed"}`} {
		pe := ledgertest.WantErr(t, v.Validate(e.L, id, 0, json.RawMessage(bad)), http.StatusUnprocessableEntity, "schema.violation")
		if !strings.Contains(pe.Detail, "/re") {
			t.Errorf("detail %q", pe.Detail)
		}
	}
}

// A version is validated against its own schema; 0 follows the latest.
func TestValidator_Versions(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	id := e.register(t, alice, 0, `{"properties":{"n":{"type":"integer"}}}`)
	v := schemas.NewValidator(4)
	claims := json.RawMessage(`{"n":"a string"}`)
	ledgertest.WantErr(t, v.Validate(e.L, id, 0, claims), http.StatusUnprocessableEntity, "schema.violation")
	e.Must(t, alice.Tx(t, schemas.TxUpdate, schemas.UpdatePayload{ID: id, Schema: json.RawMessage(`{"properties":{"n":{"type":"string"}}}`)}))
	if err := v.Validate(e.L, id, 0, claims); err != nil {
		t.Fatalf("latest (version 2): %v", err)
	}
	if err := v.Validate(e.L, id, 2, claims); err != nil {
		t.Fatalf("version 2: %v", err)
	}
	ledgertest.WantErr(t, v.Validate(e.L, id, 1, claims), http.StatusUnprocessableEntity, "schema.violation")
}

// Many failures make one line that says how many were left out.
func TestValidator_LongDetailIsCapped(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	id := e.register(t, alice, 0, `{"type":"array","items":{"type":"integer"}}`)
	claims := `[` + strings.TrimSuffix(strings.Repeat(`"x",`, 200), ",") + `]`
	var v schemas.Validator
	pe := ledgertest.WantErr(t, v.Validate(e.L, id, 0, json.RawMessage(claims)), http.StatusUnprocessableEntity, "schema.violation")
	if len(pe.Detail) > schemas.MaxDetailLength || !strings.Contains(pe.Detail, "more)") || !strings.Contains(pe.Detail, "/0") {
		t.Fatalf("detail %q", pe.Detail)
	}
}

func TestValidator_Concurrent(t *testing.T) {
	t.Parallel()
	e := newLedger(t, systemGenesisTxs...)
	v := schemas.NewValidator(2)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				id := uint64((g+i)%3 + 1)
				// Every system schema has required members.
				err := v.Validate(e.L, id, 0, json.RawMessage(`{}`))
				if errs.Code(err) != "schema.violation" {
					t.Errorf("schema %d: %v", id, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
