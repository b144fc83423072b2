package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
)

func init() { commands = append(commands, newExportCmd) }

func newExportCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export ratings|conversations [--format csv|jsonl]",
		Short: "Write every rating slot or every conversation as CSV or JSON lines",
		Long: `Write the store's data for other tools, in conversation id order.

  ratings        one row per rating slot (conversation, rated agent): customer,
                 value (empty while unrated), class, comment, first rated, last
                 changed, requests sent, the follow-up stage, and the agent's
                 and customer's display names (agent and customer are keys:
                 a script's name, or Intercom's admin and contact ids)
  conversations  one row per conversation: customer, origin, channel, state,
                 times, length in characters, messages, customers, slots

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
			w := newRecordWriter(c.OutOrStdout(), format)
			if args[0] == "ratings" {
				err = exportRatings(s, w)
			} else {
				err = exportConversations(s, w)
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
	return cmd
}

// recordWriter writes rows of named fields as CSV (header first) or as one
// JSON object per line.
type recordWriter struct {
	csv    *csv.Writer
	json   *json.Encoder
	header bool
}

func newRecordWriter(w io.Writer, format string) *recordWriter {
	if format == "jsonl" {
		return &recordWriter{json: json.NewEncoder(w)}
	}
	return &recordWriter{csv: csv.NewWriter(w)}
}

type field struct {
	name  string
	value any // string, int, bool or nil
}

func (r *recordWriter) write(fields []field) error {
	if r.json != nil {
		obj := make(map[string]any, len(fields))
		for _, f := range fields {
			obj[f.name] = f.value
		}
		return r.json.Encode(obj)
	}
	if !r.header {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		r.csv.Write(names)
		r.header = true
	}
	row := make([]string, len(fields))
	for i, f := range fields {
		switch v := f.value.(type) {
		case string:
			row[i] = safetext.Cell(v) // JSON lines keep v as stored
		case int:
			row[i] = strconv.Itoa(v)
		case bool:
			row[i] = strconv.FormatBool(v)
		}
	}
	return r.csv.Write(row)
}

func (r *recordWriter) flush() error {
	if r.csv != nil {
		r.csv.Flush()
		return r.csv.Error()
	}
	return nil
}

// stamp is an RFC 3339 UTC time, or nil (empty in CSV) when it never happened.
func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func customer(c *domain.Conversation) string {
	if len(c.Customers) == 0 {
		return ""
	}
	return c.Customers[0].String()
}

func exportRatings(s reader, w *recordWriter) error {
	return s.EachConversation(func(c domain.Conversation, _ time.Time) error {
		for _, sl := range c.Slots {
			var value, comment any
			if sl.Value != 0 {
				value = sl.Value
			}
			if sl.Commented {
				comment = sl.Comment
			}
			err := w.write([]field{
				{"conversation", c.ID}, {"agent", sl.Agent.String()}, {"agent_kind", agentKind(sl.Agent)},
				{"customer", customer(&c)}, {"value", value}, {"class", domain.ClassOf(sl.Value).String()},
				{"comment", comment}, {"first_rated", stamp(sl.FirstRatedAt)}, {"last_changed", stamp(sl.LastChangedAt)},
				{"first_requested", stamp(sl.FirstRequestAt)}, {"requests", sl.Requests}, {"followup", sl.FollowUp.Stage.String()},
				{"agent_name", s.DisplayName(sl.Agent)}, {"customer_name", customerName(s, &c)},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// customerName is the first customer's display name, or its key.
func customerName(s reader, c *domain.Conversation) string {
	if len(c.Customers) == 0 {
		return ""
	}
	return s.DisplayName(c.Customers[0])
}

func agentKind(a domain.Actor) string {
	if a.IsTeammate() {
		return "teammate"
	}
	return "bot"
}

func exportConversations(s reader, w *recordWriter) error {
	now := s.Now()
	return s.EachConversation(func(c domain.Conversation, updated time.Time) error {
		rated := 0
		for _, sl := range c.Slots {
			if sl.Value != 0 {
				rated++
			}
		}
		return w.write([]field{
			{"conversation", c.ID}, {"customer", customer(&c)}, {"audience", c.Audience.String()},
			{"origin", c.Origin.String()}, {"channel", c.Channel.String()}, {"state", c.StateAt(now).String()},
			{"started", stamp(c.StartedAt)}, {"updated", stamp(updated)}, {"closed", stamp(c.ClosedAt)},
			{"chars", c.Chars}, {"messages", c.Messages}, {"customers", len(c.Customers)},
			{"slots", len(c.Slots)}, {"rated", rated},
		})
	})
}
