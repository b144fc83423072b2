package tui

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestGoldenTabs renders every tab at 100×30 and 80×24 through a real
// program and compares the final model's View with testdata/*.golden
// (go test ./tui -run Golden -update rewrites them).
func TestGoldenTabs(t *testing.T) {
	tabs := []struct {
		name string
		keys []string
		// settled, when set, is text of the last asynchronous update (the
		// status-bar flash, delivered by a command) to wait for before quitting.
		settled string
		empty   bool // an empty store instead of the fixture
	}{
		{name: "welcome", empty: true},
		{name: "leaderboard"},
		{name: "leaderboard_help", keys: []string{"?"}},
		{name: "leaderboard_wilson", keys: []string{"w"}},
		{name: "leaderboard_filter_none", keys: []string{"/", "zzz", "enter"}},
		{name: "teammate", keys: []string{"enter"}},
		{name: "teammate_bot", keys: []string{"end", "enter"}},
		{name: "teammate_stream", keys: []string{"enter", "down", "enter"}},
		{name: "followups", keys: []string{"2"}},
		{name: "achievements", keys: []string{"3"}},
		{name: "followup_stream", keys: []string{"2", "enter"}},
		{name: "achievement_stream", keys: []string{"3", "down", "enter"}},
		{name: "conversations", keys: []string{"4"}},
		{name: "conversations_help", keys: []string{"4", "?"}},
		{name: "stream", keys: []string{"4", "end", "enter"}},
		{name: "simulator", keys: []string{"5", "n", "enter", "c", "hello, the export fails", "enter", "t", "looking at it", "enter", "x"}, settled: "close → skipped: too_short"},
		{name: "settings", keys: []string{"6"}},
		{name: "settings_whatif", keys: []string{"6", "down", "down", "down", "down", "enter", "backspace", "backspace", "1", "enter"}, settled: "changes refused"},
	}
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		for _, tab := range tabs {
			t.Run(fmt.Sprintf("%s_%dx%d", tab.name, size[0], size[1]), func(t *testing.T) {
				var m *Model
				if tab.empty {
					m = newTestModel(t, emptyStore(t), "")
				} else {
					m = newTestModel(t, fixtureStore(t), "ada")
				}
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
				for _, k := range tab.keys {
					tm.Send(keyMsg(k))
				}
				if tab.settled != "" {
					teatest.WaitFor(t, tm.Output(), func(out []byte) bool {
						return bytes.Contains(out, []byte(tab.settled))
					}, teatest.WithDuration(programBound))
				}
				// q, unlike ctrl+c, waits for the tab's load like any key.
				tm.Send(keyMsg("q"))
				final := tm.FinalModel(t, teatest.WithFinalTimeout(programBound))
				golden.RequireEqual(t, []byte(final.View()))
			})
		}
	}
}

// programBound is how long a teatest program may take to show what a test
// waits for: a bound on a broken program, never a pause (once seen at 5 s on
// a box at load average 17, with nothing drawn yet).
const programBound = 20 * time.Second

// keyMsg turns a key name or a text into the message a terminal would send.
func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}
