package cli

// weid wallet receive: the CLI wallet's side of OpenID for Verifiable
// Credential Issuance 1.0 (the pre-authorized code flow), with
// wallet.VCIClient.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/wallet"
)

func walletReceiveCmd(g *globals, dir *string) *cobra.Command {
	var pin, passFile string
	var count int
	cmd := &cobra.Command{
		Use:   "receive OFFER_URI",
		Short: "Receive credentials offered over OpenID4VCI and store them in the wallet",
		Long: `Redeem a credential offer (OpenID for Verifiable Credential Issuance 1.0,
pre-authorized code flow): OFFER_URI is an openid-credential-offer:// link
(with the offer by value, credential_offer=, or by reference,
credential_offer_uri=), as an institution's POST /v1/offers returns it or its
QR code holds.

The wallet fetches the issuer's metadata, redeems the code (with --pin when
the offer asks for a transaction code, which the institution sends another
way), gets a nonce, signs a key proof with the wallet's key (named by the
wallet's verification method) and stores the credential it receives, bound
to that key, once the node (--node) has verified it: all the credentials of
the answer, or none if one is refused. --count asks for several credentials
in one request (a batch; each with its own proof). Issuers must be https
(plain http only to a loopback host), and the wallet follows no redirect
from them: it sends the code, the PIN and the access token only to the
endpoints the offer and the issuer's metadata name (the error names where a
redirect went). Text the issuer wrote (its error_description) is shown with
control characters and escape codes escaped. An offer is redeemed once:
without a node that answers, nothing is redeemed. The issuer's answer is
written to the wallet's received/ directory before the node checks it and
leaves it once stored or refused: if the node stops answering after the
issuer did, or the command is killed meanwhile, it stays there, unverified,
to add with "weid wallet add --verify FILE" ("weid wallet list" names such
files). Its messages, and an issuer's OAuth error (with its code and the
issuer's words), are in the locale's language (LC_ALL, LC_MESSAGES or
LANG).`,
		Example: `  weid wallet receive 'openid-credential-offer://?credential_offer_uri=https%3A%2F%2F…' --pin 493817`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWallet(*dir, passFile)
			if err != nil {
				return err
			}
			if count < 1 || count > 10 {
				return errors.New(say("cli.wallet.receive.count"))
			}
			// The node verifies what the issuer sends; ask it first, so
			// that the offer, redeemed once, is not used up while
			// nothing could check what it brings.
			if _, err := g.client().Status(cmd.Context()); err != nil {
				why := err.Error()
				if hint := g.unreachable(err); hint != "" {
					why = hint
				}
				return errors.New(say("cli.receive.notRedeemed", "why", why))
			}
			got, stored, err := w.Receive(cmd.Context(), wallet.NewVCIClient(), g.client(), args[0], wallet.ReceiveOptions{TxCode: pin, Count: count})
			if err != nil && got == nil {
				return receiveFailed(err)
			}
			if err != nil {
				return g.receiveErr(got.Offer.CredentialIssuer, err)
			}
			res := map[string]any{"issuer": got.Offer.CredentialIssuer, "configuration": got.ConfigurationID, "format": got.Format, "credentials": stored}
			return g.print(res, func(out io.Writer) {
				for _, sc := range stored {
					fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", sc.ID, sc.Format, shown(mainType(sc.Types)), orDash(shown(sc.Issuer)))
				}
			})
		},
	}
	cmd.Flags().StringVar(&pin, "pin", "", "the offer's transaction code (PIN), when it asks for one")
	cmd.Flags().IntVar(&count, "count", 1, "how many credentials to ask for (a batch, each with its own key proof)")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the wallet key's passphrase (default: WEID_PASSPHRASE or a prompt)")
	return cmd
}

// receiveErr is the error of a receive that failed once the issuer had
// answered: nothing was stored. A refused credential is named in the
// user's language (the verifier's verdict in the words of "weid vc
// verify"; English keeps the wallet's own account), and a verifier node
// that does not answer is said to be the reason nothing was kept.
func (g *globals) receiveErr(issuer string, err error) error {
	v := userVoice()
	notStored := func(why string) error {
		return errors.New(say("cli.receive.notStored", "issuer", shown(issuer), "why", why))
	}
	var re *wallet.RefusedError
	var held *wallet.HeldError
	var ke *wallet.KeptError
	kept := errors.As(err, &ke)
	switch hint := g.unreachable(err); {
	case errors.As(err, &re) && v.english():
		return err
	case re != nil && re.Verdict != nil:
		which := say("cli.receive.credential", "n", strconv.Itoa(re.N), "of", strconv.Itoa(re.Of))
		return notStored(which + "：" + verdictErr(v, "credential", *re.Verdict).Error())
	case re != nil:
		which := say("cli.receive.credential", "n", strconv.Itoa(re.N), "of", strconv.Itoa(re.Of))
		return notStored(which + "：" + v.wallets(re.Err, "cli.receive.refused"))
	case hint != "" && kept: // the hint replaces the error, not where the answer is
		return notStored(hint + " — " + keptWhere(ke))
	case hint != "":
		return notStored(hint)
	case v.english():
		return err
	case errors.As(err, &held):
		return notStored(say("cli.wallet.held", "id", held.ID))
	case kept:
		return notStored(v.wallets(ke.Err, "") + " — " + keptWhere(ke))
	}
	return err
}

// keptWhere says where a receive kept the issuer's answer and how to store
// it, in the user's language.
func keptWhere(ke *wallet.KeptError) string {
	if userLang() == langEN {
		return ke.Where()
	}
	return say("cli.receive.kept", "files", strings.Join(ke.Files, ", "))
}

// wallets is err, said by the wallet in English, in v's language: a
// node's problem from its code, else the wallet's words labelled English,
// in the catalogue's text of key (with {detail}) if key is not "".
func (v voice) wallets(err error, key string) string {
	var ce *client.Error
	if errors.As(err, &ce) && ce.Code != "" {
		return v.problem(ce)
	}
	if key != "" {
		return say(key, "detail", err.Error())
	}
	return v.t("detail.english", nil) + "：" + err.Error()
}

// receiveFailed is the error of a receive that failed before the issuer
// sent credentials: a missing PIN, or an issuer's OAuth error (RFC 6749
// §5.2, OID4VCI §6.3, §8.3.1.2) said in the locale's language with its
// code and, labelled, the issuer's own words; English keeps the error as
// the wallet words it.
func receiveFailed(err error) error {
	if errors.Is(err, wallet.ErrTxCodeRequired) {
		return errors.New(say("cli.wallet.receive.needPin"))
	}
	var oe *oid4vci.Error
	if userLang() == langEN || !errors.As(err, &oe) {
		return fmt.Errorf("receive: %w", err)
	}
	text := say("cli.oauth.generic")
	if t := say("cli.oauth.code." + oe.Code); t != "cli.oauth.code."+oe.Code {
		text = t
	}
	if oe.Description == "" {
		return errors.New(say("cli.wallet.receive.failed", "why", say("cli.oauth.noDetail", "text", text, "code", oe.Code)))
	}
	return errors.New(say("cli.wallet.receive.failed", "why", say("cli.oauth.withDetail", "text", text, "code", oe.Code, "detail", oe.Description)))
}
