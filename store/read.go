package store

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// maxDaily caps the sparkline points of a leaderboard row.
const maxDaily = 90

// snapshot opens a read transaction together with a consistent copy of the
// in-memory state it goes with; done ends it. Forget replaces the Badger
// database once every snapshot of it is done, so a reader must not open a
// second snapshot before its first is done.
func (s *Store) snapshot() (txn *badger.Txn, st memState, done func()) {
	if s.summary {
		panic("store: opened with CountersOnly, which reads only the counters summary; this read needs the whole store")
	}
	return s.countersSnapshot()
}

// countersSnapshot is snapshot for the reads the counters summary answers
// (summary.go): the leaderboard and series.
func (s *Store) countersSnapshot() (txn *badger.Txn, st memState, done func()) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	users := s.enter()
	txn = s.db.NewTransaction(false)
	return txn, s.st, func() { txn.Discard(); users.Done() }
}

// ParsePeriod is domain.ParsePeriod: the one definition of the named and
// custom periods.
func ParsePeriod(name string, now time.Time) (Period, error) {
	return domain.ParsePeriod(name, now)
}

// Conversation returns a conversation's rule state.
func (s *Store) Conversation(id string) (domain.Conversation, bool) {
	txn, _, done := s.snapshot()
	defer done()
	r, ok, err := getConversation(txn, id)
	if err != nil || !ok {
		return domain.Conversation{}, false
	}
	return r.Conversation, true
}

// getConversation reads a conversation's record. The lists read one per
// row, each through the tables of every level, so it checks the bound on
// resident table pages as it goes (paceResident).
func getConversation(txn *badger.Txn, id string) (convRecord, bool, error) {
	paceResident()
	var r convRecord
	item, err := txn.Get(convKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	err = item.Value(func(v []byte) (err error) {
		r, err = decodeConversation(v, id)
		return err
	})
	return r, err == nil, err
}

// slotIndex walks an f/ or a/ index, loading each slot's conversation.
func slotIndex(txn *badger.Txn, p byte, reverse bool, fn func(r *convRecord, sl *domain.Slot) (more bool, err error)) error {
	pre := prefix(p)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, Reverse: reverse})
	defer it.Close()
	seek := pre
	if reverse {
		seek = append(append([]byte(nil), pre...), 0xff)
	}
	for it.Seek(seek); it.ValidForPrefix(pre); it.Next() {
		_, conv, agent, ok := parseSlotKey(it.Item().Key())
		if !ok {
			return fmt.Errorf("index key %q: %w", it.Item().Key(), errCorrupt)
		}
		r, found, err := getConversation(txn, conv)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("index names conversation %q, which is missing: %w", conv, errCorrupt)
		}
		sl := r.Slot(agent)
		if sl == nil {
			return fmt.Errorf("index names a slot of %s in %q, which is missing: %w", agent, conv, errCorrupt)
		}
		more, err := fn(&r, sl)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func customerOf(r *convRecord) domain.Actor {
	if len(r.Customers) > 0 {
		return r.Customers[0]
	}
	return domain.Actor{}
}

// FollowUps lists the queue, oldest first.
func (s *Store) FollowUps(f FollowUpFilter) (_ []FollowUpItem, err error) {
	defer recoverDamage(&err)
	txn, st, done := s.snapshot()
	defer done()
	var items []FollowUpItem
	walk := func(fn func(r *convRecord, sl *domain.Slot) (bool, error)) error {
		return slotIndex(txn, pFollowUp, false, fn)
	}
	if !f.Agent.IsZero() {
		walk = func(fn func(r *convRecord, sl *domain.Slot) (bool, error)) error {
			return agentFollowUps(txn, f.Agent, fn)
		}
	}
	err = walk(func(r *convRecord, sl *domain.Slot) (bool, error) {
		if it, ok := followUpItem(r, sl, &st, f); ok {
			items = append(items, it)
		}
		return true, nil
	})
	return items, err
}

// followUpItem is sl's item of the queue, if f lists it: open under the
// threshold in force, or resolved when f includes those; of f's agent
// and segments.
func followUpItem(r *convRecord, sl *domain.Slot, st *memState, f FollowUpFilter) (FollowUpItem, bool) {
	open := sl.QueueEntry().InQueue(st.settings.FollowUp)
	resolved := sl.FollowUp.Stage == domain.StageResolved
	if !open && !(resolved && f.IncludeResolved) || !f.Agent.IsZero() && sl.Agent != f.Agent {
		return FollowUpItem{}, false
	}
	if !f.Segments.IsZero() && !f.Segments.Matches(domain.SegmentOf(&r.Conversation)) {
		return FollowUpItem{}, false
	}
	return FollowUpItem{
		Conv: r.ID, Agent: sl.Agent, Customer: customerOf(r), Value: sl.Value, Comment: sl.Comment,
		RatedAt: sl.FirstRatedAt, Changed: sl.LastChangedAt, FollowUp: sl.FollowUp, Raised: sl.Raised(),
		Window: st.settings.Window(r.Audience, sl, st.latest),
	}, true
}

// Achievements lists positive ratings, newest first (limit ≤ 0: all).
func (s *Store) Achievements(limit int) (_ []Achievement, err error) {
	defer recoverDamage(&err)
	txn, _, done := s.snapshot()
	defer done()
	var out []Achievement
	err = slotIndex(txn, pAchieve, true, func(r *convRecord, sl *domain.Slot) (bool, error) {
		out = append(out, Achievement{Conv: r.ID, Agent: sl.Agent, Customer: customerOf(r), Value: sl.Value, Comment: sl.Comment, At: sl.LastChangedAt})
		return limit <= 0 || len(out) < limit, nil
	})
	return out, err
}

// Conversations lists conversations, most recently updated first (limit ≤ 0: all).
func (s *Store) Conversations(limit int) (_ []ConversationSummary, err error) {
	defer recoverDamage(&err)
	txn, st, done := s.snapshot()
	defer done()
	pre := prefix(pUpdated)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, Reverse: true})
	defer it.Close()
	var out []ConversationSummary
	for it.Seek(append(append([]byte(nil), pre...), 0xff)); it.ValidForPrefix(pre); it.Next() {
		k := it.Item().Key()
		if len(k) < 2+8 {
			return out, fmt.Errorf("list key %q: %w", k, errCorrupt)
		}
		id := string(k[10:])
		r, ok, err := getConversation(txn, id)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, fmt.Errorf("list names conversation %q, which is missing: %w", id, errCorrupt)
		}
		out = append(out, summarize(&r, st.latest))
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

func summarize(r *convRecord, now time.Time) ConversationSummary {
	return ConversationSummary{
		ID: r.ID, Customer: customerOf(r), Origin: r.Origin, Channel: r.Channel, State: r.StateAt(now),
		StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt, Chars: r.Chars, Slots: r.Slots,
	}
}

// EachConversation calls fn for every conversation in id order, for exports.
func (s *Store) EachConversation(fn func(c domain.Conversation, updatedAt time.Time) error) (err error) {
	defer recoverDamage(&err)
	txn, _, done := s.snapshot()
	defer done()
	return iterate(txn, prefix(pConv), func(k, v []byte) error {
		r, err := decodeConversation(v, string(k[2:]))
		if err != nil {
			return err
		}
		return fn(r.Conversation, r.UpdatedAt)
	})
}

// Stream lists the parts of one conversation in order.
// A conversation whose parts arrived out of time order shows them in time
// order, each with the outcome it has in its place.
func (s *Store) Stream(conv string) (_ []Part, err error) {
	defer recoverDamage(&err)
	txn, st, done := s.snapshot()
	defer done()
	var parts []Part
	err = storedParts(txn, conv, func(seq uint64) error {
		p := Part{Seq: seq}
		err := getValue(txn, seqKey(pLog, seq), func(v []byte) error {
			var err error
			p.Event, p.Outcome, err = decodeLogEntry(v, seq)
			return err
		})
		if err != nil {
			return err
		}
		parts = append(parts, p)
		return nil
	})
	if err != nil {
		return parts, err
	}
	if !inTimeOrder(parts) {
		rebuildStream(conv, parts, &st)
	}
	return parts, nil
}

func readSeq(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

// Events calls fn for every logged event with sequence number > after, in
// log order, until fn returns an error (which Events returns).
func (s *Store) Events(after uint64, fn func(seq uint64, ev domain.Event) error) error {
	return s.EventsWithOutcomes(after, func(seq uint64, ev domain.Event, _ domain.Outcome) error { return fn(seq, ev) })
}

// EventsWithOutcomes is Events with each event's recorded outcome.
func (s *Store) EventsWithOutcomes(after uint64, fn func(seq uint64, ev domain.Event, o domain.Outcome) error) error {
	return s.logEntries(after, func(seq uint64, v []byte) error {
		ev, o, err := decodeLogEntry(v, seq)
		if err != nil {
			return err
		}
		return fn(seq, ev, o)
	})
}

// logEntries calls fn with every encoded log entry after seq, in order; v
// is valid only during the call.
func (s *Store) logEntries(after uint64, fn func(seq uint64, v []byte) error) (err error) {
	defer recoverDamage(&err)
	txn, _, done := s.snapshot()
	defer done()
	return logEntriesIn(txn, after, fn)
}

// logEntriesIn is logEntries as of txn's snapshot.
func logEntriesIn(txn *badger.Txn, after uint64, fn func(seq uint64, v []byte) error) error {
	pre := prefix(pLog)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, PrefetchValues: true, PrefetchSize: 256})
	defer it.Close()
	for it.Seek(seqKey(pLog, after+1)); it.ValidForPrefix(pre); it.Next() {
		item := it.Item()
		seq := readSeq(item.Key()[2:])
		if err := item.Value(func(v []byte) error { return fn(seq, v) }); err != nil {
			return err
		}
	}
	return nil
}

// settingsAudit lists settings changes, newest first (limit ≤ 0: all);
// Audit adds the erasures.
func (s *Store) settingsAudit(limit int) ([]AuditEntry, error) {
	txn, _, done := s.snapshot()
	defer done()
	pre := prefix(pAudit)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, Reverse: true})
	defer it.Close()
	var out []AuditEntry
	for it.Seek(append(append([]byte(nil), pre...), 0xff)); it.ValidForPrefix(pre); it.Next() {
		var a AuditEntry
		if err := it.Item().Value(func(v []byte) (err error) {
			a, err = decodeAudit(v)
			return err
		}); err != nil {
			return out, err
		}
		out = append(out, a)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// Teammates lists the roster (teammates whose role was recorded), by name.
func (s *Store) Teammates() ([]Teammate, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Teammate, 0, len(s.st.roles))
	for name, r := range s.st.roles {
		out = append(out, Teammate{Name: name, Role: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Agents lists every agent that was ever asked for a rating, in order of first appearance.
func (s *Store) Agents() []domain.Actor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]domain.Actor(nil), s.st.agents...)
}
