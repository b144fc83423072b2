package intercom

import (
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
)

// memSink is an in-memory Sink with a real event log and all-or-nothing
// batches: a batch is tried on a copy first, as the store's transaction would.
type memSink struct {
	ws    *domain.Workspace
	log   []domain.Event
	tally domain.Tally
}

func newMemSink() *memSink { return &memSink{ws: domain.NewWorkspace(domain.Epoch)} }

func (m *memSink) Now() time.Time            { return m.ws.Now }
func (m *memSink) Settings() domain.Settings { return m.ws.Settings }

func (m *memSink) Conversation(id string) (domain.Conversation, bool) {
	c, ok := m.ws.Conversations[id]
	if !ok {
		return domain.Conversation{}, false
	}
	return *clone(*c), true
}

func copyWorkspace(w *domain.Workspace) *domain.Workspace {
	cp := *w
	cp.Conversations = map[string]*domain.Conversation{}
	for id, c := range w.Conversations {
		cp.Conversations[id] = clone(*c)
	}
	cp.Roles = map[string]domain.Role{}
	for k, v := range w.Roles {
		cp.Roles[k] = v
	}
	return &cp
}

func (m *memSink) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	trial := copyWorkspace(m.ws)
	for i, ev := range evs {
		if _, err := trial.Apply(ev); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
	}
	outs := make([]domain.Outcome, len(evs))
	for i, ev := range evs {
		o, err := m.ws.Apply(ev)
		if err != nil {
			panic(err) // the trial said it applies
		}
		m.tally.Observe(&o)
		outs[i] = o
	}
	m.log = append(m.log, evs...)
	return outs, nil
}

func (m *memSink) Events(after uint64, fn func(uint64, domain.Event) error) error {
	for i := int(after); i < len(m.log); i++ {
		if err := fn(uint64(i+1), m.log[i]); err != nil {
			return err
		}
	}
	return nil
}
