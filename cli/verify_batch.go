package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/client"
)

// errSomeFailed makes verify-batch exit non-zero when a credential failed.
var errSomeFailed = errors.New("some credentials did not verify")

func vcVerifyBatchCmd(g *globals) *cobra.Command {
	var o batch.Options
	var output string
	var chunk int
	var nodeTimeout time.Duration
	var maxBehind uint64
	var anchor anchorFlags
	cmd := &cobra.Command{
		Use:   "verify-batch FILE|DIR|-",
		Short: "Verify many credentials through the node's batch endpoint",
		Long: `Verify credentials in bulk with POST /v1/credentials/verify-batch: the
node's policy, the same verdict each credential gets from "weid vc verify".

The input is a JSON array of credentials, NDJSON (one per line: a JSON
object, a JSON string, or a bare compact vc+jwt / SD-JWT), or a directory
whose every regular file is one credential (a file that holds none is a
result of its own naming it: invalid, or failed at structure). It is
streamed to the node, so its size is not limited; results come back in
input order.

--output (-o) ndjson|table|json:
  table   (the default) one line per credential that did not verify —
          its file (when verifying a directory) or its index, its outcome
          and the checks that failed — then a summary table: credentials by
          outcome (verified, failed, invalid, unavailable) and failed
          credentials by failed check.
  ndjson  every result as a line {index, verified, checks, errors[, code,
          detail]}, with "file" when verifying a directory, then the
          summary line {"summary": {total, outcomes, failedChecks}}.
  json    one document {results, summary}, the results as in ndjson.
On a terminal, a progress line shows the rate and the time left; otherwise
nothing but the results is written. The exit status is 1 if any credential
did not verify. Ctrl-C stops the run: the results so far are written
whole (with table and json their summary), stderr says how many of how
many were verified, and the exit status is 130.

--node URL1,URL2,... spreads the stream across several nodes of a
consortium (validators and observers alike: verification only reads the
ledger): chunks of --chunk credentials go to whichever node is free, the
output stays in input order, and a chunk a node fails (unreachable, an
error, a stream cut short, or nothing at all for --node-timeout: a hung or
frozen node) is verified again from its start on another node, that node
being left out for the rest of the run. With one node the
whole input is one stream.

Before sending anything, verify-batch reads every node's /v1/status and
leaves out (named on stderr) a node that is catching up with the chain,
one cut off from its peers, one more than --max-behind blocks behind
what its chain's validators report (its consensus stopped), and one
whose head is more than --max-behind blocks below the highest of them:
its answers may be stale (a revocation it has not seen). A node whose
status cannot be read is kept, unchecked, and named on stderr. If every node is
left out, nothing is verified and the run fails saying why.

With several nodes it first reads every node's genesis block (its hash
covers the chain id and the keys chain.init names) and refuses to start,
naming the node (1-based, in --node order), when they are not one chain:
a node of another chain with the same chain id answers from another trust
registry and other revocations. A node whose genesis block cannot be read
is left out, named on stderr. With --node-key (solo) or
--trusted-validators FILE (CometBFT), as "weid tx prove" takes them, each
node's genesis block must also be vouched for by that anchor, one node
included; the verdicts are still each node's own.

Verification runs on the node (--node): its ledger is a goleveldb database
that the running node holds locked, so it cannot be opened alongside it.`,
		Example: `  weid vc verify-batch diplomas.ndjson
  weid vc verify-batch diplomas/ -o ndjson > results.ndjson
  weid vc verify-batch diplomas.ndjson --node http://10.0.0.1:8080,http://10.0.0.2:8080`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch output {
			case "ndjson", "json", "table", "text":
			default:
				return usageErr("cli.usage.outputBatch", "value", strconv.Quote(output))
			}
			nodes, err := batchNodes(g)
			if err != nil {
				return err
			}
			logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "weid: "+format+"\n", args...) }
			if nodes, err = oneChainNodes(cmd.Context(), nodes, &anchor, nodeTimeout, logf); err != nil {
				return err
			}
			if nodes, err = followingNodes(cmd.Context(), nodes, maxBehind, nodeTimeout, logf); err != nil {
				return err
			}
			in, total, names, closeIn, err := batchInput(args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			return runVerifyBatch(cmd.Context(), g, nodes, in, total, names, o, output, chunk, nodeTimeout)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: ndjson, table or json (see above)")
	cmd.Flags().BoolVar(&o.RequireAccreditation, "require-accreditation", false, "fail credentials whose issuer is not an accredited authority issuer")
	cmd.Flags().BoolVar(&o.RequireBinding, "require-binding", false, "fail credentials whose issuer is not a DID")
	cmd.Flags().IntVar(&chunk, "chunk", defaultNodeChunk, "with several --node URLs: credentials per request to one node")
	cmd.Flags().Uint64Var(&maxBehind, "max-behind", defaultMaxBehind, "leave out a node whose head is more than this many blocks below the highest of the --node nodes, or that reports being more than this many blocks behind its chain's validators (consensus.behind)")
	cmd.Flags().DurationVar(&nodeTimeout, "node-timeout", defaultNodeSilence, "with several --node URLs: a node that sends nothing for this long (hung, frozen) is left out and its chunk goes to another")
	anchor.registerKeys(cmd)
	return cmd
}

// batchNodes is the clients of the comma-separated --node URLs.
func batchNodes(g *globals) ([]*client.Client, error) {
	var nodes []*client.Client
	for _, u := range strings.Split(g.node, ",") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		c := client.New(u)
		c.Token = g.token
		nodes = append(nodes, c)
	}
	if len(nodes) == 0 {
		return nil, errors.New("--node names no node")
	}
	return nodes, nil
}

// batchInput opens the input as an NDJSON stream and counts its
// credentials when that is cheap (-1 when unknown). For a directory, names
// are its files, one per credential in order.
func batchInput(name string) (io.Reader, int, []string, func(), error) {
	nop := func() {}
	if name == "-" {
		return toNDJSON(bufio.NewReader(os.Stdin)), -1, nil, nop, nil
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, 0, nil, nop, err
	}
	if fi.IsDir() {
		ents, err := os.ReadDir(name)
		if err != nil {
			return nil, 0, nil, nop, err
		}
		var files []string
		for _, e := range ents {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(name, e.Name()))
			}
		}
		sort.Strings(files)
		pr, pw := io.Pipe()
		go func() {
			bw := bufio.NewWriter(pw)
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					pw.CloseWithError(err)
					return
				}
				bw.Write(fileLine(bytes.TrimSpace(raw)))
				bw.WriteByte('\n')
			}
			pw.CloseWithError(bw.Flush())
		}()
		return pr, len(files), files, func() { pr.Close() }, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, nop, err
	}
	total := -1
	if n, err := countCredentials(f); err == nil {
		total = n
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, nil, nop, err
	}
	return toNDJSON(bufio.NewReaderSize(f, 1<<20)), total, nil, func() { f.Close() }, nil
}

// fileLine is the NDJSON line of one file of a directory: its credential,
// or, when it holds none, its content (at most 1 KiB) as a JSON string, so
// that the node answers it with an invalid result, never a blank line the
// node would skip (every file has its result, in order).
func fileLine(raw []byte) []byte {
	if line, err := credentialLine(raw); err == nil {
		return line
	}
	if len(raw) > 1<<10 {
		raw = raw[:1<<10]
	}
	line, _ := json.Marshal(string(raw))
	return line
}

// countCredentials counts the non-blank lines of an NDJSON file, or the
// elements of a JSON array.
func countCredentials(f *os.File) (int, error) {
	br := bufio.NewReaderSize(f, 1<<20)
	if isArray(br) {
		dec := json.NewDecoder(br)
		if _, err := dec.Token(); err != nil {
			return 0, err
		}
		n := 0
		for dec.More() {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, err
			}
			n++
		}
		return n, nil
	}
	n := 0
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), batch.MaxLineBytes*4)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n, sc.Err()
}

// isArray reports whether br's first non-space byte is '['.
func isArray(br *bufio.Reader) bool {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return false
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			continue
		}
		_ = br.UnreadByte()
		return b == '['
	}
}

// toNDJSON turns a JSON array into NDJSON, one element per line, and
// passes NDJSON through with bare compact tokens quoted.
func toNDJSON(br *bufio.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 64<<10)
		var err error
		if isArray(br) {
			dec := json.NewDecoder(br)
			if _, err = dec.Token(); err == nil {
				for dec.More() {
					var el json.RawMessage
					if err = dec.Decode(&el); err != nil {
						break
					}
					bw.Write(el)
					bw.WriteByte('\n')
				}
			}
		} else {
			for {
				line, rerr := br.ReadSlice('\n')
				if errors.Is(rerr, bufio.ErrBufferFull) {
					// A very long line: pass it through as is (the node
					// bounds lines and reports it).
					bw.Write(line)
					continue
				}
				t := bytes.TrimSpace(line)
				if len(t) > 0 {
					if out, cerr := credentialLine(t); cerr == nil {
						bw.Write(out)
					} else {
						bw.Write(t)
					}
					bw.WriteByte('\n')
				}
				if rerr != nil {
					if !errors.Is(rerr, io.EOF) {
						err = rerr
					}
					break
				}
			}
		}
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// credentialLine is the NDJSON line of one credential: a JSON object or
// string as is, a bare compact token quoted.
func credentialLine(raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return nil, errors.New("empty credential")
	}
	if raw[0] == '{' || raw[0] == '"' {
		var v json.RawMessage
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return json.Marshal(string(raw))
}

// fileResult is a result with the file it is about, when verifying a
// directory.
type fileResult struct {
	File string `json:"file,omitempty"`
	*api.BatchResult
}

func runVerifyBatch(ctx context.Context, g *globals, nodes []*client.Client, in io.Reader, total int, names []string, o batch.Options, output string, chunk int, nodeTimeout time.Duration) error {
	out := bufio.NewWriterSize(g.out, 64<<10)
	defer out.Flush()
	// Ctrl-C stops reading and sending; the results so far are written
	// whole (the buffer is flushed, no line cut), then the summary. A
	// second Ctrl-C kills as usual.
	parent := ctx
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	interrupted := context.AfterFunc(ctx, stop)
	defer interrupted()
	var progress *progressLine
	if f, ok := g.out.(*os.File); ok && f == os.Stdout && term.IsTerminal(int(os.Stderr.Fd())) {
		progress = &progressLine{w: os.Stderr, total: total, start: time.Now()}
	}
	// The table names only the checks that failed: ask the node for no
	// more (a verified credential's result is then about 30 bytes, not 900).
	detail := ""
	if output != "ndjson" && output != "json" {
		detail = batch.DetailFailures.String()
	}
	var results []fileResult
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	sum := batch.NewSummary()
	onResult := func(r *batch.Result) error {
		if progress != nil {
			progress.tick()
		}
		sum.Add(r)
		fr := fileResult{BatchResult: r}
		if r.Index >= 0 && r.Index < len(names) {
			fr.File = names[r.Index]
		}
		switch output {
		case "ndjson":
			return enc.Encode(fr)
		case "json":
			results = append(results, fr)
		default:
			if !r.Verified {
				what := strconv.Itoa(r.Index)
				if fr.File != "" {
					what = fr.File
				}
				fmt.Fprintf(out, "%s\t%s\t%s\n", what, r.Outcome(), failedSummary(r))
			}
		}
		return nil
	}
	var err error
	if len(nodes) == 1 {
		_, err = nodes[0].VerifyBatchDetail(ctx, in, o, detail, onResult)
	} else {
		err = spreadBatch(ctx, nodes, in, o, detail, chunk, nodeTimeout, onResult, func(format string, args ...any) {
			if progress != nil {
				fmt.Fprintln(progress.w)
			}
			fmt.Fprintf(os.Stderr, "weid: "+format+"\n", args...)
		})
	}
	if progress != nil {
		progress.done()
	}
	stopped := err != nil && ctx.Err() != nil && parent.Err() == nil
	if err != nil && !stopped {
		return err
	}
	if stopped {
		return interruptedBatch(out, sum, total, output, results)
	}
	if names != nil && sum.Total != len(names) {
		return fmt.Errorf("%d results for %d files", sum.Total, len(names))
	}
	switch output {
	case "ndjson":
		if err := enc.Encode(api.VerifyBatchTrailer{Summary: sum}); err != nil {
			return err
		}
	case "json":
		if results == nil {
			results = []fileResult{}
		}
		e := json.NewEncoder(out)
		e.SetIndent("", "  ")
		e.SetEscapeHTML(false)
		doc := struct {
			Results []fileResult     `json:"results"`
			Summary api.BatchSummary `json:"summary"`
		}{results, sum}
		if err := e.Encode(doc); err != nil {
			return err
		}
	default:
		if sum.Outcomes[batch.OutcomeVerified] != sum.Total {
			fmt.Fprintln(out)
		}
		writeSummaryTable(out, sum)
	}
	if !sum.AllVerified() {
		out.Flush()
		return errSomeFailed
	}
	return nil
}

// interruptedBatch ends a batch stopped by Ctrl-C: the table's summary or
// the json document of the results so far (ndjson has written its whole
// result lines already; its summary line would claim a finished run), and
// an error saying how far it got, exit status 130 as for SIGINT.
func interruptedBatch(out *bufio.Writer, sum batch.Summary, total int, output string, results []fileResult) error {
	switch output {
	case "ndjson":
	case "json":
		e := json.NewEncoder(out)
		e.SetIndent("", "  ")
		e.SetEscapeHTML(false)
		_ = e.Encode(struct {
			Results []fileResult     `json:"results"`
			Summary api.BatchSummary `json:"summary"`
		}{append([]fileResult{}, results...), sum})
	default:
		fmt.Fprintln(out)
		writeSummaryTable(out, sum)
	}
	if err := out.Flush(); err != nil {
		return err
	}
	of := ""
	if total >= 0 {
		of = fmt.Sprintf(" of %d", total)
	}
	return fmt.Errorf("%w after %d%s credentials", errInterrupted, sum.Total, of)
}

// writeSummaryTable writes a batch's summary as two tables: credentials by
// outcome, and failed credentials by the check that failed (a credential
// may fail several).
func writeSummaryTable(w io.Writer, sum batch.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	pct := func(n int) string {
		if sum.Total == 0 {
			return ""
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(sum.Total))
	}
	fmt.Fprintln(tw, "outcome\tcredentials\tshare\t")
	for _, oc := range []string{batch.OutcomeVerified, batch.OutcomeFailed, batch.OutcomeInvalid, batch.OutcomeUnavailable} {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", oc, sum.Outcomes[oc], pct(sum.Outcomes[oc]))
	}
	fmt.Fprintf(tw, "total\t%d\t\t\n", sum.Total)
	if checks := sum.SortedChecks(); len(checks) > 0 {
		_ = tw.Flush()
		fmt.Fprintln(w)
		fmt.Fprintln(tw, "failed check\tcredentials\tshare\t")
		for _, name := range checks {
			fmt.Fprintf(tw, "%s\t%d\t%s\t\n", name, sum.FailedChecks[name], pct(sum.FailedChecks[name]))
		}
	}
	_ = tw.Flush()
}

// failedSummary names a result's failed checks with their details.
func failedSummary(r *batch.Result) string {
	if r.Code != "" {
		return r.Code + ": " + r.Detail
	}
	var parts []string
	for _, c := range r.Errors {
		parts = append(parts, c.Name+": "+c.Detail)
	}
	return strings.Join(parts, "; ")
}

// progressLine redraws one status line on a terminal: count, rate, ETA.
type progressLine struct {
	w     io.Writer
	total int
	n     int
	start time.Time
	last  time.Time
}

func (p *progressLine) tick() {
	p.n++
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond {
		p.last = now
		p.draw()
	}
}

func (p *progressLine) draw() {
	el := time.Since(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.n) / el
	}
	if p.total > 0 {
		pct := 100 * float64(p.n) / float64(p.total)
		eta := "?"
		if rate > 0 {
			eta = (time.Duration(float64(p.total-p.n)/rate) * time.Second).Round(time.Second).String()
		}
		const width = 30
		filled := int(width * float64(p.n) / float64(p.total))
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d (%.0f%%) %.0f/s ETA %s   ", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.n, p.total, pct, rate, eta)
		return
	}
	fmt.Fprintf(p.w, "\r%d verified so far, %.0f/s   ", p.n, rate)
}

func (p *progressLine) done() {
	p.draw()
	fmt.Fprintln(p.w)
}
