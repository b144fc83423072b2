package tui

import tea "github.com/charmbracelet/bubbletea"

// filterKey edits the filter: esc clears it, enter keeps it, the rest is text.
func (m *Model) filterKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case keyIs(msg, k.Cancel):
		m.filterOn = false
		m.filter.Blur()
		m.filter.SetValue("")
		cmd := m.applyFilter("")
		m.layout()
		return cmd
	case keyIs(msg, k.Apply):
		m.filterOn = false
		m.filter.Blur()
		m.layout()
	default:
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return tea.Batch(cmd, m.applyFilter(m.filter.Value()))
	}
	return nil
}

// filterTyping reports whether msg edits the filter, which is the
// frame's: typing there never waits for the tab's read, or each key of a
// search that scans a large store waited for the search before it.
func (m *Model) filterTyping(msg tea.KeyMsg) bool {
	if m.filterOn {
		return true
	}
	return keyIs(msg, m.c.keys.Cancel) && m.filter.Value() != "" && !nested(m.views[m.active])
}

// applyFilter gives the tab the filter's text. A tab whose filter searches
// the store, and whose search is still running, searches once that one
// has landed (release) for what the filter says then: a search is not
// started beside a running one, nor once for every key typed meanwhile.
// No text is no search: the list's first page, read at once.
func (m *Model) applyFilter(text string) tea.Cmd {
	v := m.views[m.active]
	if _, ok := v.(searcher); ok && v.busy() && text != "" {
		m.searchDue = true
		return nil
	}
	m.searchDue = false
	return setFilter(v, text)
}
