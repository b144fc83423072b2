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

// now is the source to answer from without waiting.
func (o *openingSource) now() Source {
	select {
	case <-o.ready:
		if o.full != nil {
			return o.full
		}
	default:
	}
	return o.first
}

// wait is the whole store, once it is open.
func (o *openingSource) wait() (Source, error) {
	<-o.ready
	return o.full, o.err
}

func (o *openingSource) Leaderboard(p store.Period) (store.Leaderboard, error) {
	return o.now().Leaderboard(p)
}

func (o *openingSource) LeaderboardOf(p store.Period, f domain.Filter) (store.Leaderboard, error) {
	return o.now().LeaderboardOf(p, f)
}

func (o *openingSource) GroupSeries(agents []domain.Actor, p store.Period, f domain.Filter, by domain.Bucket) ([]store.SeriesPoint, error) {
	return o.now().GroupSeries(agents, p, f, by)
}

func (o *openingSource) Teammates() ([]store.Teammate, error) { return o.now().Teammates() }
func (o *openingSource) Settings() domain.Settings            { return o.now().Settings() }
func (o *openingSource) Latest() time.Time                    { return o.now().Latest() }
func (o *openingSource) OpenFollowUps() int                   { return o.now().OpenFollowUps() }
func (o *openingSource) Dir() string                          { return o.now().Dir() }

func (o *openingSource) DisplayName(a domain.Actor) string {
	if n, ok := o.now().(namer); ok {
		return n.DisplayName(a)
	}
	return a.Name
}

func (o *openingSource) Subscribe(ctx context.Context) <-chan store.Change {
	return o.now().Subscribe(ctx)
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

func (o *openingSource) SearchConversations(text string, q store.PageQuery) (store.Page[store.ConversationSummary], error) {
	return waitFor(o, func(s Source) (store.Page[store.ConversationSummary], error) { return s.SearchConversations(text, q) })
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

func (o *openingSource) EachEventSince(since time.Time) func(yield func(domain.Event) error) error {
	return func(yield func(domain.Event) error) error {
		src, err := o.wait()
		if err != nil {
			return err
		}
		return src.EachEventSince(since)(yield)
	}
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
	return m.subscribe()
}
