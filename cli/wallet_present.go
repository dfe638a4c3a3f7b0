package cli

// weid wallet present: the CLI wallet's side of OpenID for Verifiable
// Presentations 1.0, with wallet.VPClient.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/wallet"
)

func walletPresentCmd(g *globals, dir *string) *cobra.Command {
	var passFile string
	var picks []string
	var yes, optional, allowRevoked bool
	cmd := &cobra.Command{
		Use:   "present REQUEST_URI",
		Short: "Answer an OpenID4VP presentation request with credentials from the wallet",
		Long: `Answer a presentation request (OpenID for Verifiable Presentations 1.0):
REQUEST_URI is an openid4vp:// link with client_id and request_uri, as a
verifier's POST /v1/presentation-requests returns it or its QR code holds.

The wallet fetches the signed request object (request_uri must be https, or
plain http to a loopback host), checks that it is signed by a key of the
verifier's DID (client_id decentralized_identifier:<DID>; the DID is resolved
by the node of --node) and prints what is asked: by whom (first the client_id
the request is bound to, then the verifier's name in the node's trust
registry, if it is a recognized issuer, and the name it gives itself, as
"calls itself"), why (its purpose), and which credentials and claims. Text
the verifier wrote is shown with control characters, escape codes and bidi
overrides escaped (\x1b, \u202e, \n) and cut after 200 characters. It picks, for each credential query, the first
credential of the wallet that answers it (with --credential, of those
credentials only: the wallet id, a unique prefix of it, or the number
"weid wallet list" shows) — preferring one that --node does not report
revoked, suspended or expired (each credential that answers is sent to its
POST /credentials/verify, an SD-JWT without its disclosures); one that is, when
no other answers, is marked with a WARNING and, with --yes, refused unless
--allow-revoked is given —, and presents only what the request
needs: every query, or, when the request lists credential sets, for each
required set its first option the wallet can answer (optional sets only with
--optional). It discloses only the claims asked: an SD-JWT (dc+sd-jwt) reveals only those selectively disclosable
claims, with a key-binding JWT; a vc+jwt (jwt_vc_json) goes whole in a vp+jwt,
a Data Integrity credential (ldp_vc) whole in a Data Integrity presentation —
each bound to the request's nonce and client_id and signed by the wallet's
key. On a terminal, without --credential or --yes, when several credentials
answer a query it lists them and asks which to send. It then asks for
confirmation (on a terminal; --yes answers yes, as scripts must), posts the response (direct_post, or encrypted with
direct_post.jwt as the request asks) and prints the verifier's answer (a
redirect_uri that is not https is not shown, with a warning: the
presentation was accepted all the same). On
"no", the wallet tells the verifier that it declined (access_denied). The
screen, its question and what came of it are in the language of the locale
(LC_ALL, LC_MESSAGES or LANG: zh_CN; zh_HK, zh_MO, zh_TW; else English); what
the verifier wrote is shown as it wrote it.`,
		Example: `  weid wallet present 'openid4vp://?client_id=decentralized_identifier%3Adid%3Aweid%3A…&request_uri=https%3A%2F%2F…' --node https://weid.example`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := openWallet(*dir, passFile)
			if err != nil {
				return err
			}
			nc := g.client()
			vc := wallet.NewVPClient(nc)
			req, err := vc.FetchRequest(ctx, args[0])
			if err != nil {
				return presentFailed("fetchFailed", err)
			}
			warnWallet(cmd.ErrOrStderr(), w)
			held, err := heldCredentials(w, picks)
			if err != nil {
				return err
			}
			standing := standingOn(ctx, nc)
			if f, ok := cmd.InOrStdin().(*os.File); ok && !yes && len(picks) == 0 && term.IsTerminal(int(f.Fd())) {
				if held, err = chooseOnTerminal(ctx, f, nc, req, held, standing); err != nil {
					return err
				}
			}
			sels, selErr := wallet.SelectWith(req, held, wallet.SelectOptions{Optional: optional, Standing: standing})
			sum := wallet.Summarize(req, sels)
			if is, _, err := nc.Issuer(ctx, req.VerifierDID, "", 0); err == nil && is != nil && is.Name != "" {
				sum.VerifierName, sum.Registered = is.Name, true
			}
			if g.output != "json" {
				describeRequest(g.out, sum)
			}
			if selErr != nil {
				return presentFailed("cannotAnswer", selErr)
			}
			if yes && !allowRevoked {
				if err := notInGoodStanding(sum); err != nil {
					return err
				}
			}
			if !yes {
				ok, err := confirm(cmd.InOrStdin(), consentQuestion(sum))
				if err != nil {
					return err
				}
				if !ok {
					if err := vc.Decline(ctx, req); err != nil {
						return errors.New(say("cli.wallet.present.declineFailed", "why", err.Error()))
					}
					sum.Outcome = "declined"
					return g.print(sum, func(out io.Writer) { fmt.Fprintln(out, say("cli.wallet.present.declined")) })
				}
			}
			h, err := w.Holder()
			if err != nil {
				return err
			}
			out, err := vc.Present(ctx, req, sels, h)
			if err != nil {
				return presentFailed("postFailed", err)
			}
			sum.Outcome, sum.RedirectURI, sum.Warning = "accepted", out.RedirectURI, out.Warning
			if sum.Warning != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "weid: %s\n", say("cli.wallet.present.warning", "detail", sum.Warning))
			}
			return g.print(sum, func(out io.Writer) {
				fmt.Fprintln(out, say("cli.wallet.present.accepted"))
				if sum.RedirectURI != "" {
					fmt.Fprintln(out, say("cli.wallet.present.continueAt"), shown(sum.RedirectURI))
				}
			})
		},
	}
	cmd.Flags().StringArrayVar(&picks, "credential", nil, "present this credential (wallet id, unique prefix, or number in weid wallet list; repeatable), not the first that answers")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "present without asking (for scripts; required when stdin is not a terminal)")
	cmd.Flags().BoolVar(&allowRevoked, "allow-revoked", false, "with --yes, present a credential known to be revoked, suspended or expired when no other answers the request (refused otherwise)")
	cmd.Flags().BoolVar(&optional, "optional", false, "also answer the request's optional credential sets the wallet can")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the wallet key's passphrase (default: WEID_PASSPHRASE or a prompt)")
	return cmd
}

// heldCredentials are the wallet's credentials a presentation may choose
// from: all of them, or those picked by --credential.
func heldCredentials(w *wallet.Wallet, picks []string) ([]wallet.Stored, error) {
	if len(picks) == 0 {
		return w.Credentials()
	}
	var held []wallet.Stored
	seen := map[string]bool{}
	for _, p := range picks {
		sc, err := pickCredential(w, p)
		if err != nil {
			return nil, err
		}
		if seen[sc.ID] {
			return nil, errors.New(say("cli.wallet.pick.again", "arg", p, "id", sc.ID))
		}
		seen[sc.ID] = true
		held = append(held, *sc)
	}
	return held, nil
}

// candidates are, for each credential query of the request, the held
// credentials that answer it (as Select would read them), in the order
// held has them.
func candidates(req *oid4vp.Request, held []wallet.Stored) map[string][]wallet.Stored {
	out := map[string][]wallet.Stored{}
	for _, cq := range req.DCQL.Credentials {
		one := *req
		one.DCQL = &oid4vp.DCQL{Credentials: []oid4vp.CredentialQuery{cq}}
		for _, h := range held {
			if _, err := wallet.Select(&one, []wallet.Stored{h}); err == nil {
				out[cq.ID] = append(out[cq.ID], h)
			}
		}
	}
	return out
}

// chooseOnTerminal asks, for each credential query that more than one
// held credential answers, which of them to send, and returns held with
// the chosen ones first: Select takes, for each query, the first
// credential that answers it.
func chooseOnTerminal(ctx context.Context, in *os.File, nc *client.Client, req *oid4vp.Request, held []wallet.Stored, standing func(*wallet.Stored) string) ([]wallet.Stored, error) {
	cands := candidates(req, held)
	names := map[string]string{}
	issuerName := func(d string) string {
		if n, ok := names[d]; ok {
			return n
		}
		names[d] = d
		if is, _, err := nc.Issuer(ctx, d, "", 0); err == nil && is != nil && is.Name != "" {
			names[d] = is.Name
		}
		return names[d]
	}
	var chosen []wallet.Stored
	rd := bufio.NewReader(in)
	for _, cq := range req.DCQL.Credentials {
		cs := cands[cq.ID]
		if len(cs) < 2 {
			continue
		}
		fmt.Fprintln(os.Stderr, say("cli.wallet.present.choices", "n", strconv.Itoa(len(cs)), "query", shown(cq.ID)))
		for i, c := range cs {
			sc := c
			fmt.Fprintf(os.Stderr, "  %d) %s  %s  %s  %s  %s%s\n", i+1, c.ID, shown(mainType(c.Types)), shown(issuerName(c.Issuer)), say("cli.wallet.present.issued", "date", orDash(shown(day(c.Issued)))), orDash(claimsLine(subjectClaims(&sc), nil, 60)), standingMark(standing(&sc)))
		}
		for {
			fmt.Fprint(os.Stderr, say("cli.wallet.present.which", "n", strconv.Itoa(len(cs))))
			line, err := rd.ReadString('\n')
			if err != nil && line == "" {
				return nil, err
			}
			a := strings.TrimSpace(line)
			if a == "" {
				a = "1"
			}
			if n, err := strconv.Atoi(a); err == nil && n >= 1 && n <= len(cs) {
				chosen = append(chosen, cs[n-1])
				break
			}
		}
	}
	if len(chosen) == 0 {
		return held, nil
	}
	// The credentials passed over are left out, unless another query
	// needs them, so that SelectWith, which prefers a credential in good
	// standing, keeps to the one chosen.
	out := append([]wallet.Stored{}, chosen...)
	for _, h := range held {
		if !slices.ContainsFunc(chosen, func(c wallet.Stored) bool { return c.ID == h.ID }) && !passedOver(cands, h.ID) {
			out = append(out, h)
		}
	}
	return out, nil
}

// passedOver reports whether the credential id was offered as one of
// several for a query (and so not chosen, when it is not in chosen) and
// answers no query alone.
func passedOver(cands map[string][]wallet.Stored, id string) bool {
	offered := false
	for _, cs := range cands {
		if slices.ContainsFunc(cs, func(c wallet.Stored) bool { return c.ID == id }) {
			if len(cs) < 2 {
				return false
			}
			offered = true
		}
	}
	return offered
}

// confirm asks a yes/no question on the terminal; without one it refuses
// rather than guess.
func confirm(in io.Reader, question string) (bool, error) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, errors.New(say("cli.wallet.present.notTerminal"))
	}
	fmt.Fprint(os.Stderr, question)
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// presentFailed is err, the wallet's account of a request it could not
// fetch, answer or post an answer to (what: fetchFailed, cannotAnswer,
// postFailed), said in the locale's language with that account after it,
// labelled as English; still wrapping err, so that a node's or verifier's
// problem in it is said from its code (voice.problem). In English it is
// the wallet's account, prefixed "present: " but for cannotAnswer.
func presentFailed(what string, err error) error {
	if userLang() == langEN {
		if what == "cannotAnswer" {
			return err
		}
		return fmt.Errorf("present: %w", err)
	}
	return &saidError{say("cli.wallet.present."+what, "detail", err.Error()), err}
}

// saidError is an error said in the user's words that still wraps the
// error it says.
type saidError struct {
	said string
	err  error
}

func (e *saidError) Error() string { return e.said }
func (e *saidError) Unwrap() error { return e.err }
