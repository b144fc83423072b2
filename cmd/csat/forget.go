package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

func init() { commands = append(commands, newForgetCmd) }

func newForgetCmd(g *globals) *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:   "forget customer|conversation ID",
		Short: "Erase a customer's or a conversation's text (right to be forgotten)",
		Long: `Erase text for good: the messages, notes, remarks and follow-up notes of
one conversation, or of every conversation of one customer (user:ID,
lead:ID, or a bare Intercom contact id for either). Each text becomes a
placeholder of the same length (░), so every count, score and decision
stays as it was, and csat check still passes. Ids, times and rating values
stay. The text is gone from the dashboard, the exports and every file of
the data directory once the command returns: the store is rebuilt beside
the data directory and swapped in (see the README, "Erasure").

The audit trail records who asked (--by, default your login name), what and
when, not the text. While another csat process (csat serve, the dashboard)
owns the data directory, the erasure runs inside it.

Exit status: 0 when done, 2 for an unknown id or an unusable data directory
(nothing changed), 1 when the erasure failed (nothing changed).`,
		Example: "  csat forget customer 6643703ffae7834d1792fd30\n  csat forget conversation 1296 --by dpo",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 || args[0] != "customer" && args[0] != "conversation" {
				return usageErr(fmt.Errorf("forget %q: want forget customer ID or forget conversation ID", strings.Join(args, " ")))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			e := domain.Erasure{By: by, At: time.Now().UTC()}
			if args[0] == "customer" {
				e.Customer = args[1]
			} else {
				e.Conversation = args[1]
			}
			if e.By == "" {
				e.By = loginName()
			}
			return runForget(g, e, c.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who asks for the erasure, for the audit trail (default: your login name)")
	return cmd
}

func runForget(g *globals, e domain.Erasure, out io.Writer) error {
	what := "conversation " + e.Conversation
	if e.Customer != "" {
		what = "customer " + e.Customer
	}
	st, release, err := useStore(g, false) // or the store of the csat process owning it (owner.go)
	if err != nil {
		return usageErr(err)
	}
	var done domain.Erased
	if g.owned != nil && g.owned.in != nil {
		g.owned.in.Pause(func() { done, err = st.Forget(simulate.ReplayInto, e) }) // no webhook plans meanwhile
	} else {
		done, err = st.Forget(simulate.ReplayInto, e)
	}
	dir := st.Dir()
	if cerr := release(); err == nil && cerr != nil {
		err = cerr
	}
	switch {
	case errors.Is(err, domain.ErrUnknownConversation), errors.Is(err, domain.ErrUnknownCustomer):
		return usageErr(fmt.Errorf("forget: %w", err))
	case err != nil:
		return failedErr(fmt.Errorf("forget %s: %w", what, err))
	}
	if done.Events == 0 {
		fmt.Fprintf(out, "%s: no text left to erase in %d conversations; the request is recorded (log entry %d)\n", what, len(done.Conversations), done.Seq)
		return nil
	}
	fmt.Fprintf(out, "forgot %s: the text of %d events in %d conversations is erased from %s; counts and scores are unchanged (log entry %d)\n",
		what, done.Events, len(done.Conversations), dir, done.Seq)
	return nil
}

// loginName names the account running the command, for the audit trail.
func loginName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}
