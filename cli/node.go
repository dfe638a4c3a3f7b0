package cli

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

func nodeCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "node", Short: "Run or initialize a weid node"}
	cmd.AddCommand(nodeStartCmd(g), nodeInitCmd(g))
	return cmd
}

type nodeFlags struct {
	data, chainID, engine, home, crypto string
	webHosts                            []string
	webhookHosts                        []string
	pkcs11                              pkcs11Flags
}

func (f *nodeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", envOr("WEID_DATA", "data"), "data directory (ledger, keystore, admin.token)")
	cmd.Flags().StringVar(&f.chainID, "chain-id", envOr("WEID_CHAIN_ID", "1"), "chain id, used when the data directory is new")
	cmd.Flags().StringVar(&f.engine, "engine", envOr("WEID_ENGINE", "solo"), "consensus engine: solo (embedded, single node) or cometbft (BFT consortium)")
	cmd.Flags().StringVar(&f.crypto, "crypto", envOr("WEID_CRYPTO", ""), cryptoFlagHelp)
	cmd.Flags().StringVar(&f.home, "home", "", "with --engine cometbft: the node's home (CometBFT config and data, weid ledger and keystore), as written by \"weid localnet\"; an empty one becomes a single-validator network (default: --data)")
	f.pkcs11.add(cmd)
}

func (f *nodeFlags) config() node.Config {
	if f.home != "" {
		f.data = f.home
	}
	c := node.Config{DataDir: f.data, ChainID: f.chainID, Engine: f.engine, DIDWebHosts: f.webHosts, Crypto: f.crypto,
		WebhookAllowHosts:  f.webhookHosts,
		KeystorePassphrase: []byte(os.Getenv("WEID_KEYSTORE_PASSPHRASE"))}
	f.pkcs11.apply(&c)
	return c
}

func nodeStartCmd(g *globals) *cobra.Command {
	var f nodeFlags
	var listen, logLevel, publicURL, natsURL, natsStream string
	var window, linger, commitWait time.Duration
	var skipReplay, peerFilter bool
	var snapshotInterval uint64
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start a node: the HTTP API over the embedded ledger",
		Long: `Start a node serving the HTTP API and the web pages (/verify,
/explorer, /institution). On first start with an empty data
directory it creates the chain: its node key, a consortium admin DID whose
key is sealed in the node's keystore, and an admin API token written to
<data>/admin.token (mode 0600). Stop it with Ctrl-C (SIGINT) or SIGTERM;
everything acknowledged is on disk. With --pkcs11-module, --pkcs11-token and
--pkcs11-pin-file (or --pkcs11 URI) the node's keys are generated and kept
in that PKCS#11 token instead of the keystore.

The node derives typed events from every committed block (GET /v1/events,
"weid events tail", webhook subscriptions). With --events-nats it also
publishes each of them to a NATS JetStream stream (subject
weid.events.<type>, Nats-Msg-Id = the event id for de-duplication), in
order, resuming after a restart from a cursor kept in the data directory.

With --engine cometbft and --peer-filter (or "peerFilter": true in the
home's weid-node.json, which "weid localnet --peer-filter" writes) the node
admits as CometBFT P2P peers, inbound and outbound, only the nodes its
ledger names: validators by the node id recorded for them and registered
observers ("weid observer add"); others are refused and logged, and a peer
the ledger stops naming is disconnected after the block that stops naming
it (or within 10 s). A node that is still catching up (state sync, block
sync) admits every peer, as does a ledger that names no node yet. The node
refuses to start with the filter when a validator has no recorded node id
("weid validator set-node"), and admits every node if one is admitted
without one while it runs, rather than cut that validator off.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl})))
			reg := prometheus.NewRegistry()
			reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
			cfg := f.config()
			cfg.Registerer = reg
			cfg.Solo = chain.SoloConfig{Window: window, Linger: linger}
			cfg.CommitWait = commitWait
			cfg.SkipStateReplay = skipReplay
			cfg.PeerFilter = peerFilter
			if s, err := cometbft.LoadSettings(cfg.DataDir); err == nil && !cmd.Flags().Changed("peer-filter") && s.PeerFilter {
				cfg.PeerFilter = true
			}
			cfg.EventsNATS, cfg.EventsNATSStream = natsURL, natsStream
			cfg.CometLogLevel = "error"
			if lvl <= slog.LevelDebug {
				cfg.CometLogLevel = "info"
			}
			if s, err := cometbft.LoadSettings(cfg.DataDir); err == nil && cfg.Engine == "cometbft" && !cmd.Flags().Changed("listen") && s.APIListen != "" {
				listen = s.APIListen // the port "weid localnet" gave this node
			}
			cfg.SnapshotInterval = snapshotInterval
			if s, err := cometbft.LoadSettings(cfg.DataDir); err == nil && !cmd.Flags().Changed("snapshot-interval") && s.SnapshotInterval > 0 {
				cfg.SnapshotInterval = s.SnapshotInterval
			}
			// The port first: a busy port must leave the data directory
			// as it was (not create a new chain in it).
			if err := checkListen(listen); err != nil {
				return err
			}
			n, err := node.Open(cfg)
			if err != nil {
				return dataDirError(cfg.DataDir, err)
			}
			defer n.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s := server.New(n, reg)
			s.PublicURL = publicURL
			tokenPath, _ := filepath.Abs(filepath.Join(f.data, node.TokenFile))
			err = s.ListenAndServe(ctx, listen, func(a net.Addr) {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "weid node listening on http://%s\n", a)
				fmt.Fprintf(w, "chain %s, engine %s, height %d, data in %s\n", n.ChainID, n.Engine.Name(), n.Ledger.Head().Height, f.data)
				fmt.Fprintf(w, "admin DID %s\nadmin token in %s\n", n.AdminDID, tokenPath)
				if label := n.TokenLabel(); label != "" {
					fmt.Fprintf(w, "keys kept in PKCS#11 token %q\n", label)
				}
				fmt.Fprintf(w, "web pages at http://%s/verify, /explorer and /institution\n", a)
			})
			return listenError(listen, err, listenHint)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&listen, "listen", envOr("WEID_LISTEN", "127.0.0.1:8080"), "address to listen on, HOST:PORT (or WEID_LISTEN; port 0 picks a free port)")
	cmd.Flags().StringSliceVar(&f.webHosts, "did-web-hosts", splitEnv("WEID_DID_WEB_HOSTS"), "enable did:web resolution for these hosts only")
	cmd.Flags().StringSliceVar(&f.webhookHosts, "webhook-allow-hosts", splitEnv("WEID_WEBHOOK_ALLOW_HOSTS"), "webhook receiver hosts allowed even though internal (loopback, private ranges); others must be public")
	cmd.Flags().StringVar(&natsURL, "events-nats", os.Getenv("WEID_EVENTS_NATS"), "also publish every ledger event to NATS JetStream at this URL (nats://host:port, a comma list for a cluster): subjects weid.events.<type>, Nats-Msg-Id = the event id, resumed from a cursor kept in the data directory")
	cmd.Flags().StringVar(&natsStream, "events-nats-stream", envOr("WEID_EVENTS_NATS_STREAM", "WEID_EVENTS"), "with --events-nats: the JetStream stream (created if missing, subjects weid.events.>)")
	cmd.Flags().StringVar(&publicURL, "public-url", os.Getenv("WEID_PUBLIC_URL"), "URL clients reach this node at, written into issued credentials' schema and status list URLs (default: the URL of each request)")
	cmd.Flags().StringVar(&logLevel, "log-level", envOr("WEID_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	cmd.Flags().DurationVar(&window, "block-window", 2*time.Millisecond, "how long the solo engine, its disk idle, gathers transactions into a block after the first arrives (negative: not at all)")
	cmd.Flags().BoolVar(&skipReplay, "skip-state-replay", os.Getenv("WEID_SKIP_STATE_REPLAY") == "1", "with --engine cometbft: do not replay the whole chain at start to check the stored state (the check of the last 64 blocks still runs); gate starts on \"weid ledger verify --data\" instead (or WEID_SKIP_STATE_REPLAY=1)")
	cmd.Flags().DurationVar(&commitWait, "commit-wait", 0, "with --engine cometbft: how long a write waits for its block before the API answers 202 with a Location to poll (default: CometBFT's timeout_propose + timeout_commit + 5s)")
	cmd.Flags().Uint64Var(&snapshotInterval, "snapshot-interval", cometbft.DefaultSnapshotInterval, "with --engine cometbft: write a state snapshot every N CometBFT heights into <home>/snapshots (the last 2 kept, or weid-node.json's snapshotKeep, and up to 2 more while a joining node fetches them), served to nodes that join by state sync (0: none; weid-node.json's snapshotInterval if this flag is not given)")
	cmd.Flags().BoolVar(&peerFilter, "peer-filter", os.Getenv("WEID_PEER_FILTER") == "1", "with --engine cometbft: admit as P2P peers only the nodes the ledger names, validators by their recorded node id and registered observers (or WEID_PEER_FILTER=1; weid-node.json's peerFilter if this flag is not given)")
	cmd.Flags().DurationVar(&linger, "block-linger", time.Millisecond, "how long a solo block may wait, once the block before it is on disk, for transactions still being checked (negative: never)")
	return cmd
}

func splitEnv(name string) []string {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

func nodeInitCmd(g *globals) *cobra.Command {
	var f nodeFlags
	var adminKey, passFile string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new chain in an empty data directory",
		Long: `Create the genesis block: the node key, the consortium admin DID (from
--admin-key, a key file made by "weid key generate", or a new key) whose key
is sealed in the node's keystore, and the admin API token in <data>/admin.token.
With --pkcs11-module, --pkcs11-token and --pkcs11-pin-file (or --pkcs11 URI)
the node key and the admin key are generated in (or, from --admin-key,
imported into) that PKCS#11 token, not extractable.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := f.config()
			if adminKey != "" {
				b, err := readFile(adminKey)
				if err != nil {
					return err
				}
				pass, err := passphrase(passFile, false)
				if err != nil {
					return err
				}
				k, _, err := keys.DecryptKeyFile(b, pass)
				if err != nil {
					return fmt.Errorf("%s: %w", adminKey, err)
				}
				cfg.AdminKey = k
			}
			adminDID, tokenPath, err := node.Init(cfg)
			if err != nil {
				return err
			}
			return g.print(map[string]string{"chainId": cfg.ChainID, "adminDid": adminDID, "adminToken": tokenPath, "data": f.data}, func(w io.Writer) {
				fmt.Fprintf(w, "chain %s created in %s\nadmin DID %s\nadmin token in %s\n", cfg.ChainID, f.data, adminDID, tokenPath)
			})
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&adminKey, "admin-key", "", "key file of the consortium admin (default: generate one)")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key file's passphrase (default: WEID_PASSPHRASE or a prompt)")
	return cmd
}
