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
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
)

// errSomeFailed makes verify-batch exit non-zero when a credential failed.
var errSomeFailed = errors.New("some credentials did not verify")

func vcVerifyBatchCmd(g *globals) *cobra.Command {
	var o batch.Options
	var output string
	cmd := &cobra.Command{
		Use:   "verify-batch FILE|DIR|-",
		Short: "Verify many credentials through the node's batch endpoint",
		Long: `Verify credentials in bulk with POST /v1/credentials/verify-batch: the
node's policy, the same verdict each credential gets from "weid vc verify".

The input is a JSON array of credentials, NDJSON (one per line: a JSON
object, a JSON string, or a bare compact vc+jwt / SD-JWT), or a directory
whose every regular file is one credential. It is streamed to the node, so
its size is not limited; results come back in input order.

On a terminal, a progress line shows the rate and the time left; otherwise
nothing but the results is written. --output ndjson writes each result as a
line and then the summary, json one document {results, summary}, table
(the default) one line per credential that did not verify and the summary.
The exit status is 1 if any credential did not verify.

Verification runs on the node (--node): its ledger is a goleveldb database
that the running node holds locked, so it cannot be opened alongside it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch output {
			case "ndjson", "json", "table", "text":
			default:
				return fmt.Errorf("--output must be ndjson, json or table, not %q", output)
			}
			in, total, closeIn, err := batchInput(args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			return runVerifyBatch(cmd.Context(), g, in, total, o, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: ndjson, json or table")
	cmd.Flags().BoolVar(&o.RequireAccreditation, "require-accreditation", false, "fail credentials whose issuer is not an accredited authority issuer")
	cmd.Flags().BoolVar(&o.RequireBinding, "require-binding", false, "fail credentials whose issuer is not a DID")
	return cmd
}

// batchInput opens the input as an NDJSON stream and counts its
// credentials when that is cheap (-1 when unknown).
func batchInput(name string) (io.Reader, int, func(), error) {
	nop := func() {}
	if name == "-" {
		return toNDJSON(bufio.NewReader(os.Stdin)), -1, nop, nil
	}
	fi, err := os.Stat(name)
	if err != nil {
		return nil, 0, nop, err
	}
	if fi.IsDir() {
		ents, err := os.ReadDir(name)
		if err != nil {
			return nil, 0, nop, err
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
				line, err := credentialLine(bytes.TrimSpace(raw))
				if err != nil {
					pw.CloseWithError(fmt.Errorf("%s: %w", f, err))
					return
				}
				bw.Write(line)
				bw.WriteByte('\n')
			}
			pw.CloseWithError(bw.Flush())
		}()
		return pr, len(files), func() { pr.Close() }, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nop, err
	}
	total := -1
	if n, err := countCredentials(f); err == nil {
		total = n
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, nop, err
	}
	return toNDJSON(bufio.NewReaderSize(f, 1<<20)), total, func() { f.Close() }, nil
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

func runVerifyBatch(ctx context.Context, g *globals, in io.Reader, total int, o batch.Options, output string) error {
	out := bufio.NewWriterSize(g.out, 64<<10)
	defer out.Flush()
	var progress *progressLine
	if f, ok := g.out.(*os.File); ok && f == os.Stdout && term.IsTerminal(int(os.Stderr.Fd())) {
		progress = &progressLine{w: os.Stderr, total: total, start: time.Now()}
	}
	var results []*batch.Result
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	sum, err := g.client().VerifyBatch(ctx, in, o, func(r *batch.Result) error {
		if progress != nil {
			progress.tick()
		}
		switch output {
		case "ndjson":
			return enc.Encode(r)
		case "json":
			results = append(results, r)
		default:
			if !r.Verified {
				fmt.Fprintf(out, "%d\t%s\t%s\n", r.Index, r.Outcome(), failedSummary(r))
			}
		}
		return nil
	})
	if progress != nil {
		progress.done()
	}
	if err != nil {
		return err
	}
	switch output {
	case "ndjson":
		if err := enc.Encode(api.VerifyBatchTrailer{Summary: sum}); err != nil {
			return err
		}
	case "json":
		if results == nil {
			results = []*batch.Result{}
		}
		e := json.NewEncoder(out)
		e.SetIndent("", "  ")
		e.SetEscapeHTML(false)
		if err := e.Encode(api.VerifyBatchResponse{Results: results, Summary: sum}); err != nil {
			return err
		}
	default:
		fmt.Fprintf(out, "%s: %d verified, %d failed, %d invalid, %d unavailable\n", plural(sum.Total, "credential", "credentials"),
			sum.Outcomes[batch.OutcomeVerified], sum.Outcomes[batch.OutcomeFailed], sum.Outcomes[batch.OutcomeInvalid], sum.Outcomes[batch.OutcomeUnavailable])
		for _, name := range sum.SortedChecks() {
			fmt.Fprintf(out, "  failed %s: %d\n", name, sum.FailedChecks[name])
		}
	}
	if !sum.AllVerified() {
		out.Flush()
		return errSomeFailed
	}
	return nil
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
