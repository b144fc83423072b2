package badger

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// addTable writes a table of keys (all at version) to level, as a
// compaction would have left it.
func addTable(t *testing.T, db *DB, level int, version uint64, keys ...string) {
	t.Helper()
	b := table.NewTableBuilder(table.Options{BlockSize: db.opt.BlockSize,
		BloomFalsePositive: db.opt.BloomFalsePositive, ChkMode: options.NoVerification})
	defer b.Close()
	for _, k := range keys {
		b.Add(y.KeyWithTs([]byte(k), version), y.ValueStruct{Value: []byte("v")}, 0)
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
	db.lc.levels[level].Unlock()
}

// A level-0 table holds keys of every family: an index's (b/) and the
// newest entries of a log whose older entries fill many tables of the
// last level (l/, keys growing with time). Compacted to the base level
// as one table, it would span every one of those log tables, and moving
// it down would rewrite them all. The b/ keys and the l/ keys go to
// tables of their own.
func TestCompactionStartsATableForAFamilyThatWouldOverlapMuch(t *testing.T) {
	dir, err := os.MkdirTemp("", "badger-family")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	opt := DefaultOptions(dir).WithNumCompactors(0).WithNumVersionsToKeep(1).WithLoggingLevel(WARNING)
	db, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 12 {
		addTable(t, db, 6, 1, fmt.Sprintf("l/%04d", 2*i), fmt.Sprintf("l/%04d", 2*i+1))
	}
	addTable(t, db, 0, 2, "b/ann", "b/bob", "l/9998", "l/9999")
	cd := compactDef{thisLevel: db.lc.levels[0], nextLevel: db.lc.levels[5],
		top: db.lc.levels[0].tables, t: db.lc.levelTargets()}
	cd.t.baseLevel = 5
	if err := db.lc.runCompactDef(-1, 0, cd); err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, tab := range db.lc.levels[5].tables {
		left, right := y.ParseKey(tab.Smallest()), y.ParseKey(tab.Biggest())
		ranges = append(ranges, fmt.Sprintf("[%s, %s]", left, right))
		if left[0] != right[0] {
			t.Errorf("a level-5 table spans %s to %s", left, right)
		}
	}
	if len(ranges) != 2 || !bytes.HasPrefix(db.lc.levels[5].tables[1].Smallest(), []byte("l/9998")) {
		t.Errorf("level 5 holds %v, want [b/ann, b/bob] [l/9998, l/9999]", ranges)
	}
}
