package tui

import (
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/safetext"
)

// statusBar: store, viewer and role, clock, live indicator, and the tab's own text.
func (m *Model) statusBar() string {
	t := m.c.theme
	now := m.c.clock()
	live := "updated " + agoSeconds(now, m.lastUpdate)
	if m.feed == nil {
		live = "not live"
	}
	right := t.Status.Render(" "+now.Format("Jan 2 15:04:05")+" ") + t.StatusLive.Render(" ● "+live+" ")
	viewer := t.Status.Render(" " + safetext.Line(m.viewerLabel()) + " ")
	// A long data directory gives way from its start (its last names
	// say which it is), not the freshness at the bar's end nor the tab's
	// text.
	const tabTextRoom = 30
	name := safetext.Line(m.storeName)
	nameW := lipgloss.Width(name)
	if keep := max(m.width-2-lipgloss.Width(viewer)-lipgloss.Width(right)-tabTextRoom, 16) - 1; keep < nameW-1 {
		name = "…" + ansi.TruncateLeft(name, nameW-keep, "")
	}
	left := t.StatusKey.Render(" "+name+" ") + viewer
	middle := safetext.Line(m.views[m.active].StatusText())
	flashing := m.flash != "" && now.Sub(m.flashAt) < 8*time.Second
	if flashing {
		middle = safetext.Line(m.flash)
	}
	style := t.Status
	if m.flashErr && flashing {
		style = t.Status.Foreground(t.Error.GetForeground())
	}
	room := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if flashing && lipgloss.Width(" "+middle) > room {
		// What an action answers is read once: it takes the clock's place
		// for its few seconds rather than lose its end (a path, a reason).
		right = ""
		room = m.width - lipgloss.Width(left)
	}
	if room < 0 {
		return fit(left+right, m.width)
	}
	return left + style.Render(fit(" "+middle, room)) + right
}

func (m *Model) viewerLabel() string {
	if m.c.viewer == "" {
		return "no viewer (read-only)"
	}
	return m.c.viewer + " (" + m.c.role.String() + ")"
}

// agoSeconds prints "2s ago", "3m ago": how fresh the data is.
func agoSeconds(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return itoa(int(d/time.Minute)) + "m ago"
	}
	return itoa(int(d/time.Hour)) + "h ago"
}
