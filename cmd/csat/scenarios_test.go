package main

import (
	"os"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/csat-app/csat/store"
)

// saveScenarioCmd is the scripts' save-scenario NAME BY FILE: what the
// simulator's S does in a session of csat serve, without a terminal.
func saveScenarioCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: save-scenario NAME BY FILE")
	}
	st, err := store.Open(store.Options{Dir: ts.Getenv("CSAT_DATA_DIR")})
	ts.Check(err)
	defer st.Close()
	script, err := os.ReadFile(ts.MkAbs(args[2]))
	ts.Check(err)
	err = st.SaveScenario(store.Scenario{Name: args[0], By: args[1], SavedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Script: string(script)})
	if neg != (err != nil) {
		ts.Fatalf("save-scenario: %v", err)
	}
}
