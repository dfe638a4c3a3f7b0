package server

// An offline replay of w3c/vc-bitstring-status-list-test-suite (issue 19):
// tests/10-data_model.js, 20-algorithms.js and 30-interop.js, with the
// suite's tests/validVc.json issued through an issuer instance that gives
// credentials a revocation and a suspension entry, the status list
// credentials dereferenced from the node (GET /status-lists/{id}) and the
// credentials verified through POST /credentials/verify with the suite's
// options (checks proof and credentialStatus). It replays the suite's
// assertions; it is not a run of the suite. The suite's pending rows
// (statusSize, statusMessage, statusReference, timestamp dereferencing,
// RANGE_ERROR, processing error types) are skipped by the suite itself and
// are not replayed.

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/node"
)

// bitstringValidVc is the suite's tests/validVc.json.
var bitstringValidVc = map[string]any{
	"@context":          []any{suiteCtxV2},
	"type":              []any{"VerifiableCredential"},
	"credentialSubject": map[string]any{"id": "did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r"},
}

// TestBitstringSuite replays the suite's non-pending rows (Bitstring
// Status List v1.0 §2.1 entries, §2.2 the status list credential, §3.1 and
// §3.2 the generate and validate algorithms, §3.3 the bitstring), and
// checks that revoking the credential (POST /credentials/status) makes its
// verification fail on the status check (§3.2 step 11).
func TestBitstringSuite(t *testing.T) {
	tn := startNode(t)
	acct := tn.account(t, `{"name":"status-issuer"}`)
	inst, _ := json.Marshal(map[string]any{"name": "bitstring", "issuer": acct.DID, "format": "eddsa-rdfc-2022", "status": []string{"revocation", "suspension"}})
	if r := tn.do(t, "POST", "/v1/issuer-instances", acct.Token, inst); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	e := &diSuiteEnv{tn: tn, acct: node.NewAccount{Token: acct.Token, DIDKey: acct.DID}}
	issue := func(t *testing.T, c map[string]any) response {
		t.Helper()
		// mock.data.js createRequestBody: the instance's id as issuer.
		c = clone(t, c)
		c["issuer"] = acct.DID
		c["id"] = "urn:uuid:" + uuid4()
		body, _ := json.Marshal(map[string]any{"credential": c})
		return tn.do(t, "POST", "/issuers/bitstring/credentials/issue", acct.Token, body)
	}
	r := issue(t, bitstringValidVc)
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var out struct {
		VerifiableCredential map[string]any `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	issued := out.VerifiableCredential
	var entries []map[string]any
	switch s := issued["credentialStatus"].(type) {
	case map[string]any:
		entries = append(entries, s)
	case []any:
		for _, x := range s {
			if m, ok := x.(map[string]any); ok {
				entries = append(entries, m)
			}
		}
	}
	if len(entries) != 2 {
		t.Fatalf("want a revocation and a suspension entry: %s", mustJSON(issued))
	}
	// getSlc: dereference statusListCredential.
	slcs := map[string]map[string]any{}
	getSlc := func(t *testing.T, u string) map[string]any {
		t.Helper()
		if m, ok := slcs[u]; ok {
			return m
		}
		if !strings.HasPrefix(u, tn.url+"/") {
			t.Fatalf("statusListCredential %q is not served by the node %s", u, tn.url)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(b, &m) != nil {
			t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
		}
		slcs[u] = m
		return m
	}
	// decodeSl: a Multibase base64url (no padding) GZIP-compressed bitstring.
	decodeSl := func(t *testing.T, encoded string) []byte {
		t.Helper()
		if !strings.HasPrefix(encoded, "u") {
			t.Fatalf("encodedList %.20q… is not Multibase base64url", encoded)
		}
		raw, err := base64.RawURLEncoding.DecodeString(encoded[1:])
		if err != nil {
			t.Fatalf("encodedList: %v", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("encodedList: %v", err)
		}
		bits, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("encodedList: %v", err)
		}
		return bits
	}
	forEntries := func(t *testing.T, f func(t *testing.T, entry map[string]any)) {
		for _, entry := range entries {
			f(t, entry)
		}
	}
	forLists := func(t *testing.T, f func(t *testing.T, slc map[string]any)) {
		forEntries(t, func(t *testing.T, entry map[string]any) {
			u, _ := entry["statusListCredential"].(string)
			f(t, getSlc(t, u))
		})
	}
	// testSlCredential (assertions.js), in its VC 2.0 form: a conforming
	// credential of type BitstringStatusListCredential whose subject is a
	// BitstringStatusList, with an issuer and a proof.
	testSlCredential := func(t *testing.T, slc map[string]any) {
		t.Helper()
		ctx, _ := slc["@context"].([]any)
		types, _ := slc["type"].([]any)
		subject, _ := slc["credentialSubject"].(map[string]any)
		_, hasProof := slc["proof"].(map[string]any)
		id, _ := slc["id"].(string)
		switch {
		case !slices.Contains(ctx, any(suiteCtxV2)):
			t.Errorf("@context %v", ctx)
		case !slices.Contains(types, any("VerifiableCredential")) || !slices.Contains(types, any("BitstringStatusListCredential")):
			t.Errorf("type %v", slc["type"])
		case id == "" || subject == nil || slc["issuer"] == nil || !hasProof:
			t.Errorf("id, credentialSubject, issuer, proof: %s", mustJSON(slc))
		case subject["id"] == nil || subject["type"] != "BitstringStatusList" || subject["encodedList"] == nil || subject["statusPurpose"] == nil:
			t.Errorf("credentialSubject %v", subject)
		}
	}

	// typedBitstringStatusListCredential: the status list credential's
	// type includes BitstringStatusListCredential (two of the suite's
	// statements ask it, of the dereferenced and of the published list).
	typedBitstringStatusListCredential := func(t *testing.T, slc map[string]any) {
		if types, _ := slc["type"].([]any); !slices.Contains(types, any("BitstringStatusListCredential")) {
			t.Errorf("type %v", slc["type"])
		}
	}

	// 10-data_model.js: Data Model: BitstringStatusList Entry
	t.Run("Any expression of the data model in this section MUST be expressed in a conforming verifiable credential as defined in [VC-DATA-MODEL-2.0].", func(t *testing.T) {
		ctx, _ := issued["@context"].([]any)
		types, _ := issued["type"].([]any)
		if len(ctx) == 0 || ctx[0] != suiteCtxV2 || !slices.Contains(types, any("VerifiableCredential")) || issued["issuer"] == nil || issued["proof"] == nil {
			t.Errorf("%s", mustJSON(issued))
		}
		if s, _ := issued["credentialSubject"].(map[string]any); s["id"] != bitstringValidVc["credentialSubject"].(map[string]any)["id"] {
			t.Errorf("credentialSubject %v", s)
		}
	})
	t.Run("If present, the id value is expected to be a URL that identifies the status information associated with the verifiable credential. It MUST NOT be the URL for the status list.", func(t *testing.T) {
		forEntries(t, func(t *testing.T, entry map[string]any) {
			if id, ok := entry["id"]; ok {
				if s, isStr := id.(string); !isStr || !isURL(s) || s == entry["statusListCredential"] {
					t.Errorf("id %v", id)
				}
			}
		})
	})
	t.Run("The type property MUST be BitstringStatusListEntry. ", func(t *testing.T) {
		forEntries(t, func(t *testing.T, entry map[string]any) {
			if entry["type"] != "BitstringStatusListEntry" {
				t.Errorf("type %v", entry["type"])
			}
		})
	})
	t.Run("The purpose of the status entry MUST be a string.", func(t *testing.T) {
		forEntries(t, func(t *testing.T, entry map[string]any) {
			if _, ok := entry["statusPurpose"].(string); !ok {
				t.Errorf("statusPurpose %v", entry["statusPurpose"])
			}
		})
	})
	t.Run("The statusListIndex property MUST be an arbitrary size integer greater than or equal to 0, expressed as a string in base 10.", func(t *testing.T) {
		forEntries(t, func(t *testing.T, entry map[string]any) {
			s, _ := entry["statusListIndex"].(string)
			if n, err := strconv.ParseUint(s, 10, 64); err != nil || strconv.FormatUint(n, 10) != s {
				t.Errorf("statusListIndex %v", entry["statusListIndex"])
			}
		})
	})
	t.Run("The statusListCredential property MUST be a URL to a verifiable credential.", func(t *testing.T) {
		forEntries(t, func(t *testing.T, entry map[string]any) {
			u, ok := entry["statusListCredential"].(string)
			if !ok || !isURL(u) {
				t.Fatalf("statusListCredential %v", entry["statusListCredential"])
			}
			testSlCredential(t, getSlc(t, u))
		})
	})
	t.Run("When the URL is dereferenced, the resulting verifiable credential MUST have type property that includes the BitstringStatusListCredential value.", func(t *testing.T) {
		forLists(t, typedBitstringStatusListCredential)
	})
	// Data Model: BitstringStatusList Credential
	t.Run("When a status list verifiable credential is published, it MUST be a conforming document, as defined in [VC-DATA-MODEL-2.0].", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) {
			testSlCredential(t, slc)
			e.verify(t, slc, nil).wantSuccess(t)
		})
	})
	t.Run("The verifiable credential that contains the status list MUST express a type property that includes the BitstringStatusListCredential value.", func(t *testing.T) {
		forLists(t, typedBitstringStatusListCredential)
	})
	t.Run("The type of the credential subject, which is the status list, MUST be BitstringStatusList.", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) {
			if s, _ := slc["credentialSubject"].(map[string]any); s["type"] != "BitstringStatusList" {
				t.Errorf("credentialSubject.type %v", s["type"])
			}
		})
	})
	t.Run("The value of the purpose property of the status entry, statusPurpose, MUST be one or more strings.", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) {
			s, _ := slc["credentialSubject"].(map[string]any)
			switch p := s["statusPurpose"].(type) {
			case string:
			case []any:
				for _, x := range p {
					if _, ok := x.(string); !ok {
						t.Errorf("statusPurpose %v", p)
					}
				}
			default:
				t.Errorf("statusPurpose %v", p)
			}
		})
	})
	t.Run("The encodedList property of the credential subject MUST be a Multibase-encoded base64url (with no padding) [RFC4648] representation of the GZIP-compressed [RFC1952] bitstring values for the associated range of verifiable credential status values.", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) {
			s, _ := slc["credentialSubject"].(map[string]any)
			enc, _ := s["encodedList"].(string)
			if strings.ContainsAny(enc, "=+/") {
				t.Errorf("encodedList is padded or not base64url")
			}
			decodeSl(t, enc)
		})
	})
	t.Run("The uncompressed bitstring MUST be at least 16KB in size.", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) {
			s, _ := slc["credentialSubject"].(map[string]any)
			enc, _ := s["encodedList"].(string)
			if n := len(decodeSl(t, enc)); n < 16*1024 {
				t.Errorf("%d bytes", n)
			}
		})
	})

	// 20-algorithms.js
	t.Run(`If an implementation of any of the algorithms in this section processes a property defined in Section 2. Data Model whose value is malformed due to not complying with associated "MUST" statements, a MALFORMED_VALUE_ERROR MUST be raised.`, func(t *testing.T) {
		c := clone(t, bitstringValidVc)
		c["statusEntry"] = map[string]any{"type": "BitstringStatusListEntry", "statusListIndex": true, "statusListCredential": "https://example.com"}
		if r := issue(t, c); r.status < 400 || r.status >= 500 {
			t.Errorf("issued a credential with a malformed status entry: %d %s", r.status, r.body)
		}
		// And as credentialStatus itself.
		c = clone(t, bitstringValidVc)
		c["credentialStatus"] = map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": true, "statusListCredential": "https://example.com"}
		if r := issue(t, c); r.status < 400 || r.status >= 500 {
			t.Errorf("issued a credential with a malformed credentialStatus: %d %s", r.status, r.body)
		}
	})
	t.Run("The following process, or one generating the exact output, MUST be followed when producing a BitstringStatusListCredential.", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) { testSlCredential(t, slc) })
	})
	verifyOptions := map[string]any{"checks": []any{"proof", "credentialStatus"}}
	t.Run("The following process, or one generating the exact output, MUST be followed when validating a verifiable credential that is contained in a BitstringStatusListCredential", func(t *testing.T) {
		e.verify(t, issued, verifyOptions).wantSuccess(t)
	})
	t.Run("The following process, or one generating the exact output, MUST be followed when generating a status list bitstring.", func(t *testing.T) {
		forLists(t, func(t *testing.T, slc map[string]any) {
			s, _ := slc["credentialSubject"].(map[string]any)
			enc, _ := s["encodedList"].(string)
			decodeSl(t, enc)
		})
	})
	t.Run("The following process, or one generating the exact output, MUST be followed when expanding a compressed status list bitstring.", func(t *testing.T) {
		e.verify(t, issued, verifyOptions).wantSuccess(t)
	})
	// 30-interop.js
	t.Run("weid should verify weid", func(t *testing.T) {
		e.verify(t, issued, verifyOptions).wantSuccess(t)
	})

	// Beyond the suite's non-pending rows: revoking the credential sets its
	// bit, the list served shows it, and verification fails on status.
	t.Run("a revoked credential fails its status check", func(t *testing.T) {
		var rev map[string]any
		for _, entry := range entries {
			if entry["statusPurpose"] == "revocation" {
				rev = entry
			}
		}
		body, _ := json.Marshal(map[string]any{"credentialId": issued["id"], "credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}, "status": true})
		if r := tn.do(t, "POST", "/credentials/status", acct.Token, body); r.status != 200 {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		delete(slcs, rev["statusListCredential"].(string))
		s, _ := getSlc(t, rev["statusListCredential"].(string))["credentialSubject"].(map[string]any)
		bits := decodeSl(t, s["encodedList"].(string))
		i, _ := strconv.Atoi(rev["statusListIndex"].(string))
		if bits[i/8]&(0x80>>(i%8)) == 0 {
			t.Errorf("bit %d is not set in the served list", i)
		}
		e.verify(t, issued, verifyOptions).wantFailure(t, "status", "")
	})
}
