package chain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/syndtr/goleveldb/leveldb"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

func TestGenesisBlock(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	h := e.l.Head()
	if h.Empty || h.Height != 0 || e.l.ChainID() != testChain {
		t.Fatalf("head %+v, chain %q", h, e.l.ChainID())
	}
	b, err := e.l.Block(0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Header.PrevHash != strings.Repeat("0", 64) || b.Header.Time != genesisTime.Format(TimeFormat) || b.Hash != h.Hash {
		t.Fatalf("genesis header %+v", b.Header)
	}
	if err := Standard.VerifyBlock(b); err != nil {
		t.Fatal(err)
	}
	init, err := InitRecord(e.l)
	if err != nil || init.NodeKey != e.node.Public().Multibase() {
		t.Fatalf("InitRecord = %+v, %v", init, err)
	}
	if ok, err := IsAdmin(e.l, e.admin.did()); err != nil || !ok {
		t.Fatalf("IsAdmin = %v, %v", ok, err)
	}
	// chain.init is valid only once, and only in the genesis block.
	again := e.admin.tx(t, TypeChainInit, InitPayload{NodeKey: e.node.Public().Multibase(), Admins: []string{e.admin.did()}})
	if _, res := e.commit(t, again); errs.Code(res[0].Err) != "tx.unauthorized" {
		t.Fatalf("second chain.init: %v", res[0].Err)
	}
	// and must be signed by one of the admins it names.
	s := newSigner(t, keys.Ed25519)
	e2 := &testChainEnv{l: openLedger(t, e.reg), reg: e.reg, node: e.node, admin: s, now: genesisTime}
	bad := s.tx(t, TypeChainInit, InitPayload{NodeKey: e.node.Public().Multibase(), Admins: []string{e.admin.did()}})
	if b, res := e2.commit(t, bad); b != nil || errs.Code(res[0].Err) != "tx.unauthorized" {
		t.Fatalf("chain.init by a non-admin: block %v, %v", b, res[0].Err)
	}
	if !e2.l.Head().Empty {
		t.Fatal("a rejected genesis moved the head")
	}
}

// TestCommitKeepsOnlySucceedingTxs offers a block good and failing
// transactions: only the good ones are in it, each result says what became
// of its transaction, and a failing transaction leaves no state.
func TestCommitKeepsOnlySucceedingTxs(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	a, b := newSigner(t, keys.Ed25519), newSigner(t, keys.Secp256k1)
	good1 := a.put(t, "one", "1", false)
	failing := a.put(t, "two", "2", true)
	good2 := b.put(t, "three", "3", false)
	replay := a.txNonce(t, typePut, good1.Nonce, putPayload{Key: "four", Value: "4", Pub: a.key.Public().Multibase()})
	forged := b.put(t, "five", "5", false)
	forged.Signature = flipB64(forged.Signature, 10)
	good3 := a.put(t, "six", "6", false)

	blk, res := e.commit(t, good1, failing, good2, replay, forged, good3)
	if blk == nil {
		t.Fatal("no block")
	}
	want := []struct {
		code  string
		index uint32
	}{{"", 0}, {"test.failed", 0}, {"", 1}, {"tx.replay", 0}, {"tx.badSignature", 0}, {"", 2}}
	for i, w := range want {
		if got := errs.Code(res[i].Err); got != w.code {
			t.Errorf("result %d: %v, want code %q", i, res[i].Err, w.code)
		}
		if w.code == "" && (res[i].Height != 1 || res[i].Index != w.index) {
			t.Errorf("result %d: at %d/%d, want 1/%d", i, res[i].Height, res[i].Index, w.index)
		}
	}
	if e, ok := errs.As(res[3].Err); !ok || e.Status != http.StatusConflict {
		t.Errorf("replay: %v, want status 409", res[3].Err)
	}
	var hashes []string
	for _, tx := range blk.Txs {
		hashes = append(hashes, tx.Hash())
	}
	if wantHashes := []string{good1.Hash(), good2.Hash(), good3.Hash()}; strings.Join(hashes, ",") != strings.Join(wantHashes, ",") {
		t.Fatalf("block txs %v, want %v", hashes, wantHashes)
	}

	for k, want := range map[string]string{"one": "1", "three": "3", "six": "6"} {
		if v, ok := getState(t, e.l, putKey(k)); !ok || v != want {
			t.Errorf("state %s = %q, %v", k, v, ok)
		}
	}
	for _, k := range []string{"two", "four", "five"} {
		if v, ok := getState(t, e.l, putKey(k)); ok {
			t.Errorf("state %s = %q: a failed transaction left state", k, v)
		}
	}
	if v, _ := getState(t, e.l, []byte("last")); v != good3.Hash() {
		t.Errorf("last = %s, want the last good tx %s", v, good3.Hash())
	}
	if _, ok := getState(t, e.l, nonceKey(a.did(), failing.Nonce)); ok {
		t.Error("the failed transaction used up its nonce")
	}
	for _, tx := range []*Tx{failing, replay, forged} {
		if _, err := e.l.Tx(tx.Hash()); errs.Code(err) != "tx.notFound" {
			t.Errorf("Tx(rejected %s) = %v", tx.Hash(), err)
		}
	}
	// The nonce of the failed transaction is still free.
	retry := a.txNonce(t, typePut, failing.Nonce, putPayload{Key: "two", Value: "2", Pub: a.key.Public().Multibase()})
	if _, res := e.commit(t, retry); res[0].Err != nil {
		t.Fatalf("reusing the nonce of a failed tx: %v", res[0].Err)
	}
}

func TestCommitRejectsReplayedNonce(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	a, b := newSigner(t, keys.Ed25519), newSigner(t, keys.P256)
	pa, pb := a.key.Public().Multibase(), b.key.Public().Multibase()
	first := a.txNonce(t, typePut, 5, putPayload{Key: "k", Value: "1", Pub: pa})
	if _, res := e.commit(t, first); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	tests := []struct {
		name string
		txs  []*Tx
		want []string
	}{
		{"same transaction again", []*Tx{first}, []string{"tx.replay"}},
		{"other transaction, same signer and nonce", []*Tx{a.txNonce(t, typePut, 5, putPayload{Key: "k", Value: "2", Pub: pa})}, []string{"tx.replay"}},
		{"other type, same nonce", []*Tx{a.txNonce(t, typePut2, 5, putPayload{Key: "k", Value: "3", Pub: pa})}, []string{"tx.replay"}},
		{"other signer, same nonce", []*Tx{b.txNonce(t, typePut, 5, putPayload{Key: "k", Value: "4", Pub: pb})}, []string{""}},
		{"twice in one block", []*Tx{
			a.txNonce(t, typePut, 6, putPayload{Key: "x", Value: "1", Pub: pa}),
			a.txNonce(t, typePut, 6, putPayload{Key: "x", Value: "2", Pub: pa}),
		}, []string{"", "tx.replay"}},
	}
	for _, tt := range tests { // sequential: each commits to the same ledger
		t.Run(tt.name, func(t *testing.T) {
			_, res := e.commit(t, tt.txs...)
			for i, w := range tt.want {
				if got := errs.Code(res[i].Err); got != w {
					t.Fatalf("tx %d: %v, want %q", i, res[i].Err, w)
				}
			}
		})
	}
	if v, _ := getState(t, e.l, putKey("x")); v != "1" {
		t.Fatalf("x = %q: the replay in the same block was applied", v)
	}
}

func TestCommitWithNoGoodTxMakesNoBlock(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	before := e.l.Head()
	a := newSigner(t, keys.Ed25519)
	blk, res := e.commit(t, a.put(t, "k", "v", true), a.put(t, "k2", "v", true))
	if blk != nil || len(res) != 2 || res[0].Err == nil || res[1].Err == nil {
		t.Fatalf("block %v, results %+v", blk, res)
	}
	if e.l.Head() != before {
		t.Fatalf("head moved: %+v", e.l.Head())
	}
	if blk, res, err := e.l.Commit(nil, e.node, e.now); blk != nil || len(res) != 0 || err != nil {
		t.Fatalf("empty Commit: %v %v %v", blk, res, err)
	}
}

// TestAppHashIsDeterministic feeds two ledgers the same transactions at the
// same times: they agree on every block, byte for byte.
func TestAppHashIsDeterministic(t *testing.T) {
	t.Parallel()
	node := keytest.New(t, keys.Ed25519)
	admin := newSigner(t, keys.Ed25519)
	x, y := newTestChainWith(t, node, admin), newTestChainWith(t, node, admin)
	signers := []*signer{newSigner(t, keys.Ed25519), newSigner(t, keys.P256), newSigner(t, keys.Secp256k1)}
	for round := range 5 {
		var txs []*Tx
		for i, s := range signers {
			txs = append(txs, s.put(t, strings.Repeat("k", i+1), strings.Repeat("v", round+1), round == i))
		}
		bx, _ := x.commit(t, txs...)
		by, _ := y.commit(t, txs...)
		jx, _ := MarshalJSON(bx)
		jy, _ := MarshalJSON(by)
		if !bytes.Equal(jx, jy) {
			t.Fatalf("round %d: blocks differ\n%s\n%s", round, jx, jy)
		}
		if x.l.Head() != y.l.Head() {
			t.Fatalf("round %d: heads %+v and %+v", round, x.l.Head(), y.l.Head())
		}
	}
	// A ledger given different transactions disagrees from then on.
	z := newTestChainWith(t, node, admin)
	if z.l.Head() != (Head{Height: 0, Hash: mustBlock(t, x.l, 0).Hash, AppHash: mustBlock(t, x.l, 0).Header.AppHash, Time: genesisTime.Format(TimeFormat)}) {
		t.Fatalf("genesis differs: %+v", z.l.Head())
	}
	z.commit(t, signers[0].put(t, "other", "v", false))
	if z.l.Head().AppHash == mustBlock(t, x.l, 1).Header.AppHash {
		t.Fatal("different state, same app hash")
	}
}

func mustBlock(t *testing.T, l *Ledger, h uint64) *Block {
	t.Helper()
	b, err := l.Block(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppHashCommitsToChanges(t *testing.T) {
	t.Parallel()
	root := func(cs []change) string {
		r := Standard.smtUpdate(nil, cs).root()
		return hex.EncodeToString(r[:])
	}
	base := []change{{key: []byte("a"), value: []byte("1")}, {key: []byte("b"), value: []byte("2")}}
	h0 := root(base)
	variants := map[string][]change{
		"value changed":      {{key: []byte("a"), value: []byte("1")}, {key: []byte("b"), value: []byte("3")}},
		"key changed":        {{key: []byte("a"), value: []byte("1")}, {key: []byte("c"), value: []byte("2")}},
		"empty value":        {{key: []byte("a"), value: []byte("1")}, {key: []byte("b"), value: []byte{}}},
		"key/value boundary": {{key: []byte("a1"), value: []byte("")}, {key: []byte("b"), value: []byte("2")}},
		"change dropped":     base[:1],
		"no changes":         nil,
	}
	seen := map[string]string{h0: "base"}
	for name, cs := range variants {
		h := root(cs)
		if other, dup := seen[h]; dup {
			t.Errorf("%s and %s have the same app hash", name, other)
		}
		seen[h] = name
	}
	// The overlay reports its writes sorted and with deletions.
	ov := NewOverlay(memState{"z": []byte("old"), "y": []byte("old")})
	ov.Set([]byte("z"), []byte("new"))
	ov.Set([]byte("a"), nil)
	ov.Delete([]byte("y"))
	child := ov.Child()
	child.Set([]byte("m"), []byte("child"))
	if _, ok, _ := ov.Get([]byte("m")); ok {
		t.Fatal("a child's write is visible before Merge")
	}
	ov.Merge(child)
	var got []string
	for _, c := range ov.changes() {
		got = append(got, string(c.key)+"="+string(c.value)+map[bool]string{true: "(deleted)"}[c.value == nil])
	}
	if strings.Join(got, " ") != "a= m=child y=(deleted) z=new" {
		t.Fatalf("changes %v", got)
	}
	if _, ok, _ := ov.Get([]byte("y")); ok {
		t.Fatal("a deleted key is visible")
	}
	if v, ok, _ := ov.Get([]byte("a")); !ok || len(v) != 0 {
		t.Fatal("a key set to nil must exist with an empty value")
	}
}

func TestBlockTimesNeverGoBackwards(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	s := newSigner(t, keys.Ed25519)
	g := genesisTime
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"earlier than the parent", g.Add(-time.Hour), g},
		{"equal to the parent", g, g},
		{"later, sub-microsecond truncated", g.Add(1500 * time.Nanosecond), g.Add(time.Microsecond)},
		{"later, other time zone", g.Add(time.Minute).In(time.FixedZone("X", 5*3600)), g.Add(time.Minute)},
		{"earlier again", g.Add(30 * time.Second), g.Add(time.Minute)},
		{"zero time", time.Time{}, g.Add(time.Minute)},
	}
	for i, tt := range tests { // sequential: each block follows the last
		t.Run(tt.name, func(t *testing.T) {
			c := mustCheck(t, e.reg, s.put(t, "k", tt.name, false))
			b, _, err := e.l.Commit([]*Checked{c}, e.node, tt.now)
			if err != nil || b == nil {
				t.Fatalf("Commit: %v", err)
			}
			if b.Header.Height != uint64(i+1) || b.Header.Time != tt.want.Format(TimeFormat) {
				t.Fatalf("block %d time %s, want %s", b.Header.Height, b.Header.Time, tt.want.Format(TimeFormat))
			}
		})
	}
	if _, _, err := Audit(e.l.Block, e.l.Head().Height, e.reg); err != nil {
		t.Fatal(err)
	}
}

func TestTxProof(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	var txs []*Tx
	for i := range 7 {
		s := newSigner(t, []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1}[i%3])
		txs = append(txs, s.put(t, "k", "<&>\u2028é", false))
	}
	e.commit(t, txs[:2]...)
	e.commit(t, txs[2:]...)

	for i, tx := range txs {
		p, err := e.l.Tx(tx.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if err := Standard.VerifyTx(p); err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		// As a client receives it.
		raw, err := MarshalJSON(p)
		if err != nil {
			t.Fatal(err)
		}
		var got TxWithProof
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if err := Standard.VerifyTx(&got); err != nil {
			t.Fatalf("tx %d after JSON: %v", i, err)
		}
		// Even through encoding/json's HTML escaping.
		raw, _ = json.Marshal(p)
		got = TxWithProof{}
		_ = json.Unmarshal(raw, &got)
		if err := Standard.VerifyTx(&got); err != nil {
			t.Fatalf("tx %d after HTML-escaped JSON: %v", i, err)
		}
		if h, idx, ok, _ := e.l.TxLocation(tx.Hash()); !ok || h != p.Height || idx != p.Index {
			t.Fatalf("TxLocation %d/%d/%v, proof at %d/%d", h, idx, ok, p.Height, p.Index)
		}
	}

	proof := func(t *testing.T) *TxWithProof {
		p, err := e.l.Tx(txs[3].Hash())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	other, _ := e.l.Tx(txs[4].Hash())
	tampers := []struct {
		name string
		f    func(p *TxWithProof)
	}{
		{"tx payload", func(p *TxWithProof) {
			tx := *p.Tx
			tx.Payload = bytes.Replace(tx.Payload, []byte(`"k"`), []byte(`"j"`), 1)
			p.Tx = &tx
		}},
		{"tx nonce", func(p *TxWithProof) { tx := *p.Tx; tx.Nonce++; p.Tx = &tx }},
		{"tx signature", func(p *TxWithProof) { tx := *p.Tx; tx.Signature = flipB64(tx.Signature, 5); p.Tx = &tx }},
		{"tx and hash replaced by another tx", func(p *TxWithProof) { p.Tx, p.Hash = other.Tx, other.Hash }},
		{"hash", func(p *TxWithProof) { p.Hash = other.Hash }},
		{"header appHash", func(p *TxWithProof) { p.Header.AppHash = strings.Repeat("0", 64) }},
		{"header time", func(p *TxWithProof) { p.Header.Time = genesisTime.Format(TimeFormat) }},
		{"header txRoot and block hash", func(p *TxWithProof) {
			p.Header.TxRoot = strings.Repeat("1", 64)
			p.Block, _ = HeaderHash(&p.Header)
		}},
		{"header of another block", func(p *TxWithProof) {
			b := mustBlock(t, e.l, 1)
			p.Header, p.Block = b.Header, b.Hash
		}},
		{"height", func(p *TxWithProof) { p.Height = 1 }},
		{"block hash", func(p *TxWithProof) { p.Block = flipHex(p.Block) }},
		{"block hash of the previous block", func(p *TxWithProof) { p.Block = p.Header.PrevHash }},
		{"proof hash", func(p *TxWithProof) { p.Proof.Hashes[0] = p.Proof.Hashes[1] }},
		{"proof hash dropped", func(p *TxWithProof) { p.Proof.Hashes = p.Proof.Hashes[1:] }},
		{"proof index", func(p *TxWithProof) { p.Proof.LeafIndex++ }},
		{"index and proof index", func(p *TxWithProof) { p.Index++; p.Proof.LeafIndex++ }},
		{"no proof", func(p *TxWithProof) { p.Proof = nil }},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			p := proof(t)
			tt.f(p)
			if err := Standard.VerifyTx(p); err == nil {
				t.Fatal("a tampered proof verifies")
			}
		})
	}

	if _, err := e.l.Tx(strings.Repeat("ab", 32)); errs.Code(err) != "tx.notFound" {
		t.Fatalf("unknown hash: %v", err)
	}
	for _, bad := range []string{"", "xyz", strings.Repeat("a", 63), strings.Repeat("a", 66)} {
		if _, err := e.l.Tx(bad); errs.Code(err) != "tx.badHash" {
			t.Fatalf("Tx(%q) = %v", bad, err)
		}
	}
	if _, err := e.l.Block(99); errs.Code(err) != "block.notFound" {
		t.Fatalf("Block(99) = %v", err)
	}
}

// buildAuditChain makes a chain of a few blocks with every key type, a
// failed transaction and an overwritten key.
func buildAuditChain(t *testing.T) *testChainEnv {
	t.Helper()
	e := newTestChain(t)
	signers := []*signer{newSigner(t, keys.Ed25519), newSigner(t, keys.P256), newSigner(t, keys.Secp256k1)}
	for round := range 3 {
		var txs []*Tx
		for i, s := range signers {
			txs = append(txs, s.put(t, "k"+string(rune('a'+i)), "v"+string(rune('0'+round)), i == round))
		}
		e.commit(t, txs...)
	}
	return e
}

func TestAuditAcceptsAGoodChain(t *testing.T) {
	t.Parallel()
	e := buildAuditChain(t)
	rep, st, err := Audit(e.l.Block, e.l.Head().Height, e.reg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Blocks != 4 || rep.Txs != 1+6 || rep.ChainID != testChain || rep.Head != (Head{Height: 3, Hash: e.l.Head().Hash, AppHash: e.l.Head().AppHash, Time: e.l.Head().Time}) {
		t.Fatalf("report %+v", rep)
	}
	if v, ok := st[string(putKey("ka"))]; !ok || string(v) != "v2" {
		t.Fatalf("replayed ka = %q", v)
	}
	rep2, err := e.l.AuditStore()
	if err != nil {
		t.Fatal(err)
	}
	if *rep2 != *rep {
		t.Fatalf("AuditStore %+v, Audit %+v", rep2, rep)
	}
	// A shorter audit covers a prefix.
	if rep, _, err := Audit(e.l.Block, 1, e.reg); err != nil || rep.Blocks != 2 {
		t.Fatalf("Audit to 1: %+v, %v", rep, err)
	}
	if _, _, err := Audit(e.l.Block, 4, e.reg); err == nil {
		t.Fatal("Audit past the head passes")
	}
}

// TestAuditFindsTampering changes the database behind the ledger's back.
func TestAuditFindsTampering(t *testing.T) {
	t.Parallel()
	editBlock := func(t *testing.T, l *Ledger, h uint64, f func(b *Block)) {
		b := mustBlock(t, l, h)
		f(b)
		raw, err := MarshalJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.db.Put(blockKey(h), raw, nil); err != nil {
			t.Fatal(err)
		}
	}
	// signWith re-hashes b's header and signs it with k.
	signWith := func(k *keys.PrivateKey, b *Block) {
		b.Hash, _ = HeaderHash(&b.Header)
		hb, _ := hex.DecodeString(b.Hash)
		sig, _ := k.Sign(hb)
		b.Signature = encodeB64(sig)
	}
	resign := func(e *testChainEnv, b *Block) { signWith(e.node, b) }
	// reroot recomputes the txRoot of b's transactions and re-signs it.
	reroot := func(e *testChainEnv, b *Block) {
		b.Header.TxRoot, _ = Standard.TxRoot(b)
		resign(e, b)
	}
	tests := []struct {
		name string
		// blocksOK: Audit of the blocks alone still passes (only AuditStore,
		// which compares the stored state, can tell).
		blocksOK bool
		tamper   func(t *testing.T, e *testChainEnv)
		wantErr  string
	}{
		{"state value altered", true, func(t *testing.T, e *testChainEnv) {
			if err := e.l.db.Put(stateKey(putKey("ka")), []byte("forged"), nil); err != nil {
				t.Fatal(err)
			}
		}, "differs from the replayed state"},
		{"state key added", true, func(t *testing.T, e *testChainEnv) {
			_ = e.l.db.Put(stateKey(AdminKey("did:test:mallory")), []byte{1}, nil)
		}, "differs from the replayed state"},
		{"state key deleted", true, func(t *testing.T, e *testChainEnv) {
			_ = e.l.db.Delete(stateKey(putKey("kb")), nil)
		}, "stored state has"},
		{"tx payload altered", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 2, func(b *Block) {
				b.Txs[0].Payload = bytes.Replace(b.Txs[0].Payload, []byte(`"v1"`), []byte(`"v9"`), 1)
			})
		}, "txRoot"},
		{"tx payload altered, txRoot recomputed and block re-signed", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 2, func(b *Block) {
				b.Txs[0].Payload = bytes.Replace(b.Txs[0].Payload, []byte(`"v1"`), []byte(`"v9"`), 1)
				reroot(e, b)
			})
		}, "signature does not verify"},
		{"tx dropped, block re-signed", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 2, func(b *Block) {
				b.Txs = b.Txs[1:]
				b.Header.TxCount = uint32(len(b.Txs))
				reroot(e, b)
			})
		}, "appHash"},
		{"tx dropped, count kept, block re-signed", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 2, func(b *Block) {
				b.Txs = b.Txs[1:]
				reroot(e, b)
			})
		}, "txCount"},
		{"block signature altered", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 1, func(b *Block) { b.Signature = flipB64(b.Signature, 0) })
		}, "signature does not verify"},
		{"block hash altered", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 3, func(b *Block) { b.Hash = strings.Repeat("0", 64) })
		}, "does not match its header"},
		{"appHash altered, block re-signed", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 3, func(b *Block) { b.Header.AppHash = strings.Repeat("0", 64); resign(e, b) })
		}, "appHash"},
		{"prevHash altered, block re-signed", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 2, func(b *Block) { b.Header.PrevHash = strings.Repeat("0", 64); resign(e, b) })
		}, "does not link"},
		{"time before the parent, block re-signed", false, func(t *testing.T, e *testChainEnv) {
			editBlock(t, e.l, 2, func(b *Block) { b.Header.Time = genesisTime.Add(-time.Hour).Format(TimeFormat); resign(e, b) })
		}, "earlier than its parent"},
		{"block signed by another key", false, func(t *testing.T, e *testChainEnv) {
			k, _ := keys.Generate(keys.Ed25519)
			editBlock(t, e.l, 2, func(b *Block) {
				b.Header.Proposer = k.Public().Multibase()
				signWith(k, b)
			})
		}, "not the chain's node key"},
		{"block deleted", false, func(t *testing.T, e *testChainEnv) {
			_ = e.l.db.Delete(blockKey(2), nil)
		}, "block.notFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := buildAuditChain(t)
			tt.tamper(t, e)
			_, _, err := Audit(e.l.Block, e.l.Head().Height, e.reg)
			if tt.blocksOK && err != nil {
				t.Fatalf("Audit of the blocks: %v", err)
			}
			if !tt.blocksOK && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Audit = %v, want an error containing %q", err, tt.wantErr)
			}
			_, err = e.l.AuditStore()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("AuditStore = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestAuditStoreNeedsBlocks(t *testing.T) {
	t.Parallel()
	l := openLedger(t, testRegistry())
	if _, err := l.AuditStore(); err == nil {
		t.Fatal("AuditStore of an empty ledger passes")
	}
}

// TestCommitStorageFailure simulates a disk that refuses the block's batch.
func TestCommitStorageFailure(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	preg := prometheus.NewRegistry()
	e.l.SetMetrics(NewMetrics(preg))
	commits := 0
	e.l.OnCommit(func(*Block) { commits++ })
	before := e.l.Head()
	a, b := newSigner(t, keys.Ed25519), newSigner(t, keys.P256)
	txs := []*Tx{a.put(t, "x", "1", false), b.put(t, "y", "2", false)}
	failing := a.put(t, "z", "3", true)
	cs := []*Checked{mustCheck(t, e.reg, txs[0]), mustCheck(t, e.reg, txs[1]), mustCheck(t, e.reg, failing)}

	diskErr := errors.New("disk on fire")
	write := e.l.write
	e.l.write = func(*leveldb.Batch) error { return diskErr }
	blk, res, err := e.l.Commit(cs, e.node, e.now)
	if blk != nil {
		t.Fatal("Commit returned a block it could not write")
	}
	se, ok := errs.As(err)
	if !ok || se.Status != http.StatusServiceUnavailable || se.Code != "ledger.unavailable" {
		t.Fatalf("Commit error %#v, want 503 ledger.unavailable", err)
	}
	if !errors.Is(err, ErrStorage) || !strings.Contains(err.Error(), diskErr.Error()) {
		t.Fatalf("Commit error %v does not wrap ErrStorage and the cause", err)
	}
	for i := range txs {
		if res[i].Err != err {
			t.Errorf("result %d: %v, want the storage error", i, res[i].Err)
		}
	}
	if errs.Code(res[2].Err) != "test.failed" {
		t.Errorf("the failing tx: %v, want its own error", res[2].Err)
	}
	if e.l.Head() != before {
		t.Fatalf("head moved to %+v", e.l.Head())
	}
	if _, err := e.l.Block(before.Height + 1); errs.Code(err) != "block.notFound" {
		t.Fatalf("Block(next) = %v", err)
	}
	for _, tx := range txs {
		if _, err := e.l.Tx(tx.Hash()); errs.Code(err) != "tx.notFound" {
			t.Fatalf("Tx = %v", err)
		}
	}
	for _, k := range []string{"x", "y"} {
		if _, ok := getState(t, e.l, putKey(k)); ok {
			t.Fatalf("state %s written by a failed block", k)
		}
	}
	if _, ok := getState(t, e.l, nonceKey(a.did(), txs[0].Nonce)); ok {
		t.Fatal("nonce used by a failed block")
	}
	if commits != 0 {
		t.Fatal("OnCommit called for a block that was not written")
	}
	if got := metricValue(t, preg, "weid_ledger_storage_errors_total"); got != 1 {
		t.Fatalf("storage errors metric %v", got)
	}

	// The disk recovers, but whether a failed batch reached goleveldb's
	// journal is unknown until the journal is replayed: the ledger refuses
	// to write until it is reopened.
	e.l.write = write
	if blk, _, err := e.l.Commit(cs, e.node, e.now); blk != nil || errs.Code(err) != "ledger.unavailable" {
		t.Fatalf("Commit before reopening: block %v, %v; want ledger.unavailable", blk, err)
	}
	if e.l.Head() != before {
		t.Fatalf("head moved to %+v", e.l.Head())
	}

	// After a restart the same transactions commit at the same height.
	e.reopen(t)
	if e.l.Head() != before {
		t.Fatalf("reopened head %+v, want %+v", e.l.Head(), before)
	}
	if _, ok := getState(t, e.l, putKey("x")); ok {
		t.Fatal("state of the failed block after reopening")
	}
	preg = prometheus.NewRegistry()
	e.l.SetMetrics(NewMetrics(preg))
	e.l.OnCommit(func(*Block) { commits++ })
	blk, res, err = e.l.Commit(cs, e.node, e.now)
	if err != nil || blk == nil {
		t.Fatalf("Commit after reopening: %v", err)
	}
	if blk.Header.Height != before.Height+1 || blk.Header.PrevHash != before.Hash || len(blk.Txs) != 2 {
		t.Fatalf("block %+v with %d txs", blk.Header, len(blk.Txs))
	}
	if res[0].Err != nil || res[1].Err != nil || res[0].Height != blk.Header.Height || res[1].Index != 1 {
		t.Fatalf("results %+v", res)
	}
	if commits != 1 || metricValue(t, preg, "weid_ledger_height") != float64(blk.Header.Height) {
		t.Fatalf("OnCommit called %d times, height metric %v", commits, metricValue(t, preg, "weid_ledger_height"))
	}
	for _, tx := range txs {
		if p, err := e.l.Tx(tx.Hash()); err != nil || Standard.VerifyTx(p) != nil {
			t.Fatalf("Tx after recovery: %v", err)
		}
	}
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

// TestPrepareOnParent prepares a block on top of one not yet written, as
// the pipelined engine does: it sees its parent's state and nonces, and
// persisting both in order gives the same chain as committing them one by one.
func TestPrepareOnParent(t *testing.T) {
	t.Parallel()
	node, _ := keys.Generate(keys.Ed25519)
	admin := newSigner(t, keys.Ed25519)
	piped, serial := newTestChainWith(t, node, admin), newTestChainWith(t, node, admin)
	a := newSigner(t, keys.Ed25519)
	pa := a.key.Public().Multibase()
	first := []*Tx{a.put(t, "k", "1", false), a.put(t, "j", "1", false)}
	second := []*Tx{
		a.txNonce(t, typePut, first[0].Nonce, putPayload{Key: "k", Value: "replay", Pub: pa}), // nonce used by the parent
		a.put(t, "k", "2", false),
	}
	check := func(txs []*Tx) []*Checked {
		cs := make([]*Checked, len(txs))
		for i, tx := range txs {
			cs[i] = mustCheck(t, piped.reg, tx)
		}
		return cs
	}
	t1, t2 := genesisTime.Add(time.Second), genesisTime.Add(2*time.Second)
	p1, err := piped.l.Prepare(check(first), node, t1, nil)
	if err != nil || p1.Block == nil {
		t.Fatal(err)
	}
	p2, err := piped.l.Prepare(check(second), node, t2, p1)
	if err != nil || p2.Block == nil {
		t.Fatal(err)
	}
	if p2.Block.Header.Height != 2 || p2.Block.Header.PrevHash != p1.Block.Hash {
		t.Fatalf("child header %+v", p2.Block.Header)
	}
	if errs.Code(p2.Results[0].Err) != "tx.replay" || p2.Results[1].Err != nil {
		t.Fatalf("child results %+v", p2.Results)
	}
	if piped.l.Head().Height != 0 {
		t.Fatal("Prepare moved the head")
	}
	if err := piped.l.Persist(p1); err != nil {
		t.Fatal(err)
	}
	if err := piped.l.Persist(p2); err != nil {
		t.Fatal(err)
	}

	serial.now = t1
	serial.commit(t, first...)
	serial.commit(t, second...)
	if piped.l.Head() != serial.l.Head() {
		t.Fatalf("pipelined head %+v, serial %+v", piped.l.Head(), serial.l.Head())
	}
	if v, _ := getState(t, piped.l, putKey("k")); v != "2" {
		t.Fatalf("k = %q", v)
	}
	if _, err := piped.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestLedgerReopens(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	reg := testRegistry()
	l, err := Open(dir, reg)
	if err != nil {
		t.Fatal(err)
	}
	node, _ := keys.Generate(keys.Ed25519)
	admin := newSigner(t, keys.Ed25519)
	e := &testChainEnv{l: l, reg: reg, node: node, admin: admin, now: genesisTime}
	e.commit(t, admin.txNonce(t, TypeChainInit, 0, InitPayload{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}}))
	s := newSigner(t, keys.Secp256k1)
	tx := s.put(t, "k", "v", false)
	e.commit(t, tx)
	head := l.Head()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	l, err = Open(dir, reg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Head() != head || l.ChainID() != testChain || l.Registry() != reg {
		t.Fatalf("reopened head %+v chain %q", l.Head(), l.ChainID())
	}
	if p, err := l.Tx(tx.Hash()); err != nil || Standard.VerifyTx(p) != nil {
		t.Fatalf("Tx after reopen: %v", err)
	}
	e.l = l
	if _, res := e.commit(t, tx); errs.Code(res[0].Err) != "tx.replay" {
		t.Fatalf("replay after reopen: %v", res[0].Err)
	}
	if b, _ := e.commit(t, s.put(t, "k", "w", false)); b == nil || b.Header.Height != 2 || b.Header.PrevHash != head.Hash {
		t.Fatalf("next block after reopen: %+v", b)
	}
	if _, err := l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestScan(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	s := newSigner(t, keys.Ed25519)
	var txs []*Tx
	for _, k := range []string{"c", "a", "b", "d"} {
		txs = append(txs, s.put(t, k, "v"+k, false))
	}
	e.commit(t, txs...)
	scan := func(prefix, after string, limit int) string {
		var got []string
		err := e.l.Scan([]byte(prefix), []byte(after), func(k, v []byte) bool {
			got = append(got, string(k)+"="+string(v))
			return len(got) < limit
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, ",")
	}
	tests := []struct {
		prefix, after string
		limit         int
		want          string
	}{
		{"kv/", "", 10, "kv/a=va,kv/b=vb,kv/c=vc,kv/d=vd"},
		{"kv/", "", 2, "kv/a=va,kv/b=vb"},
		{"kv/", "kv/b", 10, "kv/c=vc,kv/d=vd"},
		{"kv/", "kv/bb", 10, "kv/c=vc,kv/d=vd"},
		{"kv/", "kv/d", 10, ""},
		{"kv/c", "", 10, "kv/c=vc"},
		{"nothing/", "", 10, ""},
	}
	for _, tt := range tests {
		if got := scan(tt.prefix, tt.after, tt.limit); got != tt.want {
			t.Errorf("Scan(%q, after %q) = %s, want %s", tt.prefix, tt.after, got, tt.want)
		}
	}
}

// metricValue reads the counter or gauge called name from g.
func metricValue(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		m := mf.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// flipHex changes the last digit of a hex string.
func flipHex(h string) string {
	last := "1"
	if h[len(h)-1] == '1' {
		last = "2"
	}
	return h[:len(h)-1] + last
}
