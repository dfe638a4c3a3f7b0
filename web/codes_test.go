package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/oid4vp"
)

// verifierPackages are the packages whose checks the pages and the CLI
// render from their codes.
var verifierPackages = []string{"../credential", "../oid4vp"}

// sourceFiles parses dir's Go files, tests aside.
func sourceFiles(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, pkg := range pkgs {
		files = append(files, slices.Collect(maps.Values(pkg.Files))...)
	}
	return fset, files
}

// reasonConstants reads every constant named Reason… in dir's Go files
// (tests aside): code → the constant's name. It reads the source, not a
// list, so that a code added without its texts cannot slip by.
func reasonConstants(t *testing.T, dir string) map[string]string {
	t.Helper()
	_, files := sourceFiles(t, dir)
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Reason") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Errorf("%s: %s is not a string literal", dir, n.Name)
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					out[v] = n.Name
				}
			}
		}
	}
	return out
}

// TestI18n_EveryReasonInThreeLanguages: every check code the verifiers can
// report (the Reason… constants of credential and oid4vp, read from their
// source) has its text in English, Simplified and Traditional Chinese, and
// is listed in credential.CheckCodes or oid4vp.VerdictCodes (which the
// other tests and the catalogue's own check go by).
func TestI18n_EveryReasonInThreeLanguages(t *testing.T) {
	tables := i18nTables(t)
	n := 0
	for _, dir := range verifierPackages {
		for code, name := range reasonConstants(t, dir) {
			n++
			if !slices.Contains(credential.CheckCodes, code) && !slices.Contains(oid4vp.VerdictCodes, code) {
				t.Errorf("%s (%s) is in neither credential.CheckCodes nor oid4vp.VerdictCodes", name, code)
			}
			for _, l := range languages {
				if strings.TrimSpace(tables[l]["reason."+code]) == "" {
					t.Errorf("reason.%s (%s): no %s text", code, name, l)
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("read %d Reason… constants: the parse missed some", n)
	}
}

// TestI18n_EveryCheckHasACode: no check of the verifiers is made without
// a code (a Check literal without Code), which the pages and the CLI
// could only render as "this check failed": each says its reason.
func TestI18n_EveryCheckHasACode(t *testing.T) {
	for _, dir := range verifierPackages {
		fset, files := sourceFiles(t, dir)
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				cl, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				if isCheckType(cl.Type) {
					checkHasCode(t, fset, cl)
				}
				if at, ok := cl.Type.(*ast.ArrayType); ok && isCheckType(at.Elt) {
					for _, e := range cl.Elts { // []Check{{Name: …}}
						if el, ok := e.(*ast.CompositeLit); ok && el.Type == nil {
							checkHasCode(t, fset, el)
						}
					}
				}
				return true
			})
		}
	}
}

// checkHasCode fails unless the Check literal cl, if not empty, sets
// its Code.
func checkHasCode(t *testing.T, fset *token.FileSet, cl *ast.CompositeLit) {
	t.Helper()
	if len(cl.Elts) == 0 {
		return
	}
	for _, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Code" {
				return
			}
		}
	}
	t.Errorf("%s: a check without a code", fset.Position(cl.Pos()))
}

// isCheckType reports whether e names credential.Check (Check inside
// package credential).
func isCheckType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "Check"
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == "credential" && x.Sel.Name == "Check"
	}
	return false
}

// problemSources are the packages that make problems of their own, outside
// the node (the Go client's proven answers, a batch line's refusal): the
// CLI renders them by their code as it does the node's.
var problemSources = []string{"../client", "../batch"}

// TestI18n_EveryProblemInThreeLanguages: every problem code a node can
// answer with (openapi.json's x-error-codes, as server/openapi_test.go
// keeps them in step with the source) and every code the client and the
// batch verifier make themselves has its "problem.<code>" text in English,
// Simplified and Traditional Chinese: without one the pages and the CLI
// could only say "the node refused the request" in Chinese.
func TestI18n_EveryProblemInThreeLanguages(t *testing.T) {
	tables := i18nTables(t)
	codes := map[string]string{}
	for _, c := range openAPIProblemCodes(t) {
		codes[c] = "openapi.json"
	}
	if len(codes) < 200 {
		t.Fatalf("openapi.json lists %d problem codes: the read missed some", len(codes))
	}
	for _, dir := range problemSources {
		for code, where := range literalCodes(t, dir) {
			codes[code] = where
		}
	}
	for _, code := range slices.Sorted(maps.Keys(codes)) {
		for _, l := range languages {
			if strings.TrimSpace(tables[l]["problem."+code]) == "" {
				t.Errorf("problem.%s (%s): no %s text", code, codes[code], l)
			}
		}
	}
}

// openAPIProblemCodes returns the problem codes server/openapi.json lists
// (the Problem schema's x-error-codes), which server/openapi_test.go keeps
// in step with the source.
func openAPIProblemCodes(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../server/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Problem struct {
					Codes []struct {
						Code string `json:"code"`
					} `json:"x-error-codes"`
				}
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range doc.Components.Schemas.Problem.Codes {
		codes = append(codes, c.Code)
	}
	return codes
}

// literalCodes reads the Code: "…" members of the composite literals in
// dir's Go files (tests aside): code → where it is made.
func literalCodes(t *testing.T, dir string) map[string]string {
	t.Helper()
	fset, files := sourceFiles(t, dir)
	out := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			id, ok := kv.Key.(*ast.Ident)
			lit, isLit := kv.Value.(*ast.BasicLit)
			if ok && id.Name == "Code" && isLit && lit.Kind == token.STRING {
				code, _ := strconv.Unquote(lit.Value)
				out[code] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	return out
}
