// Command benchtable runs a "go test -bench" command, passes its output
// through, and prints the benchmark results as a Markdown table at the end:
// one row per benchmark with its throughput, its ns/op and, where the run
// has an aries-framework-go baseline of the same operation, how many times
// faster weid is. make bench uses it.
//
// The throughput is the benchmark's custom metrics whose units end in
// "/s" or, without one, 1e9 / ns/op in ops/s, followed by its latency
// metrics: a unit "NAME-ms" (such as "p50-ms") shows as "NAME V ms"; then
// any other metric but -benchmem's (B/op, allocs/op), as "V unit" (such as
// "14.2 txs/block").
//
// A benchmark named "X-aries" is the aries-framework-go baseline of the
// benchmark "X" (bench/issue_test.go runs aries-compat for it and reports
// the ns/op aries measured): row X's "vs aries" is ns/op(X-aries) ÷
// ns/op(X), both from the same run, and row X-aries says "baseline".
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// ariesSuffix marks the name of an aries-framework-go baseline benchmark.
const ariesSuffix = "-aries"

type row struct {
	name      string
	nsPerOp   string
	metrics   []string
	latencies []string
	others    []string
}

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchtable -- go test -bench ...")
		os.Exit(2)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rows := parse(io.TeeReader(out, os.Stdout), runtime.GOMAXPROCS(0))
	err = cmd.Wait()
	fmt.Println()
	table(os.Stdout, rows)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmarks failed:", err)
		os.Exit(1)
	}
}

// parse reads benchmark lines: "BenchmarkName-P  N  X ns/op  Y unit/s ...".
// go test appends "-P" (GOMAXPROCS) to the name unless P is 1; procs is
// that P, so that names which end in a number of their own
// ("eddsa-rdfc-2022") keep it.
func parse(r io.Reader, procs int) []row {
	var rows []row
	suffix := "-" + strconv.Itoa(procs)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		rw := row{name: strings.TrimPrefix(f[0], "Benchmark")}
		if procs != 1 {
			rw.name = strings.TrimSuffix(rw.name, suffix)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, unit := f[i], f[i+1]
			switch {
			case unit == "ns/op":
				rw.nsPerOp = v
			case strings.HasSuffix(unit, "/s"):
				rw.metrics = append(rw.metrics, v+" "+unit)
			case strings.HasSuffix(unit, "-ms"):
				rw.latencies = append(rw.latencies, strings.TrimSuffix(unit, "-ms")+" "+v+" ms")
			case unit != "B/op" && unit != "allocs/op":
				rw.others = append(rw.others, v+" "+unit)
			}
		}
		rows = append(rows, rw)
	}
	return rows
}

// table writes rows as a Markdown table, with a "vs aries" column if any
// row has an aries baseline.
func table(w io.Writer, rows []row) {
	ns := map[string]float64{}
	for _, r := range rows {
		if v, err := strconv.ParseFloat(r.nsPerOp, 64); err == nil && v > 0 {
			ns[r.name] = v
		}
	}
	// vsAries is row r's "vs aries" cell.
	vsAries := func(r row) string {
		if base, ok := strings.CutSuffix(r.name, ariesSuffix); ok {
			if _, paired := ns[base]; paired {
				return "baseline"
			}
			return ""
		}
		a, ok := ns[r.name+ariesSuffix]
		if !ok || ns[r.name] == 0 {
			return ""
		}
		return fmt.Sprintf("%.1f× faster", a/ns[r.name])
	}
	withAries := false
	for _, r := range rows {
		if vsAries(r) != "" {
			withAries = true
		}
	}
	if withAries {
		fmt.Fprintln(w, "| benchmark | throughput | ns/op | vs aries |")
		fmt.Fprintln(w, "|---|---|---|---|")
	} else {
		fmt.Fprintln(w, "| benchmark | throughput | ns/op |")
		fmt.Fprintln(w, "|---|---|---|")
	}
	for _, r := range rows {
		tp := strings.Join(r.metrics, ", ")
		if tp == "" && ns[r.name] > 0 {
			tp = fmt.Sprintf("%.0f ops/s", 1e9/ns[r.name])
		}
		for _, m := range append(r.latencies, r.others...) {
			tp += ", " + m
		}
		if withAries {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.name, tp, r.nsPerOp, vsAries(r))
		} else {
			fmt.Fprintf(w, "| %s | %s | %s |\n", r.name, tp, r.nsPerOp)
		}
	}
	if withAries {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "vs aries: the ns/op of aries-framework-go v0.3.2 (the row \"…-aries\") ÷ this row's, both from this run.")
	}
}
