package store

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// ErrReadOnly is returned by writes on a store opened read-only.
var ErrReadOnly = errors.New("the store is open read-only")

// EventError is a rule error (bad input) in a batch: nothing of the batch was written.
type EventError struct {
	Index int // position of the bad event in the batch
	Event domain.Event
	Err   error
}

func (e *EventError) Error() string {
	what := e.Event.Kind.String()
	if e.Event.Conv != "" {
		what += " " + e.Event.Conv
	}
	return fmt.Sprintf("event %d (%s): %v", e.Index, what, e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// Apply applies one event through the rules and commits it with everything it changes.
func (s *Store) Apply(ev domain.Event) (domain.Outcome, error) {
	outs, err := s.ApplyBatch([]domain.Event{ev})
	if err != nil {
		var ee *EventError
		if errors.As(err, &ee) {
			return domain.Outcome{}, ee.Err
		}
		return domain.Outcome{}, err
	}
	return outs[0], nil
}

// ApplyBatch applies events in order and commits them in one transaction:
// all or none. On a rule error (bad input) nothing of the batch is written
// and the error (an *EventError) names the index of the bad event. A batch
// too big for one Badger transaction is committed in sub-batches split at
// whole events; each sub-batch is then all or none.
func (s *Store) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	outs := make([]domain.Outcome, 0, len(evs))
	b := s.newBatch()
	defer b.discard()
	for i, ev := range evs {
		o, err := b.apply(ev)
		if err != nil {
			return nil, &EventError{Index: i, Event: ev, Err: err}
		}
		outs = append(outs, o)
	}
	if err := b.commit(); err != nil {
		return nil, err
	}
	return outs, nil
}

// Batch is a pending write: events applied to it are visible through its
// own reads and reach the store, all together, at Commit. It satisfies
// simulate.Backend, so a script can run against it and be written only if
// it ran without a script error. It holds the store's write lock until
// Commit or Discard.
type Batch struct{ b *batch }

// Begin starts a pending batch.
func (s *Store) Begin() (*Batch, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	s.writeMu.Lock()
	return &Batch{b: s.newBatch()}, nil
}

// Apply applies one event to the batch; on error the batch is unchanged.
func (x *Batch) Apply(ev domain.Event) (domain.Outcome, error) {
	if x.b == nil {
		return domain.Outcome{}, errors.New("store: batch already committed or discarded")
	}
	return x.b.apply(ev)
}

// Now is the batch's clock.
func (x *Batch) Now() time.Time { return x.b.ws.Now }

// Settings are the batch's settings.
func (x *Batch) Settings() domain.Settings { return x.b.ws.Settings }

// Conversation returns a copy of a conversation's rule state as the batch sees it.
func (x *Batch) Conversation(id string) (domain.Conversation, bool) {
	if err := x.b.load(id); err != nil {
		return domain.Conversation{}, false
	}
	c := x.b.ws.Conversations[id]
	if c == nil {
		return domain.Conversation{}, false
	}
	return cloneConversation(c), true
}

// AllTime returns an agent's all-time counts as the batch sees them.
func (x *Batch) AllTime(agent domain.Actor) domain.Counts {
	if id, ok := x.b.lookupID(agent); ok {
		return x.b.st.totals[id]
	}
	return domain.Counts{}
}

// TeamAllTime sums the teammates' all-time counts as the batch sees them.
func (x *Batch) TeamAllTime() domain.Counts { return x.b.st.teamAllTime() }

// OpenFollowUps counts open follow-up items as the batch sees them.
func (x *Batch) OpenFollowUps() int { return x.b.st.queue.Open(x.b.ws.Settings.FollowUp) }

// Pending reports whether the batch is neither committed nor discarded.
func (x *Batch) Pending() bool { return x.b != nil }

// Len is the number of events applied so far.
func (x *Batch) Len() int { return len(x.b.events) }

// Commit writes the batch. The batch is finished either way.
func (x *Batch) Commit() error {
	if x.b == nil {
		return errors.New("store: batch already committed or discarded")
	}
	b := x.b
	x.b = nil
	defer b.s.writeMu.Unlock()
	defer b.discard()
	return b.commit()
}

// Discard drops the batch; nothing of it is written.
func (x *Batch) Discard() {
	if x.b == nil {
		return
	}
	x.b.discard()
	x.b.s.writeMu.Unlock()
	x.b = nil
}

// touched is a conversation the batch changed, with its state before the batch.
type touched struct {
	before        *convRecord // nil for a conversation the batch started
	updatedAt     time.Time
	hasNewUpdated bool
}

type logEntry struct {
	seq  uint64
	conv string
	val  []byte
}

type auditEntry struct {
	seq uint64
	val []byte
}

// batch collects what a run of events changes, coalesced per key.
type batch struct {
	s      *Store
	read   *badger.Txn // snapshot the batch loads conversations from
	st     memState    // working copy, published on commit
	ws     *domain.Workspace
	newIDs map[domain.Actor]uint32

	loaded  map[string]*convRecord // conversations as stored before the batch (nil: absent)
	touched map[string]*touched
	order   []string // touched conversations in first-touch order
	days    map[int32][]domain.Counts
	log     []logEntry
	audit   []auditEntry
	roles   map[string]domain.Role
	marks   [][]byte // k/ keys of the batch's mark events
	events  []domain.Event
	change  Change
}

func (s *Store) newBatch() *batch {
	s.mu.RLock()
	st := s.st.clone()
	s.mu.RUnlock()
	ws := &domain.Workspace{Now: st.now, Settings: st.settings, Roles: st.roles, Conversations: map[string]*domain.Conversation{}}
	return &batch{
		s: s, read: s.db.NewTransaction(false), st: st, ws: ws,
		newIDs: map[domain.Actor]uint32{}, loaded: map[string]*convRecord{},
		touched: map[string]*touched{}, days: map[int32][]domain.Counts{}, roles: map[string]domain.Role{},
	}
}

func (b *batch) discard() {
	if b.read != nil {
		b.read.Discard()
		b.read = nil
	}
}

// load puts a stored conversation into the workspace, once per batch.
func (b *batch) load(id string) error {
	if _, seen := b.loaded[id]; seen {
		return nil
	}
	if _, ok := b.ws.Conversations[id]; ok {
		return nil
	}
	item, err := b.read.Get(convKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		b.loaded[id] = nil
		return nil
	}
	if err != nil {
		return err
	}
	var rec convRecord
	if err := item.Value(func(v []byte) error {
		d := dec{b: v}
		rec = d.conversation()
		return d.done("conversation " + id)
	}); err != nil {
		return err
	}
	b.loaded[id] = &rec
	c := cloneConversation(&rec.Conversation)
	b.ws.Conversations[id] = &c
	return nil
}

func cloneConversation(c *domain.Conversation) domain.Conversation {
	x := *c
	x.Customers = append([]domain.Actor(nil), c.Customers...)
	if c.Slots != nil {
		x.Slots = append([]domain.Slot(nil), c.Slots...)
	}
	return x
}

func (b *batch) lookupID(a domain.Actor) (uint32, bool) {
	if id, ok := b.newIDs[a]; ok {
		return id, true
	}
	id, ok := b.s.st.ids[a]
	return id, ok
}

// agentID returns a's id, adding it to the dictionary when new.
func (b *batch) agentID(a domain.Actor) uint32 {
	if id, ok := b.lookupID(a); ok {
		return id
	}
	id := uint32(len(b.st.agents))
	b.st.agents = append(b.st.agents, a)
	b.st.totals = append(b.st.totals, domain.Counts{})
	b.newIDs[a] = id
	return id
}

// dayCounts returns the counters of day d, loaded once per batch.
func (b *batch) dayCounts(d int32) ([]domain.Counts, error) {
	if cs, ok := b.days[d]; ok {
		return cs, nil
	}
	cs := make([]domain.Counts, len(b.st.agents))
	if err := getValue(b.read, dayKey(d), func(v []byte) error { return decodeAgentCounts(v, cs) }); err != nil {
		return nil, fmt.Errorf("counters of %s: %w", dayStart(d).Format(time.DateOnly), err)
	}
	b.days[d] = cs
	return cs, nil
}

// count folds the part of an outcome that lands on the day of at into the counters,
// through domain.Observe, the one place that says how outcomes move counts.
func (b *batch) count(o *domain.Outcome, at time.Time) error {
	b.widen(at)
	d := dayOf(at)
	cs, err := b.dayCounts(d)
	if err != nil {
		return err
	}
	domain.Observe(o, func(a domain.Actor) *domain.Counts {
		id := b.agentID(a)
		for int(id) >= len(cs) {
			cs = append(cs, domain.Counts{})
		}
		b.days[d] = cs
		return &cs[id]
	})
	domain.Observe(o, func(a domain.Actor) *domain.Counts {
		id := b.agentID(a)
		return &b.st.totals[id]
	})
	return nil
}

// widen moves the start of "all" back to t: the first event, or an
// observed rating placed before it.
func (b *batch) widen(t time.Time) {
	if b.st.first.IsZero() || t.Before(b.st.first) {
		b.st.first = t
	}
}

// apply runs one event through the rules and records what it changed. On
// error nothing of the batch changed.
func (b *batch) apply(ev domain.Event) (domain.Outcome, error) {
	conv := ""
	switch ev.Kind {
	case domain.EvClock, domain.EvSet, domain.EvRole:
	default:
		conv = ev.Conv
		if err := b.load(conv); err != nil {
			return domain.Outcome{}, err
		}
	}
	prevSettings := b.ws.Settings
	o, err := b.ws.Apply(ev)
	if err != nil {
		return o, err
	}
	at := b.ws.Now
	b.widen(at)
	// The outcome may carry a survey and a rating (an observed rating); each
	// counts on its own day, so each is folded separately.
	if o.Survey.NewSlot {
		survey := o
		survey.Rating = domain.RatingChange{}
		if err := b.count(&survey, o.Survey.At); err != nil {
			return o, err
		}
	}
	if o.Rating.Changed() {
		rating := o
		rating.Survey = domain.SurveyChange{}
		if err := b.count(&rating, o.Rating.FirstRatedAt); err != nil {
			return o, err
		}
	}
	b.st.queue.Move(o.Queue)
	b.st.seq++
	seq := b.st.seq
	e := enc{b: make([]byte, 0, 96+len(ev.Text))}
	e.event(&ev)
	e.outcome(&o)
	b.log = append(b.log, logEntry{seq: seq, conv: conv, val: e.b})
	b.events = append(b.events, ev)
	if source, keys, ok := ev.MarkKeys(); ok {
		for _, k := range keys {
			b.marks = append(b.marks, markKey(source, k))
		}
	}

	switch ev.Kind {
	case domain.EvSet:
		a := enc{}
		a.time(at)
		a.str(ev.By)
		a.str(ev.Setting.Scope)
		a.str(ev.Setting.Name)
		a.str(prevSettings.Get(ev.Setting))
		a.str(b.ws.Settings.Get(ev.Setting))
		b.audit = append(b.audit, auditEntry{seq: seq, val: a.b})
		b.change.Settings = true
	case domain.EvRole:
		b.roles[ev.By] = ev.Role
		b.change.Settings = true
	}
	if o.Survey.NewSlot || o.Decision == domain.DecisionAccepted || o.Decision == domain.DecisionSent {
		b.change.Ratings = true
	}
	if o.Queue.Moved || ev.Kind == domain.EvFollowUp || (ev.Kind == domain.EvComment && o.Decision == domain.DecisionAccepted) {
		b.change.FollowUps = true
	}
	if conv != "" {
		t := b.touched[conv]
		if t == nil {
			t = &touched{before: b.loaded[conv]}
			b.touched[conv] = t
			b.order = append(b.order, conv)
		}
		t.updatedAt = at
		b.change.Conversations = true
	}
	b.st.now = at
	b.st.settings = b.ws.Settings
	return o, nil
}

// errTooBig says a batch must be split.
var errTooBig = errors.New("batch too big for one transaction")

// commit writes the batch in one transaction, splitting at whole events
// when Badger refuses it as too big.
func (b *batch) commit() error {
	if len(b.events) == 0 {
		return nil
	}
	err := b.write()
	if !errors.Is(err, errTooBig) || len(b.events) == 1 {
		return err
	}
	evs := b.events
	b.discard()
	half := len(evs) / 2
	for _, part := range [][]domain.Event{evs[:half], evs[half:]} {
		nb := b.s.newBatch()
		for i, ev := range part {
			if _, err := nb.apply(ev); err != nil {
				nb.discard()
				return fmt.Errorf("store: replaying sub-batch event %d: %w", i, err)
			}
		}
		err := nb.commit()
		nb.discard()
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) write() error {
	s := b.s
	if err := s.checkFreeSpace(); err != nil {
		return err
	}
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	set := func(k, v []byte) error {
		if s.onEntry != nil {
			s.onEntry(k, v)
		}
		if err := txn.Set(k, v); err != nil {
			if errors.Is(err, badger.ErrTxnTooBig) {
				return errTooBig
			}
			return err
		}
		return nil
	}
	del := func(k []byte) error {
		if err := txn.Delete(k); err != nil {
			if errors.Is(err, badger.ErrTxnTooBig) {
				return errTooBig
			}
			return err
		}
		return nil
	}
	empty := []byte{}
	for _, l := range b.log {
		if err := set(seqKey(pLog, l.seq), l.val); err != nil {
			return err
		}
		if l.conv != "" {
			if err := set(partKey(l.conv, l.seq), empty); err != nil {
				return err
			}
		}
	}
	for _, id := range b.order {
		t := b.touched[id]
		after := convRecord{Conversation: *b.ws.Conversations[id], UpdatedAt: t.updatedAt}
		e := enc{b: make([]byte, 0, 256)}
		e.conversation(&after)
		if err := set(convKey(id), e.b); err != nil {
			return err
		}
		dels, sets := indexDiff(t.before, &after)
		for _, k := range dels {
			if err := del(k); err != nil {
				return err
			}
		}
		for _, k := range sets {
			if err := set(k, empty); err != nil {
				return err
			}
		}
	}
	days := make([]int32, 0, len(b.days))
	for d := range b.days {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	for _, d := range days {
		if err := set(dayKey(d), encodeAgentCounts(b.days[d])); err != nil {
			return err
		}
	}
	for a, id := range b.newIDs {
		e := enc{}
		e.actor(a)
		if err := set(agentKey(id), e.b); err != nil {
			return err
		}
	}
	for name, r := range b.roles {
		if err := set(roleKey(name), []byte{byte(r)}); err != nil {
			return err
		}
	}
	for _, a := range b.audit {
		if err := set(seqKey(pAudit, a.seq), a.val); err != nil {
			return err
		}
	}
	for _, k := range b.marks {
		if err := set(k, empty); err != nil {
			return err
		}
	}
	if err := set(keyMeta, encodeMeta(&b.st)); err != nil {
		return err
	}
	if len(b.newIDs) > 0 || b.change.Ratings {
		if err := set(keyTotal, encodeAgentCounts(b.st.totals)); err != nil {
			return err
		}
	}
	b.change.Seq = b.st.seq

	// Readers take s.mu before opening their snapshot, so holding it across
	// the commit makes the memory state and Badger move together.
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	for a, id := range b.newIDs {
		if s.st.ids == nil {
			s.st.ids = map[domain.Actor]uint32{}
		}
		s.st.ids[a] = id
	}
	ids := s.st.ids
	s.st = b.st
	s.st.ids = ids
	for name, r := range b.roles {
		s.st.roles[name] = r
	}
	s.announce(b.change)
	return nil
}

// indexKeys lists the index keys a conversation's state implies: its place
// in the list, and each slot's follow-up and achievement entries. Membership
// asks the domain (classes, queue entries); the threshold is applied on read.
func indexKeys(r *convRecord) [][]byte {
	keys := [][]byte{updatedKey(r.UpdatedAt, r.ID)}
	for i := range r.Slots {
		sl := &r.Slots[i]
		if sl.Value == 0 {
			continue
		}
		if sl.FollowUpCandidate() {
			keys = append(keys, slotKey(pFollowUp, sl.FirstRatedAt, r.ID, sl.Agent))
		}
		if domain.ClassOf(sl.Value) == domain.ClassPositive {
			keys = append(keys, slotKey(pAchieve, sl.LastChangedAt, r.ID, sl.Agent))
		}
	}
	return keys
}

// indexDiff says which index keys to delete and set when a conversation
// moves from before (nil: new) to after.
func indexDiff(before, after *convRecord) (dels, sets [][]byte) {
	var old [][]byte
	if before != nil {
		old = indexKeys(before)
	}
	now := indexKeys(after)
	for _, k := range old {
		if !containsKey(now, k) {
			dels = append(dels, k)
		}
	}
	for _, k := range now {
		if !containsKey(old, k) {
			sets = append(sets, k)
		}
	}
	return dels, sets
}

func containsKey(ks [][]byte, k []byte) bool {
	for _, x := range ks {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}
