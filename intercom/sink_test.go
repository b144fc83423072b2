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
	ws    *domain.Timeline
	log   []domain.Event
	tally domain.Tally

	mu    sync.RWMutex       // guards marks: Marked runs beside ApplyBatch
	marks map[[2]string]bool // (source, key) of every committed mark
}

func newMemSink() *memSink {
	return &memSink{ws: domain.NewTimeline(domain.NewWorkspace(), nil), marks: map[[2]string]bool{}}
}

func (m *memSink) Settings() domain.Settings { return m.ws.Settings }

func (m *memSink) Conversation(id string) (domain.Conversation, bool) {
	c, ok := m.ws.Conversations[id]
	if !ok {
		return domain.Conversation{}, false
	}
	return *clone(*c), true
}

func (m *memSink) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	// The trial replays the log, then the batch, so that a refused event
	// leaves the sink as it was.
	trial := domain.NewTimeline(domain.NewWorkspace(), nil)
	for _, ev := range m.log {
		if _, err := trial.Apply(ev); err != nil {
			panic(err) // the log applied before
		}
	}
	for i, ev := range evs {
		if _, err := trial.Apply(ev); err != nil {
			return nil, &indexErr{i, err}
		}
	}
	outs := make([]domain.Outcome, len(evs))
	for i, ev := range evs {
		o, err := m.ws.Apply(ev)
		if err != nil {
			panic(err) // the trial said it applies
		}
		outs[i] = o
	}
	m.tally = tallyOf(m.ws.Workspace)
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

// tallyOf counts every slot as it stands, so that late parts, which
// rebuild a conversation, are counted as they end up.
func tallyOf(w *domain.Workspace) domain.Tally {
	t := domain.Tally{Agents: map[domain.Actor]*domain.Counts{}}
	for _, c := range w.Conversations {
		for i := range c.Slots {
			c.Slots[i].Counted(func(a domain.Actor, _ time.Time, d domain.Counts) {
				if t.Agents[a] == nil {
					t.Agents[a] = &domain.Counts{}
				}
				t.Agents[a].Add(d)
			})
		}
	}
	return t
}

// indexErr names the event of a batch the sink refused, as the store's
// EventError does.
type indexErr struct {
	i   int
	err error
}

func (e *indexErr) Error() string   { return fmt.Sprintf("event %d: %v", e.i, e.err) }
func (e *indexErr) Unwrap() error   { return e.err }
func (e *indexErr) EventIndex() int { return e.i }
