package wallet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
	"github.com/weidgo/weid/wallet"
)

// A citizen's wallet receives a diploma from a university over OpenID4VCI
// and shows a front desk, over OpenID4VP, the one claim it asks for.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wallet-example")
	defer os.RemoveAll(dir)
	n, stop := startNode(dir) // a node whose university issues SD-JWT diplomas
	defer stop()

	// A new wallet: a key of its own, sealed with a passphrase; its did:key
	// DID is the holder.
	pass := []byte("correct horse battery staple")
	w, err := wallet.CreateDIDKey(filepath.Join(dir, "alice"), keys.Ed25519, pass)
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Passphrase = func() ([]byte, error) { return pass, nil }

	// The university's backend offers Alice her diploma (a link or a QR
	// code); the wallet redeems the offer and keeps the credential once the
	// node verified it.
	offer := n.post("/v1/offers", n.university, `{"instance":"diploma","claims":{"holderName":"Alice Chen","degree":"Bachelor of Engineering"}}`)["offerUri"]
	_, got, err := w.Receive(ctx, wallet.NewVCIClient(), client.New(n.url), offer, wallet.ReceiveOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("received:", got[0].Format, got[0].Types)

	// The front desk asks for the degree; the wallet checks who asks,
	// chooses the credential and discloses the degree alone.
	link := n.post("/v1/presentation-requests", n.frontDesk, `{"dcql_query":{"credentials":[{"id":"diploma","format":"dc+sd-jwt",`+
		`"meta":{"vct_values":["UniversityDegreeCredential"]},"claims":[{"path":["degree"]}]}]}}`)["requestUri"]
	vp := wallet.NewVPClient(client.New(n.url))
	req, err := vp.FetchRequest(ctx, link)
	if err != nil {
		fmt.Println(err)
		return
	}
	held, _ := w.Credentials()
	sels, err := wallet.Select(req, held)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("disclosing:", sels[0].Disclose)
	h, err := w.Holder()
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := vp.Present(ctx, req, sels, h); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("presented")
	// Output:
	// received: dc+sd-jwt [UniversityDegreeCredential]
	// disclosing: [/degree]
	// presented
}

// exampleNode is a node on an httptest server with a university, which
// issues SD-JWT diplomas (issuer instance "diploma"), and a front desk.
type exampleNode struct {
	url, university, frontDesk string
}

func startNode(dir string) (*exampleNode, func()) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	nd, err := node.Open(node.Config{DataDir: filepath.Join(dir, "node")})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(server.New(nd, nil))
	tok, _ := os.ReadFile(filepath.Join(dir, "node", node.TokenFile))
	admin := strings.TrimSpace(string(tok))
	n := &exampleNode{url: srv.URL}
	uni := n.post("/v1/accounts", admin, `{"name":"example-university"}`)
	n.university, n.frontDesk = uni["token"], n.post("/v1/accounts", admin, `{"name":"front-desk"}`)["token"]
	n.post("/v1/issuers", admin, `{"did":"`+uni["did"]+`","name":"Example University","types":["UniversityDegreeCredential"]}`)
	n.post("/v1/issuer-instances", n.university, `{"name":"diploma","issuer":"`+uni["did"]+`","types":["UniversityDegreeCredential"],`+
		`"format":"dc+sd-jwt","disclosable":["/credentialSubject/holderName","/credentialSubject/degree"]}`)
	return n, func() { srv.Close(); nd.Close() }
}

// post calls the node's API with an account token and returns the string
// members of its answer.
func (n *exampleNode) post(path, token, body string) map[string]string {
	req, _ := http.NewRequest(http.MethodPost, n.url+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var raw map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	if resp.StatusCode != http.StatusCreated {
		panic(fmt.Sprintf("POST %s: %d %v", path, resp.StatusCode, raw))
	}
	out := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
