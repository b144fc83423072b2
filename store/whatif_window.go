package store

// A what-if's window read through the index of decisions. The what-if
// counts the decisions of the conversations it does not decide again from
// their x/ entries, and replays the rest: the workspace events and every
// part of the conversations it names, found through their records
// (parts.go). Those conversations sit among the window's others, in the
// records as in the log, a few to a block: the reads seek to each wanted key, or
// step to a log entry a few sequence numbers on (seqStepGap). A seek
// into the block the iterator holds costs a few comparisons and no fetch
// (third_party/badger/CSAT.md), and a step over a key between costs a
// Badger step each: stepping over up to 64 log keys or 256 part keys, as
// before, took half as much CPU again (BENCHMARKS.md). Reading the log
// once from the earliest decision of a named conversation on, without
// its parts, was measured and dropped: it reads every entry of the
// window, and cost a fifth more.

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// WhatIfWindow reads a what-if window through the index of decisions
// (index_decisions.go), in one snapshot, which release ends. It calls
// decided, in time order (equal times in log order), with each logged
// event at or after since whose outcome can read a setting: the event
// (kind, time, conversation), its outcome as logged reduced to its
// decision, failed rules and a rating's old value, its conversation as it
// started (id, origin, audience, helpdesk), and late, set when a late
// part rebuilt that conversation. ev, o and c are valid only during the
// call. It returns the events to replay, in log order: the workspace
// events and every event of each conversation decided returned true for,
// and of the newest conversations (decided is not called for theirs), so
// that a replay ends at the store's latest conversation event; each with
// last, set on its conversation's last part, and late, set on the parts
// of a conversation with a y/ key. It marks those events, a bit each,
// and holds those it has read and not yet handed over: a few chunks.
// They may be read more than once, until release.
func (s *Store) WhatIfWindow(since time.Time, decided func(ev *domain.Event, o *domain.Outcome, c *domain.Conversation, late bool) (replay bool)) (_ func(yield func(ev domain.Event, last, late bool) error) error, release func(), err error) {
	defer recoverDamage(&err)
	txn, _, done := s.snapshot()
	defer func() {
		if release == nil {
			done()
		}
	}()
	late, err := lateConversations(txn)
	if err != nil {
		return nil, nil, err
	}
	marks := newWindowMarks()
	if err := markNewestConversations(txn, since, marks); err != nil {
		return nil, nil, err
	}
	if err := marks.addWorkspace(txn); err != nil {
		return nil, nil, err
	}
	// The conversations to replay are marked a chunk at a time, their
	// records read in the order of their ids.
	pending := map[string]bool{}
	flush := func() error {
		ids := make([]string, 0, len(pending))
		for id := range pending {
			ids = append(ids, id)
		}
		clear(pending)
		slices.Sort(ids)
		return marks.addParts(txn, ids)
	}
	var d decodedDecision
	err = eachDecisionFrom(txn, since, func(k, v []byte) error {
		if err := decodeDecision(k, v, &d); err != nil {
			return err
		}
		if marks.has(readSeq(k[10:])) || pending[d.conv.ID] || !decided(&d.ev, &d.o, &d.conv, late[d.conv.ID]) {
			return nil
		}
		if pending[d.conv.ID] = true; len(pending) == markChunkConversations {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, nil, err
	}
	var once sync.Once
	reads := &windowReads{txn: txn, marks: marks, late: late}
	return reads.each, func() { once.Do(done) }, nil
}

// markChunkConversations is how many conversations to replay the window
// gathers before it reads their parts. A variable for the tests.
var markChunkConversations = 4096

// addParts marks every part of convs (sorted), and the last of each.
func (m *windowMarks) addParts(txn *badger.Txn, convs []string) error {
	w := newPartsWalk(txn, keyStepGap)
	defer w.close()
	for _, conv := range convs {
		if err := w.each(conv, m.add); err != nil {
			return err
		}
	}
	return nil
}

// addWorkspace marks the workspace events (the w/ index).
func (m *windowMarks) addWorkspace(txn *badger.Txn) error {
	seqs, err := workspaceSeqs(txn)
	for _, seq := range seqs {
		m.add(seq, false)
	}
	return err
}

// lateConversations reads the y/ keys: the conversations, not a
// helpdesk's, with a part placed late.
func lateConversations(txn *badger.Txn) (map[string]bool, error) {
	late := map[string]bool{}
	err := eachKey(txn, prefix(pLate), prefix(pLate), func(k []byte) error {
		late[string(k[2:])] = true
		return nil
	})
	return late, err
}

// markNewestConversations marks the parts of the newest conversation
// and, newest first, of those touched at or after since whose latest part
// is later than the latest part, not an observation, of those marked: a
// replay of them ends where a replay of the whole window would (a
// replay's latest time leaves observed ratings out, which a
// conversation's update time counts).
func markNewestConversations(txn *badger.Txn, since time.Time, marks *windowMarks) error {
	pre := prefix(pUpdated)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, Reverse: true})
	defer it.Close()
	var latest time.Time
	first := true
	for it.Seek(append(slices.Clone(pre), 0xff)); it.ValidForPrefix(pre); it.Next() {
		k := it.Item().Key()
		if len(k) <= 10 {
			return fmt.Errorf("conversation list key %q: %w", k, errCorrupt)
		}
		at := readTime(k[2:10])
		if !first && (!at.After(latest) || at.Before(since)) {
			return nil
		}
		first = false
		conv := string(k[10:])
		if err := marks.addParts(txn, []string{conv}); err != nil {
			return err
		}
		t, err := latestReplayedPart(txn, conv)
		if err != nil {
			return err
		}
		if t.After(latest) {
			latest = t
		}
	}
	return nil
}

// latestReplayedPart is the time of conv's latest part that a replay
// counts as its latest: any but an observed rating.
func latestReplayedPart(txn *badger.Txn, conv string) (time.Time, error) {
	seqs, err := partSeqs(txn, []string{conv})
	if err != nil {
		return time.Time{}, err
	}
	var latest time.Time
	err = logEntriesAt(txn, seqs, func(seq uint64, v []byte) error {
		ev, err := decodeLoggedEvent(v, seq)
		if err == nil && ev.Kind != domain.EvObserve && ev.At.After(latest) {
			latest = ev.At
		}
		return err
	})
	return latest, err
}

// eachDecisionFrom calls fn with every x/ entry from since on, in order.
// A goroutine of its own reads them, in chunks of copies, while this one
// decodes them and calls fn: a 30-day window has some 450,000. It returns
// once the reader has stopped, whatever ends it (fn's error, a panic).
func eachDecisionFrom(txn *badger.Txn, since time.Time, fn func(k, v []byte) error) (err error) {
	full, spare := make(chan rawChunk, 2), make(chan rawChunk, 3)
	stop := make(chan struct{})
	read := make(chan error, 1)
	go func() {
		read <- guard(func() error {
			defer close(full)
			return readDecisions(txn, since, full, spare, stop)
		})
	}()
	defer func() {
		close(stop)
		for range full { // the reader stops at the next chunk
		}
		if errR := <-read; err == nil && !errors.Is(errR, errWindowStopped) {
			err = errR
		}
	}()
	for c := range full {
		if err := c.each(fn); err != nil {
			return err
		}
		select {
		case spare <- c:
		default:
		}
	}
	return nil
}

// readDecisions sends the x/ entries from since on to full, in chunks,
// taking their buffers from spare when it has one, until stop closes.
func readDecisions(txn *badger.Txn, since time.Time, full chan<- rawChunk, spare <-chan rawChunk, stop <-chan struct{}) error {
	var c rawChunk
	send := func() error {
		select {
		case full <- c:
		case <-stop:
			return errWindowStopped
		}
		select {
		case c = <-spare:
			c.buf, c.ends = c.buf[:0], c.ends[:0]
		default:
			c = rawChunk{}
		}
		return nil
	}
	err := eachFrom(txn, prefix(pDecision), appendTime(prefix(pDecision), since), func(k, v []byte) error {
		c.buf = append(append(c.buf, k...), v...)
		c.ends = append(c.ends, len(c.buf)-len(v), len(c.buf))
		if len(c.ends) < 2*rawChunkLen {
			return nil
		}
		return send()
	})
	if err == nil && len(c.ends) > 0 {
		err = send()
	}
	return err
}

// rawChunkLen is the number of entries of a rawChunk: 4,096 x/ entries
// are about 200 KB. A variable for the tests.
var rawChunkLen = 4096

// A rawChunk holds copies of entries read, keys and values end to end.
type rawChunk struct {
	buf  []byte
	ends []int // where each key ends, then its value
}

// each calls fn with the chunk's entries in order.
func (c *rawChunk) each(fn func(k, v []byte) error) error {
	start := 0
	for i := 0; i+1 < len(c.ends); i += 2 {
		k, v := c.buf[start:c.ends[i]], c.buf[c.ends[i]:c.ends[i+1]]
		if err := fn(k, v); err != nil {
			return err
		}
		start = c.ends[i+1]
	}
	return nil
}

// errWindowStopped ends a reader whose consumer stopped first.
var errWindowStopped = errors.New("the what-if stopped reading its window")

// eachFrom calls fn with every key and value under pre from from on.
func eachFrom(txn *badger.Txn, pre, from []byte, fn func(k, v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	for it.Seek(from); it.ValidForPrefix(pre); it.Next() {
		item := it.Item()
		if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
			return err
		}
	}
	return nil
}
