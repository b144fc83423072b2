package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/csat-app/csat/store"
	"github.com/csat-app/csat/tui"
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

// TestDashboardWritesAScenarioAsShowPrintsIt: the local dashboard's
// simulator (L, w, a path) writes a scenario saved over SSH, escape bytes
// and all, byte for byte as csat simulate scenarios show prints it.
func TestDashboardWritesAScenarioAsShowPrintsIt(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	st, err := store.Open(store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	script := "# saved from the csat simulator\nclock 2026-03-02T09:00:00Z\nstart c1 user:ann\n" +
		"say c1 user:ann \"=HYPERLINK(\x1b]0;owned\x07) \u202eevil\"\nclose c1 ada\nexpect skipped too_short\n"
	if err := st.SaveScenario(store.Scenario{Name: "drill-1", By: "ada", SavedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Script: script}); err != nil {
		t.Fatal(err)
	}
	m, err := tui.New(tui.Options{Store: st, Viewer: "ada", Renderer: lipgloss.NewRenderer(io.Discard), StoreName: "local", NoLive: true, Tick: -1, FileAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "drill-1.csat")
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	for _, k := range []string{"5", "L", "w"} {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(path)})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("wrote scenario drill-1")) }, teatest.WithDuration(20*time.Second))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
	m.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, shown, stderr := csat(t, "--data-dir", data, "simulate", "scenarios", "show", "drill-1")
	if code != 0 {
		t.Fatalf("scenarios show: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(written, []byte(shown)) || shown != script {
		t.Fatalf("the dashboard wrote\n%q\nscenarios show prints\n%q", written, shown)
	}
}
