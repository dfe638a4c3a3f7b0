package cli

// What the CLI says when the user, or the machine, got something wrong: an
// unknown subcommand, a --node that is not a URL, a node that is not
// running. Each is one line on stderr and a non-zero exit.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/web"
)

// refuseUnknownSubcommands makes every command that only groups others
// (weid, weid vc, weid wallet, …) fail on an argument that is none of its
// subcommands, suggesting the nearest ones, instead of printing its help
// and exiting 0 as cobra does below the root: a script that typed
// "weid vc isue" must stop there. Without arguments it still prints its
// help.
func refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		refuseUnknownSubcommands(c)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		return unknownSubcommand(c, args[0])
	}
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
}

// helpCmd is "weid help [command]" that, unlike cobra's, fails on a
// command that does not exist (cobra prints "Unknown help topic" and the
// root's help, and exits 0).
func helpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return unknownSubcommand(cmd, rest[0])
			}
			cmd.InitDefaultHelpFlag()
			return cmd.Help()
		},
		// Completes command names, as cobra's help command does.
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// unknownSubcommand is the error for "weid PATH arg" where arg names no
// subcommand of PATH.
func unknownSubcommand(c *cobra.Command, arg string) error {
	path := c.CommandPath()
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's default, which SuggestionsFor does not apply itself
	}
	next := say("cli.usage.seeHelp", "help", path+" --help")
	if s := c.SuggestionsFor(arg); len(s) > 0 {
		for i := range s {
			s[i] = fmt.Sprintf("%q", path+" "+s[i])
		}
		next = say("cli.usage.didYouMean", "names", strings.Join(s, say("cli.usage.or")))
	}
	return errors.New(say("cli.usage.unknownCommand", "arg", arg, "cmd", path, "next", next))
}

// defaultNode is the --node default: $WEID_NODE, else the node this
// machine's WEID_LISTEN starts (so that one variable moves both the node
// and the CLI to another port), else client.DefaultNode.
func defaultNode() string {
	if v := os.Getenv("WEID_NODE"); v != "" {
		return v
	}
	if v := os.Getenv("WEID_LISTEN"); v != "" {
		if host, port, err := net.SplitHostPort(v); err == nil && port != "0" {
			switch host {
			case "", "0.0.0.0":
				host = "127.0.0.1"
			case "::":
				host = "::1"
			}
			return "http://" + net.JoinHostPort(host, port)
		}
	}
	return client.DefaultNode
}

// nodeURL checks and normalizes --node: HOST:PORT without a scheme is
// taken as http://HOST:PORT; anything else must be an http or https URL
// with a host (RFC 3986 §3), without query or fragment.
func nodeURL(s string) (string, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return "", usageErr("cli.usage.nodeEmpty", "example", client.DefaultNode)
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	bad := func(why string) (string, error) {
		return "", usageErr("cli.usage.badNode", "value", strconv.Quote(in), "why", say("cli.usage.badNode."+why), "example", client.DefaultNode)
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("parse")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("scheme")
	case u.Host == "" || u.Hostname() == "":
		return bad("host")
	case u.User != nil:
		return bad("userinfo")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return bad("query")
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil {
			return bad("port")
		}
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// unreachable says, for an error that is a refused connection, that no
// node runs at the URL that refused it (named once, as scheme://host), and
// how to start one or point at another; for a host name that does not
// resolve or a node that does not answer in time, that, with the URL
// once; "" for any other error. A URL other than --node's (an issuer, a
// verifier, a data holder's exchange service) is called a service, not the
// node: --node is no help there.
func (g *globals) unreachable(err error) string {
	base := ""
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			base = u.Scheme + "://" + u.Host
		}
	}
	node := ""
	if u, perr := url.Parse(g.node); perr == nil && u.Host != "" {
		node = u.Scheme + "://" + u.Host
	}
	service := base != "" && node != "" && base != node
	var de *net.DNSError
	switch {
	case base == "":
	case errors.As(err, &de) && de.IsNotFound && service:
		return say("cli.serviceNoHost", "base", base, "host", de.Name)
	case errors.As(err, &de) && de.IsNotFound:
		return say("cli.noHost", "base", base, "host", de.Name)
	case ue.Timeout() && service:
		return say("cli.serviceTimeout", "base", base)
	case ue.Timeout():
		return say("cli.timeout", "base", base)
	}
	if base != "" && node != "" && !service && closedUnanswered(err) {
		return say("cli.notWeid", "node", node)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return ""
	}
	switch {
	case base == "" && node == "":
		return say("cli.refused")
	case !service:
		return say("cli.noNode", "node", node)
	default:
		return say("cli.serviceRefused", "base", base)
	}
}

// closedUnanswered reports whether err is a connection closed or reset,
// or spoken to in something else than HTTP, before any HTTP answer came: a
// server that is no weid node (net/http says "EOF", "connection reset by
// peer", "server closed idle connection" or "malformed HTTP response").
func closedUnanswered(err error) bool {
	msg := err.Error()
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(msg, "server closed idle connection") || strings.Contains(msg, "malformed HTTP response")
}

// plural is n and noun, with noun's plural form (many) unless n is 1:
// plural(1, "access", "accesses") is "1 access".
func plural[N integer](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// integer is the counts plural takes.
type integer interface {
	~int | ~int32 | ~int64 | ~uint | ~uint32 | ~uint64
}

// listenHint names the catalogue's text that says how to pick another
// address for the node; serviceListenHint for another service (weid
// exchange serve).
const (
	listenHint        = "cli.listen.hint"
	serviceListenHint = "cli.listen.hintService"
)

// checkListen binds addr and lets it go, so that "weid node start" on a
// busy port fails before it opens, or creates, anything in the data
// directory.
func checkListen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(addr, err, listenHint)
	}
	return ln.Close()
}

// listenError says why a server cannot listen on addr and, with the text
// hint names, which flag or variable picks another address; any other
// error (a shutdown that timed out) it returns as it is.
func listenError(addr string, err error, hint string) error {
	var ae *net.AddrError
	key := ""
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EADDRINUSE):
		key = "cli.listen.inUse"
	case errors.Is(err, syscall.EACCES):
		key = "cli.listen.denied"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		key = "cli.listen.notHere"
	case errors.As(err, &ae):
		return errors.New(say("cli.listen.malformed", "addr", strconv.Quote(addr), "err", ae.Err, "hint", say(hint)))
	default:
		return err
	}
	return errors.New(say(key, "addr", addr, "hint", say(hint)))
}

// dataDirError says, when opening the data directory failed on its lock,
// that another node holds it (goleveldb locks the ledger and keystore
// databases with flock, which fails with EWOULDBLOCK).
func dataDirError(dir string, err error) error {
	if locked(err) {
		return errors.New(say("cli.dataLocked", "dir", absDir(dir)))
	}
	return err
}

// locked reports whether err is a database lock held by another process.
func locked(err error) bool {
	return errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN)
}

// absDir is dir made absolute, for messages (dir itself if that fails).
func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

// say is the catalogue's text of key (web/static/i18n.js, "cli.…") in the
// user's language (userLang), its {name} placeholders filled from the
// name, value pairs of vars.
func say(key string, vars ...string) string {
	m := make(map[string]string, len(vars)/2)
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	cat, err := web.Messages()
	if err != nil { // the embedded catalogue is checked by web's tests
		return key
	}
	return cat.T(userLang(), key, m)
}

// usageErr is the catalogue's text of key (see say) as an error: how a
// command was given its flags, in the user's language.
func usageErr(key string, vars ...string) error { return errors.New(say(key, vars...)) }

// saidLater is an error whose text is the catalogue's text of the key it
// is, said when read: a package-level error is made before the locale is
// read.
type saidLater string

func (k saidLater) Error() string { return say(string(k)) }

// needToken is the error of a command that needs an account's token and
// was given none; what ("issues", "issued") says what the account is for.
func needToken(what string) error {
	if what == "" {
		return usageErr("cli.usage.tokenRequired")
	}
	return usageErr("cli.usage.tokenRequired." + what)
}

// needFlags returns an error naming the first of the flags names that cmd
// was given empty ("--purpose is required: why the grantee may use the
// data"), said in the CLI's words before anything is sent: the node would
// refuse it naming a JSON member the user never typed.
func needFlags(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f != nil && strings.Trim(f.Value.String(), "[]") == "" {
			return errors.New(say("cli.usage.required", "flag", "--"+n, "usage", f.Usage))
		}
	}
	return nil
}

// inFlagWords returns err, a node's problem that names a JSON member the
// command sets from a flag, said with the flag: the user typed --signer,
// never "signer". Other errors are returned as they are.
func inFlagWords(cmd *cobra.Command, err error) error {
	var ce *client.Error
	if cmd == nil || !errors.As(err, &ce) {
		return err
	}
	if ce.Code == "request.malformed" && strings.Contains(ce.Detail, `in "signer"`) && cmd.Flags().Lookup("signer") != nil {
		c := *ce
		c.Detail = "give --signer, a DID of the token's account, or use an admin token"
		return &c
	}
	return err
}
