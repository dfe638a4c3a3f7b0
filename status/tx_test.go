package status_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/status"
)

func TestCreateList(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	l := e.newList(t, a, "rev-1", status.PurposeRevocation, 0)
	if l.Issuer != a.DID || l.Purpose != status.PurposeRevocation || l.Size != status.DefaultSize || l.Version != 1 || l.SetCount != 0 ||
		l.CreatedHeight == 0 || l.Created != "2026-03-04T05:06:09Z" || l.Updated != l.Created {
		t.Fatalf("list: %+v", l)
	}
	// Ids are unique on the ledger, whoever asks.
	b := e.user(t)
	wantErr(t, e.Submit(t, b.Tx(t, status.TxCreate, status.CreatePayload{ID: "rev-1", Purpose: status.PurposeSuspension})), http.StatusConflict, "status.exists")

	// No id: derived from the transaction hash.
	tx := a.Tx(t, status.TxCreate, status.CreatePayload{Purpose: status.PurposeSuspension, Size: status.MaxSize})
	e.Must(t, tx)
	d, err := status.Get(e.l, status.DerivedID(tx.Hash()))
	if err != nil || d.Size != status.MaxSize || len(d.ID) != 32 || !status.ValidID(d.ID) {
		t.Fatalf("derived list: %+v %v", d, err)
	}

	_, err = status.Get(e.l, "nope")
	wantErr(t, err, http.StatusNotFound, "status.notFound")
}

func TestCreateListInvalid(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	for _, c := range []struct {
		p    status.CreatePayload
		code string
	}{
		{status.CreatePayload{ID: "Upper", Purpose: "revocation"}, "status.invalidId"},
		{status.CreatePayload{ID: "..", Purpose: "revocation"}, "status.invalidId"},
		{status.CreatePayload{ID: "a/b", Purpose: "revocation"}, "status.invalidId"},
		{status.CreatePayload{ID: strings.Repeat("a", 65), Purpose: "revocation"}, "status.invalidId"},
		{status.CreatePayload{ID: "x", Purpose: "message"}, "status.invalidPurpose"},
		{status.CreatePayload{ID: "x", Purpose: ""}, "status.invalidPurpose"},
		{status.CreatePayload{ID: "x", Purpose: "revocation", Size: 1024}, "status.invalidSize"},
		{status.CreatePayload{ID: "x", Purpose: "revocation", Size: status.MinSize + 4}, "status.invalidSize"},
		{status.CreatePayload{ID: "x", Purpose: "revocation", Size: status.MaxSize + 8}, "status.invalidSize"},
	} {
		wantErr(t, e.Submit(t, a.Tx(t, status.TxCreate, c.p)), http.StatusBadRequest, c.code)
	}
}

func TestUpdate(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	sus := e.newList(t, a, "sus", status.PurposeSuspension, 2*status.MinSize)
	last := sus.Size - 1
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "sus", Set: []uint64{0, 7, 8, 32768, last}}))
	for _, c := range []struct {
		i    uint64
		want bool
	}{{0, true}, {1, false}, {7, true}, {8, true}, {9, false}, {32767, false}, {32768, true}, {last - 1, false}, {last, true}} {
		if got, err := status.Bit(e.l, "sus", c.i); err != nil || got != c.want {
			t.Errorf("Bit(%d) = %v, %v; want %v", c.i, got, err, c.want)
		}
	}
	l, _ := status.Get(e.l, "sus")
	if l.Version != 2 || l.SetCount != 5 || l.UpdatedHeight <= l.CreatedHeight || l.Updated == l.Created {
		t.Fatalf("after update: %+v", l)
	}
	// Only the chunks that changed are in the state: 0, 1 and the last.
	var chunks int
	if err := e.l.Scan([]byte("status/bits/sus/"), nil, func(k, v []byte) bool { chunks++; return true }); err != nil || chunks != 3 {
		t.Fatalf("%d chunks written, want 3 (%v)", chunks, err)
	}
	// Suspension is reversible; setting a set bit is no error.
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "sus", Set: []uint64{0}, Clear: []uint64{7, 9}}))
	l, _ = status.Get(e.l, "sus")
	if l.Version != 3 || l.SetCount != 4 {
		t.Fatalf("after clear: %+v", l)
	}
	if got, _ := status.Bit(e.l, "sus", 7); got {
		t.Fatal("bit 7 still set")
	}
	bits, err := status.Bits(e.l, l)
	if err != nil || uint64(len(bits)) != l.Size/8 || bits[0] != 0x80 || bits[1] != 0x80 || bits[4096] != 0x80 || bits[len(bits)-1] != 0x01 {
		t.Fatalf("Bits: %v %x %x %x", err, bits[0], bits[1], bits[len(bits)-1])
	}

	_, err = status.Bit(e.l, "sus", l.Size)
	wantErr(t, err, http.StatusBadRequest, "status.indexOutOfRange")
}

func TestUpdateRefused(t *testing.T) {
	e := newLedger(t)
	a, b := e.user(t), e.user(t)
	e.newList(t, a, "rev", status.PurposeRevocation, 0)
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "rev", Set: []uint64{5}}))

	up := func(who *actor, p status.UpdatePayload) error { return e.Submit(t, who.Tx(t, status.TxUpdate, p)) }
	wantErr(t, up(b, status.UpdatePayload{List: "rev", Set: []uint64{1}}), http.StatusForbidden, "tx.unauthorized")
	wantErr(t, up(e.admin, status.UpdatePayload{List: "rev", Set: []uint64{1}}), http.StatusForbidden, "tx.unauthorized")
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Clear: []uint64{5}}), http.StatusConflict, "status.irreversible")
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Clear: []uint64{6}}), http.StatusConflict, "status.irreversible")
	// In range of some list but not of this one: refused, and nothing changes.
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Set: []uint64{1, status.MinSize}}), http.StatusBadRequest, "status.indexOutOfRange")
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Set: []uint64{status.MaxSize}}), http.StatusBadRequest, "status.indexOutOfRange")
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Set: []uint64{3, 4, 3}}), http.StatusBadRequest, "status.duplicateIndex")
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Set: []uint64{3}, Clear: []uint64{3}}), http.StatusBadRequest, "status.duplicateIndex")
	wantErr(t, up(a, status.UpdatePayload{List: "rev"}), http.StatusBadRequest, "status.emptyUpdate")
	wantErr(t, up(a, status.UpdatePayload{List: "other", Set: []uint64{1}}), http.StatusNotFound, "status.notFound")
	wantErr(t, up(a, status.UpdatePayload{List: "Rev", Set: []uint64{1}}), http.StatusBadRequest, "status.invalidId")
	many := make([]uint64, status.MaxIndicesPerTx+1)
	for i := range many {
		many[i] = uint64(i)
	}
	wantErr(t, up(a, status.UpdatePayload{List: "rev", Set: many}), http.StatusBadRequest, "status.tooManyIndices")

	l, _ := status.Get(e.l, "rev")
	if l.Version != 2 || l.SetCount != 1 {
		t.Fatalf("refused updates changed the list: %+v", l)
	}
	if got, _ := status.Bit(e.l, "rev", 1); got {
		t.Fatal("bit 1 set by a refused update")
	}

	// The largest update fits one transaction.
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "rev", Set: many[:status.MaxIndicesPerTx]}))
	if l, _ = status.Get(e.l, "rev"); l.SetCount != status.MaxIndicesPerTx {
		t.Fatalf("setCount %d", l.SetCount)
	}
}

func TestDeterministic(t *testing.T) {
	// The same transactions give the same list on two ledgers.
	e1, e2 := newLedger(t), newLedger(t)
	a := newActor(t)
	run := func(e *ledger) string {
		a.Nonce = 0
		e.Must(t, a.Tx(t, "did.create", map[string]string{"did": a.DID, "publicKeyMultibase": a.Key.Public().Multibase()}))
		e.Must(t, a.Tx(t, status.TxCreate, status.CreatePayload{ID: "x", Purpose: status.PurposeSuspension}))
		e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "x", Set: []uint64{9, 100000, 3}, Clear: []uint64{4}}))
		l, err := status.Get(e.l, "x")
		if err != nil {
			t.Fatal(err)
		}
		bits, err := status.Bits(e.l, l)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := status.EncodeList(bits)
		return enc + "/" + l.TxHash
	}
	if r1, r2 := run(e1), run(e2); r1 != r2 {
		t.Fatalf("different results:\n%s\n%s", r1, r2)
	}
}

func TestByIssuer(t *testing.T) {
	e := newLedger(t)
	a, b := e.user(t), e.user(t)
	for _, id := range []string{"c", "a", "b"} {
		e.newList(t, a, id, status.PurposeRevocation, 0)
	}
	e.newList(t, b, "z", status.PurposeSuspension, 0)
	page, err := status.ByIssuer(e.l, a.DID, "", 2)
	if err != nil || len(page) != 2 || page[0].ID != "a" || page[1].ID != "b" {
		t.Fatalf("page 1: %+v %v", page, err)
	}
	page, err = status.ByIssuer(e.l, a.DID, "b", 2)
	if err != nil || len(page) != 1 || page[0].ID != "c" {
		t.Fatalf("page 2: %+v %v", page, err)
	}
	page, err = status.ByIssuer(e.l, b.DID, "", 0)
	if err != nil || len(page) != 1 || page[0].ID != "z" || page[0].Issuer != b.DID {
		t.Fatalf("b: %+v %v", page, err)
	}
}
