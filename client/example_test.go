package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
	"github.com/weidgo/weid/txn"
)

// An application registers a DID whose key never leaves it: it signs the
// did.create transaction itself and the node only checks and commits it.
// Then anyone resolves the DID.
func Example() {
	ctx := context.Background()
	url, _, stop := testNode()
	defer stop()
	c := client.New(url)

	st, err := c.Status(ctx) // the chain id goes into every transaction
	if err != nil {
		fmt.Println(err)
		return
	}
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(st.ChainID, k.Public())
	tx, err := txn.New(st.ChainID, d+"#"+did.FirstKeyFragment, k, did.TxCreate,
		did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if err != nil {
		fmt.Println(err)
		return
	}
	created, err := c.CreateDID(ctx, tx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", created.Status, created.DID == d)

	res, err := c.Resolve(ctx, d, did.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resolved:", res.Document.ID == d, len(res.Document.VerificationMethod), "key")
	// Output:
	// created: committed true
	// resolved: true 1 key
}

// An institution's backend issues one diploma in each securing mechanism
// and a verifier checks each; a tampered copy fails its signature check.
func ExampleClient_Issue() {
	ctx := context.Background()
	c, uniDID, stop := university(ctx)
	defer stop()
	cred := json.RawMessage(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],` +
		`"type":["VerifiableCredential","UniversityDegreeCredential"],` +
		`"issuer":"` + uniDID + `","credentialSubject":{"id":"did:example:alice","degree":"Bachelor of Engineering"}}`)
	for _, format := range []string{"vc+jwt", "dc+sd-jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"} {
		vc, err := c.Issue(ctx, cred, "", api.IssueOptions{Format: format})
		if err != nil {
			fmt.Println(format, err)
			continue
		}
		res, err := c.VerifyCredential(ctx, vc, nil)
		if err != nil {
			fmt.Println(format, err)
			continue
		}
		tampered := bytes.Replace(vc, []byte("did:example:alice"), []byte("did:example:mallory"), 1)
		bad, _ := c.VerifyCredential(ctx, tampered, nil)
		fmt.Println(format, "verified:", res.Verified, "tampered verified:", bad != nil && bad.Verified)
	}
	// Output:
	// vc+jwt verified: true tampered verified: false
	// dc+sd-jwt verified: true tampered verified: false
	// eddsa-rdfc-2022 verified: true tampered verified: false
	// eddsa-jcs-2022 verified: true tampered verified: false
}

// A verifier checks many credentials in one streamed request: one result
// per line, in input order, and a summary.
func ExampleClient_VerifyBatch() {
	ctx := context.Background()
	c, uniDID, stop := university(ctx)
	defer stop()
	var ndjson strings.Builder
	for _, name := range []string{"Alice", "Bob"} {
		tok, err := c.IssueCredential(ctx, json.RawMessage(`{"@context":["https://www.w3.org/ns/credentials/v2"],`+
			`"type":["VerifiableCredential"],"issuer":"`+uniDID+`","credentialSubject":{"name":"`+name+`"}}`))
		if err != nil {
			fmt.Println(err)
			return
		}
		ndjson.WriteString(`"` + tok + `"` + "\n")
	}
	ndjson.WriteString(`{"hello":"world"}` + "\n")
	sum, err := c.VerifyBatch(ctx, strings.NewReader(ndjson.String()), api.BatchOptions{}, func(r *api.BatchResult) error {
		fmt.Println(r.Index, r.Outcome())
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("total:", sum.Total, "verified:", sum.Outcomes[api.OutcomeVerified])
	// Output:
	// 0 verified
	// 1 verified
	// 2 invalid
	// total: 3 verified: 2
}

// testNode starts a single-node ledger and its API on an httptest server,
// and returns its URL and admin token.
func testNode() (url, admin string, stop func()) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	dir, _ := os.MkdirTemp("", "client-example")
	nd, err := node.Open(node.Config{DataDir: filepath.Join(dir, "node")})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(server.New(nd, nil))
	tok, _ := os.ReadFile(filepath.Join(dir, "node", node.TokenFile))
	return srv.URL, strings.TrimSpace(string(tok)), func() { srv.Close(); nd.Close(); os.RemoveAll(dir) }
}

// university starts a test node and makes an institution's account on it:
// a client holding its token, and its DID.
func university(ctx context.Context) (c *client.Client, did string, stop func()) {
	url, admin, stop := testNode()
	adm := client.New(url)
	adm.Token = admin
	uni, err := adm.CreateAccount(ctx, "example-university", "", false)
	if err != nil {
		stop()
		panic(err)
	}
	c = client.New(url)
	c.Token = uni.Token
	return c, uni.DID, stop
}
