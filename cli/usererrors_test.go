package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// freeAddr is a loopback address nothing listens on (a port just freed).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestCLI_UnknownSubcommandExitsNonZeroWithSuggestion: a mistyped
// subcommand, at the root or below it, is an error (exit 1, one line) that
// names the nearest subcommands, not help and exit 0.
func TestCLI_UnknownSubcommandExitsNonZeroWithSuggestion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"vc", "isue"}, `unknown command "isue" for "weid vc"; did you mean "weid vc issue"?`},
		{[]string{"isue"}, `unknown command "isue" for "weid"; did you mean "weid issuer"?`},
		{[]string{"wallet", "lst"}, `did you mean "weid wallet list"?`},
		{[]string{"node", "strat"}, `did you mean "weid node start"?`},
		{[]string{"authz", "grnat", "--token", "x"}, `did you mean "weid authz grant"?`},
		{[]string{"vc", "frobnicate"}, `unknown command "frobnicate" for "weid vc"; see "weid vc --help"`},
		{[]string{"help", "vc", "isue"}, `unknown command "isue" for "weid vc"; did you mean "weid vc issue"?`},
		{[]string{"help", "isue"}, `did you mean "weid issuer"?`},
		{[]string{"completion", "bsh"}, `did you mean "weid completion bash"`},
	} {
		expectCLIError(t, "weid "+strings.Join(tc.args, " "), tc.want, tc.args...)
	}
	// A group without arguments still shows its help, successfully.
	stdout, stderr, code := runChild(t, "vc")
	if code != 0 || !strings.Contains(stdout, "weid vc [command]") || stderr != "" {
		t.Errorf("weid vc: exit %d, stdout %q, stderr %q; want its help and exit 0", code, stdout, stderr)
	}
	stdout, stderr, code = runChild(t, "help", "vc", "issue")
	if code != 0 || !strings.Contains(stdout, "weid vc issue") || stderr != "" {
		t.Errorf("weid help vc issue: exit %d, stdout %q, stderr %q; want its help and exit 0", code, stdout, stderr)
	}
}

// TestCLI_NodeNotRunningSaysSo: a --node where nothing listens gets one
// line naming the URL once and how to start a node or point elsewhere;
// a --node without a scheme is taken as http://.
func TestCLI_NodeNotRunningSaysSo(t *testing.T) {
	t.Setenv("WEID_NODE", "")
	t.Setenv("WEID_LISTEN", "")
	addr := freeAddr(t)
	want := "weid: no weid node at http://" + addr + " — is it running? (`make run`, or set --node / WEID_NODE)\n"
	for _, node := range []string{"http://" + addr, addr, "http://" + addr + "/"} {
		_, stderr, code := runChild(t, "status", "--node", node)
		if code == 0 || stderr != want {
			t.Errorf("weid status --node %s: exit %d, stderr %q; want %q", node, code, stderr, want)
		}
	}
	// Deeper in a command, wrapped in its context, it still reads the same.
	_, stderr, code := runChild(t, "did", "resolve", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "--node", addr)
	if code == 0 || stderr != want {
		t.Errorf("weid did resolve: exit %d, stderr %q; want %q", code, stderr, want)
	}
	// WEID_NODE the same.
	t.Setenv("WEID_NODE", addr)
	if _, stderr, _ := runChild(t, "status"); stderr != want {
		t.Errorf("WEID_NODE=%s weid status: stderr %q; want %q", addr, stderr, want)
	}
}

// TestCLI_NodeHostUnknownSaysSo: a --node whose host does not resolve
// (.invalid never does, RFC 6761 §6.4) is one line naming it once.
func TestCLI_NodeHostUnknownSaysSo(t *testing.T) {
	const host = "weid-test.invalid"
	var de *net.DNSError
	if _, err := net.LookupHost(host); !errors.As(err, &de) || !de.IsNotFound {
		t.Skipf("this machine's resolver does not answer NXDOMAIN for %s: %v", host, err)
	}
	want := "weid: cannot reach http://" + host + ":8080: there is no host " + host + " (check --node / WEID_NODE)\n"
	if _, stderr, code := runChild(t, "status", "--node", host+":8080"); code == 0 || stderr != want {
		t.Errorf("exit %d, stderr %q; want %q", code, stderr, want)
	}
}

// TestCLI_DefaultNodeFollowsWEID_LISTEN: with WEID_LISTEN set and no
// WEID_NODE, the CLI talks to the node WEID_LISTEN starts, so that one
// variable moves a walkthrough to another port.
func TestCLI_DefaultNodeFollowsWEID_LISTEN(t *testing.T) {
	for _, tc := range []struct{ node, listen, want string }{
		{"", "", "http://127.0.0.1:8080"},
		{"", "127.0.0.1:8090", "http://127.0.0.1:8090"},
		{"", "0.0.0.0:8090", "http://127.0.0.1:8090"},
		{"", ":8090", "http://127.0.0.1:8090"},
		{"", "[::]:8090", "http://[::1]:8090"},
		{"", "127.0.0.1:0", "http://127.0.0.1:8080"},
		{"http://n.example:9", "127.0.0.1:8090", "http://n.example:9"},
	} {
		t.Setenv("WEID_NODE", tc.node)
		t.Setenv("WEID_LISTEN", tc.listen)
		if got := defaultNode(); got != tc.want {
			t.Errorf("WEID_NODE=%q WEID_LISTEN=%q: default node %q, want %q", tc.node, tc.listen, got, tc.want)
		}
	}
}

// TestCLI_BadNodeURLIsOneLine: a --node that cannot be a node's URL is
// refused in one line that says why, before anything is sent.
func TestCLI_BadNodeURLIsOneLine(t *testing.T) {
	for _, tc := range []struct{ node, want string }{
		{"ftp://127.0.0.1:8080", "the scheme must be http or https"},
		{"http://", "no host"},
		{":8080", "no host"},
		{"http://127.0.0.1:99999", "bad port"},
		{"http://127.0.0.1:8080/?x=1", "no query or fragment"},
		{"127.0.0.1:80 80", "it does not parse"},
	} {
		expectCLIError(t, "--node "+tc.node, `is not a node URL (`+tc.want+`)`, "status", "--node", tc.node)
	}
}

func TestNodeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:18090", "http://127.0.0.1:18090"},
		{"localhost:8080", "http://localhost:8080"},
		{"weid.example", "http://weid.example"},
		{"https://weid.example/", "https://weid.example"},
		{"https://weid.example/base/", "https://weid.example/base"},
		{" http://[::1]:8080 ", "http://[::1]:8080"},
	} {
		got, err := nodeURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("nodeURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzNodeURL: nodeURL never panics, and what it accepts is a URL it
// accepts again unchanged.
func FuzzNodeURL(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8080", "http://x", "https://a.b/c/", "ftp://x", ":1", "http://u@h", "[::1]:80", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := nodeURL(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("nodeURL(%q): a multi-line error %q", s, err)
			}
			return
		}
		again, err := nodeURL(u)
		if err != nil || again != u {
			t.Fatalf("nodeURL(%q) = %q, but nodeURL(%q) = %q, %v", s, u, u, again, err)
		}
	})
}

// TestNodeStart_BusyPortLeavesDataAlone: "weid node start" on a port in
// use fails saying which flag or variable picks another, and creates no
// data directory (no new chain) first.
func TestNodeStart_BusyPortLeavesDataAlone(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	data := filepath.Join(t.TempDir(), "data")
	addr := l.Addr().String()
	expectCLIError(t, "node start on a busy port", "cannot listen on "+addr+": the port is in use (another weid node?); pick another with --listen HOST:PORT or WEID_LISTEN=HOST:PORT",
		"node", "start", "--listen", addr, "--data", data)
	// A second node needs a data directory of its own too: the hint's
	// example says so, or following it only moves the refusal to data/.
	expectCLIError(t, "node start on a busy port, its hint", "WEID_LISTEN=127.0.0.1:8090 WEID_DATA=data-8090 make run",
		"node", "start", "--listen", addr, "--data", data)
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("the data directory %s was touched: %v", data, err)
	}
	t.Setenv("WEID_LISTEN", addr)
	expectCLIError(t, "node start with WEID_LISTEN on a busy port", "the port is in use", "node", "start", "--data", data)
	expectCLIError(t, "node start --listen without a port", `--listen "127.0.0.1" is not HOST:PORT (missing port in address)`,
		"node", "start", "--listen", "127.0.0.1", "--data", data)
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("the data directory %s was touched: %v", data, err)
	}
	// The exchange service says the same of its own --listen.
	expectCLIError(t, "exchange serve on a busy port", "cannot listen on "+addr+": the port is in use (another weid node?); pick another with --listen HOST:PORT",
		"exchange", "serve", "--dir", t.TempDir(), "--holder", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "--token", "t", "--listen", addr)
}

// TestNodeStart_LockedDataDirNamesIt: a second node on a data directory
// in use says so, naming the directory, instead of "open keystore:
// resource temporarily unavailable".
func TestNodeStart_LockedDataDirNamesIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node process; skipped with -short")
	}
	data := filepath.Join(t.TempDir(), "data")
	_, cmd := startNode(t, data)
	expectCLIError(t, "a second node on the same data", "another weid node is using "+data+": stop it, or start this one with another --data (WEID_DATA)",
		"node", "start", "--listen", "127.0.0.1:0", "--data", data)
	expectCLIError(t, "ledger verify --data of a running node", "another weid node is using "+data+": stop it, or verify through it with --remote",
		"ledger", "verify", "--data", data)
	stopNode(t, cmd)
	// Stopped, its ledger verifies; the genesis is one block ("1 block",
	// not "1 blocks").
	if out := mustCLI(t, "ledger", "verify", "--data", data); !strings.Contains(out, " 1 block, ") {
		t.Errorf("weid ledger verify --data: %q, want \" 1 block, \"", out)
	}
}

// TestPlural: counts read as English: "1 access", "2 accesses", "0 blocks".
func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{plural(1, "access", "accesses"), "1 access"},
		{plural(2, "access", "accesses"), "2 accesses"},
		{plural(uint64(0), "block", "blocks"), "0 blocks"},
		{plural(int64(1), "transaction", "transactions"), "1 transaction"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestMakeRun_SaysWhatTheFirstBuildDoes: make run prints one line saying
// what the (first) build does before building, then starts the node.
func TestMakeRun_SaysWhatTheFirstBuildDoes(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "-n", "run")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n run: %v\n%s", err, out)
	}
	s := string(out)
	say := strings.Index(s, `echo "building weid — the first build downloads and compiles dependencies, a few minutes"`)
	build := strings.Index(s, "go build")
	start := strings.Index(s, "node start")
	if say < 0 || build < say || start < build {
		t.Errorf("make run should say what it builds, build, then start the node; make -n run:\n%s", s)
	}
}

// TestCLI_HintsInUserLanguage: the CLI's own hints — no node at --node, a
// busy port — are written in the locale's language, from the pages'
// catalogue (web/static/i18n.js, "cli.…"), as verdicts and problems are.
func TestCLI_HintsInUserLanguage(t *testing.T) {
	t.Setenv("WEID_NODE", "")
	t.Setenv("WEID_LISTEN", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	addr := freeAddr(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct{ lang, noNode, inUse string }{
		{"zh_CN.UTF-8", "http://" + addr + " 上没有 weid 节点——它在运行吗？", "端口已被占用（另一个 weid 节点？）；请用 --listen HOST:PORT"},
		{"zh_HK.UTF-8", "http://" + addr + " 上沒有 weid 節點——它正在運行嗎？", "端口已被佔用（另一個 weid 節點？）；請用 --listen HOST:PORT"},
		{"en_US.UTF-8", "no weid node at http://" + addr, "the port is in use (another weid node?); pick another"},
	} {
		t.Setenv("LANG", tc.lang)
		expectCLIError(t, tc.lang+": status with no node", tc.noNode, "status", "--node", addr)
		expectCLIError(t, tc.lang+": node start on a busy port", tc.inUse,
			"node", "start", "--listen", busy.Addr().String(), "--data", filepath.Join(t.TempDir(), "data"))
	}
}

// TestCLI_UsageErrorsInTheUsersLanguage: a command typed wrong — an
// unknown flag, a flag without its value or with one it cannot read, a
// wrong number of arguments, an unknown subcommand, a required flag left
// out — is said in the locale's language with what the command takes,
// never in cobra's English or Go's words ("strconv.ParseInt").
func TestCLI_UsageErrorsInTheUsersLanguage(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	cases := []struct {
		args           []string
		en, zhCN, zhHK string
	}{
		{[]string{"did", "resolve"}, "weid did resolve takes 1 argument(s), not 0 (usage: weid did resolve DID [flags])", "weid did resolve 需要 1 个参数，而不是 0 个", "weid did resolve 需要 1 個參數，而不是 0 個"},
		{[]string{"did", "resolve", "a", "b"}, "not 2 (usage: weid did resolve DID [flags])", "而不是 2 个", "而不是 2 個"},
		{[]string{"did", "resolve", "x", "--frob", "1"}, `weid did resolve has no flag --frob (see "weid did resolve --help")`, "weid did resolve 没有 --frob 这个选项", "weid did resolve 沒有 --frob 這個選項"},
		{[]string{"did", "resolve", "x", "--node"}, "--node needs a value (usage: weid did resolve DID [flags])", "--node 后面需要一个值", "--node 後面需要一個值"},
		{[]string{"schema", "list", "--limit", "abc"}, `--limit takes a whole number; "abc" is not one`, "--limit 需要整数，“abc”不是", "--limit 需要整數，「abc」不是"},
		{[]string{"vc", "isue"}, `unknown command "isue" for "weid vc"; did you mean "weid vc issue"?`, "“weid vc”没有“isue”这个命令；您是不是要用 \"weid vc issue\"？", "「weid vc」沒有「isue」這個命令"},
		{[]string{"authz", "grant"}, "--grantee is required: ", "缺少 --grantee：", "缺少 --grantee："},
		{[]string{"account", "create", "ADMIN!"}, `weid account create takes no arguments, not "ADMIN!" (usage: weid account create [flags])`, "weid account create 不接受参数，“ADMIN!”是多余的", "weid account create 不接受參數，「ADMIN!」是多餘的"},
		{[]string{"foo"}, `unknown command "foo" for "weid"`, "“weid”没有“foo”这个命令", "「weid」沒有「foo」這個命令"},
		{[]string{"authz", "list"}, "give --grantor DID or --grantee DID", "请给出 --grantor DID 或 --grantee DID", "請給出 --grantor DID 或 --grantee DID"},
		{[]string{"exchange", "fetch"}, "--grant is required: file holding the grant (compact JWS)", "缺少 --grant：", "缺少 --grant："},
		{[]string{"exchange", "fetch", "--grant", "g.jws"}, "--key is required: key file of the grantee", "缺少 --key：", "缺少 --key："},
		{[]string{"vp", "create"}, "--credential is required: the wallet id", "缺少 --credential：", "缺少 --credential："},
		{[]string{"status", "-o", "yaml"}, `--output must be text or json, not "yaml"`, "--output 必须是 text 或 json，而不是 \"yaml\"", "--output 必須是 text 或 json，而不是 \"yaml\""},
		{[]string{"events", "tail", "--count", "-1"}, "--count must be 0 (follow until interrupted) or a number of events, not -1", "--count 必须是 0", "--count 必須是 0"},
		{[]string{"did", "resolve", "did:key:x", "--version-time", "yesterday"}, "--version-time must be RFC 3339", "--version-time 必须是 RFC 3339 格式", "--version-time 必須是 RFC 3339 格式"},
		{[]string{"wallet", "init", "--wallet", "/nonexistent/w", "--did", "did:weid:1:0xab"}, "--did and --key go together", "--did 和 --key 须一起给出", "--did 和 --key 須一起給出"},
		{[]string{"status", "--node", "ftp://127.0.0.1:8080"}, `--node "ftp://127.0.0.1:8080" is not a node URL (the scheme must be http or https): give one like http://127.0.0.1:8080`, "--node \"ftp://127.0.0.1:8080\" 不是节点的 URL（协议必须是 http 或 https）", "--node \"ftp://127.0.0.1:8080\" 不是節點的 URL（協定必須是 http 或 https）"},
		{[]string{"status", "--node", " "}, "--node is empty: give the node's URL", "--node 为空", "--node 為空"},
		{[]string{"localnet", "stop", "node0", "--dir", "/"}, `no node homes in /: run "weid localnet --dir /" first`, "/ 中没有节点目录", "/ 中沒有節點目錄"},
		{[]string{"ledger", "verify"}, "give --data DIR (a stopped node's data) or --remote (the node at --node)", "请给出 --data DIR", "請給出 --data DIR"},
	}
	for _, lang := range []string{"C.UTF-8", "zh_CN.UTF-8", "zh_HK.UTF-8"} {
		t.Setenv("LANG", lang)
		for _, tc := range cases {
			want := map[string]string{"C.UTF-8": tc.en, "zh_CN.UTF-8": tc.zhCN, "zh_HK.UTF-8": tc.zhHK}[lang]
			if stderr := expectCLIError(t, lang+" weid "+strings.Join(tc.args, " "), want, tc.args...); strings.Contains(stderr, "strconv") || strings.Contains(stderr, "arg(s)") ||
				lang != "C.UTF-8" && (strings.Contains(stderr, "unknown") || strings.Contains(stderr, "flag:") || strings.Contains(stderr, "invalid argument") || strings.Contains(stderr, "required")) {
				t.Errorf("%s weid %s: %q has the libraries' English", lang, strings.Join(tc.args, " "), stderr)
			}
		}
	}
}

// TestCLI_FlagErrorsInTheUsersLanguage: the CLI's own words for a flag
// left out or two that do not go together — a key file or a token, the
// token of an account — are in the locale's language.
func TestCLI_FlagErrorsInTheUsersLanguage(t *testing.T) {
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"zh_CN.UTF-8", []string{"缺少 --key：", "请给出 --key", "缺少 --token"}},
		{"zh_HK.UTF-8", []string{"缺少 --key：", "請給出 --key", "缺少 --token"}},
	} {
		setLocale(t, c.locale)
		_, _, err := loadKey("", "")
		out := err.Error() + "\n" + errKeyOrToken.Error() + "\n" + needToken("").Error() + "\n"
		checkChinese(t, c.locale, out, c.want)
		if m := regexp.MustCompile(`\b(give|required|is|the|or)\b`).FindString(out); m != "" {
			t.Errorf("%s: English %q left: %s", c.locale, m, out)
		}
	}
}

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestUnreachable_ServiceIsNotTheNode: an issuer's or a verifier's address
// that does not resolve or does not answer in time is not blamed on
// --node: the hint names the service's address, and --node only for the
// node's own.
func TestUnreachable_ServiceIsNotTheNode(t *testing.T) {
	walletEnv(t)
	g := &globals{node: "http://127.0.0.1:8080"}
	noHost := &net.DNSError{Name: "verifier.invalid", Err: "no such host", IsNotFound: true}
	for _, tc := range []struct {
		url       string
		err       error
		want, not string
	}{
		{"https://verifier.invalid/request/1", noHost, "check the address", "--node"},
		{"https://verifier.example/request/1", timeoutErr{}, "is that service running", "node"},
		{"http://127.0.0.1:8080/status", timeoutErr{}, "is the node running", "service"},
		{"http://127.0.0.1:8080/status", noHost, "--node", "check the address"},
	} {
		got := g.unreachable(fmt.Errorf("fetch the request object: %w", &url.Error{Op: "Get", URL: tc.url, Err: tc.err}))
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("%s, %v: %q; want %q, not %q", tc.url, tc.err, got, tc.want, tc.not)
		}
	}
}

// TestCLI_NotWeidAtNodeSaysSo: a --node where something listens but closes
// the connection without an HTTP answer (not a weid node) is one line
// saying that nothing weid answers there, not Go's "server closed idle
// connection" or "EOF".
func TestCLI_NotWeidAtNodeSaysSo(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := l.Addr().String()
	expectCLIError(t, "status of a server that is not weid", "nothing weid answers at http://"+addr+": it closed the connection without an HTTP answer", "status", "--node", addr)
}

// TestVCIssue_WithoutIssuerNamesInstance: a credential without "issuer"
// issued without --instance is refused before it is sent, saying both
// ways to name the issuer: --instance, or "issuer" in the file.
func TestVCIssue_WithoutIssuerNamesInstance(t *testing.T) {
	f := filepath.Join(t.TempDir(), "diploma.json")
	if err := os.WriteFile(f, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"id":"did:example:a"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	expectCLIError(t, "vc issue without issuer or --instance", f+` has no "issuer": issue it through an issuer instance of your account with --instance NAME (weid instance list), which puts in its DID, or set "issuer" to a DID of your account`,
		"vc", "issue", f, "--token", "t", "--node", freeAddr(t))
}

// TestVCVerify_RefusedInputNamesTheFile: a file the node refuses as no
// credential (a key file given by mistake) is named in the error.
func TestVCVerify_RefusedInputNamesTheFile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"type":"about:blank","title":"Bad Request","status":400,"code":"credential.unsupportedFormat","detail":"verifiableCredential must be a vc+jwt or SD-JWT"}`)
	}))
	defer srv.Close()
	f := filepath.Join(t.TempDir(), "alice.key")
	if err := os.WriteFile(f, []byte("not a credential\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LANG", "")
	t.Setenv("LC_ALL", "")
	expectCLIError(t, "vc verify of a key file", f+": verifiableCredential must be a vc+jwt or SD-JWT (credential.unsupportedFormat, HTTP 400)", "vc", "verify", f, "--node", srv.URL)
}
