package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

func init() { commands = append(commands, newTeammatesCmd) }

func newTeammatesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "teammates",
		Short: "The roster: list teammates, add one, set a role",
		Long: `The roster names the teammates and their role: admins may change settings
and see scores when they are hidden; teammates may not. The first teammate
added to an empty roster is an admin. While another csat process owns the
data directory, these commands run inside it.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTeammatesListCmd(g), newTeammatesAddCmd(g), newTeammatesSetRoleCmd(g))
	return cmd
}

func newTeammatesListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the roster with each teammate's role and teams",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, release, err := useStore(g, true)
			if err != nil {
				return usageErr(err)
			}
			defer release()
			roster, err := st.Teammates()
			if err != nil {
				return failedErr(err)
			}
			return writeRoster(c.OutOrStdout(), roster, st.Teams())
		},
	}
}

func writeRoster(w io.Writer, roster []store.Teammate, teams []domain.Team) error {
	if len(roster) == 0 {
		fmt.Fprintln(w, "No teammates on the roster yet: csat teammates add NAME makes the first one, an admin.")
		return nil
	}
	rows := [][]string{{"TEAMMATE", "ROLE", "TEAMS"}}
	for _, tm := range roster {
		var in []string
		for _, t := range teams {
			if t.Has(tm.Name) {
				in = append(in, t.ID)
			}
		}
		list := strings.Join(in, " ")
		if list == "" {
			list = "—"
		}
		rows = append(rows, []string{safetext.Line(tm.Name), tm.Role.String(), safetext.Line(list)})
	}
	return writeTable(w, rows)
}

func newTeammatesAddCmd(g *globals) *cobra.Command {
	var admin bool
	cmd := &cobra.Command{
		Use:     "add NAME [--admin]",
		Short:   "Add a teammate to the roster (the first one is an admin)",
		Example: "  csat teammates add alice\n  csat teammates add bob --admin",
		Args:    exactArgs(1, "teammates add: want one NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			return setRole(g, c.OutOrStdout(), args[0], func(roster []store.Teammate) (domain.Role, error) {
				for _, tm := range roster {
					if tm.Name == args[0] {
						return 0, usageErr(fmt.Errorf("%s is on the roster already (%s): csat teammates set-role %s admin|teammate changes the role", tm.Name, tm.Role, tm.Name))
					}
				}
				roles := map[string]domain.Role{}
				for _, tm := range roster {
					roles[tm.Name] = tm.Role
				}
				return domain.NewTeammateRole(roles, admin), nil
			})
		},
	}
	cmd.Flags().BoolVar(&admin, "admin", false, "make the teammate an admin")
	return cmd
}

func newTeammatesSetRoleCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "set-role NAME admin|teammate",
		Short:   "Change a teammate's role",
		Example: "  csat teammates set-role bob admin",
		Args:    exactArgs(2, "teammates set-role: want NAME admin|teammate"),
		RunE: func(c *cobra.Command, args []string) error {
			role, err := domain.ParseRole(args[1])
			if err != nil {
				return usageErr(err)
			}
			return setRole(g, c.OutOrStdout(), args[0], func(roster []store.Teammate) (domain.Role, error) {
				for _, tm := range roster {
					if tm.Name == args[0] {
						return role, nil
					}
				}
				return 0, usageErr(fmt.Errorf("%q is not on the roster: csat teammates add %s adds it", args[0], args[0]))
			})
		},
	}
}

// setRole records the role decide gives NAME, reading the roster in the
// same store the role is written to.
func setRole(g *globals, out io.Writer, name string, decide func([]store.Teammate) (domain.Role, error)) error {
	a, err := domain.ParseActor(name)
	if err != nil || !a.IsTeammate() {
		return usageErr(fmt.Errorf("teammate %q: want a name of [A-Za-z0-9_.-]+, not team, workflow or fin", name))
	}
	st, release, err := useStore(g, false)
	if err != nil {
		return usageErr(err)
	}
	defer release()
	roster, err := st.Teammates()
	if err != nil {
		return failedErr(err)
	}
	role, err := decide(roster)
	if err != nil {
		return err
	}
	if _, err := st.Apply(domain.Event{Kind: domain.EvRole, By: name, Role: role}); err != nil {
		return failedErr(err)
	}
	fmt.Fprintf(out, "%s is %s.\n", name, article(role))
	return nil
}

// exactArgs wants n arguments; otherwise it is a usage error saying usage.
func exactArgs(n int, usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr(errors.New(usage))
		}
		return nil
	}
}

func article(r domain.Role) string {
	if r == domain.RoleAdmin {
		return "an admin"
	}
	return "a teammate"
}
