package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkResolve/in-process-2     	 1000	   746.3 ns/op	 1339936 resolutions/s
BenchmarkIssue/eddsa-rdfc-2022-2  	 200	  548153 ns/op	 1824 credentials/s	  191083 B/op	    1994 allocs/op
BenchmarkIssue/Ed25519Signature2020-2    	     200	    500000 ns/op	      2000 credentials/s
BenchmarkIssue/Ed25519Signature2020-aries-2         	     200	   3000000 ns/op	       333.3 credentials/s
BenchmarkPlain-2 	 10	 2000 ns/op
BenchmarkCluster/validators=4-2         	   20000	    537362 ns/op	      1861 creations/s	       993.3 p50-ms	      1961 p99-ms	         0 target-rate-shed
BenchmarkDIDCreate/group-commit/http-2  	   39423	    103506 ns/op	      9661 creations/s	        13.90 txs/block
PASS
`

func TestParse(t *testing.T) {
	rows := parse(strings.NewReader(sample), 2)
	var names []string
	for _, r := range rows {
		names = append(names, r.name)
	}
	want := "Resolve/in-process Issue/eddsa-rdfc-2022 Issue/Ed25519Signature2020 Issue/Ed25519Signature2020-aries Plain Cluster/validators=4 DIDCreate/group-commit/http"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("names %q, want %q", got, want)
	}
	if r := rows[1]; r.nsPerOp != "548153" || strings.Join(r.metrics, ",") != "1824 credentials/s" {
		t.Fatalf("row %+v", r)
	}
	// With GOMAXPROCS 1, go test appends nothing: a suite's year stays.
	one := parse(strings.NewReader("BenchmarkIssue/eddsa-rdfc-2022 \t 10\t 5 ns/op\n"), 1)
	if len(one) != 1 || one[0].name != "Issue/eddsa-rdfc-2022" {
		t.Fatalf("GOMAXPROCS 1: %+v", one)
	}
}

func TestTable(t *testing.T) {
	var sb strings.Builder
	table(&sb, parse(strings.NewReader(sample), 2))
	got := sb.String()
	for _, line := range []string{
		"| benchmark | throughput | ns/op | vs aries |",
		"| Resolve/in-process | 1339936 resolutions/s | 746.3 |  |",
		"| Issue/Ed25519Signature2020 | 2000 credentials/s | 500000 | 6.0× faster |",
		"| Issue/Ed25519Signature2020-aries | 333.3 credentials/s | 3000000 | baseline |",
		"| Plain | 500000 ops/s | 2000 |  |",
		"| Cluster/validators=4 | 1861 creations/s, p50 993.3 ms, p99 1961 ms, 0 target-rate-shed | 537362 |  |",
		"| DIDCreate/group-commit/http | 9661 creations/s, 13.90 txs/block | 103506 |  |",
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("table lacks %q:\n%s", line, got)
		}
	}
	// Without a baseline the table has no "vs aries" column.
	sb.Reset()
	table(&sb, parse(strings.NewReader("BenchmarkPlain-2 \t 10\t 2000 ns/op\n"), 2))
	if want := "| benchmark | throughput | ns/op |\n|---|---|---|\n| Plain | 500000 ops/s | 2000 |\n"; sb.String() != want {
		t.Fatalf("table %q, want %q", sb.String(), want)
	}
}
