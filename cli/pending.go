package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
)

// txLine is the line that says where a write's transaction is: its height,
// or, while status is pending, that it is pending (never "height 0").
func txLine(hash string, height uint64, status string) string {
	if status == api.StatusPending {
		return fmt.Sprintf("tx %s pending", hash)
	}
	return fmt.Sprintf("tx %s at height %d", hash, height)
}

// notePending says on cmd's stderr, when status is pending, that the
// write's transaction hash is not committed yet and how to follow it.
func notePending(cmd *cobra.Command, status, hash string) {
	if status == api.StatusPending {
		fmt.Fprintln(cmd.ErrOrStderr(), "weid: "+say("cli.write.pending", "tx", hash))
	}
}

// printWrite prints v, a write's result, as g.print does, after saying on
// stderr whether it is pending (notePending). A write the node answered
// 202 (its block did not come within the node's commit wait) is accepted
// and most likely commits: the command prints its result as for a
// committed write — the DID or id a script reads from the first line —
// and exits 0. A non-zero status would make a script retry or give up on
// a write that commits all the same (a DID creation retried is refused as
// a duplicate once the first commits); a script that must wait runs
// weid tx show HASH until it says committed.
func printWrite(cmd *cobra.Command, g *globals, status, hash string, v any, text func(w io.Writer)) error {
	notePending(cmd, status, hash)
	return g.print(v, text)
}
