package tui

import (
	"context"
	"errors"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// Opening a year of a 200-person team takes Badger a second or more (it
// reads every table's index), and the dashboard had nothing to show until
// then. With Options.Open the first frame comes from a source that answers
// without the tables (the store's counters summary, store.OpenSummary)
// while the whole store opens in the root's first command.

// storeOpenedMsg is the whole store, or why it could not be opened.
type storeOpenedMsg struct {
	src Source
	err error
}

// errDashboardClosed ends the reads still waiting for a store that never opened.
var errDashboardClosed = errors.New("the dashboard closed before the store opened")

// openingSource answers the leaderboard, its trends and the state every
// view reads as it draws (roster, names, settings, the follow-up count)
// from the first source until the whole store is open; those are the
// store as its last writer left it. Every other read waits for the whole
// store, in its command, and from then on every read goes to it.
type openingSource struct {
	first Source
	ready chan struct{}
	once  sync.Once
	full  Source
	err   error

	firstReads sync.RWMutex // held by reads of first; retire waits for them
	retired    bool         // first is closed: every read goes to full
}

func newOpeningSource(first Source) *openingSource {
	return &openingSource{first: first, ready: make(chan struct{})}
}

// settle hands over to the whole store, or ends the waiting reads with
// err; only its first call counts.
func (o *openingSource) settle(full Source, err error) {
	o.once.Do(func() {
		o.full, o.err = full, err
		close(o.ready)
	})
}

// now is the source to answer from without waiting; done ends the read.
func (o *openingSource) now() (src Source, done func()) {
	select {
	case <-o.ready:
		if o.full != nil {
			return o.full, func() {}
		}
	default:
	}
	o.firstReads.RLock()
	if o.retired { // settled with the whole store since
		o.firstReads.RUnlock()
		return o.full, func() {}
	}
	return o.first, o.firstReads.RUnlock
}

// answer runs read on the source to answer from now.
func answer[T any](o *openingSource, read func(Source) T) T {
	src, done := o.now()
	defer done()
	return read(src)
}

// retire closes the first source once the whole store answers and the
// reads of the first have ended: the counters summary holds a copy of
// every counter in memory (10 MB on a year of a 200-person team).
func (o *openingSource) retire() {
	o.firstReads.Lock()
	defer o.firstReads.Unlock()
	if o.retired || o.full == nil {
		return
	}
	o.retired = true
	if c, ok := o.first.(interface{ Close() error }); ok {
		c.Close()
	}
}

// pending reports whether the whole store has not opened (nor failed to) yet.
func (o *openingSource) pending() bool {
	select {
	case <-o.ready:
		return false
	default:
		return true
	}
}

// wait is the whole store, once it is open.
func (o *openingSource) wait() (Source, error) {
	<-o.ready
	return o.full, o.err
}

// board is a read of the counters, its error beside.
type board[T any] struct {
	v   T
	err error
}

func (o *openingSource) Leaderboard(p store.Period) (store.Leaderboard, error) {
	b := answer(o, func(s Source) board[store.Leaderboard] {
		lb, err := s.Leaderboard(p)
		return board[store.Leaderboard]{lb, err}
	})
	return b.v, b.err
}

func (o *openingSource) LeaderboardOf(p store.Period, f domain.Filter) (store.Leaderboard, error) {
	b := answer(o, func(s Source) board[store.Leaderboard] {
		lb, err := s.LeaderboardOf(p, f)
		return board[store.Leaderboard]{lb, err}
	})
	return b.v, b.err
}

func (o *openingSource) GroupSeries(agents []domain.Actor, p store.Period, f domain.Filter, by domain.Bucket) ([]store.SeriesPoint, error) {
	b := answer(o, func(s Source) board[[]store.SeriesPoint] {
		pts, err := s.GroupSeries(agents, p, f, by)
		return board[[]store.SeriesPoint]{pts, err}
	})
	return b.v, b.err
}

func (o *openingSource) Teammates() ([]store.Teammate, error) {
	b := answer(o, func(s Source) board[[]store.Teammate] {
		tms, err := s.Teammates()
		return board[[]store.Teammate]{tms, err}
	})
	return b.v, b.err
}

func (o *openingSource) Settings() domain.Settings {
	return answer(o, func(s Source) domain.Settings { return s.Settings() })
}
func (o *openingSource) Latest() time.Time {
	return answer(o, func(s Source) time.Time { return s.Latest() })
}
func (o *openingSource) OpenFollowUps() int {
	return answer(o, func(s Source) int { return s.OpenFollowUps() })
}
func (o *openingSource) Dir() string { return answer(o, func(s Source) string { return s.Dir() }) }

func (o *openingSource) DisplayName(a domain.Actor) string {
	return answer(o, func(s Source) string {
		if n, ok := s.(namer); ok {
			return n.DisplayName(a)
		}
		return a.Name
	})
}

func (o *openingSource) Subscribe(ctx context.Context) <-chan store.Change {
	return answer(o, func(s Source) <-chan store.Change { return s.Subscribe(ctx) })
}

// waitFor runs read on the whole store once it is open.
func waitFor[T any](o *openingSource, read func(Source) (T, error)) (T, error) {
	src, err := o.wait()
	if err != nil {
		var zero T
		return zero, err
	}
	return read(src)
}

func (o *openingSource) Apply(ev domain.Event) (domain.Outcome, error) {
	return waitFor(o, func(s Source) (domain.Outcome, error) { return s.Apply(ev) })
}

func (o *openingSource) FollowUps(f store.FollowUpFilter) ([]store.FollowUpItem, error) {
	return waitFor(o, func(s Source) ([]store.FollowUpItem, error) { return s.FollowUps(f) })
}

func (o *openingSource) FollowUpPage(f store.FollowUpFilter, q store.PageQuery) (store.Page[store.FollowUpItem], error) {
	return waitFor(o, func(s Source) (store.Page[store.FollowUpItem], error) { return s.FollowUpPage(f, q) })
}

func (o *openingSource) Achievements(limit int) ([]store.Achievement, error) {
	return waitFor(o, func(s Source) ([]store.Achievement, error) { return s.Achievements(limit) })
}

func (o *openingSource) Conversations(limit int) ([]store.ConversationSummary, error) {
	return waitFor(o, func(s Source) ([]store.ConversationSummary, error) { return s.Conversations(limit) })
}

func (o *openingSource) SearchConversations(ctx context.Context, text string, q store.PageQuery) (store.Page[store.ConversationSummary], error) {
	return waitFor(o, func(s Source) (store.Page[store.ConversationSummary], error) {
		return s.SearchConversations(ctx, text, q)
	})
}

func (o *openingSource) AchievementPage(q store.PageQuery) (store.Page[store.Achievement], error) {
	return waitFor(o, func(s Source) (store.Page[store.Achievement], error) { return s.AchievementPage(q) })
}

func (o *openingSource) AgentRatingsOf(agent domain.Actor, p store.Period, f domain.Filter, q store.PageQuery) (store.Page[store.AgentRating], error) {
	return waitFor(o, func(s Source) (store.Page[store.AgentRating], error) { return s.AgentRatingsOf(agent, p, f, q) })
}

func (o *openingSource) Stream(conv string) ([]store.Part, error) {
	return waitFor(o, func(s Source) ([]store.Part, error) { return s.Stream(conv) })
}

func (o *openingSource) Audit(limit int) ([]store.AuditEntry, error) {
	return waitFor(o, func(s Source) ([]store.AuditEntry, error) { return s.Audit(limit) })
}

func (o *openingSource) Scenarios() ([]store.Scenario, error) {
	return waitFor(o, func(s Source) ([]store.Scenario, error) { return s.Scenarios() })
}

func (o *openingSource) WhatIfWindow(since time.Time, decided func(ev *domain.Event, o *domain.Outcome, c *domain.Conversation, late bool) bool) (func(yield func(ev domain.Event, last, late bool) error) error, func(), error) {
	src, err := o.wait()
	if err != nil {
		return nil, nil, err
	}
	return src.WhatIfWindow(since, decided)
}

// errNoScenarios is a whole store that keeps no scenarios by name.
var errNoScenarios = errors.New("this store keeps no scenarios")

func (o *openingSource) SaveScenario(sc store.Scenario) error {
	_, err := waitFor(o, func(s Source) (struct{}, error) {
		if k, ok := s.(ScenarioKeeper); ok {
			return struct{}{}, k.SaveScenario(sc)
		}
		return struct{}{}, errNoScenarios
	})
	return err
}

func (o *openingSource) Scenario(name string) (sc store.Scenario, ok bool, err error) {
	_, err = waitFor(o, func(s Source) (struct{}, error) {
		k, keeps := s.(ScenarioKeeper)
		if !keeps {
			return struct{}{}, errNoScenarios
		}
		sc, ok, err = k.Scenario(name)
		return struct{}{}, err
	})
	return sc, ok, err
}

// openStore opens the whole store, off the Update loop.
func openStore(open func() (Source, error)) tea.Cmd {
	return func() tea.Msg {
		src, err := open()
		return storeOpenedMsg{src: src, err: err}
	}
}

// opened hands the views over to the whole store and starts the live
// feed; a store that cannot be opened ends the dashboard with its error.
func (m *Model) opened(msg storeOpenedMsg) tea.Cmd {
	if msg.err == nil && msg.src == nil {
		msg.err = errors.New("tui: Options.Open returned no store")
	}
	m.opening.settle(msg.src, msg.err)
	if msg.err != nil {
		m.failed = msg.err
		return tea.Quit
	}
	opening, reads := m.opening, &m.c.reads
	retire := func() tea.Msg {
		if reads.enter() { // the dashboard closes it otherwise
			defer reads.leave()
			opening.retire()
		}
		return nil
	}
	return tea.Batch(m.subscribe(), retire)
}
