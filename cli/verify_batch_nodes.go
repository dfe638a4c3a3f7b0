package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/txn"
)

// defaultNodeChunk is how many credentials verify-batch sends a node in one
// request when it spreads a stream across several nodes: enough that each
// request's overhead is small, few enough that a chunk retried elsewhere
// costs little.
const defaultNodeChunk = 2000

// defaultNodeSilence is how long, by default, a node may send nothing while
// it verifies a chunk (before its first result, between two results, before
// its trailer) before it is taken for hung and its chunk verified
// elsewhere. A node answering a chunk streams a result per credential, so
// a long silence is a stalled machine (a SIGSTOP, a swap storm, a network
// that dropped the connection without a reset), not a slow verification.
const defaultNodeSilence = 30 * time.Second

// errNodeSilent is the cause of a chunk abandoned because its node went
// silent.
var errNodeSilent = errors.New("the node sent nothing")

// nodeChunk is a run of consecutive NDJSON lines sent to one node as one
// stream.
type nodeChunk struct {
	seq  int    // position among chunks
	base int    // index of its first credential in the whole input
	n    int    // credentials (non-blank lines)
	body []byte // the lines, each ending in '\n'
	out  []*api.BatchResult
}

// spreadBatch verifies the NDJSON stream in across several nodes: it cuts
// the stream into chunks of size credentials, gives each node one chunk at
// a time, and calls onResult with every result in input order (Index
// counted over the whole input), from the calling goroutine, as soon as
// every earlier chunk's results have been. A node that fails a chunk (it
// cannot be reached, answers an error, or its stream ends before its
// trailer) is left out for the rest of the run, and the chunk is verified
// again from its start on another node; only a chunk's complete results
// are passed on, so nothing is reported twice. The run fails when every
// node has failed. A node that sends nothing for silence (default
// defaultNodeSilence) while it holds a chunk has failed too. At most 2×nodes+1 chunks are held at once, so memory is
// bounded whatever the length of the stream. logf, if not nil, is told of
// each node left out.
func spreadBatch(ctx context.Context, nodes []*client.Client, in io.Reader, o api.BatchOptions, detail string, size int, silence time.Duration, onResult func(*api.BatchResult) error, logf func(format string, args ...any)) error {
	if size <= 0 {
		size = defaultNodeChunk
	}
	if silence <= 0 {
		silence = defaultNodeSilence
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	inFlight := 2*len(nodes) + 1
	tokens := make(chan struct{}, inFlight)
	work := make(chan *nodeChunk)
	retry := make(chan *nodeChunk, inFlight) // never blocks: at most inFlight chunks exist
	done := make(chan *nodeChunk, inFlight)
	chunks := make(chan int, 1) // the number of chunks, once the input is read

	// Reader: lines into chunks, blank lines dropped as the node drops
	// them, so that indexes agree.
	go func() {
		br := bufio.NewReaderSize(in, 64<<10)
		seq, base := 0, 0
		var c *nodeChunk
		send := func() bool {
			select {
			case work <- c:
			case <-ctx.Done():
				return false
			}
			seq, base, c = seq+1, base+c.n, nil
			return true
		}
		for {
			line, err := br.ReadBytes('\n')
			if t := bytes.TrimSpace(line); len(t) > 0 {
				if c == nil {
					select {
					case tokens <- struct{}{}:
					case <-ctx.Done():
						return
					}
					c = &nodeChunk{seq: seq, base: base}
				}
				c.body = append(append(c.body, t...), '\n')
				c.n++
				if c.n == size && !send() {
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					cancel(fmt.Errorf("read the credentials: %w", err))
					return
				}
				if c != nil && !send() {
					return
				}
				chunks <- seq
				return
			}
		}
	}()

	// One worker per node, each with one chunk at a time (the node verifies
	// a stream on all its cores); chunks to retry come first.
	var mu sync.Mutex
	alive := len(nodes)
	var failures []string
	for i, cl := range nodes {
		go func() {
			for {
				var c *nodeChunk
				select {
				case c = <-retry:
				default:
					select {
					case c = <-retry:
					case c = <-work:
					case <-ctx.Done():
						return
					}
				}
				err := verifyChunkOn(ctx, cl, c, o, detail, silence)
				if err == nil {
					select {
					case done <- c:
						continue
					case <-ctx.Done():
						return
					}
				}
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				alive--
				failures = append(failures, fmt.Sprintf("%s: %v", cl.BaseURL, err))
				last := alive == 0
				mu.Unlock()
				if last {
					cancel(fmt.Errorf("every node failed: %s", strings.Join(failures, "; ")))
					return
				}
				if logf != nil {
					logf("node %d (%s) failed: %v; its chunk (credentials %d to %d) and the rest go to the other nodes", i+1, cl.BaseURL, err, c.base, c.base+c.n-1)
				}
				retry <- c
				return
			}
		}()
	}

	// Emitter: chunks in input order.
	var order batch.InOrder[*nodeChunk]
	total := -1
	for total < 0 || order.Next() < total {
		select {
		case c := <-done:
			err := order.Add(c.seq, c, func(c *nodeChunk) error {
				for _, r := range c.out {
					if err := onResult(r); err != nil {
						return err
					}
				}
				<-tokens
				return nil
			})
			if err != nil {
				return err
			}
		case total = <-chunks:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// verifyChunkOn verifies chunk c on one node, keeping its results (their
// indexes made the whole input's) in c.out only if the node answered every
// credential, in order, and ended its stream with a trailer without error.
// The request is abandoned if the node sends no result for silence.
func verifyChunkOn(ctx context.Context, cl *client.Client, c *nodeChunk, o api.BatchOptions, detail string, silence time.Duration) error {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(silence, func() { cancel(fmt.Errorf("%w for %v: hung or frozen", errNodeSilent, silence)) })
	defer watchdog.Stop()
	out := make([]*api.BatchResult, 0, c.n)
	_, err := cl.VerifyBatchDetail(rctx, bytes.NewReader(c.body), o, detail, func(r *api.BatchResult) error {
		watchdog.Reset(silence)
		if r.Index != len(out) {
			return fmt.Errorf("result %d came as index %d", len(out), r.Index)
		}
		r.Index += c.base
		out = append(out, r)
		return nil
	})
	if cause := context.Cause(rctx); err != nil && errors.Is(cause, errNodeSilent) {
		err = cause
	}
	if err == nil && len(out) != c.n {
		err = fmt.Errorf("%d results for %d credentials", len(out), c.n)
	}
	if err != nil {
		return err
	}
	c.out = out
	return nil
}

// defaultMaxBehind is how many blocks, by default, a node's head may be
// below the highest head among the --node nodes before verify-batch
// leaves it out. The statuses are read at once, but a block commits on the
// nodes a few milliseconds apart and, under load, several blocks may
// commit between two answers (timeout_commit is 100 ms by default), so
// nodes that follow the chain can differ by a block or two; a node cut off
// from its peers falls behind by every block committed since, without
// bound. weid heights count only blocks that changed the state, so the
// blocks it lacks are writes it does not know of (a revocation among
// them). It is the lag /readyz allows a node behind its chain's
// validators (txn.MaxBehind, counted there in CometBFT heights).
const defaultMaxBehind = txn.MaxBehind

// followingNodes reads every node's /v1/status at once (each within
// timeout) and returns, in order, the nodes that follow the chain: not
// catching up nor cut off from their peers nor more than maxBehind blocks
// behind what their chain's validators report (txn.ConsensusStatus.StaleBy:
// /readyz's rule, with the user's lag instead of txn.MaxBehind, so
// --max-behind means one thing), and with a head no more than maxBehind
// blocks below the highest. A node
// whose status cannot be read is kept, unchecked (logf is told): one that
// is down fails its first chunk and is left out then, as spreadBatch
// does, and the run's error stays "every node failed" when all are. logf
// is told of each node left out; if every node is, the error says why for
// each.
func followingNodes(ctx context.Context, nodes []*client.Client, maxBehind uint64, timeout time.Duration, logf func(format string, args ...any)) ([]*client.Client, error) {
	sts := make([]*api.StatusResponse, len(nodes))
	why := make([]string, len(nodes))
	unread := make([]error, len(nodes))
	lag := int64(min(maxBehind, math.MaxInt64))
	var wg sync.WaitGroup
	for i, cl := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			st, err := cl.Status(sctx)
			switch {
			case err != nil:
				unread[i] = err
			case st.Consensus != nil && st.Consensus.StaleBy(lag) != "":
				why[i] = st.Consensus.StaleBy(lag)
			default:
				sts[i] = st
			}
		}()
	}
	wg.Wait()
	top := -1
	for i, st := range sts {
		if st != nil && (top < 0 || st.Height > sts[top].Height) {
			top = i
		}
	}
	var fresh []*client.Client
	var out []string
	for i, cl := range nodes {
		if st := sts[i]; st != nil && st.Height+maxBehind < sts[top].Height {
			why[i] = fmt.Sprintf("its head is at height %d, %d blocks below the highest (%d, node %d); --max-behind is %d", st.Height, sts[top].Height-st.Height, sts[top].Height, top+1, maxBehind)
		}
		if unread[i] != nil && logf != nil {
			logf("node %d (%s): its status could not be read (%v), so whether it follows the chain is not checked", i+1, cl.BaseURL, unread[i])
		}
		if why[i] == "" {
			fresh = append(fresh, cl)
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s", cl.BaseURL, why[i]))
		if logf != nil {
			logf("node %d (%s) left out: %s; its answers may be stale (a revocation it has not seen)", i+1, cl.BaseURL, why[i])
		}
	}
	if len(fresh) == 0 {
		return nil, fmt.Errorf("every node was left out, none is known to follow the chain: %s", strings.Join(out, "; "))
	}
	return fresh, nil
}
