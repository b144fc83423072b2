package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

func init() { commands = append(commands, newSimulateCmd) }

// simulateSubcommands lets other files add to the simulate group (load,
// whatif): append a builder in their init.
var simulateSubcommands []func(g *globals) *cobra.Command

func newSimulateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Run scenario scripts through the CSAT rules",
		Long: `Scenario scripts drive conversations through the CSAT rules like a screenplay
and check what happened (see SCENARIOS.md for the language).`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			c.SetOut(c.ErrOrStderr())
			_ = c.Help()
			return usageErr(errors.New("simulate needs a subcommand"))
		},
	}
	cmd.AddCommand(newSimulateRunCmd(g), newSimulateDiffCmd(g))
	for _, build := range simulateSubcommands {
		cmd.AddCommand(build(g))
	}
	return cmd
}

func newSimulateRunCmd(g *globals) *cobra.Command {
	var (
		dryRun, asJSON bool
		profile        string
	)
	cmd := &cobra.Command{
		Use:   "run [--dry-run] [--json] [--profile intercom|operator] FILE...",
		Short: "Run scenario scripts and check their expectations",
		Long: `Run scenario scripts, print one line per command with the decision and its
reasons, and check every expect line. Each file runs on its own workspace, its
clock starting at 2026-01-01T00:00:00Z.

Exit status: 0 when every expectation held, 1 when one failed (each named by
FILE:LINE), 2 on a script error (FILE:LINE:COL).`,
		Example: "  csat simulate run simulate/testdata/examples/first-close.csat",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, files []string) error {
			var override *domain.Profile
			if c.Flags().Changed("profile") {
				p, err := domain.ParseProfile(profile)
				if err != nil {
					return usageErr(fmt.Errorf("--profile: %w", err))
				}
				override = &p
			}
			scripts, err := parseFiles(g, files, c.ErrOrStderr())
			if err != nil {
				return err
			}
			var onStep func(simulate.Step)
			if asJSON {
				onStep = (&simulate.JSONTrace{W: c.OutOrStdout()}).Step
			} else {
				onStep = (&simulate.HumanTrace{W: c.OutOrStdout(), Headers: len(scripts) > 1}).Step
			}
			return runScripts(g, scripts, dryRun, simulate.Options{Profile: override, OnStep: onStep}, c.OutOrStdout(), c.ErrOrStderr(), !asJSON)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "keep everything in memory: write nothing to the store")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per command instead of the readable trace")
	cmd.Flags().StringVar(&profile, "profile", "", "rule profile for the whole run, over the scripts' own profile lines: intercom or operator")
	return cmd
}

// runScripts runs each script on the backend openBackend gives. Failed
// expectations are collected and reported after every script ran; a script
// error stops at once.
func runScripts(g *globals, scripts []*simulate.Script, dryRun bool, opt simulate.Options, stdout, stderr io.Writer, summary bool) error {
	var failures []simulate.Failure
	expectations := 0
	for _, s := range scripts {
		b, closeBackend, err := openBackend(g, dryRun)
		if err != nil {
			return usageErr(err)
		}
		res, runErr := simulate.Run(s, b, opt)
		if runErr != nil {
			abandonBackend(b) // a script error writes nothing
		}
		closeErr := closeBackend()
		if runErr != nil {
			return scriptErr(stderr, runErr)
		}
		if closeErr != nil {
			return failedErr(fmt.Errorf("%s: %w", s.Name, closeErr))
		}
		failures = append(failures, res.Failures...)
		expectations += res.Expectations
	}
	for _, f := range failures {
		fmt.Fprintln(stderr, f)
	}
	if summary {
		if len(failures) == 0 {
			fmt.Fprintf(stdout, "ok: %d expectations held\n", expectations)
		} else {
			fmt.Fprintf(stdout, "FAIL: %d of %d expectations failed\n", len(failures), expectations)
		}
	}
	if len(failures) > 0 {
		return failedErr(errors.New(""))
	}
	return nil
}

func newSimulateDiffCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "diff FILE",
		Short: "Show the commands whose outcome differs between the intercom and operator profiles",
		Long: `Run a scenario script in memory under each rule profile and print the lines
whose outcome differs. Differences are not failures: the exit status is 0,
or 2 on a script error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, files []string) error {
			scripts, err := parseFiles(g, files, c.ErrOrStderr())
			if err != nil {
				return err
			}
			diffs, err := simulate.Diff(scripts[0])
			if err != nil {
				return scriptErr(c.ErrOrStderr(), err)
			}
			return simulate.WriteDiff(c.OutOrStdout(), scripts[0].Name, diffs)
		},
	}
}

// scriptErr prints a script's errors as they are, FILE:LINE:COL first, so
// editors and CI can jump to them, and marks the run as bad input.
func scriptErr(stderr io.Writer, err error) error {
	fmt.Fprintln(stderr, err)
	return usageErr(errors.New(""))
}

// parseFiles reads and parses every file before anything runs, so a
// malformed script never half-runs. Script errors go to stderr.
func parseFiles(g *globals, files []string, stderr io.Writer) ([]*simulate.Script, error) {
	var scripts []*simulate.Script
	var errs []error
	failed := false
	for _, f := range files {
		src, err := os.ReadFile(g.abs(f))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s, err := simulate.Parse(f, src)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed = true
			continue
		}
		scripts = append(scripts, s)
	}
	if len(errs) > 0 {
		return nil, usageErr(errors.Join(errs...))
	}
	if failed {
		return nil, usageErr(errors.New(""))
	}
	return scripts, nil
}
