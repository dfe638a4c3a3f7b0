package cli

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

func rulesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "The ledger's rules: the version in force and a scheduled change",
		Long: `The ledger's rules are versioned: a version is the set of transaction types
and the rules they are applied by. A chain moves to the next version at a weid
height its governance schedules (gov.scheduleRules, signed by an admin or
committee member: --key signs locally, or --token has the node sign, as the
admin DID for the admin token), so every node changes rules at the same
block; a node whose weid does not know the version halts at that height
(writes and /readyz 503 ledger.halted) until it runs a weid that does, and
warns before then (its log, "weid status", "weid rules show": "rules v3 are
scheduled for height H; this weid knows up to v2").
Schedule a version only once every validator runs a weid that knows it: a
node does not take into its mempool a version its own weid does not know (409
gov.unknownRules from the API; a peer's transaction is dropped), but a block
that another validator proposed with it is applied all the same, and the node
then warns and halts at the height.

Version 1 is every chain made before rules were versioned; version 2 adds
gov.setValidatorNode ("weid validator set-node") and, under CometBFT, turns on
Proposer-Based Timestamps for a chain that still dates blocks by BFT time
(from the block after the one where v2 takes effect: blocks are then dated
when proposed, not when the block before them was committed). A new chain
starts at the newest version its weid knows.`,
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the rules in force, the newest this node's weid knows, and a scheduled change",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.client().Status(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(st.Rules, func(w io.Writer) { printRules(w, st.Rules) })
		},
	}
	var version, height uint64
	schedule := govCmd(g, &cobra.Command{
		Use:   "schedule",
		Short: "Schedule the next version of the rules at a weid height (admin or committee member)",
		Long: fmt.Sprintf(`Schedule the next version of the ledger's rules (the one after the version
in force) from weid height --height on: at least %d above the height of the
block that schedules it (the head's + 1, as a rule), so the schedule is visible (weid rules show, the rules.scheduled event) before it takes
effect. It replaces a change scheduled before; "weid rules cancel" removes it.
Signed locally with --key (an admin's or committee member's key file), or by
the node for --token (POST /v1/rules).`, chain.MinRulesLead),
		Example: `  weid rules schedule --version 3 --height 250000 --key admin.key
  weid rules schedule --version 2 --height 5000 --token "$(cat data/admin.token)"`,
		Args: cobra.NoArgs,
	}, func([]string) (*govTx, error) {
		p := &authz.ScheduleRulesPayload{Version: version, Height: height}
		if err := cmp.Or(p.Validate(), p.CheckAdmission()); err != nil {
			return nil, asFlag(err)
		}
		return &govTx{http.MethodPost, "/v1/rules", authz.TxScheduleRules, p,
			map[string]any{"version": version, "height": height}}, nil
	})
	schedule.Flags().Uint64Var(&version, "version", 0, "the version to move to (the one after the version in force)")
	schedule.Flags().Uint64Var(&height, "height", 0, "the weid height it takes effect at")
	var cversion uint64
	cancel := govCmd(g, &cobra.Command{
		Use:   "cancel",
		Short: "Cancel the scheduled change of the rules (admin or committee member)",
		Long: `Cancel the scheduled change to --version (DELETE /v1/rules/{version}), signed
locally with --key or by the node for --token.`,
		Args: cobra.NoArgs,
	}, func([]string) (*govTx, error) {
		p := &authz.CancelRulesPayload{Version: cversion}
		if err := p.Validate(); err != nil {
			return nil, asFlag(err)
		}
		return &govTx{http.MethodDelete, "/v1/rules/" + strconv.FormatUint(cversion, 10), authz.TxCancelRules, p, map[string]any{}}, nil
	})
	cancel.Flags().Uint64Var(&cversion, "version", 0, "the scheduled version to cancel")
	cmd.AddCommand(show, schedule, cancel)
	return cmd
}

// asFlag rewrites err, a payload's 400 whose detail opens with the member
// it is about ("height is the weid height …"), in the words of the
// command line: the flag that gives the member ("--height is …"), without
// the problem code.
func asFlag(err error) error {
	if e, ok := errs.As(err); ok && e.Status == http.StatusBadRequest {
		return errors.New("--" + e.Detail)
	}
	return err
}

func printRules(w io.Writer, r api.RulesStatus) {
	fmt.Fprintf(w, "rules v%d in force since height %d; this node's weid knows up to v%d\n", r.Version, r.Since, r.Known)
	if r.Next != nil {
		fmt.Fprintf(w, "scheduled: v%d from height %d\n", r.Next.Version, r.Next.Height)
	}
	if r.Halted != "" {
		fmt.Fprintf(w, "halted: %s\n", r.Halted)
	}
	if r.Warning != "" {
		fmt.Fprintf(w, "warning: %s\n", r.Warning)
	}
}

// validatorSetNodeCmd is "weid validator set-node": gov.setValidatorNode.
func validatorSetNodeCmd(g *globals) *cobra.Command {
	var nodeID, home string
	cmd := govCmd(g, &cobra.Command{
		Use:   "set-node [KEY]",
		Short: "Record or correct a validator's CometBFT node id (admin or committee member; rules v2)",
		Long: `Record (or correct) the CometBFT node id of a validator the ledger already
has (gov.setValidatorNode), for a validator admitted by key alone: a node of
this weid proves by itself which validator it runs (its attestation), but the
other nodes count a validator whose node runs an older weid as live, when they
decide whether they can commit, by this node id. The transaction type exists from version 2 of the ledger's rules
("weid rules show"); under version 1 it is refused as an unknown type. Signed
locally with --key, or by the node for --token (PUT /v1/validators/{key}/node).`,
		Example: `  weid validator set-node 'q3v…base64…=' --node-id 0123…cdef --key admin.key
  weid validator set-node --home cluster/node4 --token "$(cat cluster/node0/admin.token)"`,
		Args: cobra.MaximumNArgs(1),
	}, func(args []string) (*govTx, error) {
		id, pub, err := validatorIdentity(args, home, nodeID)
		if err != nil {
			return nil, err
		}
		if id == "" {
			return nil, usageErr("cli.usage.nodeIdRequired")
		}
		if pub, err = validatorKey(args, pub); err != nil {
			return nil, err
		}
		p := &authz.SetValidatorNodePayload{PubKey: base64.StdEncoding.EncodeToString(pub), NodeID: id}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &govTx{http.MethodPut, "/v1/validators/" + hex.EncodeToString(pub) + "/node", authz.TxSetValidatorNode, p,
			map[string]any{"nodeId": id}}, nil
	})
	cmd.Flags().StringVar(&nodeID, "node-id", "", "the validator's CometBFT node id (40 lowercase hex digits: consensus.nodeId in its /v1/status)")
	cmd.Flags().StringVar(&home, "home", "", "read the key and node id from this CometBFT node home")
	return cmd
}
