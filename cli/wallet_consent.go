package cli

// The consent screen of "weid wallet present": what the citizen reads
// before the wallet sends anything. Its texts are in consentText, in one
// place, for a translation to replace; every piece of text in it that the
// verifier (or an issuer) wrote goes through shown, which escapes what a
// terminal would obey.

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weidgo/weid/wallet"
)

// consentText are the consent screen's words (English).
var consentText = struct {
	Verified, Registered, CallsItself, NoName, SendsTo, Purpose, AsksFor, OfType, Or, Claim, WillSend, Standing, StandingMark, Question, Although, Refused, Accepted, ContinueAt, Declined string
}{
	Verified:     "(checked: the request is signed by a key of this DID)",
	Registered:   "registered as %s (the node's trust registry)",
	CallsItself:  `calls itself "%s" (its own word, not checked)`,
	NoName:       "gives no name",
	SendsTo:      "Sends to:\t%s\n",
	Purpose:      "Purpose:\t\"%s\" (the verifier's words)\n",
	AsksFor:      "Asks for:\t%s: a %s credential",
	OfType:       " of type %s",
	Or:           " or ",
	Claim:        "\t\tclaim %s\n",
	WillSend:     "Will send:\t%s: credential %s (%s), disclosing %s\n",
	Standing:     "\t\tWARNING: this credential is %s: the verifier may refuse it, and it no longer proves what it says\n",
	StandingMark: "  (%s)",
	Question:     "Present these to %s%s? [y/N] ",
	Although:     ", although credential %s is %s",
	Refused:      "credential %s, the only one that answers \"%s\", is %s: the verifier may refuse it and it no longer proves what it says; give --allow-revoked to present it all the same",
	Accepted:     "Presented: the verifier accepted the presentation.",
	ContinueAt:   "Continue at:",
	Declined:     "Declined; the verifier was told.",
}

// shown is text someone else wrote, made safe to print on a terminal.
func shown(s string) string { return wallet.TerminalText(s, wallet.MaxShown) }

// describeRequest prints who asks for what and what the wallet will send:
// first the verifier's checked identity (its client_id), then its name in
// the trust registry, if it has one, and the name it gives itself.
func describeRequest(out io.Writer, s *wallet.Summary) {
	t := consentText
	fmt.Fprintf(out, "Verifier:\t%s %s\n", shown(orDash(s.ClientID)), t.Verified)
	if s.Registered {
		fmt.Fprintf(out, "\t\t"+t.Registered+"\n", shown(s.VerifierName))
	}
	if s.ClientName == "" {
		fmt.Fprintf(out, "\t\t%s\n", t.NoName)
	} else {
		fmt.Fprintf(out, "\t\t"+t.CallsItself+"\n", shown(s.ClientName))
	}
	fmt.Fprintf(out, t.SendsTo, shown(s.SendsTo))
	if s.Purpose != "" {
		fmt.Fprintf(out, t.Purpose, shown(s.Purpose))
	}
	for _, a := range s.Asked {
		fmt.Fprintf(out, t.AsksFor, shown(a.Query), shown(a.Format))
		if len(a.Types) > 0 {
			fmt.Fprintf(out, t.OfType, shown(strings.Join(a.Types, t.Or)))
		}
		fmt.Fprintln(out)
		for _, c := range a.Claims {
			fmt.Fprintf(out, t.Claim, shown(c))
		}
	}
	for _, p := range s.Presented {
		disclosed := make([]string, len(p.Disclosed))
		for i, d := range p.Disclosed {
			disclosed[i] = shown(d)
		}
		fmt.Fprintf(out, t.WillSend, shown(p.Query), p.Credential, p.Format, orDash(strings.Join(disclosed, ", ")))
		if p.Standing != "" {
			fmt.Fprintf(out, t.Standing, p.Standing)
		}
	}
}

// consentQuestion is the question asked before presenting: to whom, by
// its checked identity (and registered name).
func consentQuestion(s *wallet.Summary) string {
	who := shown(s.ClientID)
	if s.Registered {
		who = shown(s.VerifierName) + " (" + who + ")"
	}
	although := ""
	for _, p := range s.Presented {
		if p.Standing != "" {
			although += fmt.Sprintf(consentText.Although, p.Credential, p.Standing)
		}
	}
	return fmt.Sprintf(consentText.Question, who, although)
}

// standingMark is a candidate's standing as the chooser shows it.
func standingMark(standing string) string {
	if standing == "" {
		return ""
	}
	return fmt.Sprintf(consentText.StandingMark, standing)
}

// notInGoodStanding refuses, for a presentation without a question
// (--yes), a chosen credential known to be revoked, suspended or expired.
func notInGoodStanding(s *wallet.Summary) error {
	for _, p := range s.Presented {
		if p.Standing != "" {
			return fmt.Errorf(consentText.Refused, p.Credential, shown(p.Query), p.Standing)
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
