package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// refMTHWith is RFC 6962 §2.1's Merkle Tree Hash over any hash function,
// written from the RFC like refMTH.
func refMTHWith(h func() hash.Hash, d [][]byte) []byte {
	sum := func(parts ...[]byte) []byte {
		x := h()
		for _, p := range parts {
			x.Write(p)
		}
		return x.Sum(nil)
	}
	switch len(d) {
	case 0:
		return sum()
	case 1:
		return sum([]byte{0}, d[0])
	}
	k := 1
	for k*2 < len(d) {
		k *= 2
	}
	return sum([]byte{1}, refMTHWith(h, d[:k]), refMTHWith(h, d[k:]))
}

// TestRFC6962Hasher_OverSHA256IsTheLibrarys: our RFC 6962 construction,
// instantiated with SHA-256, is transparency-dev/merkle's DefaultHasher
// node for node and root for root, so over SM3 it is the same tree with
// another hash.
func TestRFC6962Hasher_OverSHA256IsTheLibrarys(t *testing.T) {
	t.Parallel()
	ours := rfc6962Hasher{sha256.New}
	lib := rfc6962.DefaultHasher
	if !bytes.Equal(ours.EmptyRoot(), lib.EmptyRoot()) || ours.Size() != lib.Size() {
		t.Fatal("empty root or size differs")
	}
	for n := 0; n <= 17; n++ {
		leaves := make([][]byte, n)
		for i := range leaves {
			s := sha256.Sum256([]byte{byte(n), byte(i)})
			leaves[i] = s[:]
			if !bytes.Equal(ours.HashLeaf(leaves[i]), lib.HashLeaf(leaves[i])) {
				t.Fatal("leaf hash differs")
			}
		}
		if n >= 2 && !bytes.Equal(ours.HashChildren(leaves[0], leaves[1]), lib.HashChildren(leaves[0], leaves[1])) {
			t.Fatal("children hash differs")
		}
		if !bytes.Equal(merkleRoot(ours, leaves), merkleRoot(lib, leaves)) {
			t.Fatalf("%d leaves: roots differ", n)
		}
		for i := 0; i < n; i++ {
			a, err1 := buildInclusionProof(ours, leaves, uint64(i))
			b, err2 := buildInclusionProof(lib, leaves, uint64(i))
			if err1 != nil || err2 != nil || fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("%d leaves, leaf %d: proofs differ", n, i)
			}
		}
	}
}

// TestSuiteGM_MerkleTree: the gm suite's tree is RFC 6962 over SM3 (the
// reference definition with SM3), its proofs verify under gm for every leaf
// of trees of 1 to 17 leaves and never under standard.
func TestSuiteGM_MerkleTree(t *testing.T) {
	t.Parallel()
	if got := hex.EncodeToString(GM.merkle().EmptyRoot()); got != "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b" {
		t.Fatalf("SM3 empty root %s", got) // SM3 of the empty string
	}
	for n := 1; n <= 17; n++ {
		leaves := make([][]byte, n)
		for i := range leaves {
			s := sm3.Sum([]byte{byte(n), byte(i)})
			leaves[i] = s[:]
		}
		root := merkleRoot(GM.merkle(), leaves)
		if !bytes.Equal(root, refMTHWith(sm3.New, leaves)) {
			t.Fatalf("%d leaves: root differs from RFC 6962 over SM3", n)
		}
		rootHex := hex.EncodeToString(root)
		for i := range n {
			p, err := buildInclusionProof(GM.merkle(), leaves, uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			leaf := hex.EncodeToString(leaves[i])
			if err := GM.VerifyInclusion(leaf, rootHex, p); err != nil {
				t.Fatalf("%d leaves, leaf %d: %v", n, i, err)
			}
			if err := Standard.VerifyInclusion(leaf, rootHex, p); err == nil {
				t.Fatalf("%d leaves, leaf %d: an SM3 proof verifies with SHA-256", n, i)
			}
		}
	}
}

// TestSuiteStandard_IsTodaysHashing: the standard suite hashes exactly as
// the chain did before suites (tx.Hash, SHA-256 of the header's JCS form).
func TestSuiteStandard_IsTodaysHashing(t *testing.T) {
	t.Parallel()
	s := newSigner(t, keys.Ed25519)
	tx := s.put(t, "k", "v", false)
	if Standard.TxHash(tx) != tx.Hash() || (*Suite)(nil).TxHash(tx) != tx.Hash() {
		t.Fatal("standard tx hash is not tx.Hash")
	}
	sum := sha256.Sum256(tx.Canonical())
	if tx.Hash() != hex.EncodeToString(sum[:]) {
		t.Fatal("tx.Hash is not SHA-256 of the canonical form")
	}
	g := sm3.Sum(tx.Canonical())
	if GM.TxHash(tx) != hex.EncodeToString(g[:]) {
		t.Fatal("gm tx hash is not SM3 of the canonical form")
	}
	for _, in := range []string{"", CryptoStandard} {
		if s, err := ParseSuite(in); err != nil || s != Standard {
			t.Fatalf("ParseSuite(%q) = %v, %v", in, s, err)
		}
	}
	if s, err := ParseSuite("gm"); err != nil || s != GM || s.Name() != "gm" {
		t.Fatalf("ParseSuite(gm) = %v, %v", s, err)
	}
	if _, err := ParseSuite("sm3"); err == nil {
		t.Fatal("ParseSuite(sm3) accepted")
	}
}

// newGMChain is newTestChain on a 国密 chain: SM2 node and admin keys,
// chain.init with crypto "gm" and the given allowed key types.
func newGMChain(t testing.TB, allowed ...keys.Type) *testChainEnv {
	t.Helper()
	node := keytest.New(t, keys.SM2)
	admin := newSigner(t, keys.SM2)
	reg := testRegistry()
	p := InitPayload{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}, Crypto: CryptoGM, AllowedKeyTypes: allowed}
	reg.SetCrypto(GM, p.allowed(GM))
	e := &testChainEnv{dir: t.TempDir(), reg: reg, node: node, admin: admin, now: genesisTime}
	var err error
	if e.l, err = Open(e.dir, reg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.l.Close() })
	b, res := e.commit(t, admin.txNonce(t, TypeChainInit, 0, p))
	if b == nil || res[0].Err != nil {
		t.Fatalf("genesis: block %v, result %+v", b, res)
	}
	return e
}

// TestGMChain_HashesWithSM3AndAudits: every hash of a gm chain is SM3 —
// transaction hashes, block hashes, the tx root, the app hash —, proofs
// verify with SM3 and not SHA-256, the audit (which reads the suite from the
// genesis block, whatever registry it is given) replays it, and a reopened
// ledger knows its suite from its genesis.
func TestGMChain_HashesWithSM3AndAudits(t *testing.T) {
	e := newGMChain(t)
	alice := newSigner(t, keys.SM2)
	txs := []*Tx{alice.put(t, "a", "1", false), alice.put(t, "b", "2", false), alice.put(t, "c", "3", false)}
	b, res := e.commit(t, txs...)
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	for i, tx := range txs {
		g := sm3.Sum(tx.Canonical())
		if res[i].Err != nil || e.reg.Suite().TxHash(tx) != hex.EncodeToString(g[:]) {
			t.Fatal("tx hash is not SM3")
		}
	}
	if h, _ := GM.HeaderHash(&b.Header); h != b.Hash {
		t.Fatal("block hash is not SM3 of the header")
	}
	if h, _ := HeaderHash(&b.Header); h == b.Hash {
		t.Fatal("block hash is SHA-256")
	}
	if err := GM.VerifyBlock(b); err != nil {
		t.Fatal(err)
	}
	if err := Standard.VerifyBlock(b); err == nil {
		t.Fatal("a gm block verifies as a standard one")
	}
	if root, _ := GM.TxRoot(b); root != b.Header.TxRoot {
		t.Fatal("txRoot is not the SM3 tree")
	}
	// The app hash replays with SM3 only.
	rep, _, err := Audit(e.l.Block, e.l.Head().Height, testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Crypto != CryptoGM || rep.Blocks != 2 || rep.Txs != 4 {
		t.Fatalf("audit %+v", rep)
	}
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
	// Inclusion proofs: SM3 verifies, SHA-256 does not.
	for _, tx := range txs {
		p, err := e.l.Tx(GM.TxHash(tx))
		if err != nil {
			t.Fatal(err)
		}
		if err := GM.VerifyTx(p); err != nil {
			t.Fatal(err)
		}
		if err := Standard.VerifyTx(p); err == nil {
			t.Fatal("a gm proof verifies with SHA-256")
		}
		if err := Standard.VerifyInclusion(p.Hash, p.Header.TxRoot, p.Proof); err == nil && p.Proof.TreeSize > 1 {
			t.Fatal("a gm audit path verifies with SHA-256")
		}
	}
	// A reopened ledger reads its suite from its genesis record.
	reg := testRegistry()
	if err := e.l.Close(); err != nil {
		t.Fatal(err)
	}
	if e.l, err = Open(e.dir, reg); err != nil {
		t.Fatal(err)
	}
	if reg.Suite() != GM || fmt.Sprint(reg.AllowedKeyTypes()) != "[SM2]" {
		t.Fatalf("reopened: %s, %v", reg.Suite().Name(), reg.AllowedKeyTypes())
	}
	e.reg = reg
	if _, res := e.commit(t, alice.put(t, "d", "4", false)); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

// TestGMChain_RefusesNonSM2Signers: on a gm chain an Ed25519, P-256 or
// secp256k1 signer is refused (400 tx.keyTypeNotAllowed) before and in the
// block, leaving nothing; chain.init's allowedKeyTypes widens the set.
func TestGMChain_RefusesNonSM2Signers(t *testing.T) {
	e := newGMChain(t)
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		s := newSigner(t, kt)
		tx := s.put(t, "x-"+string(kt), "v", false)
		c := mustCheck(t, e.reg, tx)
		err := e.reg.PreVerify(e.l, c)
		ee, ok := errs.As(err)
		if !ok || ee.Status != 400 || ee.Code != "tx.keyTypeNotAllowed" || !strings.Contains(ee.Detail, string(kt)) || !strings.Contains(ee.Detail, "accepts only SM2 signers") {
			t.Fatalf("%s: PreVerify = %v", kt, err)
		}
		b, res := e.commit(t, tx)
		if b != nil || errs.Code(res[0].Err) != "tx.keyTypeNotAllowed" {
			t.Fatalf("%s: block %v, %v", kt, b, res[0].Err)
		}
		if _, ok := getState(t, e.l, putKey("x-"+string(kt))); ok {
			t.Fatalf("%s: the refused tx wrote state", kt)
		}
	}
	// allowedKeyTypes: SM2 and Ed25519.
	w := newGMChain(t, keys.SM2, keys.Ed25519)
	if _, res := w.commit(t, newSigner(t, keys.Ed25519).put(t, "ed", "1", false)); res[0].Err != nil {
		t.Fatalf("Ed25519 on a chain allowing it: %v", res[0].Err)
	}
	if _, res := w.commit(t, newSigner(t, keys.P256).put(t, "p", "1", false)); errs.Code(res[0].Err) != "tx.keyTypeNotAllowed" {
		t.Fatalf("P-256: %v", res[0].Err)
	}
	if _, _, err := Audit(w.l.Block, w.l.Head().Height, testRegistry()); err != nil {
		t.Fatal(err)
	}
	// A standard chain accepts every type (today's behaviour).
	s := newTestChain(t)
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1, keys.SM2} {
		if _, res := s.commit(t, newSigner(t, kt).put(t, string(kt), "1", false)); res[0].Err != nil {
			t.Fatalf("%s on a standard chain: %v", kt, res[0].Err)
		}
	}
}

// TestGenesis_CryptoMustMatchTheLedger: a chain.init naming a suite other
// than the one the ledger hashes with is refused; bad crypto names and key
// types are invalid payloads.
func TestGenesis_CryptoMustMatchTheLedger(t *testing.T) {
	node, _ := keys.Generate(keys.SM2)
	admin := newSigner(t, keys.SM2)
	reg := testRegistry() // standard
	l := openLedger(t, reg)
	init := admin.txNonce(t, TypeChainInit, 0, InitPayload{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}, Crypto: CryptoGM})
	_, res, err := l.Commit([]*Checked{mustCheck(t, reg, init)}, node, genesisTime)
	if err != nil || errs.Code(res[0].Err) != "chain.cryptoMismatch" {
		t.Fatalf("gm genesis on a standard ledger: %v, %v", err, res[0].Err)
	}
	if !l.Head().Empty {
		t.Fatal("a block was written")
	}
	for _, p := range []InitPayload{
		{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}, Crypto: "sm3"},
		{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}, AllowedKeyTypes: []keys.Type{"RSA"}},
		{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}, AllowedKeyTypes: []keys.Type{"sm2"}},
	} {
		if _, err := reg.CheckTx(testChain, admin.txNonce(t, TypeChainInit, 0, p)); errs.Code(err) != "tx.invalidPayload" {
			t.Fatalf("%+v: %v", p, err)
		}
	}
}
