package intercom

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/csat-app/csat/domain"
)

// memSink is an in-memory Sink with a real event log and all-or-nothing
// batches: a batch is tried on a copy first, as the store's transaction
// would. Like the store, it indexes the keys of the mark events it commits.
type memSink struct {
	ws    *domain.Workspace
	log   []domain.Event
	tally domain.Tally

	mu    sync.RWMutex       // guards marks: Marked runs beside ApplyBatch
	marks map[[2]string]bool // (source, key) of every committed mark
}

func newMemSink() *memSink {
	return &memSink{ws: domain.NewWorkspace(domain.Epoch), marks: map[[2]string]bool{}}
}

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
	m.mu.Lock()
	for _, ev := range evs {
		if source, keys, ok := ev.MarkKeys(); ok {
			for _, k := range keys {
				m.marks[[2]string{source, k}] = true
			}
		}
	}
	m.mu.Unlock()
	return outs, nil
}

func (m *memSink) Marked(source, key string) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.marks[[2]string{source, key}], nil
}

func (m *memSink) Marks(source, prefix string, fn func(string) error) error {
	m.mu.RLock()
	var keys []string
	for sk := range m.marks {
		if sk[0] == source && strings.HasPrefix(sk[1], prefix) {
			keys = append(keys, sk[1])
		}
	}
	m.mu.RUnlock()
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}
