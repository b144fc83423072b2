package tui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/store"
)

// fixtureDir is the fixture written to a store on disk and closed, so
// that the directory holds a current counters summary.
func fixtureDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fillFixture(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// openingModel is a dashboard whose first frame comes from dir's counters
// summary; the whole store opens once release is closed, and opened is
// closed when that open has returned.
func openingModel(t *testing.T, dir string, release <-chan struct{}) (m *Model, opened <-chan struct{}) {
	t.Helper()
	first, err := store.OpenSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	var full *store.Store
	t.Cleanup(func() { full.Close() }) // after the model's Close: registered first
	done := make(chan struct{})
	open := func() (Source, error) {
		defer close(done)
		<-release
		full, err = store.Open(store.Options{Dir: dir})
		if err != nil {
			return nil, err
		}
		return full, nil
	}
	m, err = New(Options{Store: first, Open: open, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, StoreName: "fixture", NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, done
}

// The first frame of a large store waited for Badger to open every table
// (3.5 s on the realistic 1M-rating store): it now comes from the counters
// summary while the store opens, and a tab that needs the whole store
// waits for it. Once open, every tab reads as it did: the follow-ups come
// out as in their golden.
func TestFirstFrameComesBeforeTheStoreOpens(t *testing.T) {
	dir := fixtureDir(t)
	release := make(chan struct{})
	m, _ := openingModel(t, dir, release)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	out := tm.Output()
	teatest.WaitFor(t, out, func(b []byte) bool {
		return bytes.Contains(b, []byte("cleo")) && bytes.Contains(b, []byte("Leaderboard"))
	}, teatest.WithDuration(programBound))
	tm.Send(keyMsg("2"))
	close(release)
	// q quits at once while the store opens (TestQuitDoesNotWaitForTheStoresOpen)
	teatest.WaitFor(t, out, func(b []byte) bool { return bytes.Contains(b, []byte("claimed ada")) }, teatest.WithDuration(programBound))
	tm.Send(keyMsg("q"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(programBound))
	want, err := os.ReadFile(filepath.Join("testdata", "TestGoldenTabs", "followups_100x30.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if got := final.View(); got != string(want) {
		t.Errorf("follow-ups after the store opened:\n%s\nwant (the golden):\n%s", got, want)
	}
}

// A store that cannot be opened (in use, damaged) ends the dashboard with
// its error, after the first frame.
func TestStoreThatCannotOpenEndsTheDashboard(t *testing.T) {
	dir := fixtureDir(t)
	first, err := store.OpenSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	inUse := errors.New("the store is in use by another csat process")
	m, err := New(Options{Store: first, Open: func() (Source, error) { return nil, inUse }, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, NoLive: true, Tick: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d := drive(t, m, 100, 30)
	if !d.quit || !errors.Is(m.failed, inUse) {
		t.Fatalf("quit %v, failed %v; want the open's error to end the dashboard", d.quit, m.failed)
	}
}

// Quitting while the store is still opening ends the reads that wait for
// it instead of hanging the exit.
func TestQuitWhileTheStoreOpens(t *testing.T) {
	dir := fixtureDir(t)
	release := make(chan struct{})
	m, opened := openingModel(t, dir, release)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("cleo")) }, teatest.WithDuration(programBound))
	tm.Send(keyMsg("4")) // the conversations wait for the whole store
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(programBound))
	m.Close()
	if v := m.View(); !strings.Contains(v, "Conversations") {
		t.Errorf("the conversations tab was not shown:\n%s", v)
	}
	close(release) // the open still runs; it ends before the directory goes
	<-opened
}

// Once the whole store answers, the summary's copy of the counters is
// closed: a session holds one store, not two.
func TestSummaryIsClosedOnceTheStoreOpens(t *testing.T) {
	dir := fixtureDir(t)
	release := make(chan struct{})
	close(release)
	m, _ := openingModel(t, dir, release)
	d := drive(t, m, 100, 30)
	if !m.opening.retired {
		t.Fatal("the summary is still open after the store opened")
	}
	d.keys("2")
	d.contains("claimed")
	d.keys("1")
	d.contains("cleo")
	d.lacks("cannot")
}
