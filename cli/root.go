// Package cli is the weid command line: cobra commands that parse flags,
// call the node library, the Go client, the wallet or the exchange, and
// print the result as text or JSON. Each command group is a file
// (did.go, vc.go, wallet.go, …) whose constructor newRoot adds (root.go).
// Errors print as one line on stderr with a non-zero exit.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/server"
)

type globals struct {
	node   string
	token  string
	output string
	out    io.Writer
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// NewRoot returns the weid command tree.
func NewRoot() *cobra.Command { return newRoot(&globals{out: os.Stdout}) }

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "weid",
		Short: "Decentralized identity and verifiable data exchange on an embedded consortium ledger",
		Long: `weid keeps DID documents on a tamper-evident consortium ledger and resolves
did:weid, did:key and did:jwk identifiers (did:web when enabled).

Start a single-node service with "weid node start" (or "make run"); it also
serves web pages: /verify (check a credential, or ask a wallet for one by QR
code), /explorer (blocks, transactions with their inclusion proofs, DIDs) and
/institution (issue to a citizen's wallet, revoke). Create
and manage DIDs with "weid did ...", signing locally with a key from
"weid key generate". Governance: "weid committee", "weid issuer" (the trust
registry of authority issuers), "weid schema" (credential schemas on the
ledger) and "weid account" (institution accounts with custodial keys).
Credentials: "weid instance" (an institution's issuance settings), "weid vc
issue|verify|revoke|suspend|unsuspend|status" (VC 2.0 and 1.1 as vc+jwt,
SD-JWT VC or Data Integrity; Bitstring Status Lists). The citizen's side:
"weid wallet init|add|list|show" keeps the holder's key and credentials
locally, "weid wallet receive" collects an institution's OpenID4VCI offer,
"weid wallet present" answers a verifier's OpenID4VP request, and "weid vp
create|verify|challenge" presents them by hand (disclosing only chosen
SD-JWT claims). "weid vc verify-batch" verifies files or streams of
credentials through one node or several (--node URL1,URL2,…; its --output is
ndjson, table or json, with a summary by outcome and failed check).
Evidence: "weid evidence create|sign|verify".
Data authorization: "weid authz grant|revoke|list|verify" (grants on the
ledger), "weid exchange serve|fetch" (a data holder's service and its
grantees). "weid localnet" writes and starts a CometBFT consortium on one
machine ("weid node start --engine cometbft" runs one node); "weid validator
add|remove|set-node|list" and "weid observer add|remove|list" govern its nodes;
"weid rules show|schedule|cancel" the versions of the ledger's rules.
Audit with "weid tx prove" and "weid ledger verify"; "weid events tail"
follows the ledger's events as blocks commit and "weid subscription" has the
node POST them to a URL (signed webhooks); "weid status" shows a
node's head and, under CometBFT, its peers and validator set. Every command that talks
to a node takes --node (default $WEID_NODE, else http://$WEID_LISTEN, else
` + client.DefaultNode + `); a URL without a scheme is taken as http://.

A write the node accepted but did not commit in time (HTTP 202) prints what
it wrote as a committed one does (the DID or id on the first line, then
"tx HASH pending"), says on stderr that it is pending and to follow it with
"weid tx show HASH", and exits 0: it most likely commits, and a retry would
be refused as a duplicate once it does.

Environment: WEID_NODE, WEID_TOKEN (API token for custodial calls),
WEID_PASSPHRASE (key file passphrase), WEID_WALLET (wallet directory, default
~/.weid/wallet), WEID_DATA, WEID_LISTEN, WEID_CHAIN_ID,
WEID_KEYSTORE_PASSPHRASE.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.node, "node", defaultNode(), "URL of the weid node to talk to (or WEID_NODE; a HOST:PORT without a scheme is http://HOST:PORT)")
	root.PersistentFlags().StringVar(&g.token, "token", os.Getenv("WEID_TOKEN"), "API token for custodial operations (or WEID_TOKEN)")
	root.PersistentFlags().StringVarP(&g.output, "output", "o", "text", "output format: text or json (vc verify-batch: ndjson, table or json)")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if g.output != "text" && g.output != "json" {
			return usageErr("cli.usage.output", "value", strconv.Quote(g.output))
		}
		nodes := []string{g.node}
		if cmd.Name() == "verify-batch" { // the one command that spreads over several nodes
			nodes = strings.Split(g.node, ",")
		}
		for i, n := range nodes {
			u, err := nodeURL(n)
			if err != nil {
				return err
			}
			nodes[i] = u
		}
		g.node = strings.Join(nodes, ",")
		g.out = cmd.OutOrStdout()
		return nil
	}
	root.AddCommand(nodeCmd(g), keyCmd(g), didCmd(g), accountCmd(g), issuerCmd(g), committeeCmd(g), validatorCmd(g), observerCmd(g), schemaCmd(g), evidenceCmd(g), authzCmd(g), exchangeCmd(g), instanceCmd(g), vcCmd(g), walletCmd(g), vpCmd(g), txCmd(g), ledgerCmd(g), statusCmd(g), rulesCmd(g), eventsCmd(g), subscriptionCmd(g), versionCmd(g))
	root.AddCommand(localnetCmd(g))
	root.SetHelpCommand(helpCmd(root))
	root.InitDefaultCompletionCmd() // now, not at Execute: it is a group too
	refuseUnknownSubcommands(root)
	return root
}

// errInterrupted is the error of a command that Ctrl-C stopped after
// writing what it had: Main exits 130 for it.
var errInterrupted = errors.New("interrupted")

// Main runs the CLI and returns the process exit code.
func Main(ctx context.Context, args []string) int {
	g := &globals{out: os.Stdout}
	root := newRoot(g)
	root.SetArgs(args)
	if cmd, err := root.ExecuteContextC(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "weid: "+g.oneLine(inFlagWords(cmd, usageWords(cmd, err))))
		if errors.Is(err, errInterrupted) {
			return 130 // 128 + SIGINT, as the shell reports a process Ctrl-C ended
		}
		return 1
	}
	return 0
}

// Run runs the CLI with args in this process, as Main does, and returns
// what it printed on standard output and its error, unprinted; what it
// writes to standard error is dropped. NewRoot reads its environment
// defaults when Run is called. For tests and programs that embed weid.
func Run(ctx context.Context, args ...string) (string, error) {
	root := NewRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return out.String(), inFlagWords(cmd, usageWords(cmd, err))
}

// oneLine is err as one line for stderr, without knowing --node.
func oneLine(err error) string { return (&globals{}).oneLine(err) }

// oneLine is err as one line for stderr: a problem from the node as its
// detail and code (in the locale's language, see voice.problem), a refused connection as a hint that the node is not
// running, anything else as its message with its whitespace collapsed.
func (g *globals) oneLine(err error) string {
	var ce *client.Error
	msg := err.Error()
	if errors.As(err, &ce) && ce.Code != "" {
		msg = userVoice().problem(ce)
		if ie := (*inputError)(nil); errors.As(err, &ie) {
			msg = ie.name + ": " + msg
		}
	}
	if s := g.unreachable(err); s != "" {
		msg = s
	}
	return strings.Join(strings.Fields(msg), " ")
}

func (g *globals) client() *client.Client {
	c := client.New(g.node)
	c.Token = g.token
	return c
}

// print writes v as JSON with --output json, or text via the text function.
func (g *globals) print(v any, text func(w io.Writer)) error {
	if g.output == "json" {
		enc := json.NewEncoder(g.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	text(g.out)
	return nil
}

func versionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the weid version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.print(map[string]string{"version": server.Version}, func(w io.Writer) { fmt.Fprintln(w, "weid", server.Version) })
		},
	}
}
