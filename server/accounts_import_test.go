package server

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

func TestAccounts_ImportedKeyIsTheAccountsDIDAndSignsItsCredentials(t *testing.T) {
	tn := startNode(t)
	pem, err := os.ReadFile("../keys/testdata/import/secp256k1.pem") // made by OpenSSL
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.ParsePrivateKey(pem, nil)
	if err != nil {
		t.Fatal(err)
	}
	pemJSON, _ := json.Marshal(string(pem))
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"fisco-bank","didKey":true,"importKey":`+string(pemJSON)+`}`))
	if r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	var a node.NewAccount
	_ = json.Unmarshal(r.body, &a)
	if a.DID != did.WeidDID(tn.n.ChainID, k.Public()) || a.DIDKey != did.KeyDID(k.Public()) {
		t.Fatalf("the account's DIDs %s, %s are not the imported key's", a.DID, a.DIDKey)
	}
	// The WeIdentity / FISCO BCOS address of the key is the DID's.
	addr := k.Public().Address()
	if !strings.HasSuffix(a.DID, ":0x"+hex.EncodeToString(addr[:])) {
		t.Fatalf("DID %s does not end in the key's address", a.DID)
	}
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"` + a.DID +
		`","credentialSubject":{"id":"did:example:alice","degree":"Bachelor of Engineering"}}`
	r = tn.do(t, "POST", "/credentials/issue", a.Token, []byte(`{"credential":`+cred+`,"options":{}}`))
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var out struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	_ = json.Unmarshal(r.body, &out)
	if r := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(out.VerifiableCredential)+`}`)); r.status != 200 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}

	pub, _ := os.ReadFile("../keys/testdata/import/p256-public.pem")
	pubJSON, _ := json.Marshal(string(pub))
	enc, _ := os.ReadFile("../keys/testdata/import/p256-encrypted.pem")
	encJSON, _ := json.Marshal(string(enc))
	jwk, _ := keys.MarshalPrivateJWK(k)
	p256, _ := keys.ParsePrivateKey(mustRead(t, "../keys/testdata/import/p256.pem"), nil)
	p256JWK, _ := keys.MarshalPrivateJWK(p256)
	for _, tc := range []struct {
		name, body, token string
		status            int
		code              string
	}{
		{"public key", `{"name":"x1","importKey":` + string(pubJSON) + `}`, tn.token, 400, "account.invalidKey"},
		{"encrypted key", `{"name":"x2","importKey":` + string(encJSON) + `}`, tn.token, 400, "account.invalidKey"},
		{"public JWK", `{"name":"x3","importKey":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}`, tn.token, 400, "account.invalidKey"},
		{"the same key again", `{"name":"x4","importKey":` + string(jwk) + `}`, tn.token, 409, "account.keyExists"},
		{"keyType of another type", `{"name":"x5","keyType":"Ed25519","importKey":` + string(p256JWK) + `}`, tn.token, 400, "did.invalidKeyType"},
		{"not the admin", `{"name":"x6","importKey":` + string(p256JWK) + `}`, a.Token, 403, "auth.adminOnly"},
	} {
		wantProblem(t, tc.name, tn.do(t, "POST", "/v1/accounts", tc.token, []byte(tc.body)), tc.status, tc.code)
	}
	r = tn.do(t, "GET", "/v1/accounts", tn.token, nil)
	if strings.Contains(string(r.body), `"x`) {
		t.Fatalf("a refused import left an account: %s", r.body)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
