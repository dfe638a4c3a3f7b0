package evidence_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
)

func TestCreate_RecordsAndQueries(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.user(t)
	h := hashOf("contract.pdf")
	e.Must(t, alice.create(t, h, func(c *evidence.CreatePayload) {
		c.Logs = []string{"uploaded", "reviewed\tby legal"}
		c.Extras = map[string]string{"filename": "contract.pdf", "size": "1024"}
		c.Key = "contract-2026-001"
	}))
	ev := e.get(t, h)
	if ev.Hash != h || ev.Creator != alice.DID || ev.Key != "contract-2026-001" || ev.Extras["filename"] != "contract.pdf" ||
		ev.SignatureCount != 1 || ev.LogCount != 2 || ev.TxHash == "" || ev.Created == "" {
		t.Fatalf("record %+v", ev.EvidenceRecord)
	}
	if len(ev.Signatures) != 1 || ev.Signatures[0].DID != alice.DID || ev.Signatures[0].Method != alice.VM() || ev.Signatures[0].Revoked ||
		ev.Signatures[0].Submitter != alice.DID || ev.Signatures[0].TxHash != ev.TxHash {
		t.Fatalf("signatures %+v", ev.Signatures)
	}
	if len(ev.Logs) != 2 || ev.Logs[0].Text != "uploaded" || ev.Logs[1].Seq != 1 || ev.Logs[1].By != alice.DID {
		t.Fatalf("logs %+v", ev.Logs)
	}
	byKey, err := evidence.GetByKey(e.L, "contract-2026-001")
	if err != nil || byKey.Hash != h {
		t.Fatalf("GetByKey: %v %+v", err, byKey)
	}
	if got := ev.TxHashes(); len(got) != 1 || got[0] != ev.TxHash {
		t.Fatalf("TxHashes %v", got)
	}
	_, err = evidence.Get(e.L, hashOf("other"))
	ledgertest.WantErr(t, err, http.StatusNotFound, "evidence.notFound")
	_, err = evidence.GetByKey(e.L, "missing")
	ledgertest.WantErr(t, err, http.StatusNotFound, "evidence.notFound")
	_, err = evidence.Get(e.L, "ABC")
	ledgertest.WantErr(t, err, http.StatusBadRequest, "evidence.invalidHash")
}

func TestCreate_DuplicateHashAndKeyConflict(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.user(t), e.user(t)
	h := hashOf("a")
	e.Must(t, alice.create(t, h, func(c *evidence.CreatePayload) { c.Key = "k1" }))
	ledgertest.WantErr(t, e.Submit(t, bob.create(t, h)), http.StatusConflict, "evidence.exists")
	ledgertest.WantErr(t, e.Submit(t, bob.create(t, hashOf("b"), func(c *evidence.CreatePayload) { c.Key = "k1" })), http.StatusConflict, "evidence.keyTaken")
	// Two creates of one hash in one block: the first wins.
	h2 := hashOf("c")
	e.FirstWins(t, "evidence.exists", alice.create(t, h2), bob.create(t, h2))
}

func TestCreate_ForgedSignatureRejected(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.user(t), e.user(t)
	h := hashOf("doc")
	for name, c := range map[string]evidence.CreatePayload{
		// Bob's signature presented as Alice's.
		"other key": {Hash: h, Signer: alice.VM(), Signature: bob.sig(t, h)},
		// Alice's signature over another hash.
		"other hash": {Hash: h, Signer: alice.VM(), Signature: alice.sig(t, hashOf("x"))},
		// Alice's signature, claimed for Bob's key (the DID URL is signed).
		"other signer": {Hash: h, Signer: bob.VM(), Signature: alice.sig(t, h)},
	} {
		for _, pre := range []bool{true, false} {
			ch, err := e.check(t, alice.Tx(t, evidence.TxCreate, c), pre)
			if err != nil {
				t.Fatal(err)
			}
			ledgertest.WantErr(t, e.CommitChecked(t, ch)[0], http.StatusBadRequest, "evidence.badSignature")
			if _, ok, _ := evidence.GetRecord(e.L, h); ok {
				t.Fatalf("%s: forged evidence recorded", name)
			}
		}
	}
	// A signature that does not decode is refused before the block.
	_, err := e.check(t, alice.Tx(t, evidence.TxCreate, evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: "AAAA"}), true)
	ledgertest.WantErr(t, err, http.StatusBadRequest, "evidence.invalidSignature")
	// An unregistered signer.
	carol := newParty(t)
	ledgertest.WantErr(t, e.Submit(t, alice.Tx(t, evidence.TxCreate, evidence.CreatePayload{Hash: h, Signer: carol.VM(), Signature: carol.sig(t, h)})),
		http.StatusNotFound, "did.notFound")
}

// Only assertionMethod keys sign evidence.
func TestCreate_AuthenticationOnlyKeyRefused(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.user(t)
	k2, _ := keys.Generate(keys.Ed25519)
	e.Must(t, alice.Tx(t, did.TxAddMethod, did.AddMethodPayload{DID: alice.DID, ID: "auth-only", PublicKeyMultibase: k2.Public().Multibase(),
		Relationships: []string{"authentication"}}))
	h := hashOf("doc")
	vm := alice.DID + "#auth-only"
	sig, _ := evidence.Sign(k2, vm, h)
	ledgertest.WantErr(t, e.Submit(t, alice.Tx(t, evidence.TxCreate, evidence.CreatePayload{Hash: h, Signer: vm, Signature: sig})),
		http.StatusForbidden, "evidence.notAssertionMethod")
}

// A signature checked before the block is checked again if the key changed
// in between.
func TestPreVerify_KeyRotatedBeforeBlock(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, relayer := e.user(t), e.user(t)
	h := hashOf("doc")
	// The relayer submits Alice's signature; Alice rotates her key first.
	ch, err := e.check(t, relayer.Tx(t, evidence.TxCreate, evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: alice.sig(t, h)}), true)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := keys.Generate(keys.Ed25519)
	e.Must(t, alice.Tx(t, did.TxRotateKey, did.RotateKeyPayload{DID: alice.DID, ID: "key-1", NewID: "key-2", PublicKeyMultibase: k2.Public().Multibase()}))
	ledgertest.WantErr(t, e.CommitChecked(t, ch)[0], http.StatusForbidden, "evidence.notAssertionMethod")
}

func TestSign_RelayedAndDuplicate(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob, backend := e.user(t), e.user(t), e.user(t)
	h := hashOf("deal")
	e.Must(t, alice.create(t, h))
	// The backend relays Bob's signature, collected off-chain.
	e.Must(t, backend.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.VM(), Signature: bob.sig(t, h), Logs: []string{"bob agreed"}}))
	ev := e.get(t, h)
	if len(ev.Signatures) != 2 || ev.Signatures[1].DID != bob.DID || ev.Signatures[1].Submitter != backend.DID || ev.Signatures[1].Seq != 1 {
		t.Fatalf("signatures %+v", ev.Signatures)
	}
	if len(ev.Logs) != 1 || ev.Logs[0].By != backend.DID {
		t.Fatalf("logs %+v", ev.Logs)
	}
	ledgertest.WantErr(t, e.Submit(t, bob.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.VM(), Signature: bob.sig(t, h)})),
		http.StatusConflict, "evidence.alreadySigned")
	ledgertest.WantErr(t, e.Submit(t, bob.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: hashOf("none"), Signer: bob.VM(), Signature: bob.sig(t, hashOf("none"))})),
		http.StatusNotFound, "evidence.notFound")
	ledgertest.WantErr(t, e.Submit(t, backend.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: backend.VM(), Signature: bob.sig(t, h)})),
		http.StatusBadRequest, "evidence.badSignature")
}

func TestRevokeRestore_OnlyOwnSignature(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob, carol := e.user(t), e.user(t), e.user(t)
	h := hashOf("deal")
	e.Must(t, alice.create(t, h))
	e.Must(t, bob.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.VM(), Signature: bob.sig(t, h)}))

	// Alice may not revoke Bob's signature, whatever the payload says.
	ledgertest.WantErr(t, e.Submit(t, alice.Tx(t, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.DID})), http.StatusForbidden, "evidence.notSigner")
	ledgertest.WantErr(t, e.Submit(t, carol.Tx(t, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: carol.DID})), http.StatusNotFound, "evidence.signatureNotFound")
	ledgertest.WantErr(t, e.Submit(t, bob.Tx(t, evidence.TxRestore, evidence.RevokePayload{Hash: h, DID: bob.DID})), http.StatusConflict, "evidence.notRevoked")
	e.Must(t, bob.Tx(t, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.DID, Logs: []string{"withdrawn"}}))
	ledgertest.WantErr(t, e.Submit(t, bob.Tx(t, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.DID})), http.StatusConflict, "evidence.alreadyRevoked")
	ev := e.get(t, h)
	if !ev.Signatures[1].Revoked || ev.Signatures[0].Revoked || len(ev.Signatures[1].Changes) != 1 || ev.Signatures[1].Changes[0].Action != "revoke" {
		t.Fatalf("after revoke: %+v", ev.Signatures)
	}
	// A revoked signer appends no logs until it restores.
	ledgertest.WantErr(t, e.Submit(t, bob.Tx(t, evidence.TxLog, evidence.LogPayload{Hash: h, Logs: []string{"x"}})), http.StatusForbidden, "evidence.notSigner")
	e.Must(t, bob.Tx(t, evidence.TxRestore, evidence.RevokePayload{Hash: h, DID: bob.DID}))
	e.Must(t, bob.Tx(t, evidence.TxLog, evidence.LogPayload{Hash: h, Logs: []string{"back"}}))
	// Non-signers append no logs.
	ledgertest.WantErr(t, e.Submit(t, carol.Tx(t, evidence.TxLog, evidence.LogPayload{Hash: h, Logs: []string{"spam"}})), http.StatusForbidden, "evidence.notSigner")
	ev = e.get(t, h)
	if ev.Signatures[1].Revoked || len(ev.Signatures[1].Changes) != 2 || len(ev.Logs) != 2 || ev.Logs[1].Text != "back" || ev.Logs[1].By != bob.DID {
		t.Fatalf("after restore: %+v %+v", ev.Signatures, ev.Logs)
	}
	if n := len(ev.TxHashes()); n != 5 { // create, sign, revoke (with its log), restore, log
		t.Fatalf("TxHashes: %d %v", n, ev.TxHashes())
	}
}

func TestBatch_AllOrNothing(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.user(t), e.user(t)
	h1, h2, h3 := hashOf("1"), hashOf("2"), hashOf("3")
	item := func(p *party, op, h string) evidence.BatchItem {
		return evidence.BatchItem{Op: op, Hash: h, Signer: p.VM(), Signature: p.sig(t, h)}
	}
	// Alice's backend submits two creates and Bob's signature on the first.
	e.Must(t, alice.Tx(t, evidence.TxBatch, evidence.BatchPayload{Items: []evidence.BatchItem{
		item(alice, evidence.OpCreate, h1), item(alice, evidence.OpCreate, h2), item(bob, evidence.OpSign, h1),
	}}))
	if ev := e.get(t, h1); len(ev.Signatures) != 2 {
		t.Fatalf("h1 %+v", ev.Signatures)
	}
	// Item 1 is forged: nothing of the batch is recorded.
	bad := item(alice, evidence.OpCreate, h3)
	bad.Signature = bob.sig(t, h3)
	err := e.Submit(t, alice.Tx(t, evidence.TxBatch, evidence.BatchPayload{Items: []evidence.BatchItem{item(bob, evidence.OpSign, h2), bad}}))
	if ee := ledgertest.WantErr(t, err, http.StatusBadRequest, "evidence.badSignature"); !strings.HasPrefix(ee.Detail, "item 1:") {
		t.Fatalf("detail %q", ee.Detail)
	}
	if ev := e.get(t, h2); len(ev.Signatures) != 1 {
		t.Fatalf("a failed batch left a signature: %+v", ev.Signatures)
	}
	// A duplicate inside one batch fails it too.
	ledgertest.WantErr(t, e.Submit(t, alice.Tx(t, evidence.TxBatch, evidence.BatchPayload{Items: []evidence.BatchItem{item(alice, evidence.OpCreate, h3), item(alice, evidence.OpCreate, h3)}})),
		http.StatusConflict, "evidence.exists")
	if _, ok, _ := evidence.GetRecord(e.L, h3); ok {
		t.Fatal("a failed batch recorded evidence")
	}
	// Stateless refusals.
	for name, p := range map[string]evidence.BatchPayload{
		"empty":         {},
		"unknown op":    {Items: []evidence.BatchItem{{Op: "revoke", Hash: h3, Signer: alice.VM(), Signature: alice.sig(t, h3)}}},
		"sign with key": {Items: []evidence.BatchItem{func() evidence.BatchItem { i := item(bob, evidence.OpSign, h1); i.Key = "k"; return i }()}},
	} {
		_, err := e.check(t, alice.Tx(t, evidence.TxBatch, p), false)
		ledgertest.WantErr(t, err, http.StatusBadRequest, "evidence.invalidBatch")
		_ = name
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.user(t)
	h := hashOf("x")
	long := strings.Repeat("a", evidence.MaxLogLength+1)
	for name, c := range map[string]struct {
		p    evidence.CreatePayload
		code string
	}{
		"upper hex":     {evidence.CreatePayload{Hash: strings.ToUpper(h), Signer: alice.VM(), Signature: alice.sig(t, h)}, "evidence.invalidHash"},
		"no fragment":   {evidence.CreatePayload{Hash: h, Signer: alice.DID, Signature: alice.sig(t, h)}, "evidence.invalidSigner"},
		"did:key":       {evidence.CreatePayload{Hash: h, Signer: did.KeyDID(alice.Key.Public()) + "#x", Signature: alice.sig(t, h)}, "evidence.invalidSigner"},
		"long log":      {evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: alice.sig(t, h), Logs: []string{long}}, "evidence.invalidLog"},
		"control log":   {evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: alice.sig(t, h), Logs: []string{"a\nb"}}, "evidence.invalidLog"},
		"empty extra":   {evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: alice.sig(t, h), Extras: map[string]string{"": "v"}}, "evidence.invalidExtras"},
		"key w/ space":  {evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: alice.sig(t, h), Key: "a b"}, "evidence.invalidKey"},
		"too many logs": {evidence.CreatePayload{Hash: h, Signer: alice.VM(), Signature: alice.sig(t, h), Logs: make([]string, evidence.MaxLogsPerTx+1)}, "evidence.invalidLog"},
	} {
		_, err := e.check(t, alice.Tx(t, evidence.TxCreate, c.p), false)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		ledgertest.WantErr(t, err, http.StatusBadRequest, c.code)
	}
	// Unknown members are refused (strict decoding).
	tx := &chain.Tx{ChainID: testChain, Type: evidence.TxCreate, From: alice.VM(), Nonce: 99,
		Payload: []byte(`{"hash":"` + h + `","signer":"` + alice.VM() + `","signature":"` + alice.sig(t, h) + `","Hash":"x"}`)}
	if err := tx.Sign(alice.Key); err != nil {
		t.Fatal(err)
	}
	_, err := e.check(t, tx, false)
	ledgertest.WantErr(t, err, http.StatusBadRequest, "tx.invalidPayload")
}

// The chain audit replays evidence transactions (without PreVerify) to the
// same state.
func TestAuditReplay(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice, bob := e.user(t), e.user(t)
	h := hashOf("audit")
	e.Must(t, alice.create(t, h, func(c *evidence.CreatePayload) { c.Key = "k"; c.Logs = []string{"l"} }))
	e.Must(t, bob.Tx(t, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.VM(), Signature: bob.sig(t, h)}))
	e.Must(t, bob.Tx(t, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.DID}))
	if _, err := e.L.AuditStore(); err != nil {
		t.Fatal(err)
	}
}
