package archtest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the rules in docs/architecture.md")

const module = "github.com/weidgo/weid"

// A rule forbids the packages it applies to from importing some others:
// directly (Imports), or at any depth (Deps), or anything outside an
// allowed list (Only: weid packages and other modules; the standard library
// is always allowed).
type rule struct {
	Pkgs   []string // patterns: "chain", "chain/..." (weid packages), "github.com/x/y/..." (modules)
	Forbid []string
	Deps   bool // Forbid applies to all dependencies, not only direct imports
	Only   []string
	Why    string
}

var (
	domain   = []string{"did", "did/weid", "authz", "schemas", "evidence", "grants", "status", "credential", "ldproof", "sdjwt", "jose", "batch", "oid4vci", "oid4vp", "events", "events/natsjs", "webhooks", "keys", "errs"}
	upper    = []string{"node", "keystore", "server/...", "client", "cli", "wallet", "exchange"}
	storage  = []string{"github.com/syndtr/goleveldb/...", "github.com/cometbft/cometbft/...", "chain/cometbft"}
	handlers = []string{"server/..."}
)

var rules = []rule{
	{Pkgs: []string{"chain/..."}, Forbid: append(slices.Clone(domain[:len(domain)-2]), upper...),
		Why: "the ledger knows no domain: each domain registers its transaction types with chain (did/weid.Register, …)"},
	{Pkgs: []string{"keys", "errs", "internal/strictjson", "internal/durable"}, Forbid: []string{"..."},
		Why: "the bottom layer imports no weid package"},
	{Pkgs: domain, Forbid: append(slices.Clone(upper), "github.com/go-chi/chi/v5/..."),
		Why: "domain packages know nothing of the node, its keystore, the HTTP layer or the CLI"},
	{Pkgs: []string{"client"}, Only: []string{"api", "txn", "did", "jose", "keys"},
		Why: "the Go SDK is the HTTP API and the wire types: an application links no node"},
	{Pkgs: []string{"client", "api", "txn"}, Deps: true, Forbid: append([]string{"chain", "node", "keystore"}, storage...),
		Why: "the SDK and its wire types never link the ledger, its store or CometBFT"},
	{Pkgs: []string{"api"}, Only: []string{"did", "txn", "keys", "errs", "jose", "github.com/gowebpki/jcs"},
		Why: "wire types are data: the standard library, DID documents, transactions, keys and problem codes"},
	{Pkgs: []string{"did"}, Forbid: []string{"chain", "chain/...", "did/weid"},
		Why: "DID documents need no ledger: the did:weid registry on the ledger is did/weid"},
	{Pkgs: []string{"txn"}, Only: []string{"keys", "errs", "internal/strictjson", "github.com/gowebpki/jcs"},
		Why: "the transaction envelope sits just above keys: SDKs and wallets sign with it"},
	{Pkgs: []string{"wallet"}, Forbid: append([]string{"chain", "chain/...", "node", "keystore", "server/..."}, storage...),
		Why: "the wallet talks to nodes over HTTP (client) and never imports the ledger or the node"},
	{Pkgs: handlers, Forbid: append([]string{"keystore"}, storage...),
		Why: "handlers reach state only through the node facade"},
	{Pkgs: []string{"node"}, Forbid: []string{"server/...", "client", "cli", "wallet"},
		Why: "the node is below its API"},
}

type pkg struct {
	ImportPath string
	Dir        string
	Imports    []string
	Deps       []string
	GoFiles    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// full turns a weid package pattern into an import path pattern.
func full(p string) string {
	if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
		return p
	}
	return module + "/" + p
}

func match(pattern, path string) bool {
	pattern = full(pattern)
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

func matchAny(patterns []string, path string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, path) })
}

func isStd(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

// TestImportRules fails on every import that breaks a rule.
func TestImportRules(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, r := range rules {
			if !matchAny(r.Pkgs, p.ImportPath) {
				continue
			}
			verb := "imports"
			if r.Deps {
				verb = "depends on"
			}
			for _, v := range violations(r, p) {
				t.Errorf("%s %s %s: %s", strings.TrimPrefix(p.ImportPath, module+"/"), verb, v, r.Why)
			}
		}
	}
}

// violations lists what p imports against r: each import, or for a
// dependency rule each forbidden pattern once.
func violations(r rule, p pkg) []string {
	var bad []string
	if r.Deps {
		for _, f := range r.Forbid {
			if slices.ContainsFunc(p.Deps, func(d string) bool { return match(f, d) }) {
				bad = append(bad, full(f))
			}
		}
		return bad
	}
	for _, imp := range p.Imports {
		if (r.Only != nil && !isStd(imp) && !matchAny(r.Only, imp)) || matchAny(r.Forbid, imp) {
			bad = append(bad, imp)
		}
	}
	return bad
}

// TestDomainServesNoHTTP: a domain package declares no HTTP handler; the
// HTTP layer is server's (and the exchange service's).
func TestDomainServesNoHTTP(t *testing.T) {
	for _, p := range listPackages(t) {
		if !matchAny(domain, p.ImportPath) && !match("chain/...", p.ImportPath) {
			continue
		}
		for _, f := range p.GoFiles {
			for _, fn := range handlerFuncs(t, filepath.Join(p.Dir, f)) {
				t.Errorf("%s: %s is an HTTP handler; handlers belong in server/…", filepath.Join(strings.TrimPrefix(p.ImportPath, module+"/"), f), fn)
			}
		}
	}
}

// handlerFuncs lists the functions of a file that take an
// http.ResponseWriter.
func handlerFuncs(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		for _, prm := range fd.Type.Params.List {
			if sel, ok := prm.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "ResponseWriter" {
				out = append(out, fd.Name.Name)
			}
		}
	}
	return out
}

// TestArchitecturePageShowsTheRules checks that docs/architecture.md
// carries these rules, as rulesMarkdown renders them.
func TestArchitecturePageShowsTheRules(t *testing.T) {
	path := filepath.Join(repoRoot(t), "docs", "architecture.md")
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- archtest:rules -->\n", "<!-- /archtest:rules -->"
	i, j := bytes.Index(page, []byte(begin)), bytes.Index(page, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("docs/architecture.md has no %q … %q block", strings.TrimSpace(begin), end)
	}
	want := rulesMarkdown()
	got := string(page[i+len(begin) : j])
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("docs/architecture.md's import rules differ from internal/archtest's; run go test ./internal/archtest -update\n got:\n%s\nwant:\n%s", got, want)
	}
	out := append(append(append([]byte{}, page[:i+len(begin)]...), want...), page[j:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func rulesMarkdown() string {
	var b strings.Builder
	b.WriteString("| packages | may not import | because |\n|---|---|---|\n")
	for _, r := range rules {
		what := "`" + strings.Join(r.Forbid, "`, `") + "`"
		switch {
		case slices.Equal(r.Forbid, []string{"..."}):
			what = "any weid package"
		case r.Only != nil:
			what = "anything but the standard library and `" + strings.Join(r.Only, "`, `") + "`"
		case r.Deps:
			what += ", at any depth"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", strings.Join(r.Pkgs, "`, `"), what, r.Why)
	}
	return b.String()
}

// maxHandlerLines bounds a function of the HTTP layer: a handler reads the
// request, calls the node and renders (issue 12).
const maxHandlerLines = 40

// TestServerFunctionsShort fails on a function in server/… longer than
// maxHandlerLines.
func TestServerFunctionsShort(t *testing.T) {
	for _, p := range listPackages(t) {
		if !match("server/...", p.ImportPath) {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				var body *ast.BlockStmt
				switch fn := n.(type) {
				case *ast.FuncDecl:
					body = fn.Body
				case *ast.FuncLit:
					body = fn.Body
				}
				if body == nil {
					return true
				}
				start, end := fset.Position(n.Pos()).Line, fset.Position(body.End()).Line
				if end-start+1 > maxHandlerLines {
					t.Errorf("%s:%d: a function of %d lines (at most %d in server)", rel(t, path), start, end-start+1, maxHandlerLines)
				}
				return false
			})
		}
	}
}

// maxServerLines bounds the HTTP layer as a whole (issue 12): routing,
// decoding and rendering, with the domain's work in node and below.
const maxServerLines = 4000

// TestServerSmall fails when the Go files (tests aside) of server/… hold
// more than maxServerLines lines.
func TestServerSmall(t *testing.T) {
	lines := 0
	for _, p := range listPackages(t) {
		if !match("server/...", p.ImportPath) {
			continue
		}
		for _, f := range p.GoFiles {
			b, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			lines += bytes.Count(b, []byte("\n"))
		}
	}
	if lines > maxServerLines {
		t.Errorf("server/… has %d lines of Go outside its tests (at most %d): move the work into node or the domain packages", lines, maxServerLines)
	}
	t.Logf("server/…: %d lines", lines)
}

// TestNoPackageState fails on package-level state in the packages that
// must keep it in values passed in (issue 12): a variable without an
// initializer (a sync.Map, a counter), or made at run time (make, new, &T{},
// a call). Read-only tables written as literals, compiled regular
// expressions, sentinel errors, embedded files and compile-time assertions
// are not state.
func TestNoPackageState(t *testing.T) {
	for _, p := range listPackages(t) {
		if !matchAny([]string{"server/...", "oid4vci", "oid4vp"}, p.ImportPath) {
			continue
		}
		for _, f := range p.GoFiles {
			path := filepath.Join(p.Dir, f)
			file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range packageVars(file) {
				t.Errorf("%s: package-level variable %s: keep state in a value passed in", rel(t, path), name)
			}
		}
	}
}

func packageVars(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		embedded := gd.Doc != nil && slices.ContainsFunc(gd.Doc.List, func(c *ast.Comment) bool { return strings.HasPrefix(c.Text, "//go:embed") })
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name == "_" || strings.HasPrefix(n.Name, "Err") || strings.HasPrefix(n.Name, "err") || embedded {
					continue
				}
				if i < len(vs.Values) && isTable(vs.Values[i]) {
					continue
				}
				out = append(out, n.Name)
			}
		}
	}
	return out
}

// isTable reports whether e makes a value that is read, never changed: a
// literal (but not of a sync or sync/atomic type, which exists to be
// changed), a function, or regexp.MustCompile(…).
func isTable(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit, *ast.FuncLit:
		return true
	case *ast.CompositeLit:
		sel, ok := e.Type.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		return !ok || pkg.Name != "sync" && pkg.Name != "atomic"
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && pkg.Name == "regexp" && sel.Sel.Name == "MustCompile"
	}
	return false
}

// TestPackageVars_FindsState: what TestNoPackageState reports, and what
// it lets through, on a file written for the purpose.
func TestPackageVars_FindsState(t *testing.T) {
	const src = `package p

//go:embed x
var embedded string

var (
	ErrGone    = errors.New("gone")
	table      = map[string]int{"a": 1}
	pattern    = regexp.MustCompile("a+")
	_          = fmt.Sprint
	offers     sync.Map
	offersLit  = sync.Map{}
	count      atomic.Int64
	cache      = make(map[string]int)
	current    = &T{}
	now        = time.Now()
	handlerFor = func() {}
)
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	got := packageVars(f)
	want := []string{"offers", "offersLit", "count", "cache", "current", "now"}
	if !slices.Equal(got, want) {
		t.Fatalf("packageVars = %v, want %v", got, want)
	}
}

func rel(t *testing.T, path string) string {
	r, err := filepath.Rel(repoRoot(t), path)
	if err != nil {
		return path
	}
	return r
}
