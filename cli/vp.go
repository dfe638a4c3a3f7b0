package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/wallet"
)

func vpCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vp",
		Short: "Make presentations from the wallet's credentials and verify them",
		Long: `Verifiable presentations: the holder shows credentials from its wallet to a
verifier, proving with the wallet's key that it presents them to this verifier
(the domain) now (the challenge the verifier handed out).

A verifier gets a single-use challenge with "weid vp challenge"; the holder
makes the presentation with "weid vp create"; the verifier checks it with
"weid vp verify", which accepts a presentation carrying a challenge the node
issued only once.`,
	}
	cmd.AddCommand(vpCreateCmd(g), vpVerifyCmd(g), vpChallengeCmd(g))
	return cmd
}

func vpCreateCmd(g *globals) *cobra.Command {
	var dir, challenge, domain, passFile string
	var ids, disclose []string
	cmd := &cobra.Command{
		Use:   "create --credential ID [--credential ID...]",
		Short: "Make a presentation of wallet credentials, signed by the wallet's key",
		Long: `Make a presentation of credentials of the wallet (ids as "weid wallet list"
prints them) and print it. The wallet's key signs it locally, as the wallet's
holder DID; the key never leaves the wallet.

vc+jwt and Data Integrity credentials are presented in a vp+jwt: a compact
JWS (signed with the holder DID's verification method as "kid") of a VC 2.0
presentation holding them (a vc+jwt as an EnvelopedVerifiableCredential),
with the challenge as "nonce" and the domain as "aud".

An SD-JWT credential (dc+sd-jwt) is presented alone, as the SD-JWT itself
revealing only the claims named by --disclose (JSON pointers to selectively
disclosable claims, e.g. /credentialSubject/degree or /degree; none by
default), followed by a key-binding JWT signed by the wallet's key with
"nonce" the challenge and "aud" the domain: both are required, and the
credential must bind the wallet's key ("cnf", which the node sets when the
credential's subject is the wallet's DID).

The passphrase of the wallet's key comes from --passphrase-file, else
WEID_PASSPHRASE, else a prompt.`,
		Example: `  CHALLENGE=$(weid vp challenge --node http://127.0.0.1:8080)
  weid vp create --credential 3fa2b1c4d5e6 --challenge "$CHALLENGE" --domain https://verifier.example > vp.jwt
  weid vp create --credential 9c0d1e2f3a4b --disclose /credentialSubject/degree \
      --challenge "$CHALLENGE" --domain https://verifier.example > vp.sd-jwt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(ids) == 0 {
				return usageErr("cli.usage.credentialRequired")
			}
			w, err := openWallet(dir, passFile)
			if err != nil {
				return err
			}
			creds := make([]*wallet.Stored, 0, len(ids))
			for _, id := range ids {
				sc, err := pickCredential(w, id)
				if err != nil {
					return err
				}
				creds = append(creds, sc)
			}
			o := wallet.PresentationOptions{Challenge: challenge, Domain: domain, Disclose: disclose}
			err = wallet.CheckPresentation(creds, o)
			switch {
			case errors.Is(err, wallet.ErrDiscloseWhole):
				return usageErr("cli.usage.discloseSDJWT")
			case errors.Is(err, wallet.ErrNoBinding):
				return usageErr("cli.usage.kbNeedsChallenge")
			case err != nil:
				return err
			}
			p, err := w.Presentation(creds, o)
			if err != nil {
				return err
			}
			return g.print(p, func(out io.Writer) { fmt.Fprintln(out, p.Presentation) })
		},
	}
	cmd.Flags().StringVar(&dir, "wallet", "", walletFlagUsage)
	cmd.Flags().StringArrayVar(&ids, "credential", nil, "credential to present: its wallet id, a unique prefix, or its number in weid wallet list (repeatable)")
	cmd.Flags().StringVar(&challenge, "challenge", "", "the verifier's challenge (see weid vp challenge): the proof's nonce")
	cmd.Flags().StringVar(&domain, "domain", "", "the verifier's domain: the proof's audience (aud)")
	cmd.Flags().StringArrayVar(&disclose, "disclose", nil, "JSON pointer of an SD-JWT claim to reveal, e.g. /credentialSubject/degree (repeatable)")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the wallet key's passphrase (default: WEID_PASSPHRASE or a prompt)")
	return cmd
}

// presentationInput turns a file's bytes into the JSON of a presentation:
// a JSON value as is, anything else (a compact vp+jwt or SD-JWT) as a
// JSON string.
func presentationInput(raw []byte) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("the presentation is empty")
	}
	if raw[0] == '{' || raw[0] == '"' {
		if !json.Valid(raw) {
			return nil, errors.New("the presentation is not valid JSON")
		}
		return raw, nil
	}
	return json.Marshal(string(raw))
}

func vpVerifyCmd(g *globals) *cobra.Command {
	var challenge, domain string
	var requireAcc bool
	cmd := &cobra.Command{
		Use:   "verify FILE|-",
		Short: "Verify a presentation through the node; every check is printed",
		Long: `Verify a presentation (from a file, or - for standard input) through --node
(POST /presentations/verify): a compact vp+jwt, an SD-JWT with a key-binding
JWT, or a presentation as JSON. Prints each check of the presentation
(structure, holderProof, challenge, domain, credentials) and each check of
every credential in it; exits non-zero unless the presentation is verified.

--challenge and --domain are what the verifier asked for: the holder's proof
must carry them. A challenge the node issued ("weid vp challenge") is
accepted once: verifying the same presentation again fails the challenge
check.`,
		Example: `  weid vp verify vp.jwt --challenge "$CHALLENGE" --domain https://verifier.example`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := readInput(args[0])
			if err != nil {
				return err
			}
			vp, err := presentationInput(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			opts := map[string]any{"requireAccreditation": requireAcc}
			if challenge != "" {
				opts["challenge"] = challenge
			}
			if domain != "" {
				opts["domain"] = domain
			}
			res, _, err := g.client().VerifyPresentation(cmd.Context(), vp, opts)
			if err != nil {
				return err
			}
			v := userVoice()
			if err := g.print(res, func(w io.Writer) { printPresentationVerdict(w, v, res) }); err != nil {
				return err
			}
			return verdictErr(v, "presentation", res.Verdict)
		},
	}
	cmd.Flags().StringVar(&challenge, "challenge", "", "the challenge the holder's proof must carry")
	cmd.Flags().StringVar(&domain, "domain", "", "the domain (audience) the holder's proof must carry")
	cmd.Flags().BoolVar(&requireAcc, "require-accreditation", false, "fail unless each credential's issuer is an accredited authority issuer")
	return cmd
}

func vpChallengeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "challenge",
		Short: "Get a single-use challenge from the node for a presentation",
		Long: `Ask --node for a challenge (POST /challenges) and print it on one line (with
-o json, also when it expires). A holder puts it in a presentation ("weid vp
create --challenge"); the node accepts a presentation carrying it once, until
it expires.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ch, exp, err := g.client().Challenge(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(map[string]any{"challenge": ch, "expires": exp}, func(w io.Writer) { fmt.Fprintln(w, ch) })
		},
	}
}
