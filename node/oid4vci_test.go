package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/oid4vci"
)

// The issuer's store is the keystore's records, with the keystore's
// errors as the oid4vci package's.
func TestCredentialIssuerStore_KeystoreRecords(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	st := vciRecords{n.Keystore}
	if err := st.Get(oid4vci.OfferKey("o1"), &oid4vci.OfferRecord{}); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	rec := oid4vci.OfferRecord{ID: "o1", State: oid4vci.StateOffered}
	if err := st.Create(oid4vci.OfferKey("o1"), rec); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(oid4vci.OfferKey("o1"), rec); !errors.Is(err, oid4vci.ErrExists) {
		t.Errorf("created twice: %v", err)
	}
	var got []string
	err := st.Each("oid4vci/offer/", func(raw []byte) error {
		var r oid4vci.OfferRecord
		_ = json.Unmarshal(raw, &r)
		got = append(got, r.ID)
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"o1"}) {
		t.Errorf("each: %v %v", got, err)
	}
	if err := st.Delete(oid4vci.OfferKey("o1")); err != nil {
		t.Fatal(err)
	}
	var r oid4vci.OfferRecord
	if err := n.Keystore.GetRecord(oid4vci.OfferKey("o1"), &r); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("deleted: %v", err)
	}
}

// The node's credential issuer serves the account's instances in their
// OID4VCI formats and refuses, at the offer, a credential the instance
// could not issue.
func TestNewCredentialIssuer_InstancesAndDryRun(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	ctx := context.Background()
	uni := mustCreateAccount(t, n, "uni", keys.Ed25519, false)
	acct := &keystore.Account{Name: "uni"}
	for _, in := range []IssuerInstance{
		{Name: "jwt", Issuer: uni.DID},
		{Name: "sd", Issuer: uni.DID, IssueProfile: IssueProfile{Format: FormatSDJWT, Types: []string{"UniversityDegreeCredential"}}},
		{Name: "ldp", Issuer: uni.DID, IssueProfile: IssueProfile{Format: FormatEdDSARDFC}},
	} {
		if _, err := n.CreateIssuerInstance(acct, in); err != nil {
			t.Fatal(err)
		}
	}
	iss := n.NewCredentialIssuer()
	for name, want := range map[string][2]string{"jwt": {oid4vci.FormatJWTVCJSON, "EdDSA"}, "sd": {oid4vci.FormatSDJWT, "EdDSA"}, "ldp": {oid4vci.FormatLDPVC, FormatEdDSARDFC}} {
		m, err := iss.Metadata(oid4vci.IssuerURL{Base: "http://127.0.0.1:8080", Account: "uni", Instance: name})
		if err != nil {
			t.Fatal(err)
		}
		conf := m.CredentialConfigurationsSupported[name]
		if conf.Format != want[0] || !slices.Equal(conf.CredentialSigningAlgValuesSupported, []string{want[1]}) || m.Display[0].Name != "uni" {
			t.Errorf("%s: %+v", name, m)
		}
	}
	offer := func(instance, body string) error {
		req := api.OfferRequest{Instance: instance}
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		_, err := iss.CreateOffer(ctx, "http://127.0.0.1:8080", oid4vci.Account{Name: "uni"}, &req)
		return err
	}
	if err := offer("jwt", `{"claims":{"name":"Alice"}}`); err != nil {
		t.Errorf("a vc+jwt offer: %v", err)
	}
	if err := offer("sd", `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","UniversityDegreeCredential","Other"],"credentialSubject":{"name":"Alice"}}}`); errs.Code(err) != "offer.invalid" {
		t.Errorf("an SD-JWT VC whose vct would not be the instance's: %v", err)
	}
	// An offer built of claims names the undefined-terms context last (VC
	// DM 2.0 §5.2); a credential given without it is refused.
	if err := offer("ldp", `{"claims":{"undefinedTerm":"x"}}`); err != nil {
		t.Errorf("a Data Integrity offer of claims: %v", err)
	}
	if err := offer("ldp", `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"undefinedTerm":"x"}}}`); err == nil {
		t.Error("a Data Integrity credential with a term no context defines was offered")
	}
	if err := offer("nope", `{"claims":{}}`); errs.Code(err) != "issuer.notFound" {
		t.Errorf("unknown instance: %v", err)
	}
}

// TestCreateIssuerInstance_RefusesWhatCouldNeverIssue: an instance that
// names no issuer, a schema the ledger does not have, or a format its
// issuer's key cannot sign, is refused with a 400 naming what is wrong,
// and nothing is stored; one under an existing schema is created.
func TestCreateIssuerInstance_RefusesWhatCouldNeverIssue(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	uni := mustCreateAccount(t, n, "uni", keys.Ed25519, false)
	acct := &keystore.Account{Name: "uni"}
	for _, c := range []struct {
		in           IssuerInstance
		code, detail string // code "" when created
	}{
		{IssuerInstance{Name: "noissuer"}, "request.malformed", `"issuer"`},
		{IssuerInstance{Name: "noschema", Issuer: uni.DID, IssueProfile: IssueProfile{Schema: 2_000_000}}, "schema.notFound", "2000000"},
		{IssuerInstance{Name: "huge", Issuer: uni.DID, IssueProfile: IssueProfile{Schema: 99_999_999_999}}, "schema.notFound", "99999999999"},
		{IssuerInstance{Name: "ok", Issuer: uni.DID, IssueProfile: IssueProfile{Schema: 2}}, "", ""},
		// A Data Integrity format the issuer's Ed25519 key cannot sign.
		{IssuerInstance{Name: "ecdsa", Issuer: uni.DID, IssueProfile: IssueProfile{Format: FormatECDSARDFC}}, "credential.invalidSigner", "issuer " + uni.DID + ": ecdsa-rdfc-2019 needs a P-256 key, not Ed25519"},
		// issuerPolicy: an unknown one, and status purposes on a declared
		// instance (its lists would be the signer's, which verifiers
		// refuse for another issuer's credential).
		{IssuerInstance{Name: "maybe", Issuer: uni.DID, IssuerPolicy: "maybe"}, "credential.invalidProfile", `"maybe"`},
		{IssuerInstance{Name: "declaredstatus", Issuer: uni.DID, IssuerPolicy: api.IssuerPolicyDeclared, IssueProfile: IssueProfile{Status: []string{"revocation"}}}, "credential.invalidStatus", "status"},
		{IssuerInstance{Name: "declared", Issuer: uni.DID, IssuerPolicy: api.IssuerPolicyDeclared}, "", ""},
	} {
		_, err := n.CreateIssuerInstance(acct, c.in)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.in.Name, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Status != http.StatusBadRequest || e.Code != c.code || !strings.Contains(e.Detail, c.detail) {
			t.Errorf("%s: %v, want a 400 %s naming %s", c.in.Name, err, c.code, c.detail)
		}
		if _, err := n.IssuerInstance(acct, c.in.Name); err == nil {
			t.Errorf("%s: stored although refused", c.in.Name)
		}
	}
}
