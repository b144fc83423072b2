package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
)

func init() { commands = append(commands, newTeamsCmd) }

func newTeamsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "teams",
		Short: "List teams, add teammates to a team or remove them",
		Long: `Teams group teammates for the leaderboard and the reports: a team's row is
the sum of its members' rows, so a teammate in two teams counts in both and
once in the workspace row. csat sync intercom keeps Intercom's teams; these
commands make and change teams for any store (simulated data included).
While another csat process owns the data directory, they run inside it.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTeamsListCmd(g), newTeamsChangeCmd(g, "add"), newTeamsChangeCmd(g, "remove"))
	return cmd
}

func newTeamsListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the teams with their members",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, release, err := useStore(g, true)
			if err != nil {
				return usageErr(err)
			}
			defer release()
			return writeTeams(c.OutOrStdout(), st.Teams())
		},
	}
}

func writeTeams(w io.Writer, teams []domain.Team) error {
	if len(teams) == 0 {
		fmt.Fprintln(w, "No teams yet: csat teams add TEAM MEMBER... makes one (csat sync intercom brings Intercom's).")
		return nil
	}
	// A team's name is any text (Intercom's, or typed): shown defused, and
	// laid out by the cells it takes (a CJK name is two a character).
	rows := [][]string{{"TEAM", "NAME", "MEMBERS"}}
	for _, t := range teams {
		members := strings.Join(t.Members, " ")
		if members == "" {
			members = "—"
		}
		rows = append(rows, []string{safetext.Line(t.ID), safetext.Line(t.Name), safetext.Line(members)})
	}
	return writeTable(w, rows)
}

func newTeamsChangeCmd(g *globals, verb string) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   verb + " TEAM MEMBER...",
		Short: "Add teammates to a team (making it if new)",
		Example: "  csat teams add billing alice bob --name \"Billing & Accounts\"\n" +
			"  csat teams remove billing bob",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 1 || verb == "remove" && len(args) < 2 {
				return usageErr(fmt.Errorf("teams %s: want TEAM MEMBER...", verb))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return changeTeam(g, c.OutOrStdout(), verb, args[0], name, args[1:])
		},
	}
	if verb == "add" {
		cmd.Flags().StringVar(&name, "name", "", "the team's display name (default: the one it has, else TEAM)")
	} else {
		cmd.Short = "Remove teammates from a team"
	}
	return cmd
}

func changeTeam(g *globals, out io.Writer, verb, team, name string, members []string) error {
	value := domain.TeamJoin
	if verb == "remove" {
		value = domain.TeamLeave
	}
	evs := []domain.Event{{Kind: domain.EvTeam, Conv: team, Text: name}}
	for _, m := range members {
		a, err := domain.ParseActor(m)
		if err != nil || !a.IsTeammate() {
			return usageErr(fmt.Errorf("member %q: want a teammate name ([A-Za-z0-9_.-]+, not team, workflow or fin)", m))
		}
		evs = append(evs, domain.Event{Kind: domain.EvTeam, Conv: team, Agent: a, Value: value})
	}
	st, release, err := useStore(g, false)
	if err != nil {
		return usageErr(err)
	}
	defer release()
	if _, err := st.ApplyBatch(evs); err != nil {
		if errors.Is(err, domain.ErrInvalid) || errors.Is(err, domain.ErrActor) {
			return usageErr(err)
		}
		return failedErr(err)
	}
	for _, t := range st.Teams() {
		if t.ID == team {
			return writeTeams(out, []domain.Team{t})
		}
	}
	return nil
}
