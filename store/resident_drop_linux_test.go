package store

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2/z"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// The watcher advises MADV_DONTNEED on address ranges it read from
// /proc/self/maps as tables' mappings. A table deleted between the read
// and the advice would leave the range to whatever the process maps there
// next, and DONTNEED zeroes anonymous memory. So deleting a mapped file
// waits for the drop in progress: the table's mapping is still there and
// readable through the whole of WhileMapped, and goes only after.
func TestTableDeleteWaitsForTheDrop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "000001.sst")
	if err := os.WriteFile(path, []byte("table bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	mf, err := z.OpenMmapFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	data := mf.Data
	deleted := make(chan error, 1)
	z.WhileMapped(func() {
		go func() { deleted <- mf.Delete() }()
		for range 1000 {
			runtime.Gosched()
			select {
			case err := <-deleted:
				t.Fatalf("the table was deleted during a drop (%v)", err)
			default:
			}
			pageSink += data[0] // faults if unmapped
		}
	})
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the table is still there after the drop: %v", err)
	}
}

// A writer's watcher drops table pages with MADV_DONTNEED (the page cache
// keeps them) while compactions delete the tables it reads from the map
// list. With the bound at zero and a tick of a millisecond it drops all the
// time, at every table Badger maps too; the store must come out whole: every
// record and counter replays from the log to what is stored, and a reopen
// finds every event.
func TestWriterDropsDuringCompactionsLoseNothing(t *testing.T) {
	tick := residentTick
	residentTick = time.Millisecond
	defer func() { residentTick = tick }()
	dir := t.TempDir()
	s := openDir(t, dir)
	if s.resident == nil {
		t.Skip("no watcher on this system")
	}
	s.resident.mu.Lock()
	s.resident.bound = 0
	s.resident.mu.Unlock()
	g := newRealisticStream(11, 50, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	seen := map[string]bool{}
	deleted := 0
	var events uint64
	for deleted < 8 {
		evs := make([]domain.Event, 0, 1000)
		for range 1000 {
			evs = append(evs, g.next())
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		events += uint64(len(evs))
		paths, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
		now := map[string]bool{}
		for _, p := range paths {
			now[p] = true
		}
		for p := range seen {
			if !now[p] {
				deleted++
				delete(seen, p)
			}
		}
		for p := range now {
			seen[p] = true
		}
		if events > 400_000 {
			t.Fatalf("%d events written and only %d tables deleted by compactions", events, deleted)
		}
	}
	seq := s.Seq()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDir(t, dir)
	defer s.Close()
	var read uint64
	if err := s.Events(0, func(uint64, domain.Event) error { read++; return nil }); err != nil {
		t.Fatal(err)
	}
	if read != seq || s.Seq() != seq {
		t.Fatalf("%d events read back (sequence %d) after reopening, %d written", read, s.Seq(), seq)
	}
	diffs, err := s.Check(simulate.ReplayInto)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
}
