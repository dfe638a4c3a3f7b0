package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
)

func readInput(name string) ([]byte, error) { return readFile(name) }

// credentialArg reads a credential from a file: a JSON object (a Data
// Integrity credential or an EnvelopedVerifiableCredential) or a compact
// JWT / SD-JWT.
func credentialArg(name string) (any, error) {
	raw, err := readInput(name)
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		if !json.Valid(raw) {
			return nil, fmt.Errorf("%s is not valid JSON", name)
		}
		return json.RawMessage(raw), nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		raw = []byte(s)
	}
	// Other JSON (null, an array) is no credential; other text goes to
	// the node, whose verdict says what is wrong with it.
	if json.Valid(raw) {
		if err := checkCompact(name, string(raw)); err != nil {
			return nil, err
		}
	}
	return string(raw), nil
}

func vcCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "vc", Short: "Issue, verify, revoke and suspend verifiable credentials"}
	var o api.IssueOptions
	var instance string
	issue := &cobra.Command{
		Use:   "issue FILE|-",
		Short: "Issue a credential, signed by the node for your account (--token)",
		Long: `Send a credential (JSON, without proof) to the node, which signs it with
the key it keeps for the credential's issuer DID — a DID of the account of
--token — after checking its claims against its schema.

--format chooses the securing mechanism: vc+jwt (default) or dc+sd-jwt
(SD-JWT VC; --disclose names the claims the holder may disclose
selectively: the others are in the clear, shown to every verifier, and
without any the command warns) for VC 2.0 credentials only — VC-JOSE-COSE secures VC 2.0, so
the node refuses a VC 1.1 credential (@context
https://www.w3.org/2018/credentials/v1) in them; or a Data Integrity proof,
for VC 2.0 and VC 1.1 alike: eddsa-jcs-2022, eddsa-rdfc-2022 (Ed25519 issuer
key), ecdsa-rdfc-2019 (P-256) or Ed25519Signature2020 (Ed25519). A VC 1.1
credential must name one of these; the node adds the context that defines
the proof's terms (https://w3id.org/security/data-integrity/v2, or the
Ed25519Signature2020 one) when its @context lacks it. Every type and claim
must be defined by a context the credential names: one whose claims are
its issuer's own names https://www.w3.org/ns/credentials/undefined-terms/v2
as the last value of @context (VC Data Model 2.0 §5.2), or the node
refuses it (400) naming the undefined terms — with vc+jwt and every Data
Integrity suite; a dc+sd-jwt carries no @context, so none is read.
--status revocation and/or suspension gives the credential Bitstring Status
List entries. --instance issues through an issuer
instance (weid instance create), whose settings the other flags override;
a credential without "issuer" gets the instance's issuer DID before it is
sent (the node requires one, VC Data Model 2.0 §4.7, and fills in none; an
"issuer" that is present, even null, is sent as it is).

Prints the compact JWT / SD-JWT, or the credential with its proof (JSON).`,
		Example: `  weid vc issue diploma.json --token $TOKEN --status revocation
  weid vc issue diploma-vc11.json --token $TOKEN --format eddsa-rdfc-2022
  weid vc issue diploma.json --token $TOKEN --instance diploma
  weid vc issue diploma.json --token $TOKEN --format dc+sd-jwt --disclose /credentialSubject/degree`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := readJSON(args[0])
			if err != nil {
				return err
			}
			if g.token == "" {
				return needToken("issues")
			}
			if instance == "" && lacksIssuer(raw) {
				return fmt.Errorf(`%s has no "issuer": issue it through an issuer instance of your account with --instance NAME (weid instance list), which puts in its DID, or set "issuer" to a DID of your account`, args[0])
			}
			vc, err := g.client().Issue(cmd.Context(), raw, instance, o)
			if err != nil {
				return err
			}
			if instance == "" {
				warnNothingDisclosable(cmd.ErrOrStderr(), o.Format, o.Disclosable)
			}
			if tok, ok := client.Compact(vc); ok {
				return g.print(map[string]any{"verifiableCredential": vc}, func(w io.Writer) { fmt.Fprintln(w, tok) })
			}
			return g.print(map[string]any{"verifiableCredential": vc}, func(w io.Writer) { fmt.Fprintln(w, string(vc)) })
		},
	}
	issue.Flags().StringVar(&instance, "instance", "", "issue through this issuer instance of your account")
	issue.Flags().StringVar(&o.Format, "format", "", "vc+jwt (default) or dc+sd-jwt for VC 2.0; eddsa-jcs-2022, eddsa-rdfc-2022, ecdsa-rdfc-2019 or Ed25519Signature2020 for VC 2.0 or 1.1")
	issue.Flags().Uint64Var(&o.Schema, "schema", 0, "weid schema id the credential follows (set as its credentialSchema when absent)")
	issue.Flags().StringSliceVar(&o.Status, "status", nil, "status purposes to allocate entries for: revocation, suspension")
	issue.Flags().StringSliceVar(&o.Disclosable, "disclose", nil, "for dc+sd-jwt: JSON pointer of a selectively disclosable claim (repeatable); the claims not named are shown to every verifier")

	var requireAcc, verifyState bool
	var anchor anchorFlags
	verify := &cobra.Command{
		Use:   "verify FILE|-",
		Short: "Verify a credential through the node; every check is printed",
		Long: `Verify a credential (from a file, or - for standard input): a compact
vc+jwt or SD-JWT, a JWT with a "vc" claim (VC Data Model 1.1 §6.3.1), an
EnvelopedVerifiableCredential of one of them, or a credential object with a
Data Integrity proof. Prints each named check; exits non-zero unless
the credential is verified.

With --verify-state the checks run here, not on the node, and every fact
they read from the ledger (the issuer's DID document, its trust registry
entry, the schema, the status list bit) comes with a state proof checked
against --node-key (solo) or --trusted-validators FILE (CometBFT; a set
that changed since is followed by the light-client rule): a node that
lies about any of them is refused with an error naming the key it could
not prove. The verdict names the block the state was proven against, its
time and its age; --max-age refuses a block older than the bound (a node
may answer from an older head the anchor signed too, and a quiet chain's
head is as old as its last write).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vc, err := credentialArg(args[0])
			if err != nil {
				return err
			}
			if verifyState {
				return verifyProven(cmd, g, vc, credential.Policy{RequireAccreditation: requireAcc}, &anchor)
			}
			res, err := g.client().VerifyCredential(cmd.Context(), vc, map[string]any{"requireAccreditation": requireAcc})
			if err != nil {
				return inputRefused(args[0], err)
			}
			v := userVoice()
			if err := g.print(res, func(w io.Writer) {
				printVerdict(w, v, "credential", res.Verdict)
				printChecks(w, v, res.Checks)
			}); err != nil {
				return err
			}
			return verdictErr(v, "credential", res.Verdict)
		},
	}
	verify.Flags().BoolVar(&requireAcc, "require-accreditation", false, "fail unless the issuer is an accredited authority issuer")
	verify.Flags().BoolVar(&verifyState, "verify-state", false, "verify here, reading the ledger through state proofs checked against --node-key or --trusted-validators instead of trusting the node")
	anchor.register(verify)

	statusUpdate := func(use, short, purpose string, set bool) *cobra.Command {
		return &cobra.Command{
			Use:   use + " CREDENTIAL_ID",
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return updateStatus(cmd, g, args[0], purpose, set)
			},
		}
	}
	var purpose string
	var clear bool
	status := &cobra.Command{
		Use:   "status CREDENTIAL_ID",
		Short: "Set (or with --clear, clear) a status bit of a credential your account issued",
		Long: `Set or clear the credential's bit in its issuer's Bitstring Status List
(a status.update transaction signed with the issuer DID's key). The credential
is found by its id among those this node issued with --status. A revocation
cannot be cleared, and an update to the status the credential already has
(revoke a revoked one, suspend a suspended one, unsuspend an active one) is
refused (409 status.unchanged): no transaction is written.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return updateStatus(cmd, g, args[0], purpose, !clear)
		},
	}
	status.Flags().StringVar(&purpose, "purpose", "revocation", "revocation or suspension")
	status.Flags().BoolVar(&clear, "clear", false, "clear the bit (unsuspend)")
	cmd.AddCommand(issue, verify, vcVerifyBatchCmd(g), status,
		statusUpdate("revoke", "Revoke a credential your account issued (irreversible)", "revocation", true),
		statusUpdate("suspend", "Suspend a credential your account issued", "suspension", true),
		statusUpdate("unsuspend", "Lift the suspension of a credential your account issued", "suspension", false))
	return cmd
}

func updateStatus(cmd *cobra.Command, g *globals, id, purpose string, set bool) error {
	if g.token == "" {
		return needToken("issued")
	}
	r, err := g.client().UpdateStatus(cmd.Context(), id, purpose, set)
	if err != nil {
		return err
	}
	return printWrite(cmd, g, r.TxStatus, r.TxHash, r, func(w io.Writer) {
		state := "set"
		if !set {
			state = "cleared"
		}
		fmt.Fprintf(w, "%s %s: bit %d of status list %s %s (%s)\n", id, purpose, r.Index, r.List, state, txLine(r.TxHash, r.Height, r.TxStatus))
	})
}

// warnNothingDisclosable warns on w, in the user's language, that a
// dc+sd-jwt issued with no disclosable claims shows every claim to every
// verifier: the holder can withhold none. Such a credential is valid (an
// SD-JWT VC need not disclose anything selectively), so it is not refused.
func warnNothingDisclosable(w io.Writer, format string, disclosable []string) {
	if format == "dc+sd-jwt" && len(disclosable) == 0 {
		fmt.Fprintln(w, say("cli.sdjwt.nothingDisclosable"))
	}
}

func instanceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "instance",
		Short: "Issuer instances: named issuance settings of your account (W3C VCALM)",
		Long: `An issuer instance fixes the issuer DID, securing mechanism, schema, types,
status purposes and disclosable claims of one kind of certificate an
institution issues; "weid vc issue --instance NAME" and
POST /issuers/NAME/credentials/issue use it. A dc+sd-jwt instance's
claims not named by --disclose are in the clear in every credential it
issues, shown to every verifier: "create" warns when it names none.

Its issuer policy says which issuer a credential may name: "signer" (the
default) only the instance's DID, whose key signs; "declared" the issuer
the credential declares (VC Data Model 2.0 §4.7) — an institution's https
URL or organisation DID while the instance's key signs — except a DID the
node resolves (did:key, did:jwk, did:weid) that does not list the signing
key in its assertionMethod. A declared instance has no status purposes.`,
	}
	var in api.IssuerInstanceRequest
	create := &cobra.Command{
		Use:     "create NAME --issuer DID",
		Short:   "Create an issuer instance",
		Example: `  weid instance create diploma --token $TOKEN --issuer did:weid:1:0x… --schema 2 --type UniversityDegreeCredential --status revocation,suspension`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.token == "" {
				return needToken("")
			}
			in.Name = args[0]
			r, err := g.client().CreateIssuerInstance(cmd.Context(), in)
			if err != nil {
				return err
			}
			warnNothingDisclosable(cmd.ErrOrStderr(), r.Format, r.Disclosable)
			return g.print(r, func(w io.Writer) {
				policy := r.IssuerPolicy
				if policy == "" {
					policy = api.IssuerPolicySigner
				}
				fmt.Fprintf(w, "issuer instance %s created (issuer %s, issuer policy %s, format %s)\n", r.Name, r.Issuer, policy, r.Format)
			})
		},
	}
	create.Flags().StringVar(&in.Issuer, "issuer", "", "issuer DID (one of your account's DIDs), whose key signs")
	create.Flags().StringVar(&in.IssuerPolicy, "issuer-policy", "", `which issuer a credential may name: "signer" (default: the --issuer DID) or "declared" (the one it declares)`)
	create.Flags().StringVar(&in.Format, "format", "", "vc+jwt (default) or dc+sd-jwt for VC 2.0; eddsa-jcs-2022, eddsa-rdfc-2022, ecdsa-rdfc-2019 or Ed25519Signature2020 for VC 2.0 or 1.1")
	create.Flags().Uint64Var(&in.Schema, "schema", 0, "weid schema id (must exist on the ledger)")
	create.Flags().StringSliceVar(&in.Types, "type", nil, "credential type added to each credential (repeatable)")
	create.Flags().StringSliceVar(&in.Status, "status", nil, "status purposes: revocation, suspension")
	create.Flags().StringSliceVar(&in.Disclosable, "disclose", nil, "for dc+sd-jwt: JSON pointer of a selectively disclosable claim (repeatable); the claims not named are shown to every verifier")
	_ = create.MarkFlagRequired("issuer")
	list := &cobra.Command{
		Use:   "list",
		Short: "List your account's issuer instances",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.token == "" {
				return needToken("")
			}
			list, err := g.client().IssuerInstances(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(list, func(w io.Writer) {
				for _, in := range list {
					fmt.Fprintf(w, "%-20s %-16s schema %-4d status %-22s %s\n", in.Name, in.Format, in.Schema, strings.Join(in.Status, ","), in.Issuer)
				}
			})
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}

// verifyProven verifies a credential locally with every ledger read
// proven against the flags' anchor (weid vc verify --verify-state).
func verifyProven(cmd *cobra.Command, g *globals, vc any, p credential.Policy, af *anchorFlags) error {
	raw, err := json.Marshal(vc)
	if err != nil {
		return err
	}
	c := g.client()
	a, err := af.anchor(cmd.Context(), c)
	if err != nil {
		return err
	}
	pv, err := credential.NewProvenVerifier(c.ProvenState(cmd.Context(), a))
	if err != nil {
		return fmt.Errorf("verify the ledger state: %w", staleErr(err))
	}
	res, err := pv.Verify(cmd.Context(), raw, p)
	v := userVoice()
	if err != nil {
		return staleErr(err)
	}
	if res.Err != nil {
		return fmt.Errorf("verify the ledger state: %w", staleErr(res.Err))
	}
	if err := g.print(res, func(w io.Writer) {
		printVerdict(w, v, "credential", res.Verdict)
		printChecks(w, v, res.Checks)
		if s := res.StateProof; s != nil {
			fmt.Fprintf(w, "state: %s\n", provenSummary(s))
		}
	}); err != nil {
		return err
	}
	return verdictErr(v, "credential", res.Verdict)
}

// provenSummary says what a verification's ledger reads were proven
// against.
func provenSummary(s *api.ProvenRead) string {
	now := time.Now()
	when := func(hdrTime string) string {
		t, err := time.Parse(chain.TimeFormat, hdrTime)
		if err != nil {
			return hdrTime
		}
		return blockWhen(t, now)
	}
	blocks := fmt.Sprintf("block %d (%s)", s.Height, when(s.Time))
	if s.FirstHeight != 0 {
		blocks = fmt.Sprintf("blocks %d (%s) to %d (%s)", s.FirstHeight, when(s.FirstTime), s.Height, when(s.Time))
	}
	return fmt.Sprintf("%d keys proven against %s of chain %s — %s", s.Keys, blocks, s.ChainID, s.SignedBy)
}
