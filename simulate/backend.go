package simulate

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// Backend is what the simulator drives. Both the in-memory [Memory] and the
// Badger store satisfy it, so a script behaves the same whether or not it is
// written down.
type Backend interface {
	// Apply applies one event through the rules; on error nothing changed.
	Apply(ev domain.Event) (domain.Outcome, error)
	// Settings are the settings in force.
	Settings() domain.Settings
	// Conversation returns a copy of a conversation's rule state.
	Conversation(id string) (domain.Conversation, bool)
	// AllTime returns an agent's all-time counts.
	AllTime(agent domain.Actor) domain.Counts
	// TeamAllTime sums the teammates' all-time counts (bot agents excluded).
	TeamAllTime() domain.Counts
	// OpenFollowUps counts open items in the follow-up queue.
	OpenFollowUps() int
}

// ScriptStart is the time a script reads until a clock sets it (SCENARIOS.md).
var ScriptStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Memory is a Backend that keeps everything in memory, for --dry-run and tests.
type Memory struct {
	ws     *domain.Workspace
	tally  domain.Tally
	latest time.Time
}

// NewMemory returns an empty in-memory workspace.
func NewMemory() *Memory { return &Memory{ws: domain.NewWorkspace()} }

// Apply implements Backend.
func (m *Memory) Apply(ev domain.Event) (domain.Outcome, error) {
	o, err := m.ws.Apply(ev)
	if err == nil {
		m.observe(ev, &o)
	}
	return o, err
}

func (m *Memory) observe(ev domain.Event, o *domain.Outcome) {
	m.tally.Observe(o)
	if ev.At.After(m.latest) {
		m.latest = ev.At
	}
}

// Now is the time of the newest event applied, or [ScriptStart]: the
// clock of a sandbox that applies its events in time order.
func (m *Memory) Now() time.Time {
	if m.latest.IsZero() {
		return ScriptStart
	}
	return m.latest
}

// Settings implements Backend.
func (m *Memory) Settings() domain.Settings { return m.ws.Settings }

// Conversation implements Backend.
func (m *Memory) Conversation(id string) (domain.Conversation, bool) {
	c, ok := m.ws.Conversations[id]
	if !ok {
		return domain.Conversation{}, false
	}
	return *c, true
}

// AllTime implements Backend.
func (m *Memory) AllTime(agent domain.Actor) domain.Counts { return m.tally.Agent(agent) }

// TeamAllTime implements Backend.
func (m *Memory) TeamAllTime() domain.Counts { return m.tally.Team() }

// OpenFollowUps implements Backend.
func (m *Memory) OpenFollowUps() int { return m.tally.Queue.Open(m.ws.Settings.FollowUp) }

// Workspace exposes the rule state, for views that show a conversation.
func (m *Memory) Workspace() *domain.Workspace { return m.ws }
