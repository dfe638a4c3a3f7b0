package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
)

func eventsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "Follow the ledger's events"}
	var q client.EventQuery
	var count int
	tail := &cobra.Command{
		Use:   "tail",
		Short: "Print the ledger's events as they are committed",
		Long: `Print the events of the node at --node as blocks commit (GET /v1/events as
server-sent events): one line per event, "cursor type what" (with -o json,
one JSON event per line).

Events are derived from committed blocks, so every node gives the same ones;
an event's cursor (height.tx.event) orders them, and --from CURSOR resumes
right after it. --from takes a cursor, a height (from that block on) or now
(the default). --types keeps some types: exact (grant.revoked), by area
(did.*) or all (*). If the node cuts the stream off because this terminal fell
too far behind, tail resumes from the last event it printed.`,
		Example: `  weid events tail                                  # new events from now on
  weid events tail --from 0 --types 'did.*'         # every DID event since genesis
  weid events tail --did did:weid:1:0x… -o json     # one DID's events as JSON lines
  weid events tail --types status.changed --status-list my-list --count 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if count < 0 {
				return usageErr("cli.usage.eventsCount", "n", fmt.Sprint(count))
			}
			c := g.client()
			seen := 0
			errDone := errors.New("done")
			for {
				err := c.Events(cmd.Context(), q, func(e api.Event) error {
					if err := printEvent(g, e); err != nil {
						return err
					}
					q.From = e.Cursor
					if seen++; count > 0 && seen >= count {
						return errDone
					}
					return nil
				})
				var se *client.StreamError
				switch {
				case errors.Is(err, errDone):
					return nil
				case errors.As(err, &se) && se.Problem.Code == "events.slowConsumer" && se.LastEventID != "":
					fmt.Fprintf(os.Stderr, "weid: the node cut the stream off (too far behind); resuming after %s\n", se.LastEventID)
					q.From = se.LastEventID
				default:
					return err
				}
			}
		},
	}
	f := tail.Flags()
	f.StringSliceVar(&q.Types, "types", nil, "event types to keep: exact, area.* or * (comma-separated)")
	f.StringVar(&q.From, "from", "now", "where to start: a cursor (after it), a height, or now")
	f.StringVar(&q.DID, "did", "", "keep the events about this DID (subject, signer, grantor or grantee)")
	f.StringVar(&q.StatusList, "status-list", "", "keep the events of this status list")
	f.IntVar(&count, "count", 0, "stop after this many events (0: follow until interrupted)")
	cmd.AddCommand(tail)
	return cmd
}

// printEvent writes one event as a line: JSON with -o json, else its
// cursor, type and what it is about.
func printEvent(g *globals, e api.Event) error {
	if g.output == "json" {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(g.out, "%s\n", b)
		return err
	}
	_, err := fmt.Fprintf(g.out, "%-14s %-28s %s\n", e.Cursor, e.Type, eventSummary(e))
	return err
}

// eventSummary names what an event is about, in a few words.
func eventSummary(e api.Event) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("did", e.DID)
	add("change", e.Change)
	add("method", e.Method)
	add("newMethod", e.NewMethod)
	add("service", e.Service)
	if e.SchemaID != 0 {
		add("schema", fmt.Sprintf("%d v%d", e.SchemaID, e.SchemaVersion))
	}
	add("list", e.StatusList)
	add("purpose", e.Purpose)
	if len(e.Set)+len(e.Clear) > 0 {
		add("changed", fmt.Sprintf("+%d -%d", len(e.Set), len(e.Clear)))
	}
	add("grant", e.Grant)
	add("grantor", e.Grantor)
	add("grantee", e.Grantee)
	add("resource", e.Resource)
	add("evidence", e.Evidence)
	add("node", e.Node)
	if e.Type == api.EventBlockCommitted {
		add("block", e.BlockHash)
		add("txs", fmt.Sprint(e.TxCount))
	} else {
		add("tx", e.TxHash)
	}
	return strings.Join(parts, " ")
}
