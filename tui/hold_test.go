package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Keys typed while the tab shown is loading act on what it loads, in order:
// a fast typist (or a script over SSH) gets what a slow read would give.
func TestKeysWaitForTheTabsLoad(t *testing.T) {
	m := newTestModel(t, fixtureStore(t), "ada")
	d := &driver{t: t, m: m}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	_, load := m.Update(keyMsg("2")) // the follow-ups' read, not run yet
	for _, k := range []string{"down", "c"} {
		if _, cmd := m.Update(keyMsg(k)); cmd != nil {
			t.Fatalf("%s ran while the tab was loading", k)
		}
	}
	if len(m.held) != 2 {
		t.Fatalf("%d keys held, want 2", len(m.held))
	}
	d.lacks("claimed · note:")
	d.run(load) // the read lands; down and c run on its rows
	d.contains("claimed · note:", "c21 → claimed")
	if len(m.held) != 0 {
		t.Fatalf("%d keys still held", len(m.held))
	}
}

// ctrl+c quits even while a read is running.
func TestForceQuitDoesNotWait(t *testing.T) {
	m := newTestModel(t, fixtureStore(t), "ada")
	m.Init() // the leaderboard's read, never run
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if cmd == nil {
		t.Fatal("ctrl+c was held")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c did not quit")
	}
}

// q quits while the tab shown waits for the store's first open (a cold
// open of a large store takes many seconds): it was held with the other
// keys and quit only once the store had opened. Typed after other held
// keys it waits with them, since one of them may open a field q is text
// for; and while an ordinary read runs it waits as every key does, so a
// script gets what a slow read would give.
func TestQuitDoesNotWaitForTheStoresOpen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  []string
		quits bool
	}{
		{"q", []string{"4", "q"}, true},
		{"q after a held /", []string{"4", "/", "q"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			m, _ := openingModel(t, fixtureDir(t), release)
			defer func() { close(release); m.open() }() // the open the program would run
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			var cmd tea.Cmd
			for _, k := range tc.keys { // the reads, never run: the store is still opening
				_, cmd = m.Update(keyMsg(k))
			}
			quits := cmd != nil
			if quits {
				_, quits = cmd().(tea.QuitMsg)
			}
			if quits != tc.quits {
				t.Errorf("%v while the store opens: quit %v, want %v", tc.keys, quits, tc.quits)
			}
		})
	}
	m := newTestModel(t, fixtureStore(t), "ada")
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(keyMsg("4")) // the conversations' read, not run yet
	if _, cmd := m.Update(keyMsg("q")); cmd != nil {
		t.Fatal("q ran before an ordinary read landed")
	}
}

// A read that starts after Close does nothing: the store may be closed.
func TestReadsAfterCloseDoNothing(t *testing.T) {
	m := newTestModel(t, fixtureStore(t), "ada")
	load := m.Init()
	m.Close()
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				run(c)
			}
		case nil:
		default:
			t.Fatalf("a read ran after Close: %#v", msg)
		}
	}
	run(load)
}

// The commands of keys released together run at once, so their flashes
// may land in any order: the last key's stays shown, as if they had been
// typed after the load.
func TestTheLastKeysFlashStaysWhateverOrderFlashesLand(t *testing.T) {
	m := newTestModel(t, fixtureStore(t), "ada")
	d := &driver{t: t, m: m}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	first, last := flash("started c1 with user:custom"), flash("close → skipped: too_short")
	d.run(last)
	d.run(first)
	d.contains("close → skipped: too_short")
	d.lacks("started c1")
}
