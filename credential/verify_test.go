package credential_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

const (
	passed  = credential.StatusPassed
	failed  = credential.StatusFailed
	warning = credential.StatusWarning
	skipped = credential.StatusSkipped
)

var ctx = context.Background()

func issue(t testing.TB, e *ledger, s credential.Signer, cred json.RawMessage) string {
	t.Helper()
	tok, err := credential.IssueJWT(s, cred, e.Now, credential.IssueOptions{State: e.l})
	if err != nil {
		t.Fatalf("IssueJWT: %v", err)
	}
	return tok
}

func TestIssueVerify(t *testing.T) {
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1, keys.SM2} {
		t.Run(string(kt), func(t *testing.T) {
			e := newLedger(t)
			uni := e.issuer(t, kt, "Example University")
			holder := e.User(t, keys.Ed25519)
			issuedAt := e.Now
			tok := issue(t, e, signerOf(uni), diploma(t, uni.DID, holder.DID, nil))
			j, err := credential.ParseJWS(tok)
			if err != nil {
				t.Fatal(err)
			}
			wantAlg, _ := jose.AlgFor(kt)
			if j.Header.Alg != wantAlg || j.Header.Typ != "vc+jwt" || j.Header.Cty != "vc" || j.Header.Kid != uni.VM() {
				t.Fatalf("header %+v", j.Header)
			}
			var payload map[string]any
			if err := json.Unmarshal(j.Payload, &payload); err != nil {
				t.Fatal(err)
			}
			if _, wrapped := payload["vc"]; wrapped {
				t.Fatal("payload has a vc claim: it must be the credential itself")
			}
			if got := payload["validFrom"]; got != issuedAt.Format(time.RFC3339) {
				t.Fatalf("validFrom = %v, want %s", got, issuedAt.Format(time.RFC3339))
			}
			r := e.verifier(e.Now.Add(time.Hour)).VerifyJWT(ctx, tok, credential.Policy{RequireAccreditation: true, RequireBinding: true})
			want(t, r, true, allPassed)
			if len(r.Warnings) != 0 || len(r.Errors) != 0 {
				t.Fatalf("warnings %v errors %v", r.Warnings, r.Errors)
			}
			if r.Credential["issuer"] != uni.DID {
				t.Fatalf("credential issuer %v", r.Credential["issuer"])
			}
			for _, c := range r.Checks {
				if c.Detail == "" {
					t.Errorf("check %s has no detail", c.Name)
				}
			}
			// The result renders as JSON for the HTTP API.
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTamperedPayload(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	tok := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil))
	v := e.verifier(e.Now.Add(time.Hour))
	bad := credtest.Tampered(t, tok, func(m map[string]any) {
		m["credentialSubject"].(map[string]any)["degree"] = "Doctor of Philosophy"
	})
	r := v.VerifyJWT(ctx, bad, credential.Policy{})
	want(t, r, false, with(credential.CheckProof, failed))
	if c := r.Errors[0]; c.Code != credential.ReasonProofBadSignature || c.Params["key"] != uni.VM() {
		t.Errorf("tampered: code %q params %v, want %s naming the key", c.Code, c.Params, credential.ReasonProofBadSignature)
	}
	// A flipped signature bit fails too.
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[10] ^= 1
	parts[2] = base64.RawURLEncoding.EncodeToString(sig)
	want(t, v.VerifyJWT(ctx, strings.Join(parts, "."), credential.Policy{}), false, with(credential.CheckProof, failed))
}

func TestForgedIssuer(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	mallory := e.User(t, keys.Ed25519)
	v := e.verifier(e.Now.Add(time.Hour))
	cred := diploma(t, uni.DID, "did:example:alice", map[string]any{"validFrom": e.Now.Format(time.RFC3339)})

	// Mallory's own key, honestly named, claiming the university issued it.
	tok, err := credential.SignJWS(mallory.Key, mallory.VM(), cred)
	if err != nil {
		t.Fatal(err)
	}
	r := v.VerifyJWT(ctx, tok, credential.Policy{})
	want(t, r, false, with(credential.CheckIssuerBinding, failed, credential.CheckAccreditation, warning))
	if !strings.Contains(r.Errors[0].Detail, mallory.DID) {
		t.Errorf("detail %q does not name the signer", r.Errors[0].Detail)
	}

	// Mallory's key, but naming the university's key.
	tok, err = credential.SignJWS(mallory.Key, uni.VM(), cred)
	if err != nil {
		t.Fatal(err)
	}
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), false, with(credential.CheckProof, failed))

	// IssueJWT refuses to sign for another issuer.
	_, err = credential.IssueJWT(signerOf(mallory), cred, e.Now, credential.IssueOptions{})
	ledgertest.WantErr(t, err, http.StatusBadRequest, "credential.issuerMismatch")
}

func TestValidityPeriod(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	start := e.Now
	tok := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"validUntil": start.Add(24 * time.Hour).Format(time.RFC3339),
	}))
	v := e.verifier(start.Add(25 * time.Hour))
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), false, with(credential.CheckValidityPeriod, failed))
	v.ClockSkew = 2 * time.Hour
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), true, allPassed)

	future := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"validFrom": start.Add(48 * time.Hour).Format(time.RFC3339),
	}))
	v = e.verifier(start.Add(time.Hour))
	want(t, v.VerifyJWT(ctx, future, credential.Policy{}), false, with(credential.CheckValidityPeriod, failed))
	v = e.verifier(start.Add(49 * time.Hour))
	want(t, v.VerifyJWT(ctx, future, credential.Policy{}), true, allPassed)

	// The JWT claims nbf and exp are enforced as well.
	exp := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"exp": start.Add(time.Hour).Unix(),
	}))
	want(t, e.verifier(start.Add(2*time.Hour)).VerifyJWT(ctx, exp, credential.Policy{}), false, with(credential.CheckValidityPeriod, failed))
}

func TestAccreditation(t *testing.T) {
	e := newLedger(t)
	nobody := e.User(t, keys.P256)
	tok := issue(t, e, signerOf(nobody), diploma(t, nobody.DID, "did:example:alice", nil))
	v := e.verifier(e.Now.Add(time.Hour))
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), true, with(credential.CheckAccreditation, warning))
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{RequireAccreditation: true}), false, with(credential.CheckAccreditation, failed))

	// An authority issuer outside its accreditation.
	uni := e.issuer(t, keys.Ed25519, "Example University")
	licence := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"type": []any{"VerifiableCredential", "ProfessionalLicenceCredential"},
	}))
	r := v.VerifyJWT(ctx, licence, credential.Policy{})
	want(t, r, true, with(credential.CheckAccreditation, warning))
	if !strings.Contains(r.Warnings[0].Detail, "ProfessionalLicenceCredential") {
		t.Errorf("warning %q does not name the type", r.Warnings[0].Detail)
	}
	want(t, v.VerifyJWT(ctx, licence, credential.Policy{RequireAccreditation: true}), false, with(credential.CheckAccreditation, failed))

	// No trust registry at all.
	v.State = nil
	want(t, v.VerifyJWT(ctx, licence, credential.Policy{}), true, with(credential.CheckAccreditation, warning, credential.CheckSchema, warning))
}

func TestSchema(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	v := e.verifier(e.Now.Add(time.Hour))
	bad := diploma(t, uni.DID, "did:example:alice", map[string]any{
		"credentialSubject": map[string]any{"id": "did:example:alice", "holderName": "Alice Chen", "degree": "BEng"},
	})

	// Refused at issuance.
	_, err := credential.IssueJWT(signerOf(uni), bad, e.Now, credential.IssueOptions{State: e.l})
	se := ledgertest.WantErr(t, err, http.StatusUnprocessableEntity, "schema.violation")
	if !strings.Contains(se.Detail, "schema 2") {
		t.Errorf("detail %q", se.Detail)
	}
	// Signed anyway (without the check), it fails verification.
	tok, err := credential.IssueJWT(signerOf(uni), bad, e.Now, credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), false, with(credential.CheckSchema, failed))

	// A schema this ledger does not have.
	missing := diploma(t, uni.DID, "did:example:alice", map[string]any{
		"credentialSchema": map[string]any{"id": "https://weid.example/v1/schemas/4242/versions/1", "type": "JsonSchema"},
	})
	_, err = credential.IssueJWT(signerOf(uni), missing, e.Now, credential.IssueOptions{State: e.l})
	ledgertest.WantErr(t, err, http.StatusNotFound, "schema.notFound")
	tok, err = credential.IssueJWT(signerOf(uni), missing, e.Now, credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), false, with(credential.CheckSchema, failed, credential.CheckAccreditation, warning))

	// A pinned version.
	pinned := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"credentialSchema": []any{map[string]any{"id": "http://127.0.0.1:8080/v1/schemas/2/versions/1", "type": "JsonSchema"}},
	}))
	want(t, v.VerifyJWT(ctx, pinned, credential.Policy{}), true, allPassed)

	// Not a weid schema: not checked.
	other := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"credentialSchema": map[string]any{"id": "https://schemas.example/diploma.json", "type": "JsonSchema"},
	}))
	want(t, v.VerifyJWT(ctx, other, credential.Policy{}), true, with(credential.CheckSchema, warning))

	// No schema.
	none := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{"credentialSchema": nil}))
	want(t, v.VerifyJWT(ctx, none, credential.Policy{}), true, with(credential.CheckSchema, skipped))
}

func TestStatus(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	tok := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{
		"credentialStatus": map[string]any{
			"id": "https://uni.example/status/3#94567", "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": "94567", "statusListCredential": "https://uni.example/status/3",
		},
	}))
	r := e.verifier(e.Now.Add(time.Hour)).VerifyJWT(ctx, tok, credential.Policy{RequireAccreditation: true})
	want(t, r, true, with(credential.CheckStatus, warning))
	if !strings.Contains(r.Warnings[0].Detail, "no status list is available") || r.Warnings[0].Code != credential.ReasonStatusNoList {
		t.Errorf("warning %q (%s)", r.Warnings[0].Detail, r.Warnings[0].Code)
	}
}

func TestKeyRotation(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Secp256k1, "Example University")
	before := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil))
	old := signerOf(uni)
	e.Now = e.Now.Add(time.Minute) // the key is rotated a minute later
	e.rotate(t, uni, "key-2")
	v := e.verifier(e.Now.Add(time.Hour))

	r := v.VerifyJWT(ctx, before, credential.Policy{RequireAccreditation: true})
	want(t, r, true, allPassed)
	if !strings.Contains(r.Checks[1].Detail, "as of its issuance") {
		t.Errorf("proof detail %q", r.Checks[1].Detail)
	}
	after := issue(t, e, old, diploma(t, uni.DID, "did:example:alice", nil))
	want(t, v.VerifyJWT(ctx, after, credential.Policy{}), false, with(credential.CheckProof, failed))
	// Back-dating past the DID's creation does not help either.
	early := issue(t, e, old, diploma(t, uni.DID, "did:example:alice", map[string]any{"validFrom": "2020-01-01T00:00:00Z"}))
	want(t, v.VerifyJWT(ctx, early, credential.Policy{}), false, with(credential.CheckProof, failed))
	fresh := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil))
	want(t, v.VerifyJWT(ctx, fresh, credential.Policy{}), true, allPassed)

	// A deactivated issuer's credentials no longer verify.
	e.Must(t, uni.Tx(t, did.TxDeactivate, did.DeactivatePayload{DID: uni.DID}))
	want(t, v.VerifyJWT(ctx, fresh, credential.Policy{}), false, with(credential.CheckProof, failed))
}

func TestDIDKeyIssuer(t *testing.T) {
	e := newLedger(t)
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1, keys.SM2} {
		k := keytest.New(t, kt)
		id := did.KeyDID(k.Public())
		s := credential.Signer{DID: id, VerificationMethod: id + "#" + k.Public().Multibase(), Key: k}
		tok := issue(t, e, s, diploma(t, id, "did:example:alice", nil))
		v := e.verifier(e.Now.Add(time.Hour))
		want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), true, with(credential.CheckAccreditation, warning))
		want(t, v.VerifyJWT(ctx, tok, credential.Policy{RequireAccreditation: true}), false, with(credential.CheckAccreditation, failed))
	}
}

func TestURLIssuer(t *testing.T) {
	e := newLedger(t)
	k, _ := keys.Generate(keys.Ed25519)
	id := did.KeyDID(k.Public())
	cred := diploma(t, "https://uni.example", "did:example:alice", map[string]any{"validFrom": e.Now.Format(time.RFC3339)})
	tok, err := credential.SignJWS(k, id+"#"+k.Public().Multibase(), cred)
	if err != nil {
		t.Fatal(err)
	}
	v := e.verifier(e.Now.Add(time.Hour))
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{}), true, with(credential.CheckIssuerBinding, warning, credential.CheckAccreditation, warning))
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{RequireBinding: true}), false, with(credential.CheckIssuerBinding, failed, credential.CheckAccreditation, warning))
	want(t, v.VerifyJWT(ctx, tok, credential.Policy{RequireAccreditation: true}), false, with(credential.CheckIssuerBinding, failed, credential.CheckAccreditation, failed))
}

func TestProofFailures(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	cred := diploma(t, uni.DID, "did:example:alice", map[string]any{"validFrom": e.Now.Format(time.RFC3339)})
	v := e.verifier(e.Now.Add(time.Hour))
	sign := func(kid string) string {
		tok, err := credential.SignJWS(uni.Key, kid, cred)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// No kid, a kid that is no DID URL, an unknown DID, another chain, a
	// method the DID does not have, an unsupported DID method.
	for _, kid := range []string{"", "key-1", uni.DID, "did:weid:test:0x0000000000000000000000000000000000000001#key-1",
		strings.Replace(uni.VM(), ":test:", ":other:", 1), uni.DID + "#key-9", "did:web:uni.example#key-1"} {
		r := v.VerifyJWT(ctx, sign(kid), credential.Policy{})
		if st := statuses(t, r); st[credential.CheckProof] != failed || r.Verified {
			t.Errorf("kid %q: proof %s\n%s", kid, st[credential.CheckProof], dump(r))
		}
		if r.Err != nil {
			t.Errorf("kid %q: internal error %v", kid, r.Err)
		}
	}
	// A method that is not in assertionMethod.
	e.Must(t, uni.Tx(t, did.TxAddMethod, did.AddMethodPayload{DID: uni.DID, ID: "auth-only", PublicKeyMultibase: uni.Key.Public().Multibase(), Relationships: []string{"authentication"}}))
	want(t, v.VerifyJWT(ctx, sign(uni.DID+"#auth-only"), credential.Policy{}), false, with(credential.CheckProof, failed))
	// No resolver.
	want(t, (&credential.Verifier{}).VerifyJWT(ctx, sign(uni.VM()), credential.Policy{}), false, with(
		credential.CheckProof, failed, credential.CheckAccreditation, warning, credential.CheckSchema, warning, credential.CheckValidityPeriod, passed))
}

func TestIssueErrors(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	s := signerOf(uni)
	for name, c := range map[string]struct {
		s      credential.Signer
		cred   json.RawMessage
		status int
		code   string
	}{
		"not JSON":          {s, json.RawMessage(`{`), 400, "credential.invalid"},
		"no context":        {s, diploma(t, uni.DID, "did:example:a", map[string]any{"@context": nil}), 400, "credential.invalid"},
		"v1 context":        {s, diploma(t, uni.DID, "did:example:a", map[string]any{"@context": []any{"https://www.w3.org/2018/credentials/v1"}}), 400, "credential.invalid"},
		"no VC type":        {s, diploma(t, uni.DID, "did:example:a", map[string]any{"type": "UniversityDegreeCredential"}), 400, "credential.invalid"},
		"no subject":        {s, diploma(t, uni.DID, "did:example:a", map[string]any{"credentialSubject": nil}), 400, "credential.invalid"},
		"bad validFrom":     {s, diploma(t, uni.DID, "did:example:a", map[string]any{"validFrom": "2026-01-01"}), 400, "credential.invalid"},
		"until before now":  {s, diploma(t, uni.DID, "did:example:a", map[string]any{"validUntil": "2001-01-01T00:00:00Z"}), 400, "credential.invalid"},
		"issuer object":     {s, diploma(t, uni.DID, "did:example:a", map[string]any{"issuer": map[string]any{"id": "did:web:other.example", "name": "Other"}}), 400, "credential.issuerMismatch"},
		"no key":            {credential.Signer{DID: s.DID, VerificationMethod: s.VerificationMethod}, diploma(t, uni.DID, "did:example:a", nil), 400, "credential.invalidSigner"},
		"foreign method":    {credential.Signer{DID: s.DID, VerificationMethod: "did:example:x#k", Key: s.Key}, diploma(t, uni.DID, "did:example:a", nil), 400, "credential.invalidSigner"},
		"too large":         {s, json.RawMessage(strings.Repeat(" ", credential.MaxCredentialBytes+1)), 413, "credential.tooLarge"},
		"schema type wrong": {s, diploma(t, uni.DID, "did:example:a", map[string]any{"credentialSchema": map[string]any{"id": schemaURL, "type": "JsonSchemaCredential"}}), 400, "credential.invalid"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := credential.IssueJWT(c.s, c.cred, e.Now, credential.IssueOptions{State: e.l})
			ledgertest.WantErr(t, err, c.status, c.code)
		})
	}
	// An issuer object naming the signer is fine.
	cred := diploma(t, uni.DID, "did:example:a", map[string]any{"issuer": map[string]any{"id": uni.DID, "name": "Example University"}})
	tok := issue(t, e, s, cred)
	want(t, e.verifier(e.Now.Add(time.Hour)).VerifyJWT(ctx, tok, credential.Policy{}), true, allPassed)
}

// TestCompromisedKey: a key rotated out verifies what it signed while it was
// current, until its controller declares it compromised; from then on
// nothing it signed verifies, whatever date it carries, and it may not come
// back.
func TestCompromisedKey(t *testing.T) {
	for _, how := range []string{"rotate", "remove", "report"} {
		t.Run(how, func(t *testing.T) {
			e := newLedger(t)
			uni := e.issuer(t, keys.Ed25519, "Example University")
			before := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil))
			old := signerOf(uni)
			oldMB := old.Key.Public().Multibase()
			e.Now = e.Now.Add(time.Minute)
			k2, _ := keys.Generate(keys.Ed25519)
			switch how {
			case "rotate":
				e.Must(t, uni.Tx(t, did.TxRotateKey, did.RotateKeyPayload{DID: uni.DID, ID: uni.Frag, NewID: "key-2", PublicKeyMultibase: k2.Public().Multibase(), Compromised: true}))
				uni.Key, uni.Frag = k2, "key-2"
			case "remove", "report":
				e.Must(t, uni.Tx(t, did.TxAddMethod, did.AddMethodPayload{DID: uni.DID, ID: "key-2", PublicKeyMultibase: k2.Public().Multibase()}))
				uni.Key, uni.Frag = k2, "key-2"
				e.Must(t, uni.Tx(t, did.TxRemoveMethod, did.RemoveMethodPayload{DID: uni.DID, ID: "key-1", Compromised: how == "remove"}))
				if how == "report" { // removed as a plain rotation first
					v := e.verifier(e.Now.Add(time.Hour))
					want(t, v.VerifyJWT(ctx, before, credential.Policy{RequireAccreditation: true}), true, allPassed)
					// Reported in another encoding of the key (a non-minimal
					// multicodec varint): the same key.
					other := "z" + base58.Encode(append([]byte{0xed, 0x81, 0x00}, old.Key.Public().Bytes...))
					e.Must(t, uni.Tx(t, did.TxReportCompromised, did.ReportCompromisedPayload{DID: uni.DID, PublicKeyMultibase: other}))
				}
			}
			v := e.verifier(e.Now.Add(time.Hour))
			r := v.VerifyJWT(ctx, before, credential.Policy{})
			want(t, r, false, with(credential.CheckProof, failed))
			if !strings.Contains(r.Errors[0].Detail, "declared compromised") {
				t.Errorf("proof error %q", r.Errors[0].Detail)
			}
			fresh := issue(t, e, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil))
			want(t, v.VerifyJWT(ctx, fresh, credential.Policy{RequireAccreditation: true}), true, allPassed)

			res, err := e.resolver.Resolve(ctx, uni.DID, did.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if ck := res.DocumentMetadata.CompromisedKeys; len(ck) != 1 || ck[0].PublicKeyMultibase != oldMB || ck[0].Since == "" || ck[0].TxHash == "" {
				t.Fatalf("compromisedKeys = %+v", ck)
			}
			// Neither again, nor back into the document.
			for _, tx := range []*chain.Tx{
				uni.Tx(t, did.TxReportCompromised, did.ReportCompromisedPayload{DID: uni.DID, PublicKeyMultibase: oldMB}),
				uni.Tx(t, did.TxAddMethod, did.AddMethodPayload{DID: uni.DID, ID: "key-9", PublicKeyMultibase: oldMB}),
				uni.Tx(t, did.TxRotateKey, did.RotateKeyPayload{DID: uni.DID, ID: "key-2", NewID: "key-9", PublicKeyMultibase: oldMB}),
			} {
				if err := e.Commit(t, tx)[0]; errs.Code(err) != "did.keyCompromised" {
					t.Errorf("%s: %v, want did.keyCompromised", tx.Type, err)
				}
			}
			// Another encoding of the same key is the same key.
			raw := old.Key.Public().Bytes
			alt := "z" + base58.Encode(append([]byte{0xed, 0x81, 0x00}, raw...)) // a non-minimal multicodec varint
			if alt == oldMB || did.CanonicalKey(alt) != oldMB {
				t.Fatalf("alternative encoding %s of %s", alt, oldMB)
			}
			for _, tx := range []*chain.Tx{
				uni.Tx(t, did.TxReportCompromised, did.ReportCompromisedPayload{DID: uni.DID, PublicKeyMultibase: alt}),
				uni.Tx(t, did.TxAddMethod, did.AddMethodPayload{DID: uni.DID, ID: "key-8", PublicKeyMultibase: alt}),
			} {
				if err := e.Commit(t, tx)[0]; errs.Code(err) != "did.keyCompromised" {
					t.Errorf("%s with another encoding: %v, want did.keyCompromised", tx.Type, err)
				}
			}
			// A key in use is removed or rotated, not reported.
			err = e.Commit(t, uni.Tx(t, did.TxReportCompromised, did.ReportCompromisedPayload{DID: uni.DID, PublicKeyMultibase: k2.Public().Multibase()}))[0]
			if errs.Code(err) != "did.keyInUse" {
				t.Errorf("report of the current key: %v, want did.keyInUse", err)
			}
		})
	}
}
