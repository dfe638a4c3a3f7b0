package cli

// The consent screen of "weid wallet present": what the citizen reads
// before the wallet sends anything, in the locale's language (say: the
// "cli.wallet.consent.*" texts of web/static/i18n.js); every piece of text
// in it that the verifier (or an issuer) wrote goes through shown, which
// escapes what a terminal would obey, and is put in the words, never
// translated.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weidgo/weid/wallet"
)

// shown is text someone else wrote, made safe to print on a terminal.
func shown(s string) string { return wallet.TerminalText(s, wallet.MaxShown) }

// describeRequest prints who asks for what and what the wallet will send:
// first the verifier's checked identity (its client_id), then its name in
// the trust registry, if it has one, and the name it gives itself.
func describeRequest(out io.Writer, s *wallet.Summary) {
	label := func(key string) string { return say("cli.wallet.consent." + key) }
	fmt.Fprintf(out, "%s\t%s %s\n", label("verifier"), shown(orDash(s.ClientID)), label("verified"))
	if s.Registered {
		fmt.Fprintf(out, "\t\t%s\n", say("cli.wallet.consent.registered", "name", shown(s.VerifierName)))
	}
	if s.ClientName == "" {
		fmt.Fprintf(out, "\t\t%s\n", label("noName"))
	} else {
		fmt.Fprintf(out, "\t\t%s\n", say("cli.wallet.consent.callsItself", "name", shown(s.ClientName)))
	}
	fmt.Fprintf(out, "%s\t%s\n", label("sendsTo"), shown(s.SendsTo))
	if s.Purpose != "" {
		fmt.Fprintf(out, "%s\t%s\n", label("purpose"), say("cli.wallet.consent.purposeText", "purpose", shown(s.Purpose)))
	}
	for _, a := range s.Asked {
		types := ""
		if len(a.Types) > 0 {
			types = say("cli.wallet.consent.ofType", "types", shown(strings.Join(a.Types, label("or"))))
		}
		fmt.Fprintf(out, "%s\t%s\n", label("asksFor"), say("cli.wallet.consent.asked", "query", shown(a.Query), "format", shown(a.Format), "types", types))
		for _, c := range a.Claims {
			fmt.Fprintf(out, "\t\t%s\n", say("cli.wallet.consent.claim", "claim", shown(c)))
		}
	}
	for _, p := range s.Presented {
		disclosed := make([]string, len(p.Disclosed))
		for i, d := range p.Disclosed {
			disclosed[i] = shown(d)
		}
		fmt.Fprintf(out, "%s\t%s\n", label("willSend"), say("cli.wallet.consent.sent", "query", shown(p.Query), "id", p.Credential, "format", p.Format, "claims", orDash(strings.Join(disclosed, ", "))))
		if p.Standing != "" {
			fmt.Fprintf(out, "\t\t%s\n", say("cli.wallet.consent.warning", "standing", statusText(p.Standing)))
		}
	}
}

// consentQuestion is the question asked before presenting: to whom, by
// its checked identity (and registered name).
func consentQuestion(s *wallet.Summary) string {
	who := shown(s.ClientID)
	if s.Registered {
		who = say("cli.wallet.consent.who", "name", shown(s.VerifierName), "id", who)
	}
	although := ""
	for _, p := range s.Presented {
		if p.Standing != "" {
			although += say("cli.wallet.consent.although", "id", p.Credential, "standing", statusText(p.Standing))
		}
	}
	return say("cli.wallet.consent.question", "who", who, "although", although)
}

// standingMark is a candidate's standing as the chooser shows it.
func standingMark(standing string) string {
	if standing == "" {
		return ""
	}
	return say("cli.wallet.consent.mark", "standing", statusText(standing))
}

// notInGoodStanding refuses, for a presentation without a question
// (--yes), a chosen credential known to be revoked, suspended or expired.
func notInGoodStanding(s *wallet.Summary) error {
	for _, p := range s.Presented {
		if p.Standing != "" {
			return errors.New(say("cli.wallet.consent.refused", "id", p.Credential, "query", shown(p.Query), "standing", statusText(p.Standing)))
		}
	}
	return nil
}

// standingOn is wallet.Standing with the node of nc as the verifier,
// asked once per credential.
func standingOn(ctx context.Context, nc wallet.CredentialVerifier) func(*wallet.Stored) string {
	known := map[string]string{}
	return func(sc *wallet.Stored) string {
		if s, ok := known[sc.ID]; ok {
			return s
		}
		known[sc.ID] = wallet.Standing(ctx, nc, sc, time.Now())
		return known[sc.ID]
	}
}
