package node

// The node's side of its OpenID4VCI credential issuer (package oid4vci):
// the issuer's offers, codes and access tokens are keystore records, its
// credential issuers are the accounts' issuer instances, and it issues
// through IssueCredential with the instance's profile and key.

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/oid4vci"
)

// NewCredentialIssuer returns a new OpenID4VCI credential issuer of the
// node's issuer instances, keeping its offers in the node's keystore. Its
// nonce key and used nonces live in the value returned: a server makes one
// and keeps it.
func (n *Node) NewCredentialIssuer() *oid4vci.Issuer {
	return oid4vci.NewIssuer(vciRecords{n.Keystore}, vciBackend{n})
}

// vciRecords is the oid4vci.Store of the keystore's records.
type vciRecords struct{ ks *keystore.Store }

func (s vciRecords) Get(key string, v any) error {
	err := s.ks.GetRecord(key, v)
	if errors.Is(err, keystore.ErrNotFound) {
		return oid4vci.ErrNotFound
	}
	return err
}

func (s vciRecords) Put(key string, v any, sync bool) error { return s.ks.PutRecord(key, v, sync) }

func (s vciRecords) Create(key string, v any) error {
	err := s.ks.CreateRecord(key, v)
	if errors.Is(err, keystore.ErrExists) {
		return oid4vci.ErrExists
	}
	return err
}

func (s vciRecords) Delete(key string) error { return s.ks.DeleteRecord(key) }

func (s vciRecords) Each(prefix string, fn func(raw []byte) error) error {
	return s.ks.Records(prefix, func(_ string, raw []byte) error { return fn(raw) })
}

// vciBackend is the oid4vci.Backend of the node.
type vciBackend struct{ n *Node }

// vciFormat maps a weid securing mechanism to its OID4VCI format.
func vciFormat(f string) string {
	switch f {
	case FormatSDJWT:
		return oid4vci.FormatSDJWT
	case FormatVCJWT, "":
		return oid4vci.FormatJWTVCJSON
	}
	return oid4vci.FormatLDPVC
}

func (b vciBackend) profile(in *oid4vci.Instance) (*IssuerInstance, error) {
	return b.n.IssuerInstance(&keystore.Account{Name: in.Account}, in.Name)
}

func (b vciBackend) Instance(account, name string) (*oid4vci.Instance, error) {
	in, err := b.n.IssuerInstance(&keystore.Account{Name: account}, name)
	if err != nil {
		return nil, err
	}
	return &oid4vci.Instance{Account: in.Account, Name: in.Name, Issuer: in.Issuer, Format: vciFormat(in.Format), Types: in.Types}, nil
}

// Describe names the issuer as the trust registry does, and its
// credentials' algorithm: the cryptosuite of Data Integrity, the JOSE
// algorithm of the issuer's key for a JWT.
func (b vciBackend) Describe(in *oid4vci.Instance) (string, []string) {
	display := ""
	if is, ok, err := authz.AuthorityIssuer(b.n.Ledger, in.Issuer); err == nil && ok {
		display = is.Name
	}
	p, err := b.profile(in)
	if err != nil {
		return display, nil
	}
	if in.Format == oid4vci.FormatLDPVC {
		return display, []string{p.Format}
	}
	if _, k, _, err := b.n.CustodialKey(in.Issuer); err == nil {
		if alg, err := jose.AlgFor(k.Type()); err == nil {
			return display, []string{alg}
		}
	}
	return display, nil
}

// Check signs cred with a throwaway key (nothing recorded) for a stand-in
// wallet DID, through the credential library: the schema, the JSON-LD
// terms and an SD-JWT VC's vct are checked as at issuance.
func (b vciBackend) Check(ctx context.Context, in *oid4vci.Instance, cred json.RawMessage) error {
	p, err := b.profile(in)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(cred, &doc); err != nil {
		return err
	}
	kt := keys.Ed25519
	if p.Format == FormatECDSARDFC {
		kt = keys.P256
	}
	k, err := keys.Generate(kt)
	if err != nil {
		return err
	}
	if subj, ok := doc["credentialSubject"].(map[string]any); ok {
		subj["id"] = did.KeyDID(k.Public())
	}
	if p.Schema != 0 && doc["credentialSchema"] == nil {
		doc["credentialSchema"] = map[string]any{"id": "https://weid.invalid/v1/schemas/" + strconv.FormatUint(p.Schema, 10), "type": credential.SchemaTypeJSONSchema}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	signer := credential.Signer{DID: p.Issuer, VerificationMethod: p.Issuer + "#dry-run", Key: k}
	return b.dryRun(ctx, in, p, signer, body)
}

func (b vciBackend) dryRun(ctx context.Context, in *oid4vci.Instance, p *IssuerInstance, signer credential.Signer, body []byte) error {
	opts := credential.IssueOptions{State: b.n.Ledger, Schemas: b.n.Schemas}
	now := time.Now()
	switch p.Format {
	case FormatVCJWT, "":
		_, err := credential.IssueJWT(signer, body, now, opts)
		return err
	case FormatSDJWT:
		tok, err := credential.IssueSDJWT(ctx, signer, body, now, opts, p.Disclosable, nil)
		if err != nil {
			return err
		}
		if _, name := in.CredentialTypes(); sdjwtVct(tok) != name {
			return errs.BadRequest("offer.invalid", "the credential's SD-JWT VC type (vct) would not be the instance's %q: give it no other type, or the instance's type last", name)
		}
		return nil
	}
	if err := credential.CheckClaims(body, opts); err != nil {
		return err
	}
	_, err := credential.SignDataIntegrity(signer, body, p.Format, now)
	return err
}

// sdjwtVct returns the vct claim of an SD-JWT's issuer JWT.
func sdjwtVct(tok string) string {
	issuerJWT, _, _ := strings.Cut(tok, "~")
	j, err := jose.Parse(issuerJWT)
	if err != nil {
		return ""
	}
	var c struct {
		Vct string `json:"vct"`
	}
	_ = json.Unmarshal(j.Payload, &c)
	return c.Vct
}

func (b vciBackend) Issue(ctx context.Context, in *oid4vci.Instance, cred json.RawMessage, baseURL string) (json.RawMessage, error) {
	p, err := b.profile(in)
	if err != nil {
		return nil, err
	}
	issued, err := b.n.IssueCredential(ctx, &keystore.Account{Name: in.Account}, cred, p.IssueProfile, p, baseURL)
	if err != nil {
		return nil, err
	}
	if issued.Document != nil {
		return issued.Document, nil
	}
	return json.Marshal(issued.Compact)
}

func (b vciBackend) Resolve(ctx context.Context, d string) (*did.Document, error) {
	res, err := b.n.Resolver.Resolve(ctx, d, did.Options{})
	if err != nil {
		return nil, err
	}
	if res == nil || res.Document == nil {
		return nil, errors.New("no DID document")
	}
	return res.Document, nil
}
