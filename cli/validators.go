package cli

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
)

// nodeIdentity resolves the key and node id of a validator or observer
// command: the argument, or the CometBFT home given with --home.
func nodeIdentity(args []string, home string) (nodeID string, pub []byte, err error) {
	switch {
	case home != "" && len(args) > 0:
		return "", nil, usageErr("cli.usage.keyOrHomeNotBoth")
	case home != "":
		return cometbft.Identity(home)
	case len(args) == 0:
		return "", nil, usageErr("cli.usage.keyOrHome")
	}
	return "", nil, nil
}

// validatorIdentity resolves the key and node id of a validator command:
// those of nodeIdentity, the node id replaced by --node-id where given.
func validatorIdentity(args []string, home, nodeID string) (id string, pub []byte, err error) {
	if nodeID != "" && home != "" {
		return "", nil, usageErr("cli.usage.nodeIdOrHome")
	}
	if id, pub, err = nodeIdentity(args, home); err == nil && nodeID != "" {
		id = nodeID
	}
	return id, pub, err
}

// validatorKey is the key of a validator command: pub, read from --home by
// nodeIdentity, or else the one its argument gives.
func validatorKey(args []string, pub []byte) ([]byte, error) {
	if pub != nil {
		return pub, nil
	}
	return authz.ParseValidatorKey(args[0])
}

// observerID is the node id of an observer command: the argument, or the
// one of the CometBFT home given with --home.
func observerID(args []string, home string) (string, error) {
	id, _, err := nodeIdentity(args, home)
	if err == nil && id == "" {
		id = args[0]
	}
	return id, err
}

// forceQuery is the query of a validator change sent with --force.
func forceQuery(force bool) string {
	if force {
		return "?force=true"
	}
	return ""
}

func validatorCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validator",
		Short: "The consortium's validators (admitted and removed by an admin or committee member)",
		Long: `The validators the ledger records, admitted and removed by governance
transactions (gov.addValidator, gov.removeValidator) signed by a consortium
admin or committee member. Under the CometBFT engine each committed change is
a validator update of its block, in force two blocks later; a consortium's
genesis records its first validators, so they can be removed too. A block may
change at most a third of the voting power the set had before it, and the last
validator cannot be removed. Under the solo engine the register is kept but
has no effect on consensus. "weid validator set-node" records the CometBFT
node id of a validator admitted without one (gov.setValidatorNode, from
version 2 of the ledger's rules: see "weid rules").

A validator key is the node's CometBFT validator key: Ed25519, base64 as in
its config/priv_validator_key.json ("pub_key"), or hex; --home DIR reads it
(and the node id) from the node's home.`,
	}
	var power int64
	var name, member, home, nodeID string
	var force bool
	add := govCmd(g, &cobra.Command{
		Use:   "add [KEY]",
		Short: "Admit a validator (admin or committee member)",
		Example: `  weid validator add --home cluster/node4 --name node4 --node "$A" --token "$(cat cluster/node0/admin.token)"
  weid validator add 'q3v…base64…=' --power 5 --key committee.key`,
		Args: cobra.MaximumNArgs(1),
	}, func(args []string) (*govTx, error) {
		id, pub, err := validatorIdentity(args, home, nodeID)
		if err != nil {
			return nil, err
		}
		key := ""
		if pub != nil {
			key = base64.StdEncoding.EncodeToString(pub)
		} else {
			key = args[0]
		}
		p := &authz.AddValidatorPayload{PubKey: key, Power: power, Name: name, MemberDID: member, NodeID: id}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &govTx{http.MethodPost, "/v1/validators" + forceQuery(force), authz.TxAddValidator, p,
			map[string]any{"pubKey": key, "power": power, "name": name, "memberDid": member, "nodeId": id}}, nil
	})
	add.Flags().Int64Var(&power, "power", 10, "voting power (1 to 1000000)")
	add.Flags().StringVar(&name, "name", "", "a name for the validator")
	add.Flags().StringVar(&member, "member", "", "the did:weid of the consortium member running it")
	add.Flags().StringVar(&home, "home", "", "read the key and node id from this CometBFT node home")
	add.Flags().StringVar(&nodeID, "node-id", "", "with a KEY: the validator's CometBFT node id (40 lowercase hex digits: consensus.nodeId in its /v1/status), recorded; the other nodes count a node running this weid by the key it signs its node id with, and use the recorded id only for a node of an older weid")

	var rhome string
	remove := govCmd(g, &cobra.Command{
		Use:   "remove [KEY]",
		Short: "Remove a validator (admin or committee member)",
		Args:  cobra.MaximumNArgs(1),
	}, func(args []string) (*govTx, error) {
		_, pub, err := nodeIdentity(args, rhome)
		if err == nil {
			pub, err = validatorKey(args, pub)
		}
		if err != nil {
			return nil, err
		}
		key := base64.StdEncoding.EncodeToString(pub)
		return &govTx{http.MethodDelete, "/v1/validators/" + hex.EncodeToString(pub) + forceQuery(force), authz.TxRemoveValidator,
			&authz.RemoveValidatorPayload{PubKey: key}, map[string]any{}}, nil
	})
	remove.Flags().StringVar(&rhome, "home", "", "read the key from this CometBFT node home")
	for _, c := range []*cobra.Command{add, remove} {
		c.Flags().BoolVar(&force, "force", false, "make the change even if the validators the node reaches would then hold no more than 2/3 of the voting power: the chain stops committing until more are up (refused otherwise, gov.wouldHalt)")
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List the validators the ledger records",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			vs, err := g.client().Validators(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(vs, func(w io.Writer) {
				for _, v := range vs.Validators {
					fmt.Fprintf(w, "%s\tpower %d\t%s\tadded %s at height %d\n", v.PubKey, v.Power, v.Name, v.Added, v.Height)
				}
				fmt.Fprintf(w, "%s, total power %d\n", plural(vs.Count, "validator", "validators"), vs.Power)
			})
		},
	}
	cmd.AddCommand(add, remove, validatorSetNodeCmd(g), list)
	return cmd
}

func observerCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "observer",
		Short: "The consortium's observer nodes (registered by an admin or committee member)",
		Long: `Observer nodes follow the chain and serve reads without voting. The ledger
keeps a register of them (gov.addObserver, gov.removeObserver, signed by a
consortium admin or committee member): the node id, a name, the member running
it and its API URL. The register has no consensus effect: any node holding the
genesis can follow the chain, unless the nodes it connects to run with
"weid node start --peer-filter", which admit only the nodes the ledger names
(validators' recorded node ids and registered observers).`,
	}
	var name, member, apiURL, home string
	add := govCmd(g, &cobra.Command{
		Use:     "add [NODE_ID]",
		Short:   "Register an observer node (admin or committee member)",
		Example: `  weid observer add --home cluster/node4 --api http://127.0.0.1:26680 --token "$(cat cluster/node0/admin.token)"`,
		Args:    cobra.MaximumNArgs(1),
	}, func(args []string) (*govTx, error) {
		id, err := observerID(args, home)
		if err != nil {
			return nil, err
		}
		p := &authz.AddObserverPayload{NodeID: id, Name: name, MemberDID: member, API: apiURL}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &govTx{http.MethodPost, "/v1/observers", authz.TxAddObserver, p,
			map[string]any{"nodeId": id, "name": name, "memberDid": member, "api": apiURL}}, nil
	})
	add.Flags().StringVar(&name, "name", "", "a name for the node")
	add.Flags().StringVar(&member, "member", "", "the did:weid of the consortium member running it")
	add.Flags().StringVar(&apiURL, "api", "", "the URL of its weid API")
	add.Flags().StringVar(&home, "home", "", "read the node id from this CometBFT node home")

	var rhome string
	remove := govCmd(g, &cobra.Command{
		Use:   "remove [NODE_ID]",
		Short: "Remove an observer node from the register (admin or committee member)",
		Args:  cobra.MaximumNArgs(1),
	}, func(args []string) (*govTx, error) {
		id, err := observerID(args, rhome)
		if err != nil {
			return nil, err
		}
		p := &authz.RemoveObserverPayload{NodeID: id}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &govTx{http.MethodDelete, "/v1/observers/" + url.PathEscape(id), authz.TxRemoveObserver, p, map[string]any{}}, nil
	})
	remove.Flags().StringVar(&rhome, "home", "", "read the node id from this CometBFT node home")

	list := listCmd(g, "List the registered observer nodes", "observers", (*client.Client).Observers, func(w io.Writer, o api.Observer) {
		fmt.Fprintf(w, "%s\t%s\t%s\tadded %s\n", o.NodeID, o.Name, o.API, o.Added)
	})
	cmd.AddCommand(add, remove, list)
	return cmd
}
