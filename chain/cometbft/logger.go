package cometbft

import (
	"io"
	"os"
	"strings"

	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// untimely is how CometBFT's consensus begins the line that refuses a
// proposal under PBTS ("prevote step: Proposal is not timely; prevoting
// nil", at its info level).
const untimely = "Proposal is not timely"

// newLogger returns CometBFT's logger writing to w (stderr if nil) at
// level (error if empty), except that a proposal refused as untimely is
// logged at every level but none: it is the only sign of a validator clock that is
// off, which costs a round each time (README "Consortium", PBTS).
func newLogger(level string, w io.Writer) (cmtlog.Logger, error) {
	if w == nil {
		w = os.Stderr
	}
	if level == "" {
		level = "error"
	}
	opt, err := cmtlog.AllowLevel(level)
	if err != nil {
		return nil, err
	}
	all := cmtlog.NewTMLogger(cmtlog.NewSyncWriter(w))
	filtered := cmtlog.NewFilter(all, opt)
	if level == "none" {
		return filtered, nil
	}
	return timelyLogger{Logger: filtered, all: all}, nil
}

// timelyLogger is a filtered logger that lets untimely-proposal lines
// through, with a hint.
type timelyLogger struct {
	cmtlog.Logger               // filtered
	all           cmtlog.Logger // unfiltered, same With context
}

// Info implements cmtlog.Logger.
func (l timelyLogger) Info(msg string, kv ...any) {
	if strings.Contains(msg, untimely) {
		l.all.Info(msg+" (the proposer's clock or this node's is off by more than PBTS allows, or the proposal took longer than synchrony.message_delay to arrive: check NTP on both, and the network)", kv...)
		return
	}
	l.Logger.Info(msg, kv...)
}

// With implements cmtlog.Logger.
func (l timelyLogger) With(kv ...any) cmtlog.Logger {
	return timelyLogger{Logger: l.Logger.With(kv...), all: l.all.With(kv...)}
}

// notice returns the logger of l (newLogger's) that writes at every level
// but none, for the few lines an operator must see at the default level
// (error) without being errors: the peers the peer filter refuses.
func notice(l cmtlog.Logger) cmtlog.Logger {
	if t, ok := l.(timelyLogger); ok {
		return t.all
	}
	return l
}
