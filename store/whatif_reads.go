package store

// The log entries a what-if replays, read while it replays them. Two
// goroutines read them, one half of the sequence numbers each, and hand
// their events over in chunks; the replay takes the first half's as they
// come and the second's after. Reading first and replaying after left a
// core idle for the whole replay, about a fifth of a what-if's CPU.

import (
	"bytes"
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// logChunkEvents is the number of events a reader hands over at a time.
// A variable for the tests.
var logChunkEvents = 4096

// logEntryReads are the events of a what-if's log entries as they are
// read, in log order: half h's chunks arrive on chunks[h], and err[h] is
// that reader's error, set before chunks[h] closes. A replay may read
// them again (after a late part), so the chunks taken are kept in got.
type logEntryReads struct {
	chunks [2]chan []domain.Event
	err    [2]error
	got    [2][][]domain.Event
	closed [2]bool
}

// readLogEntries starts reading the log entries of seqs (sorted) in two
// halves, and calls done (ending the transaction's snapshot) once both
// readers have stopped. A reader never waits for the replay: its channel
// holds every chunk of its half.
func readLogEntries(txn *badger.Txn, seqs []uint64, done func()) *logEntryReads {
	r := &logEntryReads{}
	halves := [2][]uint64{seqs[:len(seqs)/2], seqs[len(seqs)/2:]}
	stopped := make(chan struct{}, 2)
	for h, part := range halves {
		r.chunks[h] = make(chan []domain.Event, len(part)/logChunkEvents+1)
		go func() {
			defer func() { stopped <- struct{}{} }()
			defer close(r.chunks[h])
			r.err[h] = guard(func() error { return readEvents(txn, part, r.chunks[h]) })
		}()
	}
	go func() {
		<-stopped
		<-stopped
		done()
	}()
	return r
}

// readEvents sends the events of the log entries of seqs to out, in
// chunks of logChunkEvents.
func readEvents(txn *badger.Txn, seqs []uint64, out chan<- []domain.Event) error {
	evs := make([]domain.Event, 0, min(len(seqs), logChunkEvents))
	err := logEntriesNear(txn, seqs, func(seq uint64, v []byte) error {
		ev, err := decodeLoggedEvent(v, seq)
		if err != nil {
			return err
		}
		if evs = append(evs, ev); len(evs) == logChunkEvents {
			out <- evs
			evs = make([]domain.Event, 0, logChunkEvents)
		}
		return nil
	})
	if err == nil && len(evs) > 0 {
		out <- evs
	}
	return err
}

// each yields the events in log order, waiting for those not yet read;
// it returns a reader's error when it reaches it.
func (r *logEntryReads) each(yield func(domain.Event) error) error {
	for h := range r.chunks {
		for i := 0; ; i++ {
			if i == len(r.got[h]) && !r.take(h) {
				if r.err[h] != nil {
					return r.err[h]
				}
				break
			}
			for _, ev := range r.got[h][i] {
				if err := yield(ev); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// take waits for half h's next chunk and keeps it, reporting whether
// there was one.
func (r *logEntryReads) take(h int) bool {
	if r.closed[h] {
		return false
	}
	ch, ok := <-r.chunks[h]
	if !ok {
		r.closed[h] = true
		return false
	}
	r.got[h] = append(r.got[h], ch)
	return true
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
	pre := prefix(pLog)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	var at uint64
	for i, seq := range seqs {
		want := seqKey(pLog, seq)
		if i > 0 && seq > at && seq-at <= seqStepGap {
			advanceTo(it, want, int(seq-at))
		} else {
			it.Seek(want)
		}
		if !it.ValidForPrefix(pre) || !bytes.Equal(it.Item().Key(), want) {
			return fmt.Errorf("log entry %d, which an index names, is missing: %w", seq, errCorrupt)
		}
		if err := it.Item().Value(func(v []byte) error { return fn(seq, v) }); err != nil {
			return err
		}
		at = seq
	}
	return nil
}
