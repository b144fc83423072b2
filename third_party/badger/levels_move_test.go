package badger

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// entry is one version of a key in a table a test writes.
type entry struct {
	key     string
	version uint64
	deleted bool
}

// addEntries writes a table of entries (in key order, newest version
// first) to level, as a compaction would have written it: a delete
// marker counts as stale data. It returns the table.
func addEntries(t *testing.T, db *DB, level int, entries ...entry) *table.Table {
	t.Helper()
	b := table.NewTableBuilder(table.Options{BlockSize: db.opt.BlockSize,
		BloomFalsePositive: db.opt.BloomFalsePositive, ChkMode: options.NoVerification})
	defer b.Close()
	for _, e := range entries {
		key := y.KeyWithTs([]byte(e.key), e.version)
		if e.deleted {
			b.AddStaleKey(key, y.ValueStruct{Meta: bitDelete}, 0)
			continue
		}
		b.Add(key, y.ValueStruct{Value: []byte(fmt.Sprintf("%s@%d", e.key, e.version))}, 0)
	}
	tab, err := table.CreateTable(table.NewFilename(db.lc.reserveFileID(), db.opt.Dir), b)
	if err != nil {
		t.Fatal(err)
	}
	change := newCreateChange(tab.ID(), level, 0, tab.CompressionType())
	if err := db.manifest.addChanges([]*pb.ManifestChange{change}, db.opt); err != nil {
		t.Fatal(err)
	}
	db.lc.levels[level].Lock()
	db.lc.levels[level].tables = append(db.lc.levels[level].tables, tab)
	db.lc.levels[level].addSize(tab)
	db.lc.levels[level].Unlock()
	db.lc.levels[level].sortTables()
	return tab
}

func keysAt(version uint64, keys ...string) []entry {
	var out []entry
	for _, k := range keys {
		out = append(out, entry{key: k, version: version})
	}
	return out
}

// openManagedForMoves opens a store with no compactor of its own that
// discards every version below 100 that a newer one shadows.
func openManagedForMoves(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := OpenManaged(DefaultOptions(dir).WithNumCompactors(0).
		WithNumVersionsToKeep(1).WithLoggingLevel(WARNING))
	if err != nil {
		t.Fatal(err)
	}
	db.SetDiscardTs(100)
	return db
}

// compactLevel runs one compaction of level into the next, as a compactor would.
func compactLevel(t *testing.T, db *DB, level int) {
	t.Helper()
	if err := db.lc.doCompact(-1, compactionPriority{level: level, t: db.lc.levelTargets()}); err != nil {
		t.Fatal(err)
	}
}

// levelOf returns the level holding the table id, or -1.
func levelOf(db *DB, id uint64) int {
	for _, ti := range db.Tables() {
		if ti.ID == id {
			return ti.Level
		}
	}
	return -1
}

// readAll returns every key's value at version 1000, in key order.
func readAll(t *testing.T, db *DB) []string {
	t.Helper()
	txn := db.NewTransactionAt(1000, false)
	defer txn.Discard()
	it := txn.NewIterator(DefaultIteratorOptions)
	defer it.Close()
	var out []string
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(it.Item().Key())+"="+string(v))
	}
	return out
}

func tempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "badger-move")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// A table of the newest log entries overlaps nothing in the level below:
// the compaction moves it there, file and id unchanged, and the MANIFEST
// replayed at the next open finds it there.
func TestCompactionMovesATableThatOverlapsNothingBelow(t *testing.T) {
	dir := tempDir(t)
	db := openManagedForMoves(t, dir)
	addEntries(t, db, 5, keysAt(1, "l/0000", "l/0001")...)
	moved := addEntries(t, db, 4, keysAt(2, "l/0100", "l/0101")...)
	before := readAll(t, db)

	compactLevel(t, db, 4)
	if got := levelOf(db, moved.ID()); got != 5 {
		t.Fatalf("table %d is at level %d after the compaction, want 5 (moved)", moved.ID(), got)
	}
	if n := db.lc.moves.tables.Load(); n != 1 {
		t.Errorf("%d tables moved, want 1", n)
	}
	if got := db.lc.levels[4].getTotalSize(); got != 0 {
		t.Errorf("level 4 still counts %d bytes", got)
	}
	if got, want := db.lc.levels[5].getTotalSize(), moved.Size()*2; got > want || got <= moved.Size() {
		t.Errorf("level 5 counts %d bytes, want both tables' (about %d)", got, want)
	}
	if _, err := os.Stat(table.NewFilename(moved.ID(), dir)); err != nil {
		t.Fatalf("the moved table's file: %v", err)
	}
	if after := readAll(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("read %v after the move, %v before", after, before)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(dir + "/MANIFEST")
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := ReplayManifestFile(f, 0, DefaultOptions(dir))
	f.Close()
	if err != nil {
		t.Fatalf("replaying the MANIFEST: %v", err)
	}
	if tm, ok := m.Tables[moved.ID()]; !ok || tm.Level != 5 {
		t.Fatalf("the MANIFEST has table %d as %+v (present %v), want level 5", moved.ID(), tm, ok)
	}

	db = openManagedForMoves(t, dir)
	defer db.Close()
	if got := levelOf(db, moved.ID()); got != 5 {
		t.Fatalf("reopened, table %d is at level %d, want 5", moved.ID(), got)
	}
	if after := readAll(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("reopened, read %v, %v before the move", after, before)
	}
}

// A table whose range overlaps a table of the level below is rewritten
// with it, as upstream does.
func TestCompactionRewritesATableThatOverlapsBelow(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	addEntries(t, db, 5, keysAt(1, "l/0001", "l/0002")...)
	top := addEntries(t, db, 4, keysAt(2, "l/0000", "l/0003")...)
	before := readAll(t, db)

	compactLevel(t, db, 4)
	if got := levelOf(db, top.ID()); got != -1 {
		t.Errorf("table %d is at level %d, want it rewritten", top.ID(), got)
	}
	if n := db.lc.moves.tables.Load(); n != 0 {
		t.Errorf("%d tables moved, want none", n)
	}
	if after := readAll(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("read %v after the compaction, %v before", after, before)
	}
}

// A table holding a delete marker is rewritten even when it overlaps
// nothing below: with nothing under it either, the rewrite drops the
// marker, which a move would have kept.
func TestCompactionRewritesATableWithDeleteMarkers(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	addEntries(t, db, 5, keysAt(1, "l/0000")...)
	top := addEntries(t, db, 4, entry{key: "u/0001", version: 2, deleted: true},
		entry{key: "u/0002", version: 2})
	compactLevel(t, db, 4)
	if levelOf(db, top.ID()) != -1 || db.lc.moves.tables.Load() != 0 {
		t.Fatalf("the table with a delete marker was moved")
	}
	var keys uint32
	for _, ti := range db.Tables() {
		if ti.Level == 5 && bytes.HasPrefix(y.ParseKey(ti.Left), []byte("u/")) {
			keys += ti.KeyCount
		}
	}
	if keys != 1 {
		t.Errorf("level 5 holds %d u/ keys, want 1 (the marker dropped)", keys)
	}
}

// Into the last level, where a rewrite drops every older version, a
// table moves only if a compaction wrote it with one version of each
// key; one holding two versions of a key is rewritten to one.
func TestCompactionMovesIntoTheLastLevelOnlyTablesOfOneVersion(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	addEntries(t, db, 6, keysAt(1, "l/0000")...)
	twoVersions := addEntries(t, db, 5, entry{key: "v/0001", version: 3}, entry{key: "v/0001", version: 2})
	compactLevel(t, db, 5)
	if levelOf(db, twoVersions.ID()) != -1 {
		t.Fatalf("a table with two versions of a key was moved into the last level")
	}
	for _, ti := range db.Tables() {
		if bytes.HasPrefix(y.ParseKey(ti.Left), []byte("v/")) && ti.KeyCount != 1 {
			t.Errorf("the last level holds %d versions of v/0001, want 1", ti.KeyCount)
		}
	}

	single := addEntries(t, db, 5, keysAt(4, "x/0001", "x/0002")...)
	db.lc.moves.noteWritten(single, 100)
	compactLevel(t, db, 5)
	if got := levelOf(db, single.ID()); got != 6 {
		t.Fatalf("a table of one version of each key is at level %d, want 6 (moved)", got)
	}
}

// Among the tables of a level, the compaction takes first one it can
// move, though older ones would come first by age.
func TestCompactionPrefersAMovableTable(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	addEntries(t, db, 5, keysAt(1, "b/0000", "b/0009")...)
	older := addEntries(t, db, 4, keysAt(2, "b/0001", "b/0002")...)
	newer := addEntries(t, db, 4, keysAt(3, "l/0001", "l/0002")...)
	compactLevel(t, db, 4)
	if levelOf(db, newer.ID()) != 5 || levelOf(db, older.ID()) != 4 {
		t.Errorf("the older table is at level %d and the movable one at %d, want 4 and 5",
			levelOf(db, older.ID()), levelOf(db, newer.ID()))
	}
}

// Through a store's own compactors, a log written at its end, a record
// per id rewritten and an index whose keys move (deleted and set again)
// read back as written, before and after a reopen, and some tables were
// moved.
func TestCompactionsWithMovesKeepEveryKey(t *testing.T) {
	dir := tempDir(t)
	opt := DefaultOptions(dir).WithMemTableSize(64 << 10).WithBaseTableSize(16 << 10).
		WithBaseLevelSize(64 << 10).WithLevelSizeMultiplier(4).WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).WithNumCompactors(2).WithNumVersionsToKeep(1).
		WithValueThreshold(1 << 10).WithLoggingLevel(WARNING)
	db, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	rng := rand.New(rand.NewSource(1))
	value := bytes.Repeat([]byte("x"), 100)
	for batch := range 400 {
		wb := db.NewWriteBatch()
		for i := range 50 {
			seq := batch*50 + i
			k, v := fmt.Sprintf("l/%08d", seq), fmt.Sprintf("%d%s", seq, value)
			y.Check(wb.Set([]byte(k), []byte(v)))
			want[k] = v
			id := seq/20 - rng.Intn(5)
			rec := fmt.Sprintf("v/%06d", max(id, 0))
			y.Check(wb.Set([]byte(rec), []byte(k)))
			want[rec] = k
			old, now := fmt.Sprintf("u/%06d/%d", id, seq-1), fmt.Sprintf("u/%06d/%d", id, seq)
			y.Check(wb.Delete([]byte(old)))
			delete(want, old)
			y.Check(wb.Set([]byte(now), nil))
			want[now] = ""
		}
		y.Check(wb.Flush())
	}
	check := func(when string) {
		t.Helper()
		got := map[string]string{}
		y.Check(db.View(func(txn *Txn) error {
			it := txn.NewIterator(DefaultIteratorOptions)
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				got[string(it.Item().Key())] = string(v)
			}
			return nil
		}))
		if len(got) != len(want) {
			t.Fatalf("%s: %d keys, want %d", when, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%s: %s is %.20q, want %.20q", when, k, got[k], v)
			}
		}
	}
	check("written")
	y.Check(db.Flatten(1))
	check("flattened")
	moved := db.lc.moves.tables.Load()
	if moved == 0 {
		t.Errorf("no table was moved (%d rewritten)", db.lc.moves.rewritten.Load())
	}
	y.Check(db.Close())
	db, err = Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check("reopened")
}

// Into the last level too, a compaction's table ends at a family's end:
// a table that ran from the log's last keys into the next family would
// overlap every newer log table above it, and none could move down.
func TestCompactionIntoTheLastLevelEndsATableAtAFamilysEnd(t *testing.T) {
	db := openManagedForMoves(t, tempDir(t))
	defer db.Close()
	addEntries(t, db, 6, keysAt(1, "l/0000", "p/0009")...)
	addEntries(t, db, 5, keysAt(2, "l/0001", "l/0002", "p/0001")...)
	compactLevel(t, db, 5)
	var ranges []string
	for _, ti := range db.Tables() {
		left, right := y.ParseKey(ti.Left), y.ParseKey(ti.Right)
		ranges = append(ranges, fmt.Sprintf("L%d [%s, %s]", ti.Level, left, right))
		if left[0] != right[0] {
			t.Errorf("a level-%d table spans %s to %s", ti.Level, left, right)
		}
	}
	if len(ranges) != 2 {
		t.Errorf("tables %v, want one for l/ and one for p/", ranges)
	}
}
