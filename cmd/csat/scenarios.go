package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

func init() { simulateSubcommands = append(simulateSubcommands, newScenariosCmd) }

func newScenariosCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios list|show NAME",
		Short: "List or print the simulator sessions saved by name in the store",
		Long: `The dashboard's simulator saves a session (S) as a named scenario in the
store when it may not write files, as in every session of csat serve. These
commands read them back, from the store or through the csat process that
owns it (csat serve, a dashboard).

  list        name, who saved it, when, and its length in lines
  show NAME   the script itself, ready for: csat simulate run FILE`,
		Example: "  csat simulate scenarios show drill-1 > drill-1.csat && csat simulate run drill-1.csat",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			c.SetOut(c.ErrOrStderr())
			_ = c.Help()
			return usageErr(errors.New("scenarios needs list or show NAME"))
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the saved scenarios",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			list, err := readScenarios(g)
			if err != nil {
				return err
			}
			return writeScenarioList(c.OutOrStdout(), list)
		},
	}, &cobra.Command{
		Use:   "show NAME",
		Short: "Print one saved scenario's script",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := store.ValidScenarioName(args[0]); err != nil {
				return usageErr(err)
			}
			sc, err := readScenario(g, args[0])
			if err != nil {
				return err
			}
			script := sc.Script
			if f, ok := c.OutOrStdout().(*os.File); ok && term.IsTerminal(f.Fd()) {
				// On a screen, not into a file: the script as it can be read.
				script = safetext.Text(script)
			}
			_, err = io.WriteString(c.OutOrStdout(), script)
			return err
		},
	})
	return cmd
}

func writeScenarioList(w io.Writer, list []store.Scenario) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, "no scenarios saved yet (the simulator's S saves one)")
		return err
	}
	rows := [][]string{{"NAME", "BY", "SAVED", "LINES"}}
	for _, sc := range list {
		by := sc.By
		if by == "" {
			by = "—"
		}
		rows = append(rows, []string{safetext.Line(sc.Name), safetext.Line(by), sc.SavedAt.UTC().Format(time.RFC3339), strconv.Itoa(strings.Count(sc.Script, "\n"))})
	}
	return writeTable(w, rows)
}

// scenarioStore is the store the scenarios are read from: the one this
// process owns for another csat command, or the data directory's, read-only.
func scenarioStore(g *globals) (*store.Store, func(), error) {
	if g.owned != nil {
		return g.owned.st, func() {}, nil
	}
	s, err := openStore(g, true)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	return s, func() { s.Close() }, nil
}

func readScenarios(g *globals) ([]store.Scenario, error) {
	s, done, err := scenarioStore(g)
	if err != nil {
		return nil, err
	}
	defer done()
	list, err := s.Scenarios()
	if err != nil {
		return nil, failedErr(err)
	}
	return list, nil
}

func readScenario(g *globals, name string) (store.Scenario, error) {
	s, done, err := scenarioStore(g)
	if err != nil {
		return store.Scenario{}, err
	}
	defer done()
	sc, ok, err := s.Scenario(name)
	if err != nil {
		return sc, failedErr(err)
	}
	if !ok {
		return sc, failedErr(fmt.Errorf("no scenario named %s in %s (csat simulate scenarios list shows them)", name, s.Dir()))
	}
	return sc, nil
}
