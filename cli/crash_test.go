package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// killPlan says when to SIGKILL the node during a write load: after a
// delay, or as soon as the acks-th transaction is acknowledged, whichever
// comes first.
type killPlan struct {
	name  string
	after time.Duration
	acks  int64
}

// loadResult is what a write load saw.
type loadResult struct {
	acked            map[string]string // tx hash → DID, for every 201
	inFlightAtKill   int64             // CreateDID calls under way when the kill was sent
	failedAfterKill  int64             // calls that failed once the kill was decided
	submitted        int64
	elapsed          time.Duration
	unexpectedErrors []error // calls that failed before the kill
}

// TestCrash_KillDashNineLosesNoAcknowledgedTx SIGKILLs a node under a
// concurrent write load, three times at different moments, and checks that
// every transaction it acknowledged (201 on POST /v1/dids: its block was
// fsynced) survived: it is in the ledger with a valid inclusion proof, the
// stored state equals the replay of the blocks (no half-applied block), the
// restarted node resolves every acknowledged DID and takes new writes.
func TestCrash_KillDashNineLosesNoAcknowledgedTx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills node processes; skipped with -short")
	}
	start := time.Now()
	dir := t.TempDir()
	base, cmd := startNode(t, dir, "--log-level", "error")
	chainID := nodeChainID(t, base)

	acked := map[string]string{} // every acknowledged tx hash → its DID, over all cycles
	plans := []killPlan{
		{name: "after 1.5s of load", after: 1500 * time.Millisecond, acks: 3000},
		{name: "right after the 40th ack", after: 5 * time.Second, acks: 40},
		{name: "after 400ms of load", after: 400 * time.Millisecond, acks: 3000},
	}
	for i, plan := range plans {
		res := writeLoadThenKill(t, base, cmd, chainID, plan)
		for _, err := range res.unexpectedErrors {
			t.Errorf("cycle %d: a write failed before the kill: %v", i+1, err)
		}
		if len(res.acked) == 0 {
			t.Fatalf("cycle %d: no write was acknowledged before the kill", i+1)
		}
		for h, d := range res.acked {
			acked[h] = d
		}
		t.Logf("cycle %d (%s): killed after %v; %d submitted, %d acknowledged, %d in flight at the kill, %d failed after it",
			i+1, plan.name, res.elapsed.Round(time.Millisecond), res.submitted, len(res.acked), res.inFlightAtKill, res.failedAfterKill)

		// (a) The data directory itself: every ack is there, with a proof,
		// and the state is exactly the replay of the blocks.
		checkLedgerDir(t, dir, acked)
		if t.Failed() {
			t.FailNow()
		}

		// (b) A restarted node serves all of it and takes new writes.
		base, cmd = startNode(t, dir, "--log-level", "error")
		resolveAll(t, base, acked)
		for h, d := range createDIDs(t, base, chainID, 3) {
			acked[h] = d
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	stopNode(t, cmd)
	checkLedgerDir(t, dir, acked)
	t.Logf("%d acknowledged transactions survived %d SIGKILLs (%v)", len(acked), len(plans), time.Since(start).Round(time.Millisecond))
}

// nodeChainID asks the node for its chain id.
func nodeChainID(t *testing.T, base string) string {
	t.Helper()
	st, err := client.New(base).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.ChainID
}

// newDIDTx returns a did.create transaction for a new Ed25519 key.
func newDIDTx(chainID string) (d string, tx *chain.Tx, err error) {
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		return "", nil, err
	}
	d = did.WeidDID(chainID, k.Public())
	tx, err = node.SignTx(chainID, d+"#"+did.FirstKeyFragment, k, did.TxCreate,
		&did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	return d, tx, err
}

// writeLoadThenKill runs 16 writers creating DIDs against the node at base
// and SIGKILLs cmd as plan says, while the writers are busy.
func writeLoadThenKill(t *testing.T, base string, cmd *exec.Cmd, chainID string, plan killPlan) loadResult {
	t.Helper()
	const writers = 16
	tr := &http.Transport{MaxIdleConns: writers, MaxIdleConnsPerHost: writers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := client.New(base)
	c.HTTP = &http.Client{Transport: tr, Timeout: 30 * time.Second}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		killed    atomic.Bool // set before the kill is sent
		nAcks     atomic.Int64
		inFlight  atomic.Int64
		submitted atomic.Int64
		failed    atomic.Int64
		reached   = make(chan struct{})
		mu        sync.Mutex
		res       = loadResult{acked: map[string]string{}}
		wg        sync.WaitGroup
	)
	stopWriters := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !killed.Load() {
				select {
				case <-stopWriters:
					return
				default:
				}
				d, tx, err := newDIDTx(chainID)
				if err != nil {
					mu.Lock()
					res.unexpectedErrors = append(res.unexpectedErrors, err)
					mu.Unlock()
					return
				}
				hash := tx.Hash()
				submitted.Add(1)
				inFlight.Add(1)
				r, err := c.CreateDID(ctx, tx)
				inFlight.Add(-1)
				if err != nil {
					if killed.Load() {
						failed.Add(1) // the kill may be why; an unacknowledged tx may or may not be kept
						return
					}
					mu.Lock()
					res.unexpectedErrors = append(res.unexpectedErrors, err)
					mu.Unlock()
					return
				}
				// 201: the node says the block holding tx is on disk.
				mu.Lock()
				res.acked[hash] = d
				if r.TxHash != hash || r.DID != d || r.Status != "committed" {
					res.unexpectedErrors = append(res.unexpectedErrors,
						fmt.Errorf("ack for %s says did %s tx %s status %s", hash, r.DID, r.TxHash, r.Status))
				}
				mu.Unlock()
				if nAcks.Add(1) == plan.acks {
					close(reached)
				}
			}
		}()
	}
	t0 := time.Now()
	timer := time.NewTimer(plan.after)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-reached:
	}
	killed.Store(true)
	inFlightAtKill := inFlight.Load()
	if err := cmd.Process.Kill(); err != nil {
		t.Errorf("SIGKILL: %v", err)
	}
	elapsed := time.Since(t0)
	close(stopWriters)
	wg.Wait()
	if err := waitExit(cmd, 30*time.Second); err == nil {
		t.Errorf("the killed node exited with status 0")
	}
	res.inFlightAtKill = inFlightAtKill
	res.failedAfterKill = failed.Load()
	res.submitted = submitted.Load()
	res.elapsed = elapsed
	return res
}

// checkLedgerDir opens the ledger of a stopped (or killed) node directly and
// checks every acknowledged transaction and the whole chain.
func checkLedgerDir(t *testing.T, dir string, acked map[string]string) {
	t.Helper()
	l, err := chain.Open(filepath.Join(dir, "ledger"), node.NewRegistry())
	if err != nil {
		t.Fatalf("open the ledger after the kill: %v", err)
	}
	defer l.Close()
	rep, err := l.AuditStore()
	if err != nil {
		t.Fatalf("ledger audit after the kill: %v", err)
	}
	missing := 0
	for h, d := range acked {
		p, err := l.Tx(h)
		if err != nil {
			if missing++; missing <= 5 {
				t.Errorf("acknowledged tx %s (%s) is lost: %v", h, d, err)
			}
			continue
		}
		if err := chain.Standard.VerifyTx(p); err != nil {
			t.Errorf("acknowledged tx %s: proof does not verify: %v", h, err)
		}
		if p.Tx.Type != did.TxCreate || p.Height > rep.Head.Height {
			t.Errorf("acknowledged tx %s: type %s at height %d (head %d)", h, p.Tx.Type, p.Height, rep.Head.Height)
		}
		r, ok, err := weid.Latest(l, d)
		if err != nil || !ok {
			t.Errorf("acknowledged DID %s is not in the state: %v", d, err)
		} else if r.Version == 1 && r.TxHash != h {
			t.Errorf("DID %s version 1 is tx %s, want %s", d, r.TxHash, h)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged transactions are lost", missing, len(acked))
	}
	t.Logf("ledger audit OK: %d blocks, %d txs, head %d", rep.Blocks, rep.Txs, rep.Head.Height)
}

// resolveAll resolves every acknowledged DID through the node's DID
// Resolution endpoint.
func resolveAll(t *testing.T, base string, acked map[string]string) {
	t.Helper()
	type job struct{ hash, did string }
	jobs := make(chan job)
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	var bad atomic.Int64
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := resolveOne(hc, base, j.did, j.hash); err != nil {
					if bad.Add(1) <= 5 {
						t.Errorf("resolve acknowledged %s: %v", j.did, err)
					}
				}
			}
		}()
	}
	for h, d := range acked {
		jobs <- job{h, d}
	}
	close(jobs)
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d of %d acknowledged DIDs do not resolve", n, len(acked))
	}
}

func resolveOne(hc *http.Client, base, d, createHash string) error {
	resp, err := hc.Get(base + "/1.0/identifiers/" + url.PathEscape(d))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var res did.ResolutionResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return err
	}
	if res.Document == nil || res.Document.ID != d {
		return fmt.Errorf("resolved to a document for %v", res.Document)
	}
	if md := res.DocumentMetadata; md.VersionID == "1" && md.TxHash != createHash {
		return fmt.Errorf("version 1 is tx %s, want %s", md.TxHash, createHash)
	}
	return nil
}

// createDIDs creates n DIDs one after the other and returns their tx hashes.
func createDIDs(t *testing.T, base, chainID string, n int) map[string]string {
	t.Helper()
	c := client.New(base)
	out := map[string]string{}
	for i := 0; i < n; i++ {
		d, tx, err := newDIDTx(chainID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.CreateDID(context.Background(), tx)
		if err != nil {
			t.Errorf("write after restart: %v", err)
			continue
		}
		if r.TxHash != tx.Hash() {
			t.Errorf("write after restart: tx %s acknowledged as %s", tx.Hash(), r.TxHash)
		}
		out[tx.Hash()] = d
	}
	return out
}
