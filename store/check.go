package store

import (
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Difference is one key where the stored state disagrees with a replay of the log.
type Difference struct {
	Key              string // what the key holds, in words
	Stored, Replayed string // "" when the key is missing on that side
}

func (d Difference) String() string {
	switch {
	case d.Stored == "":
		return fmt.Sprintf("%s: missing (a replay has %s)", d.Key, d.Replayed)
	case d.Replayed == "":
		return fmt.Sprintf("%s: stored %s, but a replay has no such key", d.Key, d.Stored)
	}
	return fmt.Sprintf("%s: stored %s, a replay has %s", d.Key, d.Stored, d.Replayed)
}

// Replayer takes a replay's events a batch at a time, as a store does.
type Replayer interface {
	ApplyBatch([]domain.Event) ([]domain.Outcome, error)
}

// LogReplay replays the events of log, in log order, into into (a fresh
// store, or Check's streaming comparison), handing onOutcome (if not nil)
// each event's position in log, from 1, and the outcome into decided; an
// error from onOutcome ends the replay. csat passes simulate.ReplayInto:
// how a log is replayed is the simulator's, and the store does not import
// it. Check and the erasure's rebuild use it.
type LogReplay func(log func(yield func(domain.Event) error) error, into Replayer, onOutcome func(n int, o *domain.Outcome) error) error

// Check replays the log with replay and compares every key the replay
// derives (state, counters, indexes, dictionary, meta, marks) with what
// is stored. It returns the differences; none means the store is
// consistent.
//
// The log and the state compared are those of one snapshot, taken first:
// writers go on meanwhile, and what they commit is in neither.
func (s *Store) Check(replay LogReplay) ([]Difference, error) {
	return s.CheckProgress(replay, nil)
}

// CheckProgress is Check telling progress (if not nil) how many events of
// the snapshot's log it has replayed.
//
// It streams: the replay runs the write path's batch over the whole log
// with only open conversations in memory (check_replay.go), and the keys
// are compared family by family as check_families.go says, so memory
// stays bounded by the workspace (days, agents, conversations open at
// once), not by the store. A key family that grows with conversations is
// compared by sums over groups of keys; when a group differs, a second
// replay lists its keys.
func (s *Store) CheckProgress(replay LogReplay, progress func(done, total uint64)) (_ []Difference, err error) {
	return s.checkSplit(replay, progress, recordRanges)
}

// checkSplit is CheckProgress scanning the conversation records in the
// ranges split gives for Badger's tables.
func (s *Store) checkSplit(replay LogReplay, progress func(done, total uint64), split func([]badger.TableInfo) [][2][]byte) (_ []Difference, err error) {
	defer recoverDamage(&err)
	if s.schema != 0 && s.schema < schemaVersion {
		return nil, fmt.Errorf("%w: the store in %s was %w (schema %d), whose conversation records hold no parts, and csat check compares them with schema %d's: a writing command (csat import, csat serve, csat simulate load) upgrades it once", ErrDataDir, s.dir, ErrOlderSchema, s.schema, schemaVersion)
	}
	db, doneDB := s.useDB()
	dir, tables := db.Opts().Dir, db.Tables()
	doneDB()
	stored, st, done := s.snapshot()
	defer done()
	run := &checkRun{
		txn: stored, parts: split(tables), pages: &pageRelease{dir: dir},
		total: st.seq, replay: replay, cmp: newComparison(st.agents), last: newSeqSet(st.seq),
	}
	if err := run.compare(progress); err != nil {
		return nil, err
	}
	groups, more := run.cmp.differingGroups()
	if len(groups) > 0 {
		if err := run.list(groups, progress); err != nil {
			return nil, err
		}
	}
	return append(run.cmp.differences(more), checkLoadRecord(stored, st.seq)...), nil
}

// checkRun is one check of one snapshot.
type checkRun struct {
	txn    *badger.Txn
	parts  [][2][]byte // the ranges of conversation records to scan side by side
	pages  *pageRelease
	total  uint64
	replay LogReplay
	cmp    *comparison
	last   seqSet
}

// compare is the first replay: it compares the log entry by entry, the
// kept families key by key and the summed ones by their sums. The stored
// records and p/ keys, whose parts the replay needs first, are read on
// both cores, each range on a goroutine of its own; the other summed
// families are read beside the replay.
func (r *checkRun) compare(progress func(done, total uint64)) error {
	c := r.cmp
	parts := make(chan error, 1)
	go func() { parts <- r.scanParts() }()
	var summed chan error
	others := new(groupSums)
	err := r.replayOnce(progress, parts, func() {
		summed = make(chan error, 1)
		go func() {
			summed <- guard(func() error {
				return eachSummed(r.txn, false, r.pages, func(k, v []byte) { others.add(c.hash.of(k, v)) })
			})
		}()
	})
	if summed != nil {
		if scanErr := <-summed; err == nil {
			err = scanErr
		}
	}
	if err != nil {
		return err
	}
	c.stored.addAll(others)
	return c.compareKept(r.txn)
}

// scanParts reads the stored records, a range on each goroutine, and the
// p/ keys into the stored sums and the last parts.
func (r *checkRun) scanParts() error {
	errs := make(chan error, len(r.parts)+1)
	sums := make([]groupSums, len(r.parts)+1)
	for i, p := range r.parts {
		go func() {
			errs <- guard(func() error { return scanRecords(r.txn, r.cmp.hash, &sums[i], r.last, p[0], p[1], r.pages) })
		}()
	}
	go func() {
		errs <- guard(func() error { return scanParts(r.txn, r.cmp.hash, &sums[len(r.parts)], r.last, r.pages) })
	}()
	var err error
	for range len(r.parts) + 1 {
		if e := <-errs; err == nil {
			err = e
		}
	}
	for i := range sums {
		r.cmp.stored.addAll(&sums[i])
	}
	return err
}

// list is the second replay: it lists the keys of the groups whose sums
// differ, on both sides.
func (r *checkRun) list(groups map[int]bool, progress func(done, total uint64)) error {
	c := r.cmp
	c.listing, c.found = groups, map[string][]byte{}
	var stored []storedEntryKV
	listed := make(chan error, 1)
	go func() {
		listed <- guard(func() (err error) {
			stored, err = listStored(r.txn, c.hash, groups, r.pages)
			return err
		})
	}()
	err := r.replayOnce(progress, nil, nil)
	if listErr := <-listed; err == nil {
		err = listErr
	}
	if err != nil {
		return err
	}
	return c.merge(func(fn func(k, v []byte)) error {
		for _, e := range stored {
			fn(e.k, e.v)
		}
		return nil
	}, c.found)
}

// replayOnce replays the snapshot's log into a checkReplay, once ready
// (if not nil) says the last parts are known; then started (if not nil)
// is called.
func (r *checkRun) replayOnce(progress func(done, total uint64), ready <-chan error, started func()) (err error) {
	src := startLogSource(r.txn, r.total, progress, r.pages)
	defer src.close()
	if ready != nil {
		if err := <-ready; err != nil {
			return err
		}
	}
	if started != nil {
		started()
	}
	into, err := newCheckReplay(r.txn, r.cmp, src, r.last)
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := into.close(); err == nil {
			err = closeErr
		}
	}()
	if err := r.replay(src.events, into, nil); err != nil {
		return err
	}
	return into.finish(r.cmp)
}

// corruptCounter overwrites one agent's counters for a day, for tests of Check.
func (s *Store) corruptCounter(agent domain.Actor, day time.Time, c domain.Counts) error {
	s.mu.RLock()
	id, ok := s.st.ids[agent]
	n := len(s.st.agents)
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("no agent %s", agent)
	}
	return s.db.Update(func(txn *badger.Txn) error {
		cs := make([]domain.Counts, n)
		if err := getValue(txn, dayKey(dayOf(day)), func(v []byte) error { return decodeAgentCounts(v, cs) }); err != nil {
			return err
		}
		cs[id] = c
		return txn.Set(dayKey(dayOf(day)), encodeAgentCounts(cs))
	})
}

// EachEvent yields every logged event, in log order: the event source of a
// replay.
func (s *Store) EachEvent(yield func(domain.Event) error) error {
	return s.Events(0, func(_ uint64, ev domain.Event) error { return yield(ev) })
}
