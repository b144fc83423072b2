package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The follow-ups and conversations filters search the store, a page at a
// time: the window on screen stays until the page that answers replaces
// it, whatever is typed while it is read.
func TestFiltersSearchTheStoreWhileTheListShows(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("2")
	d.contains("stage", "customer", "Nobody read my message properly.", "user:cust28")
	d.keys("/", "c", "l", "e")
	// The frame is drawn before the read the last key asks for answers.
	_, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("o")})
	d.contains("filter: cleo", "user:cust21") // the window the 'cle' page left
	d.run(cmd)
	d.contains("filter: cleo", "cleo")
	d.lacks("user:cust28")
	d.keys("esc")
	d.contains("user:cust28")
	d.keys("4", "/", "c")
	_, cmd = d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	d.contains("filter: cq", "c1")
	d.run(cmd)
	d.contains("no conversation has “cq”")
	d.keys("esc")
	d.lacks("no conversation has")
}
