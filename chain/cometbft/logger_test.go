package cometbft

import (
	"bytes"
	"strings"
	"testing"
)

// TestLogger_UntimelyProposalsAtEveryLevel: under PBTS a validator whose
// clock is skewed loses its proposals (or votes nil on the others'), and
// CometBFT says so only at its info level; at weid's default (errors
// only) the operator saw nothing. The refusal is logged at every level,
// with what to check; other info lines stay filtered.
func TestLogger_UntimelyProposalsAtEveryLevel(t *testing.T) {
	for _, level := range []string{"", "error", "info"} {
		var buf bytes.Buffer
		l, err := newLogger(level, &buf)
		if err != nil {
			t.Fatal(err)
		}
		l = l.With("module", "consensus")
		l.Info("prevote step: Proposal is not timely; prevoting nil", "height", 7, "timestamp_difference", "-2.1s")
		l.Debug("prevote step: Proposal is timely", "height", 8)
		out := buf.String()
		if !strings.Contains(out, "Proposal is not timely") || !strings.Contains(out, "height=7") || !strings.Contains(out, "module=consensus") {
			t.Errorf("level %q: the untimely proposal is not logged:\n%s", level, out)
		}
		if !strings.Contains(out, "NTP") {
			t.Errorf("level %q: the line does not say what to check:\n%s", level, out)
		}
		if strings.Contains(out, "Proposal is timely") {
			t.Errorf("level %q: a debug line came through:\n%s", level, out)
		}
		buf.Reset()
		l.Info("committed state", "height", 9)
		if level != "info" && buf.Len() > 0 {
			t.Errorf("level %q: an ordinary info line came through: %s", level, buf.String())
		}
	}
}

// TestLogger_NoneIsSilent: --comet-log-level none logs nothing, the
// untimely-proposal line included.
func TestLogger_NoneIsSilent(t *testing.T) {
	var buf bytes.Buffer
	l, err := newLogger("none", &buf)
	if err != nil {
		t.Fatal(err)
	}
	l.With("module", "consensus").Info("prevote step: Proposal is not timely; prevoting nil", "height", 7)
	if buf.Len() > 0 {
		t.Fatalf("logged at level none: %s", buf.String())
	}
}
