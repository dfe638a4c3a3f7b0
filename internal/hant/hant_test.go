package hant

import "testing"

func TestSimplifiedOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"撤銷狀態：已撤銷", ""},
		{"簽發機構已發出憑證，驗證通過", ""},
		{"English only", ""},
		{"後面的里程", ""}, // characters both scripts share
		{"撤销", "销"},
		{"憑證已验证", "验"},
		{"数據", "数"},
	} {
		if got := SimplifiedOnly(c.in); got != c.want {
			t.Errorf("SimplifiedOnly(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
