package store

// The log entries a what-if replays, read while it replays them. Two
// goroutines read them, chunk by chunk in turn (the first reads the
// even chunks, the second the odd ones), each at most a chunk ahead of
// the replay, which takes them in order: the replay holds a few chunks,
// whatever the window. Reading first and replaying after left a core
// idle for the whole replay, about a fifth of a what-if's CPU; reading
// each half of the window whole while the replay went held every entry
// of the second half.

import (
	"bytes"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// logChunkEvents is the number of events a reader hands over at a time.
// A variable for the tests.
var logChunkEvents = 4096

// heldEventsSeen, when set, is called by the readers with the number of
// events read and not yet handed over whenever it grows: for the tests.
var heldEventsSeen func(held int64)

// windowReads reads the entries of a what-if window, as marked, from its
// snapshot, as often as asked.
type windowReads struct {
	txn   *badger.Txn
	marks *windowMarks
	late  map[string]bool // the conversations with a y/ key
}

// A windowChunk is a run of the window's entries, decoded.
type windowChunk struct {
	seqs []uint64
	last []bool // the entry is its conversation's last part
	evs  []domain.Event
}

// each yields the window's events in log order, each with whether it is
// its conversation's last part and whether that conversation has a late
// part; it returns a reader's error when it reaches it.
func (r *windowReads) each(yield func(ev domain.Event, last, late bool) error) (err error) {
	defer recoverDamage(&err)
	var chunks, spares [2]chan windowChunk // spares: chunks replayed, for their reader to fill again
	var errs [2]error
	var held atomic.Int64 // events read and not yet handed over
	stop := make(chan struct{})
	for h := range chunks {
		chunks[h], spares[h] = make(chan windowChunk, 1), make(chan windowChunk, 2)
		go func() {
			defer close(chunks[h])
			errs[h] = guard(func() error { return r.read(h, chunks[h], spares[h], stop, &held) })
		}()
	}
	defer func() {
		close(stop)
		for h := range chunks {
			for range chunks[h] { // each reader stops at its next chunk
			}
		}
	}()
	for i := 0; ; i++ {
		h := i % 2
		c, ok := <-chunks[h]
		if !ok {
			return errs[h] // no chunk i, nor any after it
		}
		for j, ev := range c.evs {
			if err := yield(ev, c.last[j], r.late[ev.Conv]); err != nil {
				return err
			}
		}
		held.Add(-int64(len(c.evs)))
		select {
		case spares[h] <- c:
		default:
		}
	}
}

// read sends to out, in order, the chunks of the window reader h reads:
// h, h+2, h+4 and so on, until stop closes, filling those spare hands
// back when it has one.
func (r *windowReads) read(h int, out chan<- windowChunk, spare <-chan windowChunk, stop <-chan struct{}, held *atomic.Int64) error {
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pLog)})
	defer it.Close()
	cur := logCursor{it: it}
	var c windowChunk
	send := func() error {
		c.evs = slices.Grow(c.evs[:0], len(c.seqs))
		err := cur.read(c.seqs, func(seq uint64, v []byte) error {
			ev, err := decodeLoggedEvent(v, seq)
			c.evs = append(c.evs, ev)
			return err
		})
		if err != nil {
			return err
		}
		if n := held.Add(int64(len(c.evs))); heldEventsSeen != nil {
			heldEventsSeen(n)
		}
		select {
		case out <- c:
		case <-stop:
			return errWindowStopped
		}
		select {
		case c = <-spare:
			c.seqs, c.last = c.seqs[:0], c.last[:0]
		default:
			c = windowChunk{}
		}
		return nil
	}
	var err error
	i := 0
	r.marks.each(func(seq uint64, last bool) bool {
		mine := (i/logChunkEvents)%2 == h
		i++
		if !mine {
			return true
		}
		c.seqs, c.last = append(c.seqs, seq), append(c.last, last)
		if len(c.seqs) == logChunkEvents {
			err = send()
		}
		return err == nil
	})
	if err == nil && len(c.seqs) > 0 {
		err = send()
	}
	return err
}

// seqStepGap is how far past the entry it is on a reader of some of the
// log's entries steps to the next one rather than seek: a step costs
// about a tenth of a seek, even one into the block held. The log's keys
// are its sequence numbers, so the distance is known before stepping.
const seqStepGap = 8

// logEntriesNear calls fn with the log entries of seqs (sorted), in
// order, stepping to the next one when it is near (a what-if of users'
// rating window reads three entries in four of its window) and seeking
// to it when it is not (a what-if of users' direct outbound surveys, one
// in eighteen).
func logEntriesNear(txn *badger.Txn, seqs []uint64, fn func(seq uint64, v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pLog)})
	defer it.Close()
	cur := logCursor{it: it}
	return cur.read(seqs, fn)
}

// A logCursor reads log entries in order through one iterator, stepping
// or seeking from the entry it is on (at, once it has read one).
type logCursor struct {
	it      *badger.Iterator
	at      uint64
	started bool
}

// read calls fn with the log entries of seqs (sorted, after any read
// before), as logEntriesNear does.
func (c *logCursor) read(seqs []uint64, fn func(seq uint64, v []byte) error) error {
	pre := prefix(pLog)
	for _, seq := range seqs {
		want := seqKey(pLog, seq)
		if c.started && seq > c.at && seq-c.at <= seqStepGap {
			advanceTo(c.it, want, int(seq-c.at))
		} else {
			c.it.Seek(want)
		}
		if !c.it.ValidForPrefix(pre) || !bytes.Equal(c.it.Item().Key(), want) {
			return fmt.Errorf("log entry %d, which an index names, is missing: %w", seq, errCorrupt)
		}
		if err := c.it.Item().Value(func(v []byte) error { return fn(seq, v) }); err != nil {
			return err
		}
		c.at, c.started = seq, true
	}
	return nil
}
