package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/safetext"
)

func init() { commands = append(commands, newExportCmd) }

func newExportCmd(g *globals) *cobra.Command {
	var format, team string
	cmd := &cobra.Command{
		Use:   "export ratings|conversations [--team T] [--format csv|jsonl]",
		Short: "Write every rating slot or every conversation as CSV or JSON lines",
		Long: `Write the store's data for other tools, in conversation id order.

  ratings        one row per rating slot (conversation, rated agent): customer,
                 value (empty while unrated), class, comment, first rated, last
                 changed, requests sent, the follow-up stage, and the agent's
                 and customer's display names (agent and customer are keys:
                 a script's name, or Intercom's admin and contact ids)
  conversations  one row per conversation: customer, origin, channel, state,
                 times, length in characters, messages, customers, slots

Both end with the team the conversation is assigned to (Intercom's
team_assignee_id; team_name is its display name, the id while the team is
not known by name). --team keeps the rows of conversations assigned to that
team (id or display name). It differs from report --team, which counts a
team's members' ratings in any conversation.

Times are RFC 3339 in UTC. Hidden scores do not apply to exports. Opens the
store read-only.`,
		Example:   "  csat export ratings --format csv > ratings.csv",
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"ratings", "conversations"},
		RunE: func(c *cobra.Command, args []string) error {
			if format != "csv" && format != "jsonl" {
				return usageErr(fmt.Errorf("--format %q: want csv or jsonl", format))
			}
			s, err := openReader(g) // the store, or the csat serve that owns it (remote.go)
			if err != nil {
				return usageErr(err)
			}
			defer s.Close()
			w := newRowWriter(c.OutOrStdout(), format)
			assigned := func(id, name string) bool { return team == "" || id == team || name == team }
			if args[0] == "ratings" {
				err = s.Ratings(func(r report.RatingRow) error {
					if !assigned(r.Team, r.TeamName) {
						return nil
					}
					return w.write(r)
				})
			} else {
				err = s.Conversations(func(r report.ConversationRow) error {
					if !assigned(r.Team, r.TeamName) {
						return nil
					}
					return w.write(r)
				})
			}
			if err == nil {
				err = w.flush()
			}
			if err != nil {
				return failedErr(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "csv or jsonl")
	cmd.Flags().StringVar(&team, "team", "", "only conversations assigned to this team (id or display name)")
	return cmd
}

// rowWriter writes rows of the report contract as CSV (header first) or
// as one JSON object per line.
type rowWriter struct {
	csv    *csv.Writer
	json   *json.Encoder
	header bool
}

func newRowWriter(w io.Writer, format string) *rowWriter {
	if format == "jsonl" {
		return &rowWriter{json: json.NewEncoder(w)}
	}
	return &rowWriter{csv: csv.NewWriter(w)}
}

func (r *rowWriter) write(row any) error {
	if r.json != nil {
		return r.json.Encode(row)
	}
	if !r.header {
		r.csv.Write(report.CSVHeader(row))
		r.header = true
	}
	cells := report.CSVRecord(row)
	for i, c := range cells {
		cells[i] = safetext.Cell(c) // JSON lines keep the text as stored
	}
	return r.csv.Write(cells)
}

func (r *rowWriter) flush() error {
	if r.csv != nil {
		r.csv.Flush()
		return r.csv.Error()
	}
	return nil
}
