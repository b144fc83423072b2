package store

// A batch too big for one Badger transaction is committed in parts. So
// that a crash between parts cannot leave half a batch (whose mark, at its
// start, would vouch for events never written), the whole batch is first
// journaled: its events, then a !pending record naming them, committed
// before the first part. Each part then moves the log forward as usual; the
// journal goes once the last part is in. A writable open (or the next
// write) that finds !pending applies the journaled events the log does not
// hold yet, so the store ends as if the batch had gone through at once.
// Readers in the meantime see a prefix of the log, consistent in itself.

import (
	"errors"
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// afterPart, when set (tests, and the fault-injection build of the
// binary), runs after each committed part of a split batch; an error it
// returns stops the batch there, as a crash would.
var afterPart func() error

// pendingBatch is a journaled batch: events base+1 … base+n, and the load
// record its last part writes (nil: none).
type pendingBatch struct {
	base, n uint64
	load    []byte
}

// commitSplit commits evs, which are too big for one transaction, in
// journaled parts; the last part writes the load record, if any.
func (s *Store) commitSplit(evs []domain.Event, load []byte) error {
	base := s.Seq()
	p := pendingBatch{base: base, n: uint64(len(evs)), load: load}
	if err := s.writeJournal(p, evs); err != nil {
		return fmt.Errorf("store: journaling a batch of %d events: %w", len(evs), err)
	}
	if err := s.commitParts(evs, load); err != nil {
		s.interrupted = true
		return err
	}
	return s.clearJournal(p)
}

// commitParts commits evs in as few parts as fit, halving at whole
// events; the part with the last event writes load.
func (s *Store) commitParts(evs []domain.Event, load []byte) error {
	nb := s.newBatch()
	defer nb.discard()
	for i, ev := range evs {
		if _, err := nb.apply(ev); err != nil {
			return fmt.Errorf("store: replaying event %d of a split batch: %w", i, err)
		}
	}
	nb.loadRecord = load
	err := nb.write()
	if errors.Is(err, errTooBig) && len(evs) > 1 {
		nb.discard()
		half := len(evs) / 2
		if err := s.commitParts(evs[:half], nil); err != nil {
			return err
		}
		return s.commitParts(evs[half:], load)
	}
	if err == nil && afterPart != nil {
		err = afterPart()
	}
	return err
}

// writeJournal stores evs under j/ and then !pending (p), in as many
// transactions as they need; only the last one names the batch.
func (s *Store) writeJournal(p pendingBatch, evs []domain.Event) error {
	base := p.base
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	put := func(k, v []byte) error {
		err := mapTooBig(txn.Set(k, v))
		if errors.Is(err, errTooBig) {
			if err = txn.Commit(); err != nil {
				return err
			}
			txn = s.db.NewTransaction(true)
			err = txn.Set(k, v)
		}
		return err
	}
	for i := range evs {
		if err := put(seqKey(pJournal, base+uint64(i)+1), encodeJournalEvent(&evs[i])); err != nil {
			return err
		}
	}
	if err := put(keyPending, encodePending(p)); err != nil {
		return err
	}
	return txn.Commit()
}

// clearJournal drops the events of the finished batch p by their keys,
// then !pending. A stop in between leaves !pending over a log that holds
// the whole batch: the next open reads no journaled event and clears it
// again. Deleting by walking every j/ key read the deletions of every
// batch ever journaled, which stay in the tables (1.9 million on a year
// of a 200-person team: 0.7 s after each split batch and at every
// writable open).
func (s *Store) clearJournal(p pendingBatch) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for q := p.base + 1; q <= p.base+p.n; q++ {
		if err := wb.Delete(seqKey(pJournal, q)); err != nil {
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store: dropping the journal of a split batch: %w", err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(keyPending) }); err != nil {
		return fmt.Errorf("store: closing the journal of a split batch: %w", err)
	}
	s.interrupted = false
	return nil
}

// dropCutJournal deletes what a journal cut short before it named its
// batch left: j/ keys past the log's end (none of that batch was applied,
// and the next journal would write the same keys). It seeks past the log's
// end: the keys at or below it are finished batches', deleted already.
func (s *Store) dropCutJournal() error {
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pJournal)})
		defer it.Close()
		for it.Seek(seqKey(pJournal, s.Seq()+1)); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return err
		}
	}
	return wb.Flush()
}

// readPending returns the journaled batch, if one is pending.
func readPending(txn *badger.Txn) (p pendingBatch, ok bool, err error) {
	err = getValue(txn, keyPending, func(v []byte) error {
		ok = true
		return decodePending(v, &p)
	})
	return p, ok, err
}

// finishPending applies what the log lacks of a pending batch, then drops
// the journal. The caller holds writeMu (or is Open).
func (s *Store) finishPending() error {
	var evs []domain.Event
	var p pendingBatch
	pending := false
	err := s.db.View(func(txn *badger.Txn) (err error) {
		if p, pending, err = readPending(txn); err != nil || !pending {
			return err
		}
		seq := s.Seq()
		if seq < p.base || seq > p.base+p.n {
			return fmt.Errorf("the log ends at event %d, outside the pending batch of events %d to %d: %w", seq, p.base+1, p.base+p.n, errCorrupt)
		}
		for q := seq + 1; q <= p.base+p.n; q++ {
			err := getValue(txn, seqKey(pJournal, q), func(v []byte) error {
				ev, err := decodeJournalEvent(v, q)
				evs = append(evs, ev)
				return err
			})
			if err != nil {
				return err
			}
			if uint64(len(evs)) != q-seq {
				return fmt.Errorf("journaled event %d is missing: %w", q, errCorrupt)
			}
		}
		return nil
	})
	if err == nil && !pending {
		return s.dropCutJournal()
	}
	if err == nil && len(evs) > 0 {
		err = s.commitParts(evs, p.load)
	}
	if err != nil {
		s.interrupted = true
		return fmt.Errorf("finishing the batch a previous run left half-written in %s: %w", s.dir, err)
	}
	return s.clearJournal(p)
}

// finishInterrupted finishes a batch this open left half-written, before
// anything else is written on top of it. The caller holds writeMu.
func (s *Store) finishInterrupted() error {
	if !s.interrupted {
		return nil
	}
	return s.finishPending()
}
