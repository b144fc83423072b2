package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// dumpKeys lists every key and value of the store but the schema stamp.
func dumpKeys(t *testing.T, s *Store) string {
	t.Helper()
	var b bytes.Buffer
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if bytes.Equal(k, keySchema) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%q=%x\n", k, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func splitBatch() []domain.Event {
	var evs []domain.Event
	for n := 1; n <= 4000; n++ {
		evs = append(evs, markedBatch(n)...)
	}
	return evs
}

// A split batch stopped after its first part (as by a kill) is finished by
// the next writable open: the store ends key for key as if it had gone
// through at once, and the marks never vouch for unwritten events.
func TestSplitBatchStoppedBetweenPartsIsFinishedAtOpen(t *testing.T) {
	whole := openDir(t, t.TempDir())
	defer whole.Close()
	if _, err := whole.ApplyBatch(splitBatch()); err != nil {
		t.Fatal(err)
	}
	want := dumpKeys(t, whole)

	dir := t.TempDir()
	s := openDir(t, dir)
	crash := errors.New("killed between parts")
	parts := 0
	afterPart = func() error { parts++; return crash }
	defer func() { afterPart = nil }()
	if _, err := s.ApplyBatch(splitBatch()); !errors.Is(err, crash) {
		t.Fatalf("ApplyBatch: %v, want the injected stop", err)
	}
	afterPart = nil
	if parts != 1 || s.Seq() == 0 || s.Seq() >= uint64(len(splitBatch())) {
		t.Fatalf("stopped after %d parts at seq %d: not between parts", parts, s.Seq())
	}
	mustMarked(t, s, "intercom", "notif/n4000", false)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if diffs, err := ro.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("a reader of the half-written batch: check %v %v", diffs, err)
	}
	ro.Close()

	s = openDir(t, dir)
	defer s.Close()
	if got := dumpKeys(t, s); got != want {
		t.Fatalf("after the finishing open the store differs from an uninterrupted one (%d vs %d bytes of keys)", len(got), len(want))
	}
	mustMarked(t, s, "intercom", "notif/n4000", true)
}

// The same stop, then the next write in the same run finishes the batch
// before its own events land.
func TestSplitBatchStoppedIsFinishedBeforeTheNextWrite(t *testing.T) {
	s := openMem(t)
	afterPart = func() error { afterPart = nil; return errors.New("stop") }
	defer func() { afterPart = nil }()
	if _, err := s.ApplyBatch(splitBatch()); err == nil {
		t.Fatal("no stop")
	}
	if _, err := s.ApplyBatch(markedBatch(4001)); err != nil {
		t.Fatal(err)
	}
	if s.Seq() != uint64(3*4001) {
		t.Fatalf("seq %d, want %d", s.Seq(), 3*4001)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// journalKeys lists the j/ keys left in the store.
func journalKeys(t *testing.T, s *Store) []string {
	t.Helper()
	var keys []string
	err := s.db.View(func(txn *badger.Txn) error {
		return iterate(txn, prefix(pJournal), func(k, _ []byte) error {
			keys = append(keys, fmt.Sprintf("%x", k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// A split batch deletes its journal by the keys it wrote, and leaves no
// j/ key; a journal cut short before it named its batch (events past the
// log's end, no !pending) goes at the next writable open; a stop between
// dropping the events and !pending is cleared by the next open without
// reading a journaled event.
func TestJournalGoesByItsKeys(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	if _, err := s.ApplyBatch(splitBatch()); err != nil {
		t.Fatal(err)
	}
	if left := journalKeys(t, s); len(left) > 0 {
		t.Fatalf("a finished split batch left %d journal keys", len(left))
	}
	want := dumpKeys(t, s)
	seq := s.Seq()
	cut := markedBatch(4001)
	reopen := func(what string, write func(txn *badger.Txn) error) {
		t.Helper()
		if err := s.db.Update(write); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = openDir(t, dir)
		if got := dumpKeys(t, s); got != want || s.Seq() != seq {
			t.Fatalf("after %s and an open, at seq %d (want %d):\n%s\nwant:\n%s", what, s.Seq(), seq, got, want)
		}
	}
	reopen("a journal cut short", func(txn *badger.Txn) error {
		for i := range cut {
			if err := txn.Set(seqKey(pJournal, seq+uint64(i)+1), encodeJournalEvent(&cut[i])); err != nil {
				return err
			}
		}
		return nil
	})
	// The last part's events, then a stop before !pending went.
	reopen("a stop before !pending went", func(txn *badger.Txn) error {
		return txn.Set(keyPending, encodePending(pendingBatch{base: seq - 3, n: 3}))
	})
	s.Close()
}
