// Command benchtable runs a "go test -bench" command, passes its output
// through, and prints the benchmark results as a Markdown table at the end:
// one row per benchmark with its custom throughput metrics (units ending in
// "/s") and ns/op. make bench uses it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

type row struct {
	name    string
	nsPerOp string
	metrics []string
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
	rows := parse(io.TeeReader(out, os.Stdout))
	err = cmd.Wait()
	fmt.Println()
	fmt.Println("| benchmark | throughput | ns/op |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.name, strings.Join(r.metrics, ", "), r.nsPerOp)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmarks failed:", err)
		os.Exit(1)
	}
}

// parse reads benchmark lines: "BenchmarkName-2  N  X ns/op  Y unit/s ...".
func parse(r io.Reader) []row {
	var rows []row
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		rw := row{name: strings.TrimPrefix(f[0], "Benchmark")}
		if i := strings.LastIndexByte(rw.name, '-'); i > 0 {
			rw.name = rw.name[:i]
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, unit := f[i], f[i+1]
			switch {
			case unit == "ns/op":
				rw.nsPerOp = v
			case strings.HasSuffix(unit, "/s"):
				rw.metrics = append(rw.metrics, v+" "+unit)
			}
		}
		rows = append(rows, rw)
	}
	return rows
}
