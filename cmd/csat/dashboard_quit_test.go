package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
	"github.com/csat-app/csat/tui"
)

// quitBound is how long quitting may take in a test before it counts as
// held; a prompt quit takes milliseconds.
const quitBound = 20 * time.Second

// Opening a large store whose tables are not in the page cache takes
// Badger many seconds (11.6 s for the 1M-rating store, cold). Quitting
// meanwhile ended the dashboard at once, but the process then waited for
// that open to finish, and for the store it opened to close, before it
// exited: q was held for as long. The open now finishes on its own and
// closes what it opened; quitting does not wait for it.
func TestQuitDoesNotWaitForTheStoreToOpen(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simulate.Load(context.Background(), st, simulate.LoadConfig{Teammates: 3, Conversations: 20, Days: 3, Seed: 1, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	first, err := store.OpenSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	release, returned := make(chan struct{}), make(chan struct{})
	late := &lateStore{dir: dir, logger: log.New(io.Discard, "", 0)}
	late.openWith = func(o store.Options) (*store.Store, error) {
		<-release // a cold open of a large store
		return store.Open(o)
	}
	m, err := tui.New(tui.Options{Store: first, Viewer: "ada", Renderer: lipgloss.NewRenderer(io.Discard), NoLive: true, Tick: -1,
		Open: func() (tui.Source, error) { defer close(returned); return late.open() }})
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Leaderboard")) }, teatest.WithDuration(quitBound))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")}) // the conversations wait for the whole store
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(quitBound))

	closed := make(chan struct{})
	go func() { // what runDashboard does after the dashboard ends
		m.Close()
		first.Close()
		late.close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(quitBound):
		t.Error("quitting waited for the store's open to finish")
	}
	close(release)
	<-returned
	<-closed
	again, err := store.Open(store.Options{Dir: dir}) // the late open closed what it opened
	if err != nil {
		t.Fatalf("the store the late open opened was left open: %v", err)
	}
	again.Close()
}
