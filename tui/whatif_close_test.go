package tui

import (
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/csat-app/csat/domain"
)

// endlessWindow is a store whose what-if window never ends: its replay
// stops only when the what-if stops reading, as a wide what-if of a large
// store runs for tens of seconds. started closes at its first event.
type endlessWindow struct {
	EventLog
	started chan struct{}
	once    sync.Once
}

func (e *endlessWindow) WhatIfWindow(since time.Time, decided func(*domain.Event, *domain.Outcome, *domain.Conversation, bool) bool) (func(func(domain.Event, bool, bool) error) error, func(), error) {
	return func(yield func(domain.Event, bool, bool) error) error {
		at := since
		for {
			e.once.Do(func() { close(e.started) })
			at = at.Add(time.Second)
			if err := yield(domain.Event{Kind: domain.EvClock, At: at}, false, false); err != nil {
				return err
			}
		}
	}, func() {}, nil
}

// Quitting while the settings preview replays ends the replay: the
// dashboard's Close waited for the whole what-if (43 s after q on the
// realistic 1M store on a busy machine, with the screen already gone).
func TestQuitStopsTheWhatIf(t *testing.T) {
	st := fixtureStore(t)
	window := &endlessWindow{EventLog: st, started: make(chan struct{})}
	m, err := New(Options{Store: st, Viewer: "ada", Renderer: plainRenderer(), Clock: func() time.Time { return testNow }, StoreName: "fixture", NoLive: true, Tick: -1, WhatIf: StoreWhatIf(window)})
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	tm.Send(keyMsg("6"))
	tm.Send(keyMsg("enter")) // ask for rating: off, and the preview starts
	select {
	case <-window.started:
	case <-time.After(programBound):
		t.Fatal("the preview did not start")
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(programBound))
	closed := make(chan struct{})
	go func() { m.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(programBound):
		t.Fatal("Close still waits for the what-if")
	}
}
