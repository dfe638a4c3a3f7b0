package cometbft_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmted "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// The payloads that change the validator set are the ones FinalizeBlock
// turns into validator updates.
var (
	_ cometbft.ValidatorChange = (*authz.AddValidatorPayload)(nil)
	_ cometbft.ValidatorChange = (*authz.RemoveValidatorPayload)(nil)
)

// consortium is a genesis recording n validators of power 10 and one
// observer, with CometBFT's matching genesis validator set.
type consortium struct {
	admin, block *keys.PrivateKey
	adminDID     string
	vals         [][]byte // validator keys
	state        []byte
	genesis      []abci.ValidatorUpdate
}

func newConsortium(t *testing.T, n int) *consortium {
	t.Helper()
	c := &consortium{}
	c.admin, _ = keys.Generate(keys.Ed25519)
	c.block, _ = keys.Generate(keys.Ed25519)
	c.adminDID = did.WeidDID("1", c.admin.Public())
	var nodes []cometbft.NetNode
	for i := range n + 1 {
		pub, _, _ := ed25519.GenerateKey(nil)
		id := hex.EncodeToString(pub[:20])
		power := int64(10)
		if i == n {
			power = 0 // the observer
		} else {
			c.vals = append(c.vals, pub)
			c.genesis = append(c.genesis, abci.NewValidatorUpdate(cmted.PubKey(pub), 10))
		}
		nodes = append(nodes, cometbft.NetNode{Moniker: "node" + itoa(i), NodeID: id, PubKey: pub, Power: power})
	}
	txs, err := node.ConsortiumGenesisTxs("1", c.admin, c.block.Public(), nodes)
	if err != nil {
		t.Fatal(err)
	}
	c.state, _ = json.Marshal(cometbft.GenesisState{ChainID: "1", Txs: txs})
	return c
}

func itoa(i int) string { return string(rune('0' + i)) }

func (c *consortium) app(t *testing.T) (*cometbft.App, *chain.Ledger) {
	t.Helper()
	l, err := chain.Open(t.TempDir(), node.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	a := cometbft.NewApp(l, c.block)
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{Time: genesisTime, ChainId: "weid-1", InitialHeight: 1,
		AppStateBytes: c.state, Validators: c.genesis}); err != nil {
		t.Fatal(err)
	}
	return a, l
}

// gov signs a governance tx as the admin.
func (c *consortium) gov(t *testing.T, typ string, p chain.Payload) []byte {
	t.Helper()
	tx, err := node.SignTx("1", c.adminDID+"#"+did.FirstKeyFragment, c.admin, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	return tx.Canonical()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func newKey() []byte {
	pub, _, _ := ed25519.GenerateKey(nil)
	return pub
}

func wantCodes(t *testing.T, res *abci.FinalizeBlockResponse, codes ...string) {
	t.Helper()
	for i, r := range res.TxResults {
		if r.Codespace != codes[i] {
			t.Errorf("tx %d: %d %s %s, want %q", i, r.Code, r.Codespace, r.Log, codes[i])
		}
	}
}

func wantUpdates(t *testing.T, res *abci.FinalizeBlockResponse, want ...abci.ValidatorUpdate) {
	t.Helper()
	if len(res.ValidatorUpdates) != len(want) {
		t.Fatalf("validator updates %+v, want %+v", res.ValidatorUpdates, want)
	}
	for i, u := range res.ValidatorUpdates {
		if u.Power != want[i].Power || u.PubKeyType != "ed25519" || !bytes.Equal(u.PubKeyBytes, want[i].PubKeyBytes) {
			t.Fatalf("validator update %d: %+v, want %+v", i, u, want[i])
		}
	}
}

func update(pub []byte, power int64) abci.ValidatorUpdate {
	return abci.NewValidatorUpdate(cmted.PubKey(pub), power)
}

func TestInitChainRecordsValidators(t *testing.T) {
	c := newConsortium(t, 4)
	_, l := c.app(t)
	vs, err := authz.ListValidators(l)
	if err != nil || len(vs) != 4 {
		t.Fatalf("recorded validators %+v, %v", vs, err)
	}
	for _, v := range vs {
		if v.Power != 10 || v.MemberDID != c.adminDID || v.NodeID == "" || v.Height != 0 || len(v.Address) != 40 {
			t.Fatalf("genesis validator record %+v", v)
		}
	}
	if s, _ := authz.GetValidatorSet(l); s.Count != 4 || s.Power != 40 {
		t.Fatalf("validator set %+v", s)
	}
	if os, _ := authz.ListObservers(l); len(os) != 1 {
		t.Fatalf("observers %+v", os)
	}
	// A CometBFT genesis with other validators than the weid genesis
	// records is refused.
	l2, _ := chain.Open(t.TempDir(), node.NewRegistry())
	defer l2.Close()
	_, err = cometbft.NewApp(l2, c.block).InitChain(context.Background(), &abci.InitChainRequest{Time: genesisTime, AppStateBytes: c.state, Validators: c.genesis[:3]})
	if err == nil {
		t.Fatal("InitChain accepted a CometBFT genesis with 3 of the 4 validators the weid genesis records")
	}
}

func TestFinalizeBlockValidatorUpdates(t *testing.T) {
	c := newConsortium(t, 4)
	a, l := c.app(t)
	at := genesisTime.Add(time.Second)
	fifth, sixth := newKey(), newKey()

	// Admit a fifth validator (10 of 40: within a third); a sixth in the
	// same block would change 20 of 40, more than a third.
	res := finalize(t, a, 1, at,
		c.gov(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: b64(fifth), Power: 10, Name: "node4"}),
		c.gov(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: b64(sixth), Power: 10}))
	wantCodes(t, res, "", "gov.powerChangeTooLarge")
	wantUpdates(t, res, update(fifth, 10))
	if v, ok, _ := authz.GetValidator(l, fifth); !ok || v.Power != 10 || v.Name != "node4" || v.AddedBy != c.adminDID || v.Height != 1 {
		t.Fatalf("record of the fifth: %+v", v)
	}

	// Refusals: a key already in the set, an unknown key, adding and
	// removing one key in the same block, a signer who is no governor.
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID("1", k.Public())
	create, _ := node.SignTx("1", d+"#"+did.FirstKeyFragment, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	stranger, _ := node.SignTx("1", d+"#"+did.FirstKeyFragment, k, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b64(c.vals[0])})
	res = finalize(t, a, 2, at.Add(time.Second),
		c.gov(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: b64(c.vals[1]), Power: 5}),
		c.gov(t, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b64(sixth)}),
		c.gov(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: hex.EncodeToString(sixth), Power: 1}),
		c.gov(t, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b64(sixth)}),
		create.Canonical(), stranger.Canonical(),
		c.gov(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: "AAAA", Power: 5}),
		c.gov(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: b64(newKey()), Power: 0}),
	)
	wantCodes(t, res, "gov.validatorExists", "gov.unknownValidator", "", "gov.validatorPending", "", "tx.unauthorized", "gov.invalidValidatorKey", "gov.invalidPower")
	wantUpdates(t, res, update(sixth, 1))

	// Remove the fifth (power 0); two removals in one block are 20 of 51.
	res = finalize(t, a, 3, at.Add(2*time.Second),
		c.gov(t, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b64(fifth)}),
		c.gov(t, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b64(c.vals[0])}))
	wantCodes(t, res, "", "gov.powerChangeTooLarge")
	wantUpdates(t, res, update(fifth, 0))
	if _, ok, _ := authz.GetValidator(l, fifth); ok {
		t.Fatal("the removed validator is still recorded")
	}
	if s, _ := authz.GetValidatorSet(l); s.Count != 5 || s.Power != 41 {
		t.Fatalf("validator set after the changes: %+v", s)
	}
	// Observers: registered and removed, no validator update.
	id := hex.EncodeToString(newKey()[:20])
	res = finalize(t, a, 4, at.Add(3*time.Second),
		c.gov(t, authz.TxAddObserver, &authz.AddObserverPayload{NodeID: id, API: "http://127.0.0.1:8080"}),
		c.gov(t, authz.TxAddObserver, &authz.AddObserverPayload{NodeID: id}),
		c.gov(t, authz.TxRemoveObserver, &authz.RemoveObserverPayload{NodeID: hex.EncodeToString(newKey()[:20])}),
		c.gov(t, authz.TxAddObserver, &authz.AddObserverPayload{NodeID: "XYZ"}))
	wantCodes(t, res, "", "gov.observerExists", "gov.unknownObserver", "gov.invalidNodeId")
	wantUpdates(t, res)
	if _, err := l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveLastValidator(t *testing.T) {
	c := newConsortium(t, 1)
	a, _ := c.app(t)
	res := finalize(t, a, 1, genesisTime.Add(time.Second),
		c.gov(t, authz.TxRemoveValidator, &authz.RemoveValidatorPayload{PubKey: b64(c.vals[0])}))
	wantCodes(t, res, "gov.lastValidator")
	if res.TxResults[0].Code != http.StatusConflict {
		t.Fatalf("removing the last validator: %+v", res.TxResults[0])
	}
	wantUpdates(t, res)
}
