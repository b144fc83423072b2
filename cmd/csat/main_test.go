package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this binary as the csat command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"csat":          func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
		"save-scenario": func() { os.Exit(saveScenarioMain()) },
	})
}

// scriptCmds are the commands the scripts have beside testscript's own;
// files of other platforms add theirs.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){"grepfiles": grepFiles}

// TestScripts runs the CLI end to end: testdata/script/*.txtar. Each script
// gets its own data directory, so none touches the real one; $EXAMPLES is
// the bundled example scripts, $INTERCOM the Intercom fixtures.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../simulate/testdata/examples")
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs("../../intercom/testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:  "testdata/script",
		Cmds: scriptCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CSAT_DATA_DIR", filepath.Join(env.WorkDir, "data"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "xdg"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("NO_COLOR", "1")
			env.Setenv("EXAMPLES", examples)
			env.Setenv("INTERCOM", fixtures)
			return nil
		},
	})
}
