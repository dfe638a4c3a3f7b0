// Package archtest keeps the arrows of weid's architecture pointing down.
// It has only tests (archtest_test.go), which read the import graph (go
// list) and fail when a package imports what its layer may not
// (TestImportRules), when a domain package or chain declares an HTTP
// handler (TestDomainServesNoHTTP), when a function in server/… is longer
// than 40 lines (TestServerFunctionsShort), when server/… holds more than
// 4,000 lines of Go besides its tests (TestServerSmall), or when server/…,
// oid4vci or oid4vp keep package-level state (TestNoPackageState); and they
// check that docs/architecture.md shows exactly these import rules
// (TestArchitecturePageShowsTheRules; go test ./internal/archtest -update
// rewrites that part of the page). TestMakefile_FuzzesEveryTarget
// (fuzzlist_test.go) fails when a fuzz target is missing from make fuzz.
package archtest
