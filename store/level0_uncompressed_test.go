package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4/options"

	"github.com/csat-app/csat/simulate"
)

// A bulk load writes its level-0 tables uncompressed and the levels below
// with snappy (badger_options.go). Left on disk by a writer that did not
// close (CompactOnClose unset: an import's or a killed load's), both kinds are verified block by block
// at the next open (tables.go), a bit flipped in an uncompressed table is
// found and named, and the store checks clean opened by a reader, by a
// writer of the default options (its compactions merge both kinds into
// snappy tables, its flushes are snappy) and by a reader again.
func TestBulkStoreHoldsUncompressedAndSnappyTables(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "data")
	uncompressed, snappy := bulkLoad(t, dir, false)
	if len(uncompressed) == 0 || len(snappy) == 0 {
		t.Fatalf("%d uncompressed and %d snappy tables, want both kinds", len(uncompressed), len(snappy))
	}
	if _, err := checkFiles(dir); err != nil {
		t.Fatal(err)
	}

	damaged := filepath.Join(t.TempDir(), "damaged")
	copyStoreDir(t, dir, damaged)
	table := tableIDs(damaged)[uncompressed[0]]
	b, err := os.ReadFile(table)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/4] ^= 1
	if err := os.WriteFile(table, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := checkFiles(damaged); err == nil || !strings.Contains(err.Error(), table) {
		t.Fatalf("a flipped bit in an uncompressed table: %v", err)
	}

	for _, opts := range []Options{{Dir: dir, ReadOnly: true}, {Dir: dir, memTableSize: 1 << 20}, {Dir: dir, ReadOnly: true}} {
		s, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := checkDiffs(t, s); got != "" {
			t.Fatalf("read-only %v: %s", opts.ReadOnly, got)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// bulkLoad loads a small year into dir with the bulk writer, leaving its
// compacting level 0 at close or not, and returns the ids of its tables by compression.
func bulkLoad(t *testing.T, dir string, compactOnClose bool) (uncompressed, snappy []uint64) {
	t.Helper()
	s, err := Open(Options{Dir: dir, Bulk: true, memTableSize: 1 << 20, CompactOnClose: compactOnClose})
	if err != nil {
		t.Fatal(err)
	}
	// Enough for more level-0 tables than a bulk writer compacts at once
	// (32 of 1 MiB memtables), so that both kinds are left.
	cfg := simulate.LoadConfig{Teammates: 50, Conversations: 12000, Days: 40, Seed: 7,
		End: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := simulate.Load(context.Background(), s, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	byCompression, _, err := checkManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for id, c := range byCompression {
		switch c {
		case options.None:
			uncompressed = append(uncompressed, id)
		case options.Snappy:
			snappy = append(snappy, id)
		}
	}
	return uncompressed, snappy
}

// A load's close (CompactOnClose) compacts level 0 into the base level: the store it
// leaves holds snappy tables only, no bigger than with level 0 compressed.
func TestBulkWriterClosesWithoutLevel0(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "data")
	uncompressed, snappy := bulkLoad(t, dir, true)
	if len(uncompressed) != 0 || len(snappy) == 0 {
		t.Fatalf("%d uncompressed and %d snappy tables after the close, want snappy ones only", len(uncompressed), len(snappy))
	}
	s, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, ti := range s.db.Tables() {
		if ti.Level == 0 {
			t.Fatalf("table %d in level 0 after the close", ti.ID)
		}
	}
	if got := checkDiffs(t, s); got != "" {
		t.Fatal(got)
	}
}
