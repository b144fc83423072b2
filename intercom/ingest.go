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
// in-memory workspace that can commit a batch whole or not at all and look
// up the keys its mark events carried.
type Sink interface {
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
// name writes nothing for it. A repeat newer than the entry is kept: an
// older, different name delivered after it must not win.
type namer interface {
	NameSeen(a domain.Actor) (display, email string, at time.Time)
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
	// Legacy lists the teammates the store keeps under the keys an older
	// csat gave them ("Mo.Farah (admin 991267391)"), which their ratings
	// join (legacy.go); set by Import.
	Legacy []string
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
// sink's conversation state. Whether a key was ingested before
// is asked of the sink, key by key: the ingester's memory does not grow
// with what it ingests.
type Ingester struct {
	mu   sync.Mutex // held while planning and committing
	sink Sink

	qmu     sync.Mutex // guards the group-commit queue
	queue   []*request
	leading bool

	syncing chan struct{} // holds the one Sync run at a time

	// legacy maps admin ids to the keys an older csat gave them (legacy.go).
	legacy map[string]string

	// Logf, when set, reports background erasures (deleted.go).
	Logf       func(format string, args ...any)
	emu        sync.Mutex // guards erasing and eraseAgain
	erasing    bool
	eraseAgain bool
	erasers    sync.WaitGroup
}

// NewIngester returns an ingester writing to sink. Identities are keyed by
// Intercom's ids; only the keys an older csat gave teammates are read back.
func NewIngester(sink Sink) (*Ingester, error) {
	legacy, err := readLegacyKeys(sink)
	if err != nil {
		return nil, err
	}
	return &Ingester{sink: sink, syncing: make(chan struct{}, 1), legacy: legacy}, nil
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

// request is one caller's steps waiting for a group commit.
type request struct {
	steps []Step
	extra []string
	rep   Report
	err   error
	done  chan struct{}
}

// Apply writes steps (in the order given) with extra keys, in one
// transaction. Steps seen before are counted, not applied. Every step
// keeps Intercom's own time: a part older than its conversation's latest
// one is placed at its time by the sink, which decides that conversation
// again.
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
		rep, evs, ks, _, err := in.plan(ws, batch, r.steps, r.extra)
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

// indexedError is a sink's error that names the event of the batch it is
// about (the store's EventError does).
type indexedError interface{ EventIndex() int }

// applyOne writes one request in its own transaction. A late part the
// plan could not try (the sink places it among parts the plan does not
// hold) may still not apply at its place: the sink then names it, and it
// is left out and reported, its key still marked, like any refused step.
// The caller holds in.mu.
func (in *Ingester) applyOne(steps []Step, extra []string) (Report, error) {
	rep, evs, keys, whats, err := in.plan(in.scratch(), map[string]bool{}, steps, extra)
	if err != nil {
		return Report{}, err
	}
	if len(keys) == 0 {
		return rep, nil
	}
	for {
		_, err = in.sink.ApplyBatch(append([]domain.Event{marker(evs, keys)}, evs...))
		if err == nil {
			rep.Applied = len(evs)
			return rep, nil
		}
		var ie indexedError
		if !errors.As(err, &ie) || ie.EventIndex() < 1 || ie.EventIndex() > len(evs) {
			return Report{}, err
		}
		i := ie.EventIndex() - 1
		rep.Skipped = append(rep.Skipped, Skip{What: whats[i] + " of conversation " + evs[i].Conv, Reason: errors.Unwrap(err).Error()})
		evs = append(evs[:i:i], evs[i+1:]...)
		whats = append(whats[:i:i], whats[i+1:]...)
	}
}

// scratch is an empty workspace under the sink's settings; plan loads the
// conversations it touches.
func (in *Ingester) scratch() *domain.Workspace {
	return &domain.Workspace{Settings: in.sink.Settings(), Conversations: map[string]*domain.Conversation{}, Roles: map[string]domain.Role{}}
}

// plan dry-runs the steps on ws, a scratch copy of the conversations they
// touch, so that a step the rules refuse (a close of a closed conversation)
// is reported and left out instead of failing the whole batch. A step
// older than its conversation's latest part cannot be tried here: the
// sink places it among the conversation's parts, and the plan stops
// trying that conversation's later steps, whose scratch state it no longer
// knows. batch holds the keys already planned in this transaction; the
// sink knows the keys committed before. whats names each planned event
// for reports. The error is the sink's, when it cannot tell.
func (in *Ingester) plan(ws *domain.Workspace, batch map[string]bool, steps []Step, extra []string) (rep Report, evs []domain.Event, keys, whats []string, err error) {
	seen := func(k string) (bool, error) {
		if batch[k] {
			return true, nil
		}
		return in.sink.Marked(markSource, k)
	}
	for _, k := range extra {
		ok, err := seen(k)
		if err != nil {
			return Report{}, nil, nil, nil, err
		}
		if !ok {
			keys = append(keys, k)
			batch[k] = true
		}
	}
	untried := map[string]bool{} // conversations with a late step in this plan
	for _, s := range steps {
		ok, err := seen(s.Key)
		if err != nil {
			return Report{}, nil, nil, nil, err
		}
		ev := in.legacyKeys(s.Event)
		if ok || in.shown(ev) {
			rep.Already++
			continue
		}
		if conv := ev.Conv; conv != "" && ws.Conversations[conv] == nil {
			if c, ok := in.sink.Conversation(conv); ok {
				ws.Conversations[conv] = clone(c)
			}
		}
		if ev.Kind == domain.EvAssign && !reassigns(ws.Conversations[ev.Conv], ev) {
			continue // changes nothing: nothing to write or to report
		}
		batch[s.Key] = true
		keys = append(keys, s.Key)
		oneCustomer(ws.Conversations[ev.Conv], &ev)
		if err := in.unalias(&ev, seen); err != nil {
			return Report{}, nil, nil, nil, err
		}
		if !untried[ev.Conv] {
			_, err := ws.Apply(ev)
			switch {
			case errors.Is(err, domain.ErrLate):
				untried[ev.Conv] = true
			case err != nil:
				rep.Skipped = append(rep.Skipped, Skip{What: s.What + " of conversation " + ev.Conv, Reason: err.Error()})
				continue
			}
		}
		evs = append(evs, ev)
		whats = append(whats, s.What)
	}
	return rep, evs, keys, whats, nil
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

// nameRepeatSlack is how much newer than the stored name a repeat of it
// must be to be written. Every payload shows its people's names, so
// writing each repeat would log a name per person per notification; a
// day's slack logs at most one a day, and leaves only an older name seen
// within that day of the stored one able to win when delivered late.
const nameRepeatSlack = 24 * time.Hour

// shown reports whether ev is a name the sink already shows, at a time
// close enough to the stored one (nameRepeatSlack).
func (in *Ingester) shown(ev domain.Event) bool {
	n, ok := in.sink.(namer)
	if !ok || ev.Kind != domain.EvName {
		return false
	}
	display, email, at := n.NameSeen(ev.Actor)
	return display == ev.Text && email == ev.By && !at.IsZero() && ev.At.Sub(at) < nameRepeatSlack
}

// reassigns reports whether an assign event can change conversation c
// (nil while unknown): the newest assignment by time wins, so one at or
// before the conversation's latest changes nothing, and neither does "no
// team" for a conversation never assigned. A newer one on the same team
// is written: it keeps an older one delivered after it from winning.
func reassigns(c *domain.Conversation, ev domain.Event) bool {
	switch {
	case c == nil || c.TeamAt.IsZero():
		return ev.Text != "" || (c != nil && c.Team != "")
	case !ev.At.After(c.TeamAt):
		return false
	}
	return true
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
// conversation's own order for equal times. Conversations share no clock,
// so any order would decide the same; time order spares the sink placing
// late parts.
func SortSteps(steps []Step) {
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Event.At.Before(steps[j].Event.At) })
}

// Ahead refuses a plan with a step more than domain.MaxAhead after clock,
// the receiving machine's clock: such a time is bad input, and the whole
// conversation it came with moves nothing. The error names the step.
func (p Plan) Ahead(clock time.Time) error {
	for _, s := range p.Steps {
		if err := domain.CheckArrival(s.Event.At, clock); err != nil {
			what := s.What
			if !strings.HasPrefix(what, "conversation ") {
				what += " of conversation " + p.Conv
			}
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
