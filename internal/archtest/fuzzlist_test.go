package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakefile_FuzzesEveryTarget: every fuzz target in the tree is run by
// make fuzz (and so, shorter, by make test): three in credential were not,
// and nothing said so.
func TestMakefile_FuzzesEveryTarget(t *testing.T) {
	root := repoRoot(t)
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	recipe := fuzzRecipe(t, string(mk))
	target := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() && path != root {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module (compat/aries)
			}
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, m := range target.FindAllStringSubmatch(string(src), -1) {
			if !recipe["$(FUZZ) '^"+m[1]+"$$' ./"+filepath.ToSlash(rel)] {
				t.Errorf("%s (%s) is not in the Makefile's fuzz list: add \"\t$(FUZZ) '^%s$$' ./%s\"", m[1], path[len(root)+1:], m[1], filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fuzzRecipe returns the command lines of the Makefile's fuzz: target.
func fuzzRecipe(t *testing.T, mk string) map[string]bool {
	_, after, ok := strings.Cut(mk, "\nfuzz:\n")
	if !ok {
		t.Fatal("the Makefile has no fuzz: target")
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, "\t") {
			break // the recipe ends at the first line not indented by a tab
		}
		lines[strings.TrimSpace(l)] = true
	}
	return lines
}
