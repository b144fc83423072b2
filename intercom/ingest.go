package intercom

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/csat-app/csat/domain"
)

// Sink is where mapped events go. The store satisfies it; so does any
// in-memory workspace that can commit a batch whole or not at all.
type Sink interface {
	Now() time.Time
	Settings() domain.Settings
	Conversation(id string) (domain.Conversation, bool)
	// ApplyBatch commits events in one transaction: all or none.
	ApplyBatch(evs []domain.Event) ([]domain.Outcome, error)
	// Events replays the log after seq, in order.
	Events(after uint64, fn func(seq uint64, ev domain.Event) error) error
}

// markerBy and markerPrefix spell the bookkeeping event that records which
// Intercom keys a batch carried: a clock event (it changes no rule state)
// written in the same transaction as the events it vouches for, so the
// seen-set and the data can never disagree, and replaying the log rebuilds it.
const (
	markerBy     = "intercom"
	markerPrefix = "seen "
)

// Report counts what an ingest did.
type Report struct {
	Applied int    // domain events written
	Already int    // steps whose key was seen before (redelivery, re-import)
	Skipped []Skip // steps left out, with the reason the rules gave
}

// Add folds o into r.
func (r *Report) Add(o Report) {
	r.Applied += o.Applied
	r.Already += o.Already
	r.Skipped = append(r.Skipped, o.Skipped...)
}

// Ingester applies mapped steps to a sink exactly once each. It is safe for
// concurrent use; ingests are serialized, since each plans against the
// store's clock and conversation state.
type Ingester struct {
	mu    sync.Mutex // held while planning and committing
	sink  Sink
	seen  map[string]struct{}
	nmu   sync.Mutex // guards names, so mapping runs beside commits
	names *Names

	qmu     sync.Mutex // guards the group-commit queue
	queue   []*request
	leading bool
}

// NewIngester reads the seen-set and the admin names back from the log.
func NewIngester(sink Sink) (*Ingester, error) {
	in := &Ingester{sink: sink, seen: map[string]struct{}{}, names: NewNames()}
	err := sink.Events(0, func(_ uint64, ev domain.Event) error {
		if ev.Kind != domain.EvClock || ev.By != markerBy || !strings.HasPrefix(ev.Text, markerPrefix) {
			return nil
		}
		for _, k := range strings.Fields(ev.Text[len(markerPrefix):]) {
			in.seen[k] = struct{}{}
			if rest, ok := strings.CutPrefix(k, "admin/"); ok {
				if id, name, ok := strings.Cut(rest, "="); ok {
					in.names.Remember(id, name)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading Intercom bookkeeping from the log: %w", err)
	}
	return in, nil
}

// Pause runs fn while no ingest is in progress, e.g. a consistency check.
func (in *Ingester) Pause(fn func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	fn()
}

// Seen reports whether key was ingested before.
func (in *Ingester) Seen(key string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	_, ok := in.seen[key]
	return ok
}

// Map maps a conversation under the ingester's lock (the directory of
// names is shared).
func (in *Ingester) Map(c *Conversation) (Plan, error) {
	in.nmu.Lock()
	defer in.nmu.Unlock()
	return Map(c, in.names)
}

// maxRetries bounds re-planning when another writer moved the clock
// between planning and commit.
const maxRetries = 3

// request is one caller's steps waiting for a group commit.
type request struct {
	steps []Step
	extra []string
	rep   Report
	err   error
	done  chan struct{}
}

// Apply writes steps (in the order given) with extra keys, in one
// transaction. Steps seen before are counted, not applied. Times older than
// the store clock are clamped to it: the domain refuses a clock moving
// back, and Intercom delivers slightly out of order. The rating's own
// created_at travels in the observe event, so reports still place it on its
// day.
//
// Concurrent callers are committed together (group commit): one caller
// plans everyone's steps in arrival order and writes them in one
// transaction, so a store that fsyncs every commit pays one fsync per
// group, not per notification. Each caller returns only once its own steps
// are committed.
func (in *Ingester) Apply(steps []Step, extra []string) (Report, error) {
	r := &request{steps: steps, extra: extra, done: make(chan struct{})}
	in.qmu.Lock()
	in.queue = append(in.queue, r)
	lead := !in.leading
	in.leading = true
	in.qmu.Unlock()
	if lead {
		for {
			in.qmu.Lock()
			group := in.queue
			in.queue = nil
			if len(group) == 0 {
				in.leading = false
				in.qmu.Unlock()
				break
			}
			in.qmu.Unlock()
			in.commit(group)
		}
	}
	<-r.done
	return r.rep, r.err
}

// commit writes a group in one transaction; if that fails, each request
// is written on its own, so one bad request cannot sink the others.
func (in *Ingester) commit(group []*request) {
	in.mu.Lock()
	defer in.mu.Unlock()
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	if len(group) > 1 {
		ws := in.scratch()
		batch := map[string]bool{}
		var all []domain.Event
		var keys [][]string
		for _, r := range group {
			rep, evs, ks := in.plan(ws, batch, r.steps, r.extra)
			r.rep = rep
			keys = append(keys, ks)
			if len(ks) > 0 {
				all = append(all, marker(evs, ks))
				all = append(all, evs...)
				r.rep.Applied = len(evs)
			}
		}
		if len(all) == 0 {
			return
		}
		if _, err := in.sink.ApplyBatch(all); err == nil {
			for _, ks := range keys {
				in.see(ks)
			}
			return
		}
	}
	for _, r := range group {
		r.rep, r.err = in.applyOne(r.steps, r.extra)
	}
}

func marker(evs []domain.Event, keys []string) domain.Event {
	m := domain.Event{Kind: domain.EvClock, By: markerBy, Text: markerPrefix + strings.Join(keys, " ")}
	if len(evs) > 0 {
		m.At = evs[0].At
	}
	return m
}

func (in *Ingester) see(keys []string) {
	for _, k := range keys {
		in.seen[k] = struct{}{}
	}
}

// applyOne writes one request in its own transaction, re-planning when
// another writer moved the clock in between. The caller holds in.mu.
func (in *Ingester) applyOne(steps []Step, extra []string) (Report, error) {
	var err error
	for try := 0; try < maxRetries; try++ {
		rep, evs, keys := in.plan(in.scratch(), map[string]bool{}, steps, extra)
		if len(keys) == 0 {
			return rep, nil
		}
		_, err = in.sink.ApplyBatch(append([]domain.Event{marker(evs, keys)}, evs...))
		if err == nil {
			in.see(keys)
			rep.Applied = len(evs)
			return rep, nil
		}
		if !errors.Is(err, domain.ErrClockBack) {
			break
		}
	}
	return Report{}, err
}

// scratch is an empty workspace at the store's clock and settings; plan
// loads the conversations it touches.
func (in *Ingester) scratch() *domain.Workspace {
	return &domain.Workspace{Now: in.sink.Now(), Settings: in.sink.Settings(), Conversations: map[string]*domain.Conversation{}, Roles: map[string]domain.Role{}}
}

// plan dry-runs the steps on ws, a scratch copy of the conversations they
// touch, so that a step the rules refuse (a close of a closed conversation)
// is reported and left out instead of failing the whole batch. batch holds
// the keys already planned in this transaction.
func (in *Ingester) plan(ws *domain.Workspace, batch map[string]bool, steps []Step, extra []string) (Report, []domain.Event, []string) {
	var rep Report
	var evs []domain.Event
	var keys []string
	for _, k := range extra {
		if _, ok := in.seen[k]; !ok && !batch[k] {
			keys = append(keys, k)
			batch[k] = true
		}
	}
	for _, s := range steps {
		if _, ok := in.seen[s.Key]; ok || batch[s.Key] {
			rep.Already++
			continue
		}
		batch[s.Key] = true
		keys = append(keys, s.Key)
		ev := s.Event
		if conv := ev.Conv; conv != "" && ws.Conversations[conv] == nil {
			if c, ok := in.sink.Conversation(conv); ok {
				ws.Conversations[conv] = clone(c)
			}
		}
		if ev.At.Before(ws.Now) {
			ev.At = ws.Now
		}
		if _, err := ws.Apply(ev); err != nil {
			rep.Skipped = append(rep.Skipped, Skip{What: s.What + " of conversation " + ev.Conv, Reason: err.Error()})
			continue
		}
		evs = append(evs, ev)
	}
	return rep, evs, keys
}

// clone copies a conversation deeply enough that the scratch workspace
// never writes into the sink's slices.
func clone(c domain.Conversation) *domain.Conversation {
	c.Customers = append([]domain.Actor(nil), c.Customers...)
	c.Slots = append([]domain.Slot(nil), c.Slots...)
	return &c
}

// SortSteps orders steps from many conversations by time, keeping each
// conversation's own order for equal times: an import applies history in
// the order it happened.
func SortSteps(steps []Step) {
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Event.At.Before(steps[j].Event.At) })
}
