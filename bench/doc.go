// Package bench holds weid's benchmarks (run them with "make bench", which
// prints a table). Each reports its throughput as a custom metric (for
// example "creations/s") beside ns/op; figures that are compared are
// measured in the same run, because shared machines are noisy.
package bench
