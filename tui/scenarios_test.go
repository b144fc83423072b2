package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/store"
)

// shelfScript is a session as the simulator saves it; the remark holds an
// escape sequence that a teammate pasted, which the screen must not obey.
const shelfScript = "# saved from the csat simulator\n" +
	"clock 2026-01-05T09:00:00Z\n" +
	"start c1 user:customer1\n" +
	"say c1 user:customer1 \"The export fails \x1b]0;owned\x07 every time\"\n" +
	"say c1 ada \"Looking at it\"\n" +
	"close c1 ada\n" +
	"expect skipped too_short\n"

// saveShelfScenarios keeps two scenarios in st, as sessions of csat serve would.
func saveShelfScenarios(t testing.TB, st *store.Store) {
	t.Helper()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	for _, sc := range []store.Scenario{
		{Name: "drill-1", By: "ada", SavedAt: at, Script: shelfScript},
		{Name: "empty", By: "山田 太郎", SavedAt: at.Add(time.Hour), Script: "# saved from the csat simulator\n"},
	} {
		if err := st.SaveScenario(sc); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoldenScenarioShelf: the simulator's L lists the saved scenarios with
// the chosen one's script under them, its escape shown, not obeyed.
func TestGoldenScenarioShelf(t *testing.T) {
	st := fixtureStore(t)
	saveShelfScenarios(t, st)
	tm := teatest.NewTestModel(t, newTestModel(t, st, "ada"), teatest.WithInitialTermSize(100, 30))
	for _, k := range []string{"5", "L"} {
		tm.Send(keyMsg(k))
	}
	tm.Send(keyMsg("q")) // waits for the shelf's read like any key
	view := tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).View()
	assertNothingObeyed(t, view)
	golden.RequireEqual(t, []byte(view))
}

// TestScenarioShelfWritesAndLoadsLocally: the local dashboard writes the
// chosen scenario to a typed path byte for byte as stored, and loads it
// into the sandbox where the session left off.
func TestScenarioShelfWritesAndLoadsLocally(t *testing.T) {
	st := fixtureStore(t)
	saveShelfScenarios(t, st)
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, NoLive: true, Tick: -1, FileAccess: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	d := drive(t, m, 100, 30)
	d.keys("5", "?")
	d.contains("L saved scenarios")
	d.keys("?", "L")
	d.contains("2 saved scenarios", "drill-1", "empty", "w write to a file")
	path := filepath.Join(t.TempDir(), "drill.csat")
	d.keys("w", path, "enter")
	d.contains("wrote scenario drill-1 · replay with: ")
	if want := "wrote scenario drill-1 · replay with: csat simulate run " + path; d.m.flash != want {
		t.Errorf("flash %q, want %q…", d.m.flash, want)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(shelfScript)) {
		t.Fatalf("the file holds\n%q\nthe store\n%q", got, shelfScript)
	}
	d.keys("enter")
	d.contains("loaded scenario drill-1: 5 steps", "c1 1/1", "close c1 → skipped: too_short")
	d.keys("t", "one more", "enter", "S", filepath.Join(t.TempDir(), "again.csat"), "enter")
	d.contains("saved 6 steps")
}

// TestScenarioShelfWritesNoFileOverSSH: without file access (a session of
// csat serve) the shelf lists and loads, but w writes nothing and says where
// a file can be had; its help does not offer it.
func TestScenarioShelfWritesNoFileOverSSH(t *testing.T) {
	st := fixtureStore(t)
	saveShelfScenarios(t, st)
	dir := t.TempDir()
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("5", "L")
	d.contains("drill-1")
	d.lacks("write to a file")
	d.keys("w")
	d.contains("local dashboard only", "csat simulate scenarios show drill-1 > FILE")
	d.lacks("wrote scenario")
	d.lacks("write scenario to:")
	// Were a prompt open, this would be its path: it must reach no file.
	d.keys(filepath.Join(dir, "pwned"), "enter")
	if entries, err := os.ReadDir(dir); err != nil || len(entries) > 0 {
		t.Fatalf("the dashboard wrote into %s: %v %v", dir, entries, err)
	}
	if cmd := d.m.views[TabSimulator].(*simulator).writeScenario(filepath.Join(dir, "direct")); cmd != nil {
		if msg, ok := cmd().(flashMsg); !ok || !msg.err || !strings.Contains(msg.text, "writes no files") {
			t.Fatalf("writeScenario without file access: %+v", msg)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Fatalf("the dashboard wrote %v", entries)
	}
}
