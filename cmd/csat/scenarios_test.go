package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/store"
	"github.com/csat-app/csat/tui"
)

// saveScenarioMain is the scripts' save-scenario NAME BY FILE: what the
// simulator's S does in a session of csat serve, without a terminal. It is
// a program of its own, not a command inside the test process: a store
// opened there holds the data directory's lock in a descriptor that every
// process the other scripts start at that moment inherits until it execs,
// and under load that outlived the close and failed the script's next
// csat command with "in use by another csat process".
func saveScenarioMain() int {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: save-scenario NAME BY FILE")
		return 2
	}
	err := saveScenario(os.Getenv("CSAT_DATA_DIR"), os.Args[1], os.Args[2], os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "save-scenario:", err)
		return 1
	}
	return 0
}

func saveScenario(dir, name, by, file string) error {
	script, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		return err
	}
	err = st.SaveScenario(store.Scenario{Name: name, By: by, SavedAt: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Script: string(script)})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
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
