package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/store"
)

// subscribe starts the live feed, when the dashboard is live.
func (m *Model) subscribe() tea.Cmd {
	if !m.live {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	if m.feed = m.c.src.Subscribe(ctx); m.feed == nil {
		return nil
	}
	return waitForChange(m.feed)
}

// waitForChange reads one change and re-arms from Update: glow's live-feed shape.
func waitForChange(ch <-chan store.Change) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		return changeMsg{change: c, ok: ok}
	}
}

// reloadDelay coalesces bursts of commits into one re-read, well inside
// the 100 ms a committed rating may take to show.
const reloadDelay = 30 * time.Millisecond

// changed re-arms the live feed and schedules one re-read for a burst of commits.
func (m *Model) changed(msg changeMsg) tea.Cmd {
	if !msg.ok {
		m.feed = nil
		return nil
	}
	cmds := []tea.Cmd{waitForChange(m.feed)}
	if !m.pending {
		m.pending = true
		cmds = append(cmds, tea.Tick(reloadDelay, func(time.Time) tea.Msg { return reloadMsg{} }))
	}
	return tea.Batch(cmds...)
}
