package store

import (
	"errors"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// batchConv is what a batch holds of one conversation beside the
// workspace's copy: one map entry for what an event of it looks up.
type batchConv struct {
	// loaded says the store was read for it (the batch's own first event
	// of a conversation it starts included); before is its record as
	// stored before the batch (nil: absent).
	loaded bool
	before *convRecord
	// parts is its part list as the batch leaves it, once the batch
	// logs a part of it (partsOf).
	parts *partList
	// touched says the batch changed it (in order, first-touch order).
	touched bool
}

type logEntry struct {
	seq   uint64
	conv  string
	val   []byte
	asKey bool // its part is a p/ key, past those its record holds (parts.go)
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

	convs   map[string]*batchConv               // the conversations the batch read, logged or touched
	order   []string                            // touched conversations in first-touch order
	wrote   []committedConv                     // the records a write put, for the cache once committed
	cw      convWriter                          // writes the touched conversations' records and index keys
	logBuf  []byte                              // the chunk log entries are encoded in (logValue)
	sumBuf  []domain.Counts                     // where a filter's day counters are summed (selectorSum)
	segBuf  [domain.NumSegments][]domain.Counts // where the segments a filter sums are read
	days    map[int32][]domain.Counts
	segDays map[segDay][]domain.Counts
	// daySegs, in a load's pipeline, holds every segment's counters of
	// each day whose c/ keys the batch wrote, as the batch leaves them:
	// the batch after sums its unmoved segments from them rather than
	// reading them from Badger (writeFilterCounters). nil elsewhere.
	daySegs map[int32]*[domain.NumSegments][]domain.Counts
	teams   map[string]bool // teams the batch named or changed
	log     []logEntry
	audit   []auditEntry
	roles   map[string]domain.Role
	names   names    // display names the batch gives (names.go)
	marks   [][]byte // k/ keys of the batch's mark events
	events  []domain.Event
	// lent says events is the caller's slice (ApplyBatch): apply does not
	// copy each event into it.
	lent bool
	// unencoded leaves the log entries' values nil: a check's replay
	// encodes them beside the batch (check_worker.go). fresh says nothing
	// is stored before the batch and it keeps no record of what it loaded
	// or touched: a check's replay, which holds each conversation from its
	// start and writes its keys once it ends (check_replay.go).
	unencoded bool
	fresh     bool
	change    Change
	// loadRecord is the load record to write with the batch (load_record.go).
	loadRecord []byte
	// decisions is what the batch adds to the index of decisions (index_decisions.go).
	decisions decisionLog
	// entries is how many keys stage set and deleted.
	entries int
	// written, when not nil, holds every conversation whose record the
	// load pipeline of the batch may have written, and the store held
	// none before it (conv_filter.go).
	written *convFilter
	// ahead, when not nil, is the batch before this one, sent to Badger
	// but maybe not yet committed, that this one applies on top of
	// (load_pipeline.go).
	ahead *aheadOf
}

func (s *Store) newBatch() *batch {
	s.mu.RLock()
	st := s.st.clone()
	s.mu.RUnlock()
	return s.newBatchOf(st, s.db.NewTransaction(false))
}

// newBatchOf is a batch starting from memory state st, reading the
// store's keys from read.
func (s *Store) newBatchOf(st memState, read *badger.Txn) *batch {
	ws := &domain.Workspace{Settings: st.settings, History: st.history, Roles: st.roles, Teams: st.teams, Conversations: map[string]*domain.Conversation{}}
	return &batch{
		s: s, read: read, st: st, ws: ws,
		newIDs: map[domain.Actor]uint32{}, convs: map[string]*batchConv{},
		days: map[int32][]domain.Counts{}, roles: map[string]domain.Role{},
		segDays: map[segDay][]domain.Counts{}, teams: map[string]bool{},
	}
}

// sizeFor sizes the batch's conversation maps for n events: a load's
// batch touches about one conversation for every one and a half events
// (the maps are then made once instead of grown), a batch of whole
// conversations far fewer.
func (b *batch) sizeFor(n int) {
	n = min(n/2, 1<<13)
	b.cw.arena.chunk = keyArenaChunk
	b.convs = make(map[string]*batchConv, n)
	b.ws.Conversations = make(map[string]*domain.Conversation, n)
	b.order = make([]string, 0, n)
}

func (b *batch) discard() {
	if b.read != nil {
		b.read.Discard()
		b.read = nil
	}
}

// conv is the batch's entry of conversation id, made when it has none.
func (b *batch) conv(id string) *batchConv {
	bc := b.convs[id]
	if bc == nil {
		bc = &batchConv{}
		b.convs[id] = bc
	}
	return bc
}

// load puts a stored conversation into the workspace, once per batch.
func (b *batch) load(id string) error {
	if b.fresh {
		return nil
	}
	return b.loadInto(id, b.conv(id))
}

// loadInto is load with the conversation's entry.
func (b *batch) loadInto(id string, bc *batchConv) error {
	if b.fresh || bc.loaded {
		return nil
	}
	if _, ok := b.ws.Conversations[id]; ok {
		return nil
	}
	if v, ok := b.ahead.conversation(id); ok {
		return b.hold(id, bc, v)
	}
	if v, ok := b.s.convs.get(id); ok {
		return b.hold(id, bc, v)
	}
	if !b.written.mayHold(id) {
		bc.loaded = true
		b.written.add(id)
		return nil
	}
	item, err := b.read.Get(convKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		bc.loaded = true
		b.written.add(id)
		return nil
	}
	if err != nil {
		return err
	}
	return item.Value(func(v []byte) error { return b.hold(id, bc, v) })
}

// heldConv is a stored conversation a batch holds: its record as stored
// before the batch, and the workspace's copy the rules change, in one
// allocation.
type heldConv struct {
	before convRecord
	now    domain.Conversation
}

// hold decodes conversation id's stored record v into the batch: as it
// was before the batch, and as the workspace's copy the rules change.
func (b *batch) hold(id string, bc *batchConv, v []byte) error {
	h := &heldConv{}
	if err := decodeConversationInto(&h.before, v, id); err != nil {
		return err
	}
	bc.loaded, bc.before = true, &h.before
	h.now = cloneConversation(&h.before.Conversation)
	b.ws.Conversations[id] = &h.now
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
	if id, ok := b.ahead.agentID(a); ok {
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

// apply runs one event through the rules and records what it changed. On
// error nothing of the batch changed.
func (b *batch) apply(ev domain.Event) (domain.Outcome, error) {
	if err := checkTimes(&ev); err != nil {
		return domain.Outcome{}, err
	}
	conv := eventConv(ev)
	var bc *batchConv
	if conv == "" {
		// A workspace event reads the store's published state (names):
		// the batch before must have landed.
		if err := b.settleAhead(); err != nil {
			return domain.Outcome{}, err
		}
	} else {
		bc = b.conv(conv)
		if err := b.loadInto(conv, bc); err != nil {
			return domain.Outcome{}, err
		}
	}
	prevSettings := b.ws.SettingsAt(ev.At)
	o, err := b.ws.Apply(ev)
	late := errors.Is(err, domain.ErrLate)
	if late {
		o, err = b.placeLate(ev)
	}
	if err != nil {
		return o, err
	}
	// The span of the data: every event with a time widens it (a store
	// written with a workspace clock kept the same span in its meta), but
	// a bookkeeping mark (an erasure's, stamped when it was asked) is no data.
	at := ev.At
	if _, _, mark := ev.MarkKeys(); !at.IsZero() && !mark {
		b.widen(at)
		if at.After(b.st.latest) {
			b.st.latest = at
		}
	}
	if !late {
		if err := b.count(&o, b.segment(conv)); err != nil {
			return o, err
		}
		b.st.queue.Move(o.Queue)
	}
	seq := b.logEvent(&ev, &o, conv, bc)
	b.noteDecision(&ev, &o, conv, seq)
	b.recordSettings(&ev, seq, at, prevSettings)
	b.noteChange(&ev, &o, conv, bc, late)
	b.st.settings = b.ws.Settings
	b.st.history = b.ws.History
	return o, nil
}

// segment is the segment a conversation's counts fall in (channel,
// audience, direction: fixed when it starts).
func (b *batch) segment(conv string) domain.Segment {
	if c := b.ws.Conversations[conv]; c != nil {
		return domain.SegmentOf(c)
	}
	return 0
}

// eventConv is the conversation an event belongs to ("" for workspace events).
func eventConv(ev domain.Event) string {
	switch ev.Kind {
	case domain.EvClock, domain.EvMark, domain.EvSet, domain.EvRole, domain.EvTeam, domain.EvName:
		return ""
	}
	return ev.Conv
}

// logEvent appends the event and its outcome to the batch's log, with the
// mark index keys it carries, and returns its sequence number. bc is the
// entry of conv (nil for a workspace event).
func (b *batch) logEvent(ev *domain.Event, o *domain.Outcome, conv string, bc *batchConv) uint64 {
	b.st.seq++
	seq := b.st.seq
	var val []byte
	if !b.unencoded {
		val = b.logValue(ev, o)
	}
	asKey := bc != nil && bc.partList().add(seq)
	b.log = append(b.log, logEntry{seq: seq, conv: conv, val: val, asKey: asKey})
	if !b.lent {
		b.events = append(b.events, *ev)
	}
	if source, keys, ok := ev.MarkKeys(); ok {
		for _, k := range keys {
			b.marks = append(b.marks, markKey(source, k))
		}
	}
	return seq
}

// partsOf is conv's part list as the batch leaves it: the stored one's
// copy, once the batch logs a part of conv.
func (b *batch) partsOf(conv string) *partList { return b.conv(conv).partList() }

// partList is the conversation's part list as the batch leaves it.
func (bc *batchConv) partList() *partList {
	if bc.parts == nil {
		if bc.before != nil {
			bc.parts = bc.before.parts.clone()
		} else {
			bc.parts = &partList{}
		}
	}
	return bc.parts
}

// logArenaChunk is the size of the chunks a batch encodes its log entries in.
const logArenaChunk = 32 << 10

// logValue encodes the log entry of ev and o into the batch's current
// chunk, cut to its length and capacity: a batch makes one allocation for
// its log entries every hundred or so events instead of one an event.
// Badger copies the values at the commit, so a chunk lives as long as the
// batch.
func (b *batch) logValue(ev *domain.Event, o *domain.Outcome) []byte {
	size := 97 + len(ev.Text) + 256 // encodeLogEntry's guess, with room for long names
	if cap(b.logBuf)-len(b.logBuf) < size {
		b.logBuf = make([]byte, 0, max(logArenaChunk, size))
	}
	from := len(b.logBuf)
	b.logBuf = appendLogEntry(b.logBuf, ev, o)
	return b.logBuf[from:len(b.logBuf):len(b.logBuf)]
}

// recordSettings keeps the audit entry of a settings change, the roles a
// role event records and the teams a team event changes.
func (b *batch) recordSettings(ev *domain.Event, seq uint64, at time.Time, prev domain.Settings) {
	switch ev.Kind {
	case domain.EvSet:
		a := AuditEntry{At: at, By: ev.By, Key: ev.Setting, Old: prev.Get(ev.Setting), New: b.ws.SettingsAt(at).Get(ev.Setting)}
		b.audit = append(b.audit, auditEntry{seq: seq, val: encodeAudit(&a)})
		b.change.Settings = true
	case domain.EvRole:
		b.roles[ev.By] = ev.Role
		b.change.Settings = true
	case domain.EvTeam:
		b.teams[ev.Conv] = true
		b.change.Settings = true
	case domain.EvName:
		if b.learnName(*ev) {
			b.change.Ratings = true // the leaderboard shows the name
		}
	}
}

// noteChange says what the live feed will announce, and marks the
// conversation touched (bc, nil for a workspace event). A late part may
// move anything of its conversation.
func (b *batch) noteChange(ev *domain.Event, o *domain.Outcome, conv string, bc *batchConv, late bool) {
	if late || o.Survey.NewSlot || o.Decision == domain.DecisionAccepted || o.Decision == domain.DecisionSent {
		b.change.Ratings = true
	}
	if late || o.Queue.Moved || ev.Kind == domain.EvFollowUp || (ev.Kind == domain.EvComment && o.Decision == domain.DecisionAccepted) {
		b.change.FollowUps = true
	}
	if bc == nil {
		return
	}
	if !bc.touched && !b.fresh {
		bc.touched = true
		b.order = append(b.order, conv)
	}
	b.change.Conversations = true
}
