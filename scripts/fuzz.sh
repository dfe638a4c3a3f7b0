#!/usr/bin/env bash
# fuzz.sh FUZZTIME TARGET PACKAGE: runs fuzz target TARGET (a regexp such as
# '^FuzzDecodeTx$') of PACKAGE (./dir, from the repository root) for FUZZTIME
# executions — what "go test -run '^$' -fuzz TARGET -fuzztime FUZZTIME
# -fuzzminimizetime 2s PACKAGE" does, with the same corpus and cache — but
# with the package's fuzzing test binary built once into bin/fuzz and kept
# for its other targets. go test links a binary anew for every target, which
# took longer than most of make test's 10,000-execution runs (3–14 s a
# target on two cores). make fuzz empties bin/fuzz before and after its
# targets, so a binary is never older than the code it fuzzes.
set -euo pipefail
fuzztime=$1 target=$2 pkg=$3
go=${GO:-go}
root=$(pwd)
bin=$root/bin/fuzz/$(printf '%s' "${pkg#./}" | tr / _).test
if [ ! -x "$bin" ]; then
	mkdir -p "$root/bin/fuzz"
	"$go" test -c -fuzz . -o "$bin" "$pkg"
fi
module=$(awk '$1 == "module" { print $2; exit }' go.mod)
cache=$("$go" env GOCACHE)/fuzz/$module/${pkg#./}
cd "$pkg"
echo "fuzz $target $pkg ($fuzztime)"
exec "$bin" -test.run '^$' -test.fuzz "$target" -test.fuzztime "$fuzztime" -test.fuzzminimizetime 2s -test.fuzzcachedir "$cache" -test.paniconexit0
