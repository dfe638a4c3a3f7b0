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
	"strconv"
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
	var snapshotInterval uint64
	var peerFilter bool
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
prints each node's API URL on its own line; a node that exits is reported and
the others keep running; Ctrl-C stops them all. To rehearse faults on it:
"weid localnet stop|kill|freeze|thaw|start --dir DIR NODE" (node2 or 2).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if validators < 1 || observers < 0 {
				return usageErr("cli.usage.localnetSize")
			}
			homes := make([]string, validators+observers)
			for i := range homes {
				homes[i] = filepath.Join(dir, fmt.Sprintf("node%d", i))
			}
			adminDID, nodes, err := node.InitConsortium(node.ConsortiumConfig{Homes: homes, Validators: validators, ChainID: chainID, Crypto: crypto,
				TimeoutCommit: timeoutCommit, KeystorePassphrase: []byte(os.Getenv("WEID_KEYSTORE_PASSPHRASE")), SnapshotInterval: snapshotInterval,
				PeerFilter: peerFilter})
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
	cmd.Flags().Uint64Var(&snapshotInterval, "snapshot-interval", 0, "write snapshotInterval N into each node's weid-node.json: a state snapshot every N CometBFT heights, for rehearsing weid localnet join (blocks come only with writes, so the nodes' default, 1000, takes a young chain a thousand blocks of writes; 0: that default)")
	cmd.Flags().BoolVar(&peerFilter, "peer-filter", false, "write peerFilter into each node's weid-node.json: each admits as P2P peers only the nodes the ledger names (the genesis names them all; see weid node start --peer-filter)")
	cmd.AddCommand(localnetStartCmd())
	cmd.AddCommand(localnetJoinCmd())
	cmd.AddCommand(localnetNodeCmds()...)
	return cmd
}

func localnetStartCmd() *cobra.Command {
	var dir, logLevel string
	cmd := &cobra.Command{
		Use:   "start [NODE]",
		Short: "Start every node of a localnet, one process each (or one node)",
		Long: `Start "weid node start --engine cometbft --home H" for every node home H
in DIR, as separate processes, and print each node's API URL on its own line
(http://127.0.0.1:PORT) once it listens. Each node's output and log go to
H/node.log and its process id to H/node.pid. A node that exits is reported
(on stderr) and the others keep running; Ctrl-C (SIGINT) or SIGTERM stops
every node of DIR, including those started again with "start NODE" and
those "weid localnet join" added.

With NODE (node2, 2, or its home) start only that node, in the background,
print its URL and return: to rehearse faults, pair it with
"weid localnet stop|kill|freeze|thaw NODE".`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			homes, err := localnetHomes(dir)
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				h, err := localnetHome(homes, args[0])
				if err != nil {
					return err
				}
				if pid, ok := nodePID(h); ok {
					return fmt.Errorf("node %s is already running (pid %d)", filepath.Base(h), pid)
				}
				url, p, err := startChild(self, h, logLevel, nil)
				if err != nil {
					return err
				}
				_ = p.Process.Release() // it runs on after this command
				fmt.Fprintln(cmd.OutOrStdout(), url)
				return nil
			}
			return superviseLocalnet(cmd, dir, homes, self, logLevel)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "localnet", "directory holding the nodes' homes (from weid localnet)")
	cmd.Flags().StringVar(&logLevel, "log-level", envOr("WEID_LOG_LEVEL", "info"), "the nodes' log level: debug, info, warn, error")
	return cmd
}

// superviseLocalnet starts every node of homes and runs until ctx ends,
// reporting the nodes that exit (and those started again) without stopping
// the others, then stops every node of the localnet.
func superviseLocalnet(cmd *cobra.Command, dir string, homes []string, self, logLevel string) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	type exit struct {
		home  string
		state *os.ProcessState
	}
	exited := make(chan exit, len(homes))
	var wg sync.WaitGroup
	child := map[string]ownNode{} // started by this supervisor, its exit not yet reported
	running := map[string]bool{}  // as last seen
	for _, h := range homes {
		if pid, ok := nodePID(h); ok {
			stopLocalnetNodes(homes, child, &wg)
			return usageErr("cli.localnet.running", "node", filepath.Base(h), "pid", strconv.Itoa(pid), "dir", dir)
		}
		url, p, err := startChild(self, h, logLevel, nil)
		if err != nil {
			stopLocalnetNodes(homes, child, &wg)
			return err
		}
		done := make(chan struct{})
		child[h], running[h] = ownNode{proc: p.Process, done: done}, true
		wg.Add(1)
		go func() { defer wg.Done(); _ = p.Wait(); close(done); exited <- exit{h, p.ProcessState} }()
		fmt.Fprintln(cmd.OutOrStdout(), url)
	}
	report := cmd.ErrOrStderr()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			stopLocalnetNodes(currentHomes(dir, homes), child, &wg)
			return nil
		case e := <-exited:
			delete(child, e.home)
			running[e.home] = false
			removePIDFile(e.home, e.state.Pid())
			fmt.Fprintf(report, "node %s exited (%v); the others keep running; see %s; start it again: weid localnet start --dir %s %s\n",
				filepath.Base(e.home), e.state, filepath.Join(e.home, "node.log"), dir, filepath.Base(e.home))
		case <-tick.C:
			// Nodes started or stopped by "weid localnet start|stop|kill
			// NODE", and nodes "weid localnet join" added.
			homes = currentHomes(dir, homes)
			for _, h := range homes {
				if _, mine := child[h]; mine {
					continue
				}
				pid, ok := nodePID(h)
				seen, known := running[h]
				if ok != seen || !known {
					running[h] = ok
					switch {
					case ok && !known:
						fmt.Fprintf(report, "node %s joined the localnet (pid %d); Ctrl-C stops it too\n", filepath.Base(h), pid)
					case ok:
						fmt.Fprintf(report, "node %s is running again (pid %d)\n", filepath.Base(h), pid)
					case known:
						fmt.Fprintf(report, "node %s exited; the others keep running\n", filepath.Base(h))
					}
				}
			}
		}
	}
}

// currentHomes returns the node homes in dir now (a node "weid localnet
// join" added since counts), or homes if dir cannot be read.
func currentHomes(dir string, homes []string) []string {
	if now, err := localnetHomes(dir); err == nil {
		return now
	}
	return homes
}

// ownNode is a node process this supervisor started. It is signalled
// through its *os.Process (a pidfd on Linux), which refuses once the
// process was waited for (os.ErrProcessDone), never by its pid: once the
// goroutine that waits for it has reaped it, the system may give that pid
// to an unrelated process. done is closed once that Wait returned.
type ownNode struct {
	proc *os.Process
	done <-chan struct{}
}

// running reports whether the node has not yet been waited for.
func (n ownNode) running() bool {
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// stopLocalnetNodes stops own, this process's children by home (by their
// process, so that one whose home was moved or deleted is stopped too),
// and every other running node of homes (by its node.pid: nodes this
// process did not start, such as those "weid localnet join" added): SIGINT
// (and SIGCONT, so that a frozen node stops too), then, after 30 s,
// SIGKILL. wg counts this process's children, which it waits for.
func stopLocalnetNodes(homes []string, own map[string]ownNode, wg *sync.WaitGroup) {
	others := map[string]int{}
	for _, h := range homes {
		pid, ok := nodePID(h)
		if !ok {
			continue
		}
		if n, mine := own[h]; mine && n.proc.Pid == pid && n.running() {
			continue // signalled through its process
		}
		others[h] = pid
	}
	for _, n := range own {
		_ = n.proc.Signal(syscall.SIGINT)
		_ = n.proc.Signal(syscall.SIGCONT)
	}
	for _, pid := range others {
		_ = syscall.Kill(pid, syscall.SIGINT)
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	deadline := time.Now().Add(30 * time.Second)
	for h, n := range own {
		if !waitDone(n.done, time.Until(deadline)) {
			_ = n.proc.Signal(syscall.SIGKILL)
			waitDone(n.done, 5*time.Second)
		}
		removePIDFile(h, n.proc.Pid)
	}
	for h, pid := range others {
		if !waitPIDGone(pid, time.Until(deadline)) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			waitPIDGone(pid, 5*time.Second)
		}
		removePIDFile(h, pid)
	}
	wg.Wait()
}

// waitDone waits, at most d, until done is closed.
func waitDone(done <-chan struct{}, d time.Duration) bool {
	select {
	case <-done:
		return true
	default:
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// waitPIDGone waits, at most d, until process pid has exited.
func waitPIDGone(pid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); processAlive(pid); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

func localnetSignalCmd(use, short, long string, signals []syscall.Signal, wait bool) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   use + " NODE",
		Short: short,
		Long:  long,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			homes, err := localnetHomes(dir)
			if err != nil {
				return err
			}
			h, err := localnetHome(homes, args[0])
			if err != nil {
				return err
			}
			pid, ok := nodePID(h)
			if !ok {
				return fmt.Errorf("node %s is not running", filepath.Base(h))
			}
			for _, sig := range signals {
				if err := syscall.Kill(pid, sig); err != nil {
					return fmt.Errorf("signal node %s (pid %d): %w", filepath.Base(h), pid, err)
				}
			}
			if wait {
				if !waitGone(h, 30*time.Second) {
					return usageErr("cli.localnet.stillRuns", "node", filepath.Base(h), "pid", strconv.Itoa(pid), "signal", fmt.Sprint(signals[0]), "dir", dir)
				}
				removePIDFile(h, pid)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "node %s (pid %d): %s\n", filepath.Base(h), pid, use)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "localnet", "directory holding the nodes' homes (from weid localnet)")
	return cmd
}

func localnetNodeCmds() []*cobra.Command {
	return []*cobra.Command{
		localnetSignalCmd("stop", "Stop one node of a running localnet (SIGINT: it commits what it has and exits)",
			"Stop NODE (node2, 2, or its home) cleanly and wait until it exited; the others keep running.", []syscall.Signal{syscall.SIGINT, syscall.SIGCONT}, true),
		localnetSignalCmd("kill", "Kill one node of a running localnet (SIGKILL: a crash)",
			"Kill NODE with SIGKILL, as a crash or power loss would, and wait until it is gone; the others keep running.", []syscall.Signal{syscall.SIGKILL}, true),
		localnetSignalCmd("freeze", "Freeze one node of a running localnet (SIGSTOP: a stalled machine)",
			"Suspend NODE with SIGSTOP: it holds its connections but answers nothing, as a stalled machine; thaw it with \"weid localnet thaw\".", []syscall.Signal{syscall.SIGSTOP}, false),
		localnetSignalCmd("thaw", "Thaw a frozen node of a running localnet (SIGCONT)",
			"Resume NODE after \"weid localnet freeze\" (SIGCONT); it catches up with the chain.", []syscall.Signal{syscall.SIGCONT}, false),
	}
}

// localnetHomes returns the node homes in dir, in node order.
func localnetHomes(dir string) ([]string, error) {
	homes, err := filepath.Glob(filepath.Join(dir, "node*"))
	if err != nil {
		return nil, err
	}
	homes = slicesFilter(homes, cometbft.IsHome)
	if len(homes) == 0 {
		return nil, usageErr("cli.localnet.noHomes", "dir", dir)
	}
	for i, h := range homes {
		if homes[i], err = filepath.Abs(h); err != nil {
			return nil, err
		}
	}
	sort.Slice(homes, func(i, j int) bool { return nodeIndex(homes[i]) < nodeIndex(homes[j]) })
	return homes, nil
}

// localnetHome finds the home NODE names: node2, 2, or a path.
func localnetHome(homes []string, name string) (string, error) {
	abs, _ := filepath.Abs(name)
	for _, h := range homes {
		if filepath.Base(h) == name || filepath.Base(h) == "node"+name || h == abs {
			return h, nil
		}
	}
	return "", fmt.Errorf("no node %q in this localnet (it has %s … %s)", name, filepath.Base(homes[0]), filepath.Base(homes[len(homes)-1]))
}

// pidFile is where a localnet node's process id is kept.
func pidFile(home string) string { return filepath.Join(home, "node.pid") }

// nodePID returns the process id of the node running in home, if one is:
// the id in home/node.pid, if that process is alive and (where /proc says)
// is a weid node of this home, so that a stale file naming a reused id is
// not taken for the node.
func nodePID(home string) (int, bool) {
	b, err := os.ReadFile(pidFile(home))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, processIsNode(pid, home)
}

// processIsNode reports whether pid is alive and, where /proc exists, runs
// with --home home.
func processIsNode(pid int, home string) bool {
	if !processAlive(pid) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat("/proc/self/cmdline"); err != nil {
			return true // no /proc: alive is all we can tell
		}
	}
	return err == nil && strings.Contains(string(cmdline), "\x00--home\x00"+home+"\x00")
}

// processAlive reports whether pid exists and, where /proc says, is not a
// zombie (a child that exited, not yet reaped).
func processAlive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name in parentheses: "pid (comm) S …".
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}

// waitGone waits, at most d, until no node runs in home.
func waitGone(home string, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if _, ok := nodePID(home); !ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// removePIDFile removes home's pid file if it still names pid.
func removePIDFile(home string, pid int) {
	if b, err := os.ReadFile(pidFile(home)); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(pid) {
		_ = os.Remove(pidFile(home))
	}
}

// startChild starts one node in its own process group (it outlives this
// command if released), its output appended to home/node.log and its
// process id written to home/node.pid, and returns its API URL once it
// listens; waiting, if not nil, is called every waitingEvery until then
// (to say what the node waits for).
func startChild(self, home, logLevel string, waiting func()) (string, *exec.Cmd, error) {
	logPath := filepath.Join(home, "node.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", nil, err
	}
	defer logf.Close()
	from, err := logf.Seek(0, io.SeekEnd)
	if err != nil {
		return "", nil, err
	}
	p := exec.Command(self, "node", "start", "--engine", "cometbft", "--home", home, "--log-level", logLevel)
	// A file, not a pipe: a node started by "localnet start NODE" outlives
	// this command, and a write to a closed pipe would kill it.
	p.Stdout, p.Stderr = logf, logf
	// Own process group: a Ctrl-C in the terminal reaches this supervisor,
	// which stops the nodes in order.
	p.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.Start(); err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(pidFile(home), []byte(strconv.Itoa(p.Process.Pid)+"\n"), 0o600); err != nil {
		_ = p.Process.Kill()
		_ = p.Wait()
		return "", nil, err
	}
	next := time.Now().Add(waitingEvery)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if url, ok := listeningIn(logPath, from); ok {
			return url, p, nil
		}
		if waiting != nil && time.Now().After(next) {
			waiting()
			next = time.Now().Add(waitingEvery)
		}
		// Not processIsNode: until its exec completes, the child's
		// command line is still this command's.
		if !processAlive(p.Process.Pid) {
			break
		}
	}
	_ = p.Process.Kill()
	_ = p.Wait()
	removePIDFile(home, p.Process.Pid)
	return "", nil, fmt.Errorf("node %s did not start (%v); see %s", home, p.ProcessState, logPath)
}

// listeningIn finds the node's "weid node listening on ADDR" line in the
// log at path after offset from.
func listeningIn(path string, from int64) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return "", false
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if _, addr, ok := strings.Cut(sc.Text(), "weid node listening on "); ok {
			return strings.TrimSpace(addr), true
		}
	}
	return "", false
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
