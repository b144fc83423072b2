//go:build linux

package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// The key stream a load records, written bare, holds exactly the keys the
// store holds after that load, with values of the same lengths: the
// ceiling benchmark's bare writer writes what the store wrote.
func TestKeyStreamWrittenBareHoldsTheStoresKeys(t *testing.T) {
	cfg := simulate.LoadConfig{Teammates: 12, Conversations: 1500, Days: 20, Seed: 5, BatchSize: 150,
		End: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	dir, stream := t.TempDir(), filepath.Join(t.TempDir(), "keys.zst")
	s, err := Open(Options{Dir: dir, Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := &keyRecorder{}
	if rec.w, err = createStream(stream); err != nil {
		t.Fatal(err)
	}
	s.onEntry = rec.observe
	sum, err := simulate.Load(context.Background(), loadingStore{s}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rec.finish(); err != nil {
		t.Fatal(err)
	}
	if rec.counts.events != sum.Events || rec.commits < sum.Events/cfg.BatchSize {
		t.Fatalf("recorded %d events in %d commits, want the load's %d in at least %d", rec.counts.events, rec.commits, sum.Events, sum.Events/cfg.BatchSize)
	}

	fill, err := readFillers(stream)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := badger.Open(badgerOptions(Options{Dir: t.TempDir(), Bulk: true}, silentLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	events := 0
	if err := replayStream(bare, stream, fill, true, func(_ *streamCommit, n int) { events = n }); err != nil {
		t.Fatal(err)
	}
	if events != sum.Events {
		t.Fatalf("replayed %d events, want %d", events, sum.Events)
	}

	stored, err := badger.Open(badgerOptions(Options{Dir: dir, ReadOnly: true}, silentLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	defer stored.Close()
	want, got := valueLengths(t, stored), valueLengths(t, bare)
	for k, n := range want {
		if m, ok := got[k]; !ok && !writtenAtOpen(k) || ok && m != n {
			t.Errorf("key %q: a %d-byte value in the store, %d bare (present %v)", k, n, m, ok)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("key %q written bare, not in the store", k)
		}
	}
}

// writtenAtOpen says the store writes k when it opens, not in a commit.
func writtenAtOpen(k string) bool { return k == string(keySchema) }

func valueLengths(t *testing.T, db *badger.DB) map[string]int {
	lens := map[string]int{}
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			lens[string(it.Item().KeyCopy(nil))] = int(it.Item().ValueSize())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lens
}
