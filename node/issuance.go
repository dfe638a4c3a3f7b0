package node

// Issuance on behalf of an institution account: the credential is
// completed from an issuance profile (its schema, types and status
// entries), checked against its schema, and signed with the key the node
// keeps for the issuer DID in the profile's securing mechanism. An issuer
// instance (W3C VCALM) is a named, stored profile fixed to one issuer DID.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/status"
)

// Securing mechanisms an issuance profile names.
const (
	FormatVCJWT     = "vc+jwt"
	FormatSDJWT     = "dc+sd-jwt"
	FormatEdDSAJCS  = "eddsa-jcs-2022"
	FormatEdDSARDFC = "eddsa-rdfc-2022"
	FormatECDSARDFC = "ecdsa-rdfc-2019"
	// FormatEd25519Signature2020 is the legacy Data Integrity proof of
	// VC 1.1 credentials, issued when asked (for wallets and verifiers
	// built on aries-framework-go and its kin).
	FormatEd25519Signature2020 = "Ed25519Signature2020"
)

// Formats lists the securing mechanisms the node issues in.
var Formats = []string{FormatVCJWT, FormatSDJWT, FormatEdDSAJCS, FormatEdDSARDFC, FormatECDSARDFC, FormatEd25519Signature2020}

// IssueProfile says how to complete and secure a credential (the wire
// type api.IssueProfile).
type IssueProfile = api.IssueProfile

// IssuerInstance is a named, stored issue profile of an account (the wire
// type api.IssuerInstance).
type IssuerInstance = api.IssuerInstance

// checkProfile checks p's choices, defaulting its format to vc+jwt.
func checkProfile(p *IssueProfile) error {
	if p.Format == "" {
		p.Format = FormatVCJWT
	}
	if !slices.Contains(Formats, p.Format) {
		return errs.BadRequest("credential.unsupportedFormat", "format %q is not supported (supported: %v)", p.Format, Formats)
	}
	seen := map[string]bool{}
	for _, s := range p.Status {
		if !status.ValidPurpose(s) || seen[s] {
			return errs.BadRequest("credential.invalidStatus", "status purposes are %q and %q, each at most once", status.PurposeRevocation, status.PurposeSuspension)
		}
		seen[s] = true
	}
	if len(p.Disclosable) > 0 && p.Format != FormatSDJWT {
		return errs.BadRequest("credential.invalidProfile", "disclosable claims need the %s format", FormatSDJWT)
	}
	for _, t := range p.Types {
		if t == "" || len(t) > 256 {
			return errs.BadRequest("credential.invalidProfile", "types must be non-empty strings of at most 256 bytes")
		}
	}
	return nil
}

// checkIssuerPolicy checks an instance's issuer policy. A declared
// instance has no status purposes: a Bitstring Status List of the node is
// its signer's, and verifiers — weid's (status.Checker), Digital Bazaar's
// vc-bitstring-status-list — refuse a list whose issuer is not the
// credential's, so a declared issuer's credential could never be checked
// there (Bitstring Status List v1.0, Validate Algorithm, the note "Issuer
// validation is use case dependent", allows the two issuers to differ but
// leaves trusting the list's issuer to each verifier).
func checkIssuerPolicy(in IssuerInstance) error {
	if in.IssuerPolicy != "" && !slices.Contains(api.IssuerPolicies, in.IssuerPolicy) {
		return errs.BadRequest("credential.invalidProfile", "issuerPolicy %q is not one of %v", in.IssuerPolicy, api.IssuerPolicies)
	}
	if in.IssuerPolicy == api.IssuerPolicyDeclared && len(in.Status) > 0 {
		return errs.BadRequest("credential.invalidStatus", "an instance of issuerPolicy %q has no status purposes: its lists would be the signer's, %s, and verifiers refuse a status list whose issuer is not the credential's", api.IssuerPolicyDeclared, in.Issuer)
	}
	return nil
}

var instanceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// CreateIssuerInstance stores a new issuer instance of account.
func (n *Node) CreateIssuerInstance(account *keystore.Account, in IssuerInstance) (*IssuerInstance, error) {
	if !instanceName.MatchString(in.Name) {
		return nil, errs.BadRequest("issuer.invalidName", "issuer instance names are 1 to 64 characters of [a-z0-9._-], starting with a letter or digit")
	}
	if err := checkProfile(&in.IssueProfile); err != nil {
		return nil, err
	}
	if in.Issuer == "" {
		return nil, errs.BadRequest("request.malformed", "name the instance's issuer in \"issuer\": one of your account's DIDs")
	}
	if err := checkIssuerPolicy(in); err != nil {
		return nil, err
	}
	_, key, err := n.SignerKey(account, in.Issuer)
	if err != nil {
		return nil, err
	}
	// The node holds the issuer's key, so a Data Integrity format that key
	// cannot sign (ecdsa-rdfc-2019 with an Ed25519 key) is known now: the
	// instance could never issue, and every issuance would fail with this
	// 400. IssueCredential checks again (the DID's key may be rotated to
	// another type since).
	if err := checkFormatKey(in.Format, key.Type()); err != nil {
		if e, ok := errs.As(err); ok {
			e.Detail = "issuer " + in.Issuer + ": " + e.Detail
		}
		return nil, err
	}
	// An instance whose schema does not exist could never issue: every
	// offer and issuance under it would fail on the schema. The schema is
	// named by the body, so it is a 400 (as on the VCALM issue endpoints).
	if in.Schema != 0 {
		if _, err := n.Schema(in.Schema, 0); err != nil {
			return nil, asBadRequest(err, issueContentError)
		}
	}
	in.Account = account.Name
	in.Created = time.Now().UTC().Format(time.RFC3339)
	err = n.Keystore.CreateRecord(instanceKey(account, in.Name), in)
	if errors.Is(err, keystore.ErrExists) {
		return nil, errs.New(http.StatusConflict, "issuer.exists", "your account has an issuer instance named %q", in.Name)
	}
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// instanceKey is the record key of an account's issuer instance: names are
// per account, so one account can neither take nor probe another's.
func instanceKey(account *keystore.Account, name string) string {
	return "instance/" + account.Name + "/" + name
}

// IssuerInstance returns account's instance name.
func (n *Node) IssuerInstance(account *keystore.Account, name string) (*IssuerInstance, error) {
	var in IssuerInstance
	err := n.Keystore.GetRecord(instanceKey(account, name), &in)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, errs.New(http.StatusNotFound, "issuer.notFound", "no issuer instance %q for this account", name)
	}
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// IssuerInstances lists the instances of account (all of them for the
// admin), by name.
func (n *Node) IssuerInstances(account *keystore.Account) ([]IssuerInstance, error) {
	out := []IssuerInstance{}
	prefix := "instance/" + account.Name + "/"
	if account.Name == AdminOwner {
		prefix = "instance/"
	}
	err := n.Keystore.Records(prefix, func(_ string, raw []byte) error {
		var in IssuerInstance
		if err := json.Unmarshal(raw, &in); err != nil {
			return err
		}
		out = append(out, in)
		return nil
	})
	return out, err
}

// Issued is a credential the node issued.
type Issued struct {
	Format string
	// Compact is the vc+jwt or SD-JWT, for those formats.
	Compact string
	// Document is the credential with its Data Integrity proof, for those
	// formats.
	Document json.RawMessage
	// ID is the credential's id ("" if it has none).
	ID string
}

// issuedRecord is what the node remembers of a credential it issued with
// status entries, so that UpdateStatus can find them by the credential's
// id.
type issuedRecord struct {
	Issuer  string         `json:"issuer"`
	Entries []IssuedStatus `json:"entries"`
}

// issuedKey is the keystore record key of the issuedRecord of credential
// id issued for account: per account, so that another account issuing a
// credential with the same id cannot shadow it.
func issuedKey(account *keystore.Account, id string) string {
	return "issued/" + account.Name + "/" + id
}

// IssuedStatus is one status entry of an issued credential.
type IssuedStatus struct {
	Purpose string `json:"purpose"`
	List    string `json:"list"`
	Index   uint64 `json:"index"`
}

// IssueCredential completes cred from profile p, validates its claims and
// signs it for account with the node's key of the credential's issuer
// (which must be one of the account's custodial DIDs). in, if not nil, is
// the issuer instance: the credential must name its issuer — or, under
// its "declared" issuer policy, names the issuer it declares
// (credential.Signer.Declared) and is signed with the key of the
// instance's issuer. baseURL is the node's public URL, the base of the
// schema and status list URLs it writes.
func (n *Node) IssueCredential(ctx context.Context, account *keystore.Account, cred json.RawMessage, p IssueProfile, in *IssuerInstance, baseURL string) (*Issued, error) {
	if err := checkProfile(&p); err != nil {
		return nil, err
	}
	if len(cred) > credential.MaxCredentialBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", credential.MaxCredentialBytes)
	}
	issuer, declared := "", false
	if in != nil {
		issuer, declared = in.Issuer, in.IssuerPolicy == api.IssuerPolicyDeclared
	}
	c, err := credential.Parse(cred)
	if err != nil {
		if missing := absentIssuer(cred, issuer); missing != nil {
			return nil, missing
		}
		return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	signerDID := c.Issuer
	if issuer != "" && c.Issuer != issuer {
		if !declared {
			// W3C VCALM: "the provided value of 'issuer' does not match
			// the expected configuration" is a 400.
			return nil, errs.BadRequest("credential.issuerMismatch", "this issuer instance issues as %s, not %q: set \"issuer\" to %s, or create the instance with issuerPolicy %q", issuer, c.Issuer, issuer, api.IssuerPolicyDeclared)
		}
		if len(p.Status) > 0 {
			return nil, errs.BadRequest("credential.invalidStatus", "a credential whose declared issuer %q is not the signer %s gets no status entries (see issuerPolicy %q)", c.Issuer, issuer, api.IssuerPolicyDeclared)
		}
		signerDID = issuer
	}
	vm, key, err := n.SignerKey(account, signerDID)
	if err != nil {
		return nil, err
	}
	if err := checkFormatKey(p.Format, key.Type()); err != nil {
		return nil, err // before any status index is reserved
	}
	doc := c.Doc
	for _, t := range p.Types {
		if !slices.Contains(c.Types, t) {
			c.Types = append(c.Types, t)
		}
	}
	if len(p.Types) > 0 {
		types := make([]any, len(c.Types))
		for i, t := range c.Types {
			types[i] = t
		}
		doc["type"] = types
	}
	if p.Schema != 0 && doc["credentialSchema"] == nil {
		doc["credentialSchema"] = map[string]any{"id": baseURL + "/v1/schemas/" + strconv.FormatUint(p.Schema, 10), "type": credential.SchemaTypeJSONSchema}
	}
	if c.Version == 2 && doc["validFrom"] == nil {
		doc["validFrom"] = time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	var rec issuedRecord
	var sdStatus map[string]any // an SD-JWT VC's "status" claim
	if len(p.Status) > 0 {
		if doc["credentialStatus"] != nil {
			return nil, errs.BadRequest("credential.invalidStatus", "the credential already has a credentialStatus; the node adds the entries of the profile's status purposes")
		}
		if c.ID == "" {
			c.ID = "urn:uuid:" + newUUID()
			doc["id"] = c.ID
		}
		rec.Issuer = c.Issuer
		var entries []any
		purposes := p.Status
		if p.Format == FormatSDJWT && len(purposes) > 1 {
			// draft-ietf-oauth-status-list-17 §6.2: the "status" claim has
			// one status_list, so one list and one index, and a weid list
			// has one purpose: an SD-JWT VC of a profile with both gets
			// the revocation entry only (suspending it by credentialId is
			// then a 404 naming the missing entry, never a silent no-op).
			purposes = []string{status.PurposeRevocation}
		}
		for _, purpose := range purposes {
			entry, st, err := n.allocateStatus(ctx, account, c.Issuer, purpose, baseURL)
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry)
			rec.Entries = append(rec.Entries, st)
		}
		switch {
		case p.Format == FormatSDJWT:
			// An SD-JWT VC refers to its list's Token Status List (the
			// same bits, served as a Status List Token), which SD-JWT VC
			// verifiers read, instead of a W3C credentialStatus they do
			// not (draft-ietf-oauth-sd-jwt-vc-14, Registered JWT Claims: "status").
			st := rec.Entries[0]
			sdStatus = status.ReferenceClaim(st.Index, status.TokenURL(baseURL, st.List))
		case len(entries) == 1:
			doc["credentialStatus"] = entries[0]
		default:
			doc["credentialStatus"] = entries
		}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("issue: encode credential: %w", err)
	}
	opts := credential.IssueOptions{State: n.Ledger, Schemas: n.Schemas}
	if p.Schema != 0 {
		if err := n.checkProfileSchema(body, p.Schema); err != nil {
			return nil, err
		}
	}
	signer := credential.Signer{DID: signerDID, VerificationMethod: vm, Key: key}
	if declared {
		signer.Declared = n.offline
	}
	out := &Issued{Format: p.Format, ID: c.ID}
	now := time.Now()
	switch p.Format {
	case FormatVCJWT:
		out.Compact, err = credential.IssueJWT(signer, body, now, opts)
	case FormatSDJWT:
		opts.Status = sdStatus
		out.Compact, err = credential.IssueSDJWT(ctx, signer, body, now, opts, p.Disclosable, n.Resolver)
	case FormatEdDSAJCS, FormatEdDSARDFC, FormatECDSARDFC, FormatEd25519Signature2020:
		if err = credential.CheckClaims(body, opts); err == nil {
			out.Document, err = credential.SignDataIntegrity(signer, body, p.Format, now)
		}
	default:
		err = errs.BadRequest("credential.unsupportedFormat", "format %q is not available on this node yet", p.Format)
	}
	if err != nil {
		if _, ok := errs.As(err); !ok {
			err = errs.BadRequest("credential.invalid", "%v", err)
		}
		return nil, err
	}
	if len(rec.Entries) > 0 {
		// Not synced: if a crash loses it, the credential's status can
		// still be changed by naming its entry (POST /credentials/status
		// with credentialStatus).
		if err := n.Keystore.PutRecord(issuedKey(account, c.ID), rec, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// absentIssuer is the error of a credential object that failed to parse
// without an "issuer" member, with a detail that says what to put there,
// and nil for any other: VC Data Model 2.0 §4.7 (and 1.1 §4.5) make issuer
// required, and the node does not fill it in — clients do (weid vc issue,
// the Go client's Issue) — so that what an institution sends is what it
// signs. issuer is the issuer instance's DID, "" for none. An issuer of
// another shape is credential.Parse's to name (an explicit null or a
// non-URL issuer is as wrong as an absent one).
func absentIssuer(cred json.RawMessage, issuer string) error {
	var doc map[string]json.RawMessage
	if json.Unmarshal(cred, &doc) != nil || doc == nil {
		return nil
	}
	if _, ok := doc["issuer"]; ok {
		return nil
	}
	want := "the DID that issues (one of your account's, whose key the node keeps)"
	if issuer != "" {
		want = "this issuer instance's DID, " + issuer
	}
	return errs.BadRequest("credential.invalid", "%v: the credential has no \"issuer\" (VC Data Model 2.0 §4.7: it must be present): set it to %s", credential.ErrInvalid, want)
}

// checkProfileSchema refuses a credential that names, besides the
// profile's schema, no weid schema at all (a caller's own credentialSchema
// replaces the profile's).
func (n *Node) checkProfileSchema(body []byte, id uint64) error {
	c, err := credential.Parse(body)
	if err != nil {
		return errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	for _, ref := range c.Schemas {
		if sid, _, ok := ref.WeidSchema(); ok && sid == id {
			return nil
		}
	}
	return errs.BadRequest("credential.invalid", "the credential's credentialSchema must be weid schema %d, as the issuer instance says", id)
}

// statusListRecord is the node's current status list of an issuer DID for
// a purpose. Tx is the hash of its status.create while that was pending
// when recorded (the wait for its block ended first).
type statusListRecord struct {
	ID   string `json:"id"`
	Seq  int    `json:"seq"`
	Size uint64 `json:"size"`
	Tx   string `json:"tx,omitempty"`
}

// allocateStatus returns a new status entry of issuerDID for purpose,
// creating the issuer's list (on the ledger, signed with the account's key
// of issuerDID) when it has none or its list is full.
func (n *Node) allocateStatus(ctx context.Context, account *keystore.Account, issuerDID, purpose, baseURL string) (map[string]any, IssuedStatus, error) {
	n.statusMu.Lock()
	defer n.statusMu.Unlock()
	key := "statuslist/" + issuerDID + "/" + purpose
	var cur statusListRecord
	err := n.Keystore.GetRecord(key, &cur)
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return nil, IssuedStatus{}, err
	}
	for range 2 {
		if cur.ID != "" && cur.Tx != "" {
			if cur, err = n.pendingStatusList(key, cur); err != nil {
				return nil, IssuedStatus{}, err
			}
		}
		if cur.ID != "" {
			// The list must still be the issuer's, of this purpose and size.
			if l, ok, err := status.Lookup(n.Ledger, cur.ID); err != nil {
				return nil, IssuedStatus{}, err
			} else if !ok || l.Issuer != issuerDID || l.Purpose != purpose || l.Size != cur.Size {
				return nil, IssuedStatus{}, fmt.Errorf("issue: status list %s recorded for %s is not its %s list on the ledger", cur.ID, issuerDID, purpose)
			}
			idx, err := n.alloc.Allocate(cur.ID, cur.Size)
			if err == nil {
				l, err := status.Get(n.Ledger, cur.ID)
				if err != nil {
					return nil, IssuedStatus{}, err
				}
				entry, err := status.Entry(l, status.URL(baseURL, cur.ID), idx)
				if err != nil {
					return nil, IssuedStatus{}, err
				}
				return entry, IssuedStatus{Purpose: purpose, List: cur.ID, Index: idx}, nil
			}
			if !errors.Is(err, status.ErrListFull) {
				return nil, IssuedStatus{}, err
			}
		}
		// Create the next list, under an id nobody can guess and take
		// first (list ids are first come, first served on the ledger).
		next := statusListRecord{Seq: cur.Seq + 1, Size: status.DefaultSize}
		sum := sha256.Sum256([]byte(issuerDID))
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, IssuedStatus{}, err
		}
		next.ID = fmt.Sprintf("%s-%s-%d-%s", hex.EncodeToString(sum[:4]), purpose[:3], next.Seq, hex.EncodeToString(rnd[:]))
		_, err := n.CustodialUpdate(ctx, account, issuerDID, status.TxCreate, status.CreatePayload{ID: next.ID, Purpose: purpose, Size: next.Size})
		var pe *chain.PendingError
		if errors.As(err, &pe) {
			next.Tx = pe.Hash
		} else if err != nil {
			return nil, IssuedStatus{}, err
		}
		if err := n.Keystore.PutRecord(key, next, true); err != nil {
			return nil, IssuedStatus{}, err
		}
		if next.Tx != "" {
			return nil, IssuedStatus{}, statusListPending(next)
		}
		cur = next
	}
	return nil, IssuedStatus{}, errors.New("issue: no status list index could be allocated")
}

// pendingStatusList settles rec, the status list recorded under key whose
// creation was pending: still pending, a 503 to retry the issuance (no
// entry goes into a list the ledger may never have); committed, rec as the
// current list; never committed (rejected, dropped), rec with no list, so
// that the caller makes the next.
func (n *Node) pendingStatusList(key string, rec statusListRecord) (statusListRecord, error) {
	if state, _, ok := n.Engine.Status(rec.Tx); ok && state == "pending" {
		return rec, statusListPending(rec)
	}
	_, onLedger, err := status.Lookup(n.Ledger, rec.ID)
	if err != nil {
		return rec, err
	}
	if !onLedger {
		return statusListRecord{Seq: rec.Seq}, nil
	}
	rec.Tx = ""
	return rec, n.Keystore.PutRecord(key, rec, true)
}

// statusListPending is the 503 of an issuance whose issuer's new status
// list, rec, is not committed yet.
func statusListPending(rec statusListRecord) error {
	return errs.New(http.StatusServiceUnavailable, "ledger.unavailable",
		"the issuer's new status list %s is not committed yet (transaction %s, GET /v1/txs/%s): retry the issuance once it is", rec.ID, rec.Tx, rec.Tx)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Verifier returns a credential verifier over the node's ledger: its DID
// resolver, trust registry, schemas and status lists. Every verify path
// (HTTP, batch, CLI) uses it, so that they share one policy.
func (n *Node) Verifier() *credential.Verifier {
	return &credential.Verifier{Resolver: n.Resolver, State: n.Ledger, Schemas: n.Schemas, Status: credential.StatusLists{Checker: n.Status}, TokenStatus: tokenSource{n}, ClockSkew: 5 * time.Minute}
}
