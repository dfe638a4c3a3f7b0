package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/node"
)

func localnetCmd(g *globals) *cobra.Command {
	var dir, chainID, crypto string
	var validators, observers int
	var timeoutCommit time.Duration
	cmd := &cobra.Command{
		Use:   "localnet",
		Short: "Write (and start) a CometBFT consortium of weid nodes on this machine",
		Long: `Write the homes of a consortium of weid nodes on the CometBFT engine, on
loopback ports, for trials: DIR/node0 ... DIR/nodeN-1, each with CometBFT's
keys, the shared genesis (the weid genesis block's transactions: the consortium
admin's DID, chain.init, the system schemas), its settings (weid-node.json:
P2P and API ports, peers, timeout_commit) and its keystore holding the weid
block key and the admin's key, with an admin API token in admin.token.

Then "weid localnet start --dir DIR" starts every node, one process each, and
prints each node's API URL on its own line; Ctrl-C stops them all. One node
alone: weid node start --engine cometbft --home DIR/node2.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if validators < 1 || observers < 0 {
				return errors.New("--validators must be at least 1 and --observers at least 0")
			}
			homes := make([]string, validators+observers)
			for i := range homes {
				homes[i] = filepath.Join(dir, fmt.Sprintf("node%d", i))
			}
			adminDID, nodes, err := node.InitConsortium(node.ConsortiumConfig{Homes: homes, Validators: validators, ChainID: chainID, Crypto: crypto,
				TimeoutCommit: timeoutCommit, KeystorePassphrase: []byte(os.Getenv("WEID_KEYSTORE_PASSPHRASE"))})
			if err != nil {
				return err
			}
			return g.print(map[string]any{"adminDid": adminDID, "nodes": nodes}, func(w io.Writer) {
				fmt.Fprintf(w, "consortium of %s and %s in %s, chain %s, timeout_commit %v\nadmin DID %s\n", plural(validators, "validator", "validators"), plural(observers, "observer", "observers"), dir, chainID, timeoutCommit, adminDID)
				for _, n := range nodes {
					role := "validator"
					if !n.Validator {
						role = "observer"
					}
					fmt.Fprintf(w, "%s  %s  %s  p2p %s\n", n.Home, role, n.API, n.P2P)
				}
			})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "localnet", "directory to write the nodes' homes into")
	cmd.Flags().IntVar(&validators, "validators", 4, "number of validators")
	cmd.Flags().IntVar(&observers, "observers", 0, "number of observer nodes (follow the chain and serve reads, no vote)")
	cmd.Flags().StringVar(&chainID, "chain-id", "1", "weid chain id (the CometBFT chain id is weid-<id>)")
	cmd.Flags().StringVar(&crypto, "crypto", "", cryptoFlagHelp)
	cmd.Flags().DurationVar(&timeoutCommit, "timeout-commit", cometbft.DefaultTimeoutCommit, "CometBFT timeout_commit: how long validators wait after a commit")
	cmd.AddCommand(localnetStartCmd())
	return cmd
}

func localnetStartCmd() *cobra.Command {
	var dir, logLevel string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start every node of a localnet, one process each",
		Long: `Start "weid node start --engine cometbft --home H" for every node home H
in DIR, as separate processes, and print each node's API URL on its own line
(http://127.0.0.1:PORT) once it listens. Each node's log goes to H/node.log.
Ctrl-C (SIGINT) or SIGTERM stops them all.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			homes, err := filepath.Glob(filepath.Join(dir, "node*"))
			if err != nil {
				return err
			}
			homes = slicesFilter(homes, cometbft.IsHome)
			if len(homes) == 0 {
				return fmt.Errorf("no node homes in %s: run \"weid localnet --dir %s\" first", dir, dir)
			}
			sort.Slice(homes, func(i, j int) bool { return nodeIndex(homes[i]) < nodeIndex(homes[j]) })
			self, err := os.Executable()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			procs := make([]*exec.Cmd, 0, len(homes))
			exited := make(chan int, len(homes))
			var wg sync.WaitGroup
			stopAll := func() {
				for _, p := range procs {
					_ = p.Process.Signal(os.Interrupt)
				}
				done := make(chan struct{})
				go func() { wg.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					for _, p := range procs {
						_ = p.Process.Kill()
					}
					<-done
				}
			}
			for i, h := range homes {
				url, p, err := startChild(self, h, logLevel)
				if err != nil {
					stopAll()
					return err
				}
				procs = append(procs, p)
				wg.Add(1)
				go func() { defer wg.Done(); _ = p.Wait(); exited <- i }()
				fmt.Fprintln(cmd.OutOrStdout(), url)
			}
			select {
			case <-ctx.Done():
				stopAll()
				return nil
			case i := <-exited:
				stopAll()
				return fmt.Errorf("node %s exited (%v); stopped the others; see %s", homes[i], procs[i].ProcessState, filepath.Join(homes[i], "node.log"))
			}
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "localnet", "directory holding the nodes' homes (from weid localnet)")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "the nodes' log level")
	return cmd
}

// startChild starts one node and returns its API URL once it listens.
func startChild(self, home, logLevel string) (string, *exec.Cmd, error) {
	logf, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", nil, err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	p := exec.Command(self, "node", "start", "--engine", "cometbft", "--home", home, "--log-level", logLevel)
	p.Stdout, p.Stderr = pw, logf
	// Own process group: a Ctrl-C in the terminal reaches this supervisor,
	// which stops the nodes in order.
	p.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.Start(); err != nil {
		pr.Close()
		pw.Close()
		return "", nil, err
	}
	pw.Close()
	found := make(chan string, 1)
	go func() {
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, addr, ok := strings.Cut(sc.Text(), "weid node listening on "); ok {
				found <- strings.TrimSpace(addr)
				break
			}
		}
		close(found)
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case url, ok := <-found:
		if ok {
			return url, p, nil
		}
		_ = p.Wait()
	case <-time.After(2 * time.Minute):
		_ = p.Process.Kill()
		_ = p.Wait()
	}
	return "", nil, fmt.Errorf("node %s did not start (%v); see %s", home, p.ProcessState, filepath.Join(home, "node.log"))
}

func nodeIndex(home string) int {
	var i int
	_, _ = fmt.Sscanf(filepath.Base(home), "node%d", &i)
	return i
}

func slicesFilter(in []string, keep func(string) bool) []string {
	out := in[:0]
	for _, s := range in {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}
