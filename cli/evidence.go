package cli

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/txn"
)

// hashFile returns the hash of a file in lowercase hex, read as a stream,
// with the chain's hash: SHA-256, or SM3 on a 国密 chain.
func hashFile(path string, suite *chain.Suite) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := suite.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// evidenceSigner finds the verification method of d that key k is and that
// may both sign transactions (authentication) and evidence (assertionMethod).
func evidenceSigner(ctx context.Context, c *client.Client, d string, k *keys.PrivateKey) (vm, chainID string, err error) {
	return weidMethodFor(ctx, c, d, k, "authentication", "assertionMethod")
}

type evidenceFlags struct {
	keyFile, passFile, signer, did string
	logs                           []string
}

func (f *evidenceFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.keyFile, "key", "", "key file of the signing DID (signs locally); without it the node signs for --token")
	cmd.Flags().StringVar(&f.passFile, "passphrase-file", "", "file holding the key file's passphrase")
	cmd.Flags().StringVar(&f.did, "did", "", "with --key: the DID the key signs for (default: the DID the key file names; give it for a key rotated into a DID)")
	cmd.Flags().StringVar(&f.signer, "signer", "", "with --token: the account's DID the node signs as (default: the admin, for the admin token)")
	cmd.Flags().StringArrayVar(&f.logs, "log", nil, "a log line to record (repeatable)")
}

// write signs an evidence transaction locally (--key) with the payload build
// makes, or sends the custodial fields for the node to sign (--token).
func (f *evidenceFlags) write(cmd *cobra.Command, g *globals, typ, path string, build func(vm, sig string) chain.Payload, hash string, custodial map[string]any) (*api.EvidenceReceipt, error) {
	c := g.client()
	if f.keyFile != "" {
		k, d, err := keyAndDID(f.keyFile, f.passFile, f.did)
		if err != nil {
			return nil, err
		}
		vm, chainID, err := evidenceSigner(cmd.Context(), c, d, k)
		if err != nil {
			return nil, err
		}
		sig, err := evidence.Sign(k, vm, hash)
		if err != nil {
			return nil, err
		}
		tx, err := node.SignTx(chainID, vm, k, typ, build(vm, sig))
		if err != nil {
			return nil, err
		}
		return c.EvidenceWrite(cmd.Context(), path, map[string]any{"tx": tx})
	}
	if g.token == "" {
		return nil, errKeyOrToken
	}
	if f.signer != "" {
		custodial["signer"] = f.signer
	}
	if len(f.logs) > 0 {
		custodial["logs"] = f.logs
	}
	return c.EvidenceWrite(cmd.Context(), path, custodial)
}

func evidenceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Notarize files: record their SHA-256 on the ledger with verified signatures",
		Long: `Notarize a file: its SHA-256 (computed here, streaming; the file never leaves
this machine) is recorded on the ledger with the signer's signature over
"weid-evidence-v1:" + signer + ":" + hash, which the ledger verifies against
the signer DID's assertionMethod key. Others add their signatures; each
signer alone may revoke its own.`,
	}
	var cf evidenceFlags
	var extras []string
	var customKey string
	create := &cobra.Command{
		Use:   "create FILE",
		Short: "Record a file's hash with your signature",
		Example: `  weid evidence create contract.pdf --key alice.key --log "signed by Alice" --extra file=contract.pdf --custom-key contract-2026-001
  weid evidence create contract.pdf --token "$UNI_TOKEN" --signer did:weid:1:0x…`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := hashFileFor(cmd.Context(), g.client(), args[0])
			if err != nil {
				return err
			}
			x := map[string]string{}
			for _, e := range extras {
				k, v, ok := strings.Cut(e, "=")
				if !ok {
					return fmt.Errorf("--extra %q: want name=value", e)
				}
				x[k] = v
			}
			if len(x) == 0 {
				x = nil
			}
			r, err := cf.write(cmd, g, evidence.TxCreate, "/v1/evidence", func(vm, sig string) chain.Payload {
				return &evidence.CreatePayload{Hash: h, Signer: vm, Signature: sig, Logs: cf.logs, Extras: x, Key: customKey}
			}, h, map[string]any{"hash": h, "extras": x, "key": customKey})
			if err != nil {
				return err
			}
			return printWrite(cmd, g, r.Status, r.TxHash, r, func(w io.Writer) { fmt.Fprintf(w, "evidence %s\n%s\n", h, txLine(r.TxHash, r.Height, r.Status)) })
		},
	}
	cf.add(create)
	create.Flags().StringArrayVar(&extras, "extra", nil, "a name=value extra to record (repeatable)")
	create.Flags().StringVar(&customKey, "custom-key", "", "a unique key to find the evidence by")

	var sf evidenceFlags
	var signHash string
	sign := &cobra.Command{
		Use:   "sign [FILE]",
		Short: "Add your signature to recorded evidence",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := fileOrHash(cmd.Context(), g.client(), args, signHash)
			if err != nil {
				return err
			}
			r, err := sf.write(cmd, g, evidence.TxSign, client.EvidencePath(h, "signatures", ""), func(vm, sig string) chain.Payload {
				return &evidence.SignPayload{Hash: h, Signer: vm, Signature: sig, Logs: sf.logs}
			}, h, map[string]any{})
			if err != nil {
				return err
			}
			return printWrite(cmd, g, r.Status, r.TxHash, r, func(w io.Writer) { fmt.Fprintf(w, "signed %s\n%s\n", h, txLine(r.TxHash, r.Height, r.Status)) })
		},
	}
	sf.add(sign)
	sign.Flags().StringVar(&signHash, "hash", "", "the evidence hash, instead of FILE")

	var verifyHash string
	var anchor anchorFlags
	verify := &cobra.Command{
		Use:   "verify [FILE]",
		Short: "Check a file against the ledger: its signers and the inclusion proofs of their transactions",
		Long: `Hash the file, fetch its evidence, and check here: each recording transaction's
Merkle inclusion proof and block signature (as "weid tx prove" does), that
each transaction carries the hash, and each signature against its signer's
current DID document. Exits non-zero if the file is not recorded or a check
fails.

With a trust anchor, as "weid tx prove" and "weid did resolve --verify"
take it (--node-key on a solo chain, --trusted-validators FILE on
CometBFT), each transaction's block must be vouched for by it; the
evidence record itself (its signatures, their revocations, its log lines)
is proven against it at one block, no lower than any of its transactions'
blocks, and each signer's DID document at a block no lower than that: a
node of another chain with the same chain id, or a proxy that alters a
document or the record, or answers part of it from an older block, fails
naming the transaction, the DID or what differs. A node can still replay
a whole answer from before a revocation (every proof in it was signed):
--max-age refuses it, bounding the age of the blocks the record and the
documents are proven at (an anchor without it is warned of on stderr). It
does not bound the transactions' blocks, which are as old as the evidence.
Which transactions' proofs to return is the node's choice: the output
counts how many of the record's were proven; the record is what the
anchor vouches for.

Without an anchor the node key, the validator set, the record and the
signers' documents come from the node itself: that proves its answers are
consistent, not that they are the chain you trust, and the output says so.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := anchor.checkMaxAge(); err != nil {
				return err
			}
			if anchor.maxAge != 0 && !anchor.given() {
				return usageErr("cli.usage.maxAgeNeedsAnchor")
			}
			h, err := fileOrHash(cmd.Context(), g.client(), args, verifyHash)
			if err != nil {
				return err
			}
			anchor.warnUnbounded(cmd.ErrOrStderr())
			return verifyEvidence(cmd, g, h, &anchor)
		},
	}
	verify.Flags().StringVar(&verifyHash, "hash", "", "the evidence hash, instead of FILE")
	anchor.register(verify)
	cmd.AddCommand(create, sign, verify)
	return cmd
}

func fileOrHash(ctx context.Context, c *client.Client, args []string, hash string) (string, error) {
	switch {
	case len(args) == 1 && hash == "":
		return hashFileFor(ctx, c, args[0])
	case len(args) == 0 && hash != "":
		return hash, evidence.ValidHash(hash)
	}
	return "", usageErr("cli.usage.fileOrHash")
}

// signerCheck is the local check of one evidence signature.
type signerCheck struct {
	evidence.Signature
	Verified string `json:"verified"` // "signature verified", or why it was not checked here
}

// unanchoredEvidence says what evidence verify proves without an anchor.
const unanchoredEvidence = "not anchored: the node key, the validator set, the evidence record and the signers' DID documents came from the node itself (its genesis block, its answers), so this shows its answers are consistent, not that they are the chain you trust; give --node-key (solo) or --trusted-validators FILE (CometBFT) to check that"

func verifyEvidence(cmd *cobra.Command, g *globals, h string, af *anchorFlags) error {
	ctx := cmd.Context()
	c := g.client()
	r, err := c.Evidence(ctx, h)
	if err != nil {
		return err
	}
	ev := r.Evidence
	if ev == nil || ev.Hash != h {
		return fmt.Errorf("the node answered for another evidence")
	}
	vouched, err := evidenceBlocks(ctx, c, af, h, r.Proofs)
	if err != nil {
		return err
	}
	snap, err := provenEvidence(ctx, c, af, ev, recordFloor(ev, vouched))
	if err != nil {
		return err
	}
	checks, forged, err := evidenceSigners(ctx, c, af, h, ev.Signatures, snap)
	if err != nil {
		return err
	}
	txs := ev.TxHashes()
	proven := 0
	for _, p := range r.Proofs {
		if slices.Contains(txs, p.Hash) {
			proven++
		}
	}
	out := map[string]any{"hash": h, "evidence": ev, "signers": checks, "proofsVerified": proven, "recordTransactions": len(txs), "proofsTruncated": r.ProofsTruncated}
	var record *api.ProvenRead
	if af.given() {
		verdicts := make([]*api.StateVerdict, len(vouched))
		for i, v := range vouched {
			verdicts[i] = v.anchor
		}
		record = snap.Summary()
		out["anchor"] = verdicts
		out["recordProven"] = record
		out["anchored"] = anchoredEvidence
	} else {
		out["unanchored"] = unanchoredEvidence
	}
	err = g.print(out, func(w io.Writer) {
		fmt.Fprintf(w, "evidence %s\ncreated %s by %s at height %d (tx %s)\n", h, ev.Created, ev.Creator, ev.Height, ev.TxHash)
		if ev.Key != "" {
			fmt.Fprintf(w, "key %s\n", ev.Key)
		}
		for _, s := range checks {
			state := "valid"
			if s.Revoked {
				state = "REVOKED"
			}
			fmt.Fprintf(w, "signer %s %s, signed %s at height %d via %s (%s), %s\n", s.DID, state, s.Signed, s.Height, s.Submitter, s.Method, s.Verified)
		}
		for _, l := range ev.Logs {
			fmt.Fprintf(w, "log %s %s: %s\n", l.Time, l.By, l.Text)
		}
		more := ""
		if proven < len(txs) {
			more = "; check the others with weid tx prove"
		}
		fmt.Fprintf(w, "verified: %s, of the record's %s%s\n", plural(proven, "transaction inclusion proof and block signature", "transaction inclusion proofs and block signatures"), plural(len(txs), "transaction", "transactions"), more)
		if record != nil {
			fmt.Fprintf(w, "record proven: %s\n%s\n", provenSummary(record), anchoredEvidence)
		}
		printEvidenceAnchor(w, af, vouched)
	})
	if err == nil && forged > 0 {
		if forged == 1 {
			err = errors.New("1 signature does not verify with its signer's current key")
		} else {
			err = fmt.Errorf("%d signatures do not verify with their signers' current keys", forged)
		}
	}
	return err
}

// anchoredEvidence says what an anchored evidence verify proves: the node
// chooses which transactions' proofs it returns, the record is what the
// state proof anchors.
const anchoredEvidence = "the evidence record itself (its signatures, their revocations, its log lines) is what the trust anchor vouches for, proven at one block; the transactions' proofs show how it was recorded"

// recordFloor is the lowest block the record of ev may be proven at: its
// own and that of each recording transaction vouched for (a state older
// than a transaction already shown would hide what it did).
func recordFloor(ev *api.Evidence, vouched []*vouching) uint64 {
	floor := ev.Height
	for _, v := range vouched {
		floor = max(floor, v.block.Header.Height)
	}
	return floor
}

// provenEvidence checks, with a trust anchor, the evidence the node
// returned against the ledger's state proven against it at one block no
// lower than floor (client.ProveSnapshot, so no key is shown from before
// a change to another; --max-age bounds that block's age): the record,
// the signature of each signer it names (as many as the record counts)
// and every log line (evidence.GetNamed). Without an anchor there is
// nothing to check it against (nil).
func provenEvidence(ctx context.Context, c *client.Client, af *anchorFlags, ev *api.Evidence, floor uint64) (*client.ProvenSnapshot, error) {
	if !af.given() {
		return nil, nil
	}
	a, err := af.anchor(ctx, c)
	if err != nil {
		return nil, err
	}
	signers := make([]string, len(ev.Signatures))
	for i, s := range ev.Signatures {
		signers[i] = s.DID
	}
	if n := 1 + len(signers) + len(ev.Logs); n > evidence.MaxNamedKeys {
		return nil, fmt.Errorf("the node returned an evidence of %d signatures and %d log lines, more than the ledger keeps (%d signatures, %d log lines)", len(signers), len(ev.Logs), evidence.MaxSigners, evidence.MaxLogs)
	}
	snap, err := c.ProveSnapshot(ctx, a, evidence.NamedKeys(ev.Hash, signers, len(ev.Logs)), floor)
	switch {
	case errors.Is(err, txn.ErrStateProof) || errors.Is(err, api.ErrStale):
		return nil, fmt.Errorf("evidence %s: not proven at one block no lower than its record's and its transactions' (block %d): %w", ev.Hash, floor, staleErr(err))
	case err != nil:
		// %v: a problem wrapped would print as its detail alone (oneLine)
		return nil, fmt.Errorf("evidence %s: reading its state proofs (POST, then GET /v1/state/proof) failed, so the record is not proven: %v%s", ev.Hash, err, olderNodeHint(err))
	}
	proven, err := evidence.GetNamed(snap, ev.Hash, signers)
	if err == nil {
		err = sameEvidence(ev, proven)
	} else if r, ok, rerr := evidence.GetRecord(snap, ev.Hash); rerr == nil && ok && r.LogCount != len(ev.Logs) {
		err = fmt.Errorf("it has %d log lines, the ledger %d", len(ev.Logs), r.LogCount)
	}
	if err != nil {
		return nil, fmt.Errorf("the evidence the node returned differs from the proven state: %w", err)
	}
	return snap, nil
}

// olderNodeHint explains a 404 from a node's state proof endpoint.
func olderNodeHint(err error) string {
	var ce *client.Error
	if errors.As(err, &ce) && ce.Status == 404 {
		return " (a weid node older than state proofs does not serve them: verify against a newer one, or without an anchor)"
	}
	return ""
}

// sameEvidence names the first part of the evidence the node returned, got,
// that is not the proven one, want.
func sameEvidence(got, want *api.Evidence) error {
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	switch {
	case enc(got.EvidenceRecord) != enc(want.EvidenceRecord):
		return fmt.Errorf("its record is %s, the ledger's %s", enc(got.EvidenceRecord), enc(want.EvidenceRecord))
	case len(got.Logs) != len(want.Logs):
		return fmt.Errorf("it has %d log lines, the ledger %d", len(got.Logs), len(want.Logs))
	}
	for i := range got.Signatures {
		if g, w := got.Signatures[i], want.Signatures[i]; g.DID == w.DID && g.Revoked != w.Revoked {
			return fmt.Errorf("it says the signature of %s is %s, the ledger that it is %s", g.DID, revokedWord(g.Revoked), revokedWord(w.Revoked))
		}
		if g, w := enc(got.Signatures[i]), enc(want.Signatures[i]); g != w {
			return fmt.Errorf("signature %d is %s, the ledger's %s", i, g, w)
		}
	}
	for i := range got.Logs {
		if g, w := enc(got.Logs[i]), enc(want.Logs[i]); g != w {
			return fmt.Errorf("log line %d is %s, the ledger's %s", i, g, w)
		}
	}
	return nil
}

func revokedWord(revoked bool) string {
	if revoked {
		return "revoked"
	}
	return "valid"
}

// evidenceBlocks checks each recording transaction of evidence h: its
// inclusion proof, that it carries the hash, and who vouches for its block
// (vouchBlock: the trust anchor af names, or the node's own genesis),
// whatever its age.
func evidenceBlocks(ctx context.Context, c *client.Client, af *anchorFlags, h string, proofs []*chain.TxWithProof) ([]*vouching, error) {
	if len(proofs) == 0 {
		return nil, nil
	}
	suite, err := genesisSuite(ctx, c)
	if err != nil {
		return nil, err
	}
	blocks := *af
	blocks.maxAge = 0 // recording transactions are old by nature: --max-age bounds the state proofs
	vouched := make([]*vouching, len(proofs))
	byBlock := map[string]*vouching{} // transactions of one block: vouched once (unanchored under CometBFT, each is a replay)
	for i, p := range proofs {
		if err := suite.VerifyTx(p); err != nil {
			return nil, fmt.Errorf("proof of tx %s does not check: %w", p.Hash, err)
		}
		if !strings.Contains(string(p.Tx.Payload), `"`+h+`"`) {
			return nil, fmt.Errorf("tx %s does not carry the hash %s", p.Hash, h)
		}
		if vouched[i] = byBlock[p.Block]; vouched[i] != nil {
			continue
		}
		b, err := provenBlock(ctx, c, p, suite)
		if err == nil {
			vouched[i], err = vouchBlock(ctx, c, &blocks, b, func() (cometbft.ValidatorSet, error) { return recordedSet(ctx, c, &b.Header) })
		}
		if err != nil {
			return nil, fmt.Errorf("tx %s: %w", p.Hash, err)
		}
		byBlock[p.Block] = vouched[i]
	}
	return vouched, nil
}

// evidenceSigners checks each signature against its signer's current DID
// document: read with a state proof checked against the trust anchor af
// names at a block no lower than the record's (a document that cannot be
// proven, or only at an older block, is an error naming the DID), or,
// without one, as the node resolves it. forged counts the signatures that
// do not verify.
func evidenceSigners(ctx context.Context, c *client.Client, af *anchorFlags, h string, sigs []evidence.Signature, record *client.ProvenSnapshot) (checks []signerCheck, forged int, err error) {
	resolve := func(d string) (*did.ResolutionResult, string, error) {
		res, err := c.Resolve(ctx, d, did.Options{})
		return res, "", err
	}
	if af.given() {
		a, err := af.anchor(ctx, c)
		if err != nil {
			return nil, 0, err
		}
		resolve = func(d string) (*did.ResolutionResult, string, error) {
			res, v, err := c.ResolveVerified(ctx, d, "", a)
			if err == nil && v.Height < record.Height() {
				err = fmt.Errorf("%w: the node proved it at block %d, below block %d the evidence record was proven at: an older document", txn.ErrStateProof, v.Height, record.Height())
			}
			if err != nil {
				return nil, "", fmt.Errorf("signer %s: its DID document is not proven: %w", d, staleErr(err))
			}
			return res, fmt.Sprintf(" (document proven at block %d, %s)", v.Height, blockWhen(v.Time, time.Now())), nil
		}
	}
	checks = make([]signerCheck, len(sigs))
	for i, s := range sigs {
		res, proven, err := resolve(s.DID)
		if err != nil && af.given() {
			return nil, 0, err
		}
		verified := checkSignatureLocally(res, err, h, s)
		if verified == badSignature {
			forged++
		}
		checks[i] = signerCheck{Signature: s, Verified: verified + proven}
	}
	return checks, forged, nil
}

// printEvidenceAnchor says who vouches for the transactions' blocks: the
// trust anchor, block by block, or, without one, that the keys and
// documents came from the node.
func printEvidenceAnchor(w io.Writer, af *anchorFlags, vouched []*vouching) {
	if !af.given() {
		for i, v := range vouched {
			if c := v.consensus; c != nil && !slices.Contains(vouched[:i], v) {
				fmt.Fprintf(w, "committed: CometBFT block %d of %s carries the app hash of block %d, signed by validators holding %d of %d voting power (%d validators, as the weid chain records them)\n",
					c.CometHeight, c.CometChainID, v.block.Header.Height, c.SignedPower, c.TotalPower, c.Validators)
			}
		}
		fmt.Fprintln(w, unanchoredEvidence)
		return
	}
	for i, v := range vouched {
		if !slices.Contains(vouched[:i], v) { // one line per block
			v.print(w)
		}
	}
}

const badSignature = "SIGNATURE DOES NOT VERIFY"

// checkSignatureLocally verifies s against res, the signer's current DID
// resolution (or err, why it could not be read), as far as it can: a key
// rotated or removed since was checked by the ledger when the signature
// was recorded.
func checkSignatureLocally(res *did.ResolutionResult, err error, h string, s evidence.Signature) string {
	if err != nil {
		return "not checked here: " + oneLine(err)
	}
	if res == nil || res.Document == nil {
		return "not checked here: the DID resolves to no document"
	}
	m, ok := res.Document.Method(s.Method)
	if !ok {
		return fmt.Sprintf("not checked here: %s is no longer in the DID document (the ledger checked it at height %d)", s.Method, s.Height)
	}
	pk, err := keys.ParseMultibase(m.PublicKeyMultibase)
	if err != nil {
		return "not checked here: " + err.Error()
	}
	sig, err := base64.RawURLEncoding.DecodeString(s.Signature)
	if err != nil || !pk.Verify(evidence.Message(s.Method, h), sig) {
		return badSignature
	}
	return "signature verified"
}
