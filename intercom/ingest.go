package intercom

import (
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/csat-app/csat/domain"
)

// Sink is where mapped events go. The store satisfies it; so does any
// in-memory workspace that can commit a batch whole or not at all and look
// up the keys its mark events carried.
type Sink interface {
	Now() time.Time
	Settings() domain.Settings
	Conversation(id string) (domain.Conversation, bool)
	// ApplyBatch commits events in one transaction: all or none.
	ApplyBatch(evs []domain.Event) ([]domain.Outcome, error)
	// Marked reports whether a committed mark event (domain.MarkEvent) of
	// source carried key. It must be safe to call beside ApplyBatch.
	Marked(source, key string) (bool, error)
	// Marks calls fn for each committed marked key of source that starts
	// with prefix.
	Marks(source, prefix string, fn func(key string) error) error
}

// namer is a sink that keeps display names (the store does): a name step
// that would not change its entry is left out, so a payload that repeats a
// name writes nothing for it.
type namer interface {
	NameOf(a domain.Actor) (display, email string)
}

// markSource is the source of the Intercom marks: the bookkeeping event
// (domain.MarkEvent) listing which Intercom keys a batch carried, written
// in the same transaction as the events it vouches for, so the sink's
// answer to "seen before?" and the data can never disagree.
const markSource = "intercom"

// Report counts what an ingest did.
type Report struct {
	Applied int    // domain events written
	Already int    // steps whose key was seen before (redelivery, re-import)
	Skipped []Skip // steps left out, with the reason the rules gave
	// Truncated lists conversations with more parts than their payload
	// listed: their history here is incomplete.
	Truncated []string
}

// Add folds o into r.
func (r *Report) Add(o Report) {
	r.Applied += o.Applied
	r.Already += o.Already
	r.Skipped = append(r.Skipped, o.Skipped...)
	r.Truncated = append(r.Truncated, o.Truncated...)
}

// Ingester applies mapped steps to a sink exactly once each. It is safe for
// concurrent use; ingests are serialized, since each plans against the
// store's clock and conversation state. Whether a key was ingested before
// is asked of the sink, key by key: the ingester's memory does not grow
// with what it ingests.
type Ingester struct {
	mu   sync.Mutex // held while planning and committing
	sink Sink

	qmu     sync.Mutex // guards the group-commit queue
	queue   []*request
	leading bool

	syncing chan struct{} // holds the one Sync run at a time

	// Logf, when set, reports background erasures (deleted.go).
	Logf       func(format string, args ...any)
	emu        sync.Mutex // guards erasing and eraseAgain
	erasing    bool
	eraseAgain bool
	erasers    sync.WaitGroup
}

// NewIngester returns an ingester writing to sink. Identities are keyed by
// Intercom's ids, so nothing needs reading back first.
func NewIngester(sink Sink) (*Ingester, error) {
	return &Ingester{sink: sink, syncing: make(chan struct{}, 1)}, nil
}

// Pause runs fn while no ingest is in progress, e.g. a consistency check.
func (in *Ingester) Pause(fn func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	fn()
}

// Seen reports whether key was ingested before (committed). It does not
// wait for an ingest in progress.
func (in *Ingester) Seen(key string) (bool, error) {
	return in.sink.Marked(markSource, key)
}

// Map maps a conversation; it reads nothing of the sink.
func (in *Ingester) Map(c *Conversation) (Plan, error) {
	return Map(c)
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
	if len(group) > 1 && in.commitGroup(group) {
		return
	}
	for _, r := range group {
		r.rep, r.err = in.applyOne(r.steps, r.extra)
	}
}

// commitGroup plans every request of the group in order and writes them in
// one transaction. It reports false, having written nothing, when planning
// or the write failed. The caller holds in.mu.
func (in *Ingester) commitGroup(group []*request) bool {
	ws := in.scratch()
	batch := map[string]bool{}
	var all []domain.Event
	for _, r := range group {
		rep, evs, ks, err := in.plan(ws, batch, r.steps, r.extra)
		if err != nil {
			return false
		}
		r.rep = rep
		if len(ks) > 0 {
			all = append(all, marker(evs, ks))
			all = append(all, evs...)
			r.rep.Applied = len(evs)
		}
	}
	if len(all) == 0 {
		return true
	}
	_, err := in.sink.ApplyBatch(all)
	return err == nil
}

// marker is the mark of a batch: the keys it carries, at its first event's time.
func marker(evs []domain.Event, keys []string) domain.Event {
	var at time.Time
	if len(evs) > 0 {
		at = evs[0].At
	}
	return domain.MarkEvent(markSource, keys, at)
}

// applyOne writes one request in its own transaction, re-planning when
// another writer moved the clock in between. The caller holds in.mu.
func (in *Ingester) applyOne(steps []Step, extra []string) (Report, error) {
	for try := 1; ; try++ {
		rep, evs, keys, err := in.plan(in.scratch(), map[string]bool{}, steps, extra)
		if err != nil {
			return Report{}, err
		}
		if len(keys) == 0 {
			return rep, nil
		}
		_, err = in.sink.ApplyBatch(append([]domain.Event{marker(evs, keys)}, evs...))
		if err == nil {
			rep.Applied = len(evs)
			return rep, nil
		}
		if !errors.Is(err, domain.ErrClockBack) || try == maxRetries {
			return Report{}, err
		}
	}
}

// scratch is an empty workspace at the store's clock and settings; plan
// loads the conversations it touches.
func (in *Ingester) scratch() *domain.Workspace {
	return &domain.Workspace{Now: in.sink.Now(), Settings: in.sink.Settings(), Conversations: map[string]*domain.Conversation{}, Roles: map[string]domain.Role{}}
}

// plan dry-runs the steps on ws, a scratch copy of the conversations they
// touch, so that a step the rules refuse (a close of a closed conversation)
// is reported and left out instead of failing the whole batch. batch holds
// the keys already planned in this transaction; the sink knows the keys
// committed before. The error is the sink's, when it cannot tell.
func (in *Ingester) plan(ws *domain.Workspace, batch map[string]bool, steps []Step, extra []string) (Report, []domain.Event, []string, error) {
	var rep Report
	var evs []domain.Event
	var keys []string
	seen := func(k string) (bool, error) {
		if batch[k] {
			return true, nil
		}
		return in.sink.Marked(markSource, k)
	}
	for _, k := range extra {
		ok, err := seen(k)
		if err != nil {
			return Report{}, nil, nil, err
		}
		if !ok {
			keys = append(keys, k)
			batch[k] = true
		}
	}
	for _, s := range steps {
		ok, err := seen(s.Key)
		if err != nil {
			return Report{}, nil, nil, err
		}
		if ok || in.shown(s.Event) {
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
		oneCustomer(ws.Conversations[ev.Conv], &ev)
		if err := in.unalias(&ev, seen); err != nil {
			return Report{}, nil, nil, err
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
	return rep, evs, keys, nil
}

// unalias gives a rating of an admin id known to write as a bot (Operator,
// Fin; Plan.Aliases) to that bot: a rating names its teammate by id only.
func (in *Ingester) unalias(ev *domain.Event, seen func(string) (bool, error)) error {
	if ev.Kind != domain.EvObserve || !ev.Agent.IsTeammate() {
		return nil
	}
	for _, bot := range []domain.Actor{Operator, domain.Fin} {
		ok, err := seen(aliasKey(ev.Agent.Name, bot))
		if err != nil {
			return err
		}
		if ok {
			ev.Agent = bot
			return nil
		}
	}
	return nil
}

// shown reports whether ev is a name the sink already shows.
func (in *Ingester) shown(ev domain.Event) bool {
	n, ok := in.sink.(namer)
	if !ok || ev.Kind != domain.EvName {
		return false
	}
	display, email := n.NameOf(ev.Actor)
	return display == ev.Text && email == ev.By
}

// oneCustomer keeps a contact one customer: a contact stored as lead:X that
// a later payload calls user:X (a lead who signed up, or a v2 contact
// without a role) is still lead:X in this conversation, never a second
// customer that would make it a group.
func oneCustomer(c *domain.Conversation, ev *domain.Event) {
	if c == nil {
		return
	}
	for _, a := range c.Customers {
		if ev.Actor.IsCustomer() && a.Name == ev.Actor.Name {
			ev.Actor = a
		}
	}
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
