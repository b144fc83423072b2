package badger

import (
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4/options"
)

// openForLevel0 opens dir with snappy tables, small memtables and no
// compactor of its own, level 0 uncompressed or not.
func openForLevel0(t *testing.T, dir string, level0Uncompressed bool) *DB {
	t.Helper()
	opt := DefaultOptions(dir).WithNumCompactors(0).WithLoggingLevel(WARNING).
		WithCompression(options.Snappy).WithMemTableSize(1 << 20).WithValueThreshold(1 << 10).
		WithNumLevelZeroTables(20).WithNumLevelZeroTablesStall(40).
		WithNumVersionsToKeep(1).WithLevel0Uncompressed(level0Uncompressed)
	db, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// writeRound opens dir, writes keys [from, to) at their round's value, a
// compressible value, and closes it: the close flushes them into a
// level-0 table.
func writeRound(t *testing.T, dir string, level0Uncompressed bool, round, from, to int) {
	t.Helper()
	db := openForLevel0(t, dir, level0Uncompressed)
	wb := db.NewWriteBatch()
	for i := from; i < to; i++ {
		if err := wb.Set([]byte(fmt.Sprintf("k/%06d", i)), []byte(roundValue(round, i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func roundValue(round, i int) string {
	return fmt.Sprintf("round %d of key %06d, the same words again and again and again", round, i)
}

// checkRounds reads every key back at the value of the last round that wrote it.
func checkRounds(t *testing.T, db *DB, when string, lastRound func(i int) int, n int) {
	t.Helper()
	seen := 0
	err := db.View(func(txn *Txn) error {
		it := txn.NewIterator(DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			want := fmt.Sprintf("k/%06d", seen)
			if got := string(it.Item().Key()); got != want {
				return fmt.Errorf("key %q, want %q", got, want)
			}
			val, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if string(val) != roundValue(lastRound(seen), seen) {
				return fmt.Errorf("%s holds %q", want, val)
			}
			seen++
		}
		return nil
	})
	if err == nil && seen != n {
		err = fmt.Errorf("read %d keys, want %d", seen, n)
	}
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
}

// compressionByLevel counts the tables of each level by compression.
func compressionByLevel(db *DB) map[int]map[options.CompressionType]int {
	out := map[int]map[options.CompressionType]int{}
	for l, lh := range db.lc.levels {
		lh.RLock()
		for _, tab := range lh.tables {
			if out[l] == nil {
				out[l] = map[options.CompressionType]int{}
			}
			out[l][tab.CompressionType()]++
		}
		lh.RUnlock()
	}
	return out
}

// A store with Level0Uncompressed writes its flushes and its merges
// within level 0 without compression and compacts them into snappy tables
// below; either kind reads back, before and after reopening with or
// without the option, and through compactions of both kinds together.
func TestLevel0TablesUncompressedBelowCompressed(t *testing.T) {
	dir := tempDir(t)
	const n = 3000
	rounds := [][2]int{{0, n}, {0, n / 2}, {n / 4, n / 3}, {n - 10, n}, {n / 8, n / 6}, {n - 5, n}}
	lastOf := func(written int) func(i int) int {
		return func(i int) int {
			last := 0
			for r := 0; r < written; r++ {
				if i >= rounds[r][0] && i < rounds[r][1] {
					last = r
				}
			}
			return last
		}
	}
	for r := range 4 {
		writeRound(t, dir, true, r, rounds[r][0], rounds[r][1])
	}
	db := openForLevel0(t, dir, true)
	if got := compressionByLevel(db)[0]; got[options.None] != 4 || got[options.Snappy] != 0 {
		t.Fatalf("level 0 after four flushes: %v, want 4 uncompressed", got)
	}
	// A merge within level 0 (the base level reserved, as by a running
	// compaction into it) writes level 0 uncompressed too.
	db.lc.levels[0].Lock()
	for _, tab := range db.lc.levels[0].tables {
		tab.CreatedAt = time.Now().Add(-time.Minute) // old enough to merge
	}
	db.lc.levels[0].Unlock()
	prio := compactionPriority{level: 0, t: db.lc.levelTargets()}
	base := prio.t.baseLevel
	cs := &db.lc.cstatus
	cs.Lock()
	cs.levels[base].ranges = append(cs.levels[base].ranges, infRange)
	cs.Unlock()
	if err := db.lc.doCompact(0, prio); err != nil {
		t.Fatal(err)
	}
	cs.Lock()
	cs.levels[base].ranges = cs.levels[base].ranges[:0]
	cs.Unlock()
	if got := compressionByLevel(db)[0]; got[options.None] != 1 || got[options.Snappy] != 0 {
		t.Fatalf("level 0 after its merge: %v, want one uncompressed table", got)
	}
	checkRounds(t, db, "after the merge within level 0", lastOf(4), n)
	compactLevel(t, db, 0)
	byLevel := compressionByLevel(db)
	if len(byLevel[0]) != 0 || byLevel[base][options.Snappy] == 0 || byLevel[base][options.None] != 0 {
		t.Fatalf("after compacting level 0 into %d: %v, want snappy tables there only", base, byLevel)
	}
	checkRounds(t, db, "after the compaction into the base level", lastOf(4), n)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	writeRound(t, dir, true, 4, rounds[4][0], rounds[4][1])

	// Reopened without the option (as a reader or an older writer): both
	// kinds read back, and its own flushes are compressed.
	db = openForLevel0(t, dir, false)
	checkRounds(t, db, "reopened without the option", lastOf(5), n)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	writeRound(t, dir, false, 5, rounds[5][0], rounds[5][1])

	// Reopened with it: a compaction takes both kinds of level-0 table
	// into snappy ones, and every key reads back down to the last level.
	db = openForLevel0(t, dir, true)
	defer db.Close()
	if got := compressionByLevel(db)[0]; got[options.None] != 1 || got[options.Snappy] != 1 {
		t.Fatalf("level 0 written with and without the option: %v, want one table of each", got)
	}
	checkRounds(t, db, "reopened with the option", lastOf(6), n)
	for l := 0; l < db.opt.MaxLevels-1; l++ {
		for len(db.lc.levels[l].tables) > 0 {
			compactLevel(t, db, l)
		}
	}
	byLevel = compressionByLevel(db)
	last := db.opt.MaxLevels - 1
	if len(byLevel) != 1 || byLevel[last][options.None] != 0 || byLevel[last][options.Snappy] == 0 {
		t.Fatalf("after compacting every level down: %v, want snappy tables in level %d only", byLevel, last)
	}
	checkRounds(t, db, "in the last level", lastOf(6), n)
}

func TestCompressionIntoALevel(t *testing.T) {
	for _, c := range []struct {
		level0Uncompressed bool
		level              int
		want               options.CompressionType
	}{
		{false, 0, options.Snappy},
		{false, 1, options.Snappy},
		{true, 0, options.None},
		{true, 1, options.Snappy},
		{true, 6, options.Snappy},
	} {
		opt := DefaultOptions("").WithCompression(options.Snappy).WithLevel0Uncompressed(c.level0Uncompressed)
		if got := opt.compressionInto(c.level); got != c.want {
			t.Errorf("%+v: %v", c, got)
		}
	}
}
