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
	defer recoverDamage(&err)
	db, doneDB := s.useDB()
	dir := db.Opts().Dir
	doneDB()
	stored, st, done := s.snapshot()
	defer done()
	run := &checkRun{txn: stored, dir: dir, total: st.seq, replay: replay, cmp: newComparison(st.agents), last: newSeqSet(st.seq)}
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
	dir    string // Badger's directory, whose mapped files the reads let go of
	total  uint64
	replay LogReplay
	cmp    *comparison
	last   seqSet
}

// compare is the first replay: it compares the log entry by entry, the
// kept families key by key and the summed ones by their sums. The stored
// p/ keys, which the replay needs first, and the other summed families
// are read on goroutines of their own.
func (r *checkRun) compare(progress func(done, total uint64)) error {
	c := r.cmp
	parts, summed := make(chan error, 1), make(chan error, 1)
	others := new(groupSums)
	go func() {
		parts <- guard(func() error { return scanParts(r.txn, c.hash, c.stored, r.last, pageTicker(r.dir)) })
	}()
	go func() {
		summed <- guard(func() error {
			return eachSummed(r.txn, false, pageTicker(r.dir), func(k, v []byte) { others.add(c.hash.of(k, v)) })
		})
	}()
	err := r.replayOnce(progress, parts)
	if scanErr := <-summed; err == nil {
		err = scanErr
	}
	if err != nil {
		return err
	}
	c.stored.addAll(others)
	return c.compareKept(r.txn)
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
			stored, err = listStored(r.txn, c.hash, groups, pageTicker(r.dir))
			return err
		})
	}()
	err := r.replayOnce(progress, nil)
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
// (if not nil) says the last parts are known.
func (r *checkRun) replayOnce(progress func(done, total uint64), ready <-chan error) (err error) {
	src := startLogSource(r.txn, r.total, progress, pageTicker(r.dir))
	defer src.close()
	if ready != nil {
		if err := <-ready; err != nil {
			return err
		}
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
