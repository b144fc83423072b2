package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// loadedMsg carries a tab's read back to it, as gh-dash's section envelope
// does: the root routes it by tab, and the tab keeps it only when gen is
// the newest load it asked for (a slow read never overwrites a newer one).
type loadedMsg struct {
	tab  int
	from *base // the view or part of one that asked (a tab may hold several)
	gen  int
	data any
	err  error
}

// base is what every tab shares: its place in the tab bar, its size, its
// cursor and filter, the last read's error, and the generation of its loads.
type base struct {
	c      *common
	tab    int
	width  int
	height int
	list   list
	filter string
	err    error

	dirty   bool // the store changed while another tab was shown
	gen     int  // generation of the newest load asked for
	loading bool // a load or write is running: keys wait for it
	loaded  bool // some load has landed, so an empty list means empty
}

func newBase(c *common, tab int) base { return base{c: c, tab: tab, dirty: true} }

func (b *base) Init() tea.Cmd { return nil }

// markStale notes that the store changed while the tab was not shown.
func (b *base) markStale() { b.dirty = true }

// stale reports whether the tab must read again before it is shown.
func (b *base) stale() bool { return b.dirty }

// busy reports whether a load or write of the tab is still running; the
// root holds keys until it lands, so they act on what the user will see.
func (b *base) busy() bool { return b.loading }

// fetch runs read as a command, off the Update loop; its result comes back
// as this tab's loadedMsg.
func (b *base) fetch(read func() (any, error)) tea.Cmd {
	b.dirty = false
	b.gen++
	b.loading = true
	tab, gen, reads := b.tab, b.gen, &b.c.reads
	return func() tea.Msg {
		if !reads.enter() {
			return nil
		}
		defer reads.leave()
		data, err := read()
		return loadedMsg{tab: tab, from: b, gen: gen, data: data, err: err}
	}
}

// accept takes a load's result when it is the newest one asked for; what
// names the read in the log.
func (b *base) accept(msg loadedMsg, what string) bool {
	if msg.from != b || msg.gen != b.gen {
		return false
	}
	b.loading, b.loaded, b.err = false, true, msg.err
	if msg.err != nil {
		b.c.log.Printf("%s: %v", what, msg.err)
	}
	return true
}

// placeholder is the row a list shows when it has no rows: that it is
// still loading, why it could not read, or that there is nothing.
func (b *base) placeholder(rows int, cannot, empty string) (string, bool) {
	t := b.c.theme
	switch {
	case rows > 0:
		return "", false
	case b.err != nil:
		return t.Error.Render("  " + cannot + ": " + b.err.Error()), true
	case !b.loaded && b.loading:
		return t.Muted.Render("  loading…"), true
	}
	return t.Muted.Render("  " + empty), true
}

// unlessFiltered is what an empty list says: empty, or with the filter
// on, that nothing matches it (a filtered board said "no ratings in this
// period").
func (b *base) unlessFiltered(empty string) string {
	if b.filter != "" {
		return "nothing matches “" + b.filter + "” · esc clears the filter"
	}
	return empty
}

// cursorMark is the first cell of a list row.
func (b *base) cursorMark(i int) string {
	if i == b.list.cursor {
		return "▸ "
	}
	return "  "
}

// rowStyle styles a grid of the list's rows from row from on: the header,
// the cursor's row, and rows that other (when given) picks by list index.
func (b *base) rowStyle(from int, other func(i int) (lipgloss.Style, bool)) func(row int) lipgloss.Style {
	t := b.c.theme
	return func(row int) lipgloss.Style {
		switch {
		case row < 0:
			return t.Header
		case from+row == b.list.cursor:
			return t.Selected
		}
		if other != nil {
			if s, ok := other(from + row); ok {
				return s
			}
		}
		return lipgloss.Style{}
	}
}

// loadedCount says what a list's count counts: shown rows of read ones,
// and whether the read stopped at its bound ("the newest 500 …").
func loadedCount(shown, read, bound int, what string) string {
	switch {
	case read < bound:
		return itoa(shown) + " " + what
	case shown == read:
		return "the newest " + itoa(bound) + " " + what
	}
	return itoa(shown) + " of the newest " + itoa(bound) + " " + what
}
