package tui

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// benchNow is after the loaded history.
var benchNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// loadedStore is a store filled by the load generator, built once per run.
// CSAT_BENCH_CONVERSATIONS sets its size (default 20000 conversations).
var loadedStore = sync.OnceValues(func() (*store.Store, error) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("CSAT_BENCH_CONVERSATIONS")); err == nil && v > 0 {
		n = v
	}
	dir, err := os.MkdirTemp("", "csat-bench-")
	if err != nil {
		return nil, err
	}
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		return nil, err
	}
	cfg := simulate.LoadConfig{Teammates: 200, Conversations: n, Days: 90, Seed: 7, End: benchNow}
	if _, err := simulate.Load(context.Background(), st, cfg, nil); err != nil {
		return nil, err
	}
	return st, nil
})

func benchStore(b *testing.B) *store.Store {
	st, err := loadedStore()
	if err != nil {
		b.Fatal(err)
	}
	lb, _ := st.Leaderboard(store.Period{To: benchNow.Add(24 * time.Hour)})
	b.Logf("store: %d teammate ratings, %d teammates", lb.Team.Rated(), len(lb.Teammates))
	return st
}

// BenchmarkFirstFrame is New, Init and the first View after the window size:
// what the user waits for before seeing the leaderboard.
func BenchmarkFirstFrame(b *testing.B) {
	st := benchStore(b)
	b.ResetTimer()
	for b.Loop() {
		m, err := New(Options{Store: st, Viewer: "ana", Renderer: plainRenderer(), Clock: func() time.Time { return benchNow }, NoLive: true, Tick: -1})
		if err != nil {
			b.Fatal(err)
		}
		settle(m, m.Init())
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if !strings.Contains(m.View(), "team") {
			b.Fatal("no team row")
		}
	}
}

// BenchmarkLeaderboardView renders the leaderboard tab of 200 teammates.
func BenchmarkLeaderboardView(b *testing.B) {
	st := benchStore(b)
	m, err := New(Options{Store: st, Viewer: "ana", Renderer: plainRenderer(), Clock: func() time.Time { return benchNow }, NoLive: true, Tick: -1})
	if err != nil {
		b.Fatal(err)
	}
	settle(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	lb := m.views[TabLeaderboard].(*leaderboard)
	if len(lb.rows) < 150 {
		b.Fatalf("only %d rows", len(lb.rows))
	}
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkRatingToScreen is one rating's trip: commit, change feed, the
// leaderboard's re-read and a new frame (the 30 ms coalescing delay comes on top).
func BenchmarkRatingToScreen(b *testing.B) {
	st := benchStore(b)
	m, err := New(Options{Store: st, Viewer: "ana", Renderer: plainRenderer(), Clock: func() time.Time { return benchNow }, NoLive: true, Tick: -1})
	if err != nil {
		b.Fatal(err)
	}
	settle(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed := st.Subscribe(ctx)
	at := st.Latest()
	i := 0
	long := strings.Repeat("x", 260)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		i++
		conv := "bench" + strconv.Itoa(i)
		cust := domain.User("b" + strconv.Itoa(i))
		for _, ev := range []domain.Event{
			{Kind: domain.EvStart, Conv: conv, Actor: cust, At: at},
			{Kind: domain.EvSay, Conv: conv, Actor: cust, Text: long, At: at},
			{Kind: domain.EvSay, Conv: conv, Actor: domain.Teammate("ana"), Text: "ok", At: at},
			{Kind: domain.EvClose, Conv: conv, Actor: domain.Teammate("ana"), At: at},
		} {
			if _, err := st.Apply(ev); err != nil {
				b.Fatal(err)
			}
		}
		drain(feed)
		b.StartTimer()
		if _, err := st.Apply(domain.Event{Kind: domain.EvRate, Conv: conv, Actor: cust, Value: 5, At: at}); err != nil {
			b.Fatal(err)
		}
		<-feed
		_, cmd := m.Update(reloadMsg{})
		settle(m, cmd)
		_ = m.View()
	}
}

// settle runs cmd and what its messages lead to, in this goroutine: the
// reads a frame waits for (benchmarks turn ticks and the feed off).
func settle(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			settle(m, c)
		}
	case nil:
	default:
		_, next := m.Update(msg)
		settle(m, next)
	}
}

func drain(ch <-chan store.Change) {
	deadline := time.After(60 * time.Millisecond)
	for {
		select {
		case <-ch:
		case <-deadline:
			return
		}
	}
}

// BenchmarkTeammatePage is enter on the leaderboard's first row until the
// agent's page is drawn: its reads (open follow-ups, the period's ratings)
// and its first View with the chart.
func BenchmarkTeammatePage(b *testing.B) {
	st := benchStore(b)
	m, err := New(Options{Store: st, Viewer: "ana", Renderer: plainRenderer(), Clock: func() time.Time { return benchNow }, NoLive: true, Tick: -1})
	if err != nil {
		b.Fatal(err)
	}
	settle(m, m.Init())
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	lb := m.views[TabLeaderboard].(*leaderboard)
	b.ResetTimer()
	for b.Loop() {
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		settle(m, cmd)
		if !strings.Contains(m.View(), "newest first") {
			b.Fatal("no teammate page")
		}
		lb.showing = false
	}
}
