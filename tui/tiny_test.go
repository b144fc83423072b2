package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Every screen draws at any size without a panic: terminals get tiny.
func TestTinyTerminalsDoNotPanic(t *testing.T) {
	screens := [][]string{{"1"}, {"1", "enter"}, {"1", "enter", "enter"}, {"2"}, {"2", "enter"}, {"3"}, {"3", "enter"}, {"4"}, {"4", "enter"}, {"5", "n", "enter"}, {"6"}}
	for _, keys := range screens {
		d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
		d.keys(keys...)
		for _, size := range [][2]int{{40, 12}, {20, 8}, {10, 5}, {3, 2}, {1, 1}, {0, 0}} {
			d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			_ = d.view()
		}
	}
}
