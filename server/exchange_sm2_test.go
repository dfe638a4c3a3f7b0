package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/exchange"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// sm2Wallet registers a did:weid DID whose key is SM2.
func sm2Wallet(t *testing.T, tn *testNode) *selfCustody {
	t.Helper()
	k, _ := keys.Generate(keys.SM2)
	d := did.WeidDID(tn.n.ChainID, k.Public())
	tx, err := node.SignTx(tn.n.ChainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tn.c.CreateDID(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	return &selfCustody{key: k, did: d}
}

// TestExchange_SM2Grantee: a bank whose DID key is SM2 proves possession
// with an SM2 JWS, and the released claims come back as an SM2-PKE / SM4GCM JWE that only the bank's SM2 key
// opens, and the access is recorded.
func TestExchange_SM2Grantee(t *testing.T) {
	w := newExchangeWorld(t)
	w.bank = sm2Wallet(t, w.tn)
	now := time.Now()
	tok := w.grant(t, w.resource, []string{"degree"}, now.Add(-time.Minute), now.Add(time.Hour))
	if r := w.record(t, w.alice, tok); r.status != 201 {
		t.Fatalf("record: %d %s", r.status, r.body)
	}
	n := w.nonce(t, w.resource)
	b := body(t, tok, "degree")
	r := w.post(t, w.resource, b, proof(t, w.bank.key, w.bank.vm(), w.resource, b, n))
	if r.status != 200 || r.ctype != grants.MediaTypeJWE || bytes.Contains(r.body, []byte(secretDegree)) {
		t.Fatalf("fetch: %d %s", r.status, r.body)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(strings.SplitN(string(r.body), ".", 2)[0])
	var h map[string]string
	if json.Unmarshal(hdr, &h) != nil || h["alg"] != grants.KeyAlgorithmSM2 || h["enc"] != grants.ContentAlgorithmSM4 {
		t.Fatalf("JWE header %s", hdr)
	}
	pt, err := grants.Decrypt(w.bank.key, string(r.body))
	if err != nil || !bytes.Contains(pt, []byte(secretDegree)) {
		t.Fatalf("decrypt: %v", err)
	}
	if _, err := grants.Decrypt(w.eve.key, string(r.body)); err == nil {
		t.Fatal("another key decrypts")
	}
	data, err := exchange.Fetch(context.Background(), nil, w.resource, tok, nil, w.bank.key, w.bank.vm())
	if err != nil || data.Claims["degree"] != secretDegree {
		t.Fatalf("exchange.Fetch with an SM2 key: %v %v", data, err)
	}
}
