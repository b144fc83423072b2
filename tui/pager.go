package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/store"
)

// A store list is shown through a window of it: up to windowMax items with
// their places in the list, read pageSize at a time as the cursor comes
// near an edge, dropping the far side, so any item is reachable and the
// view never holds the whole list.
const (
	pageSize   = 100
	windowMax  = 4 * pageSize
	pageMargin = 10 // rows from an edge at which the next page is read
)

// pageRead says which read a page answers.
type pageRead int

const (
	readReload pageRead = iota // the window again, from its first item
	readFirst                  // the list's first page
	readLast                   // the list's last page
	readDown                   // the page after the window
	readUp                     // the page before the window
)

// pageMsg is a page a pager asked for, carried in a loadedMsg.
type pageMsg[T any] struct {
	read pageRead
	page store.Page[T]
}

// pager is the window of one list and where it lies in the list.
type pager[T any] struct {
	items   []T
	cursors []string
	atStart bool // the window begins with the list's first item
	atEnd   bool // the window ends with the list's last item
	skipped int  // items of the list before the window; -1: not known (read from the end)
}

// query is the read that answers r for the window as it is.
func (p *pager[T]) query(r pageRead) store.PageQuery {
	switch {
	case r == readLast:
		return store.PageQuery{Last: true, Limit: 2 * pageSize}
	case r == readDown && len(p.cursors) > 0:
		return store.PageQuery{After: p.cursors[len(p.cursors)-1], Limit: pageSize}
	case r == readUp && len(p.cursors) > 0:
		return store.PageQuery{Before: p.cursors[0], Limit: pageSize}
	case r == readReload && len(p.cursors) > 0 && !p.atStart:
		return store.PageQuery{From: p.cursors[0], Limit: max(len(p.items), 2*pageSize)}
	}
	return store.PageQuery{Limit: 2 * pageSize}
}

// edge is the read the cursor at row cursor calls for, if any.
func (p *pager[T]) edge(cursor int) (pageRead, bool) {
	switch {
	case cursor >= len(p.items)-pageMargin && !p.atEnd:
		return readDown, true
	case cursor < pageMargin && !p.atStart:
		return readUp, true
	}
	return 0, false
}

// take puts a page into the window; l is the view's list, whose cursor and
// offset stay on the same items.
func (p *pager[T]) take(m pageMsg[T], l *list) {
	pg := m.page
	switch m.read {
	case readFirst:
		p.items, p.cursors, p.atStart, p.atEnd, p.skipped = pg.Items, pg.Cursors, true, !pg.More, 0
		l.cursor, l.offset = 0, 0
	case readReload:
		if len(p.cursors) == 0 || p.atStart {
			p.atStart, p.skipped = true, 0
		}
		p.items, p.cursors, p.atEnd = pg.Items, pg.Cursors, !pg.More
	case readLast:
		p.items, p.cursors, p.atStart, p.atEnd, p.skipped = pg.Items, pg.Cursors, !pg.More, true, -1
		if p.atStart {
			p.skipped = 0
		}
		l.cursor = len(p.items) - 1
	case readDown:
		p.items, p.cursors, p.atEnd = append(p.items, pg.Items...), append(p.cursors, pg.Cursors...), !pg.More
		if drop := len(p.items) - windowMax; drop > 0 {
			p.items, p.cursors = p.items[drop:], p.cursors[drop:]
			p.atStart = false
			l.cursor, l.offset = l.cursor-drop, l.offset-drop
			if p.skipped >= 0 {
				p.skipped += drop
			}
		}
	case readUp:
		n := len(pg.Items)
		p.items = append(append([]T(nil), pg.Items...), p.items...)
		p.cursors = append(append([]string(nil), pg.Cursors...), p.cursors...)
		p.atStart = !pg.More
		l.cursor, l.offset = l.cursor+n, l.offset+n
		if p.skipped >= 0 {
			p.skipped = max(p.skipped-n, 0)
		}
		if p.atStart {
			p.skipped = 0
		}
		if over := len(p.items) - windowMax; over > 0 {
			p.items, p.cursors, p.atEnd = p.items[:windowMax], p.cursors[:windowMax], false
		}
	}
	l.setLen(len(p.items))
}

// where says which item of the list the cursor is on, and how many there
// are: total when the caller counts them (≤ 0: not counted), else as far
// as the window knows ("57/400+", "3rd from the end").
func (p *pager[T]) where(cursor, total int, what string) string {
	n := len(p.items)
	switch {
	case n == 0:
		return "no " + what
	case p.skipped >= 0 && (total > 0 || p.atEnd):
		if total <= 0 {
			total = p.skipped + n
		}
		return what + " " + itoa(p.skipped+cursor+1) + "/" + itoa(total)
	case p.skipped >= 0:
		return what + " " + itoa(p.skipped+cursor+1) + "/" + itoa(p.skipped+n) + "+"
	case total > 0:
		return what + " " + itoa(total-(n-1-cursor)) + "/" + itoa(total)
	}
	return what + " " + itoa(n-cursor) + " from the end"
}

// pagerKey moves a paged list's cursor: home and end read the list's first
// and last pages when the window holds neither, and a cursor near an edge
// of the window reads the page beyond it. It reports whether msg was a
// list key.
func pagerKey[T any](b *base, p *pager[T], msg tea.Msg, read func(pageRead) tea.Cmd) (tea.Cmd, bool) {
	k := b.c.keys
	if key, ok := msg.(tea.KeyMsg); ok {
		switch {
		case keyIs(key, k.Home) && !p.atStart:
			return read(readFirst), true
		case keyIs(key, k.End) && !p.atEnd:
			return read(readLast), true
		}
	}
	if !b.list.update(k, msg) {
		return nil, false
	}
	if r, ok := p.edge(b.list.cursor); ok && !b.loading {
		return read(r), true
	}
	return nil, true
}
