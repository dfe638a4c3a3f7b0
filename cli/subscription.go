package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
)

func subscriptionCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "subscription", Short: "Have the node POST the ledger's events to a URL (webhooks)",
		Long: `Webhook subscriptions of the account of --token: the node POSTs each event
the filters keep to the URL, signed per Standard Webhooks (webhook-id,
webhook-timestamp, webhook-signature: HMAC-SHA256 under the secret), in order
and at least once, retrying with backoff and pausing after 10 failures.`}
	var req api.SubscriptionRequest
	create := &cobra.Command{
		Use:     "create URL",
		Short:   "Subscribe a URL; prints the secret (shown this once)",
		Example: `  weid subscription create https://backoffice.example.edu/hook --types 'grant.revoked,schema.*' --token "$UNI_TOKEN"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.URL = args[0]
			s, err := g.client().CreateSubscription(cmd.Context(), req)
			if err != nil {
				return err
			}
			return g.print(s, func(w io.Writer) {
				printSubscription(w, s)
				fmt.Fprintf(w, "secret    %s   (keep it: it is not shown again)\n", s.Secret)
			})
		},
	}
	f := create.Flags()
	f.StringSliceVar(&req.Types, "types", nil, "event types to deliver: exact, area.* or * (default all)")
	f.StringVar(&req.DID, "did", "", "deliver the events about this DID only")
	f.StringVar(&req.StatusList, "status-list", "", "deliver the events of this status list only")
	f.StringVar(&req.From, "from", "", "where to start: a cursor (after it), a height, or now (default)")
	f.StringVar(&req.Secret, "secret", "", "signing secret, whsec_ and base64 of 24 to 64 bytes (default: generated)")
	list := listCmd(g, "List the account's subscriptions", "subscriptions", (*client.Client).Subscriptions, func(w io.Writer, s api.Subscription) {
		fmt.Fprintf(w, "%s  %-6s  cursor %-14s delivered %-6d %s\n", s.ID, s.Status, s.Cursor, s.Delivered, s.URL)
	})
	show := &cobra.Command{Use: "show ID", Short: "Show a subscription: what it delivers, cursor, deliveries, failures, last error", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.client().Subscription(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.print(s, func(w io.Writer) { printSubscription(w, s) })
		}}
	setActive := func(use, short string, active bool) *cobra.Command {
		return &cobra.Command{Use: use + " ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				s, err := g.client().SetSubscriptionActive(cmd.Context(), args[0], active)
				if err != nil {
					return err
				}
				return g.print(s, func(w io.Writer) { printSubscription(w, s) })
			}}
	}
	del := &cobra.Command{Use: "delete ID", Short: "Stop and delete a subscription", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.client().DeleteSubscription(cmd.Context(), args[0]); err != nil {
				return err
			}
			return g.print(map[string]string{"deleted": args[0]}, func(w io.Writer) { fmt.Fprintln(w, "deleted", args[0]) })
		}}
	cmd.AddCommand(create, list, show, setActive("pause", "Pause a subscription's deliveries", false),
		setActive("resume", "Resume a subscription from its cursor, its failures cleared", true), del)
	return cmd
}

func printSubscription(w io.Writer, s *api.Subscription) {
	fmt.Fprintf(w, "id        %s\nurl       %s\n", s.ID, s.URL)
	// What the subscription delivers: without it a filter mistyped at
	// creation is invisible until events fail to come.
	types := "* (all)"
	if len(s.Types) > 0 {
		types = strings.Join(s.Types, ",")
	}
	fmt.Fprintf(w, "types     %s\n", types)
	if s.DID != "" {
		fmt.Fprintf(w, "did       %s\n", s.DID)
	}
	if s.StatusList != "" {
		fmt.Fprintf(w, "statusList %s\n", s.StatusList)
	}
	fmt.Fprintf(w, "status    %s\ncursor    %s\ndelivered %d\n", s.Status, s.Cursor, s.Delivered)
	if s.Paused != "" {
		fmt.Fprintf(w, "paused    %s\n", s.Paused)
	}
	if s.Failures > 0 || s.LastError != "" {
		fmt.Fprintf(w, "failures  %d, last: %s (%s)\n", s.Failures, s.LastError, s.LastAttempt)
	}
}
