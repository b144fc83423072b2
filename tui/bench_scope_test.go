package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// BenchmarkLeaderboardFiltered is the 90-day board of 200 teammates under
// a filter (channel email), compared with the 90 days before: the read a
// key press starts (both periods' segment counters, as one command) and
// the View it leads to.
//
//	go test ./tui -run XXX -bench LeaderboardFiltered -benchtime 20x
func BenchmarkLeaderboardFiltered(b *testing.B) {
	st := benchStore(b)
	m, err := New(Options{Store: st, Viewer: "ana", Renderer: plainRenderer(), Clock: func() time.Time { return benchNow }, NoLive: true, Tick: -1})
	if err != nil {
		b.Fatal(err)
	}
	settle(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	lb := m.views[TabLeaderboard].(*leaderboard)
	lb.period, lb.scope.channel = periodIndex("90d"), 2 // email
	settle(m, lb.Reload())
	if !strings.Contains(m.View(), "channel email") || !lb.compared || len(lb.rows) < 100 {
		b.Fatalf("filtered board: %d rows, compared %v", len(lb.rows), lb.compared)
	}
	b.Run("query", func(b *testing.B) {
		q := lbQuery{period: "90d", now: benchNow, scope: lb.scope}
		for b.Loop() {
			if _, err := readBoard(m.c.src, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("view", func(b *testing.B) {
		for b.Loop() {
			_ = m.View()
		}
	})
	b.Run("trend", func(b *testing.B) {
		q := lbQuery{period: "90d", now: benchNow, scope: lb.scope, trend: true}
		for b.Loop() {
			if _, err := readBoard(m.c.src, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
