package badger

import (
	"fmt"
	"testing"
	"time"
)

// A flush leaves out the versions no transaction can read, as a
// compaction would, and keeps those an open transaction reads, the newest
// of each key and a delete marker (which hides older versions below).
func TestFlushDropsOnlyVersionsNoReaderSees(t *testing.T) {
	db := openForLevel0(t, t.TempDir(), true)
	defer db.Close()
	set := func(key, val string) {
		t.Helper()
		if err := db.Update(func(txn *Txn) error { return txn.Set([]byte(key), []byte(val)) }); err != nil {
			t.Fatal(err)
		}
	}
	set("b", "b0")
	set("b", "b1")
	if err := db.Update(func(txn *Txn) error { return txn.Delete([]byte("b")) }); err != nil {
		t.Fatal(err)
	}
	set("a", "a0")
	set("a", "a1")
	set("a", "a2")
	reader := db.NewTransaction(false) // reads a2, and no b
	defer reader.Discard()
	set("a", "a3")
	set("a", "a4")
	set("c", "c0")
	set("c", "c1")
	flushWithFiller(t, db)

	want := map[string][]string{"a": {"a4", "a3", "a2", "a1"}, "b": {"<deleted>"}, "c": {"c1", "c0"}}
	if got := tableVersions(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("versions in level 0: %v, want %v", got, want)
	}
	readAs(t, reader, map[string]string{"a": "a2", "b": "", "c": ""})
	now := db.NewTransaction(false)
	defer now.Discard()
	readAs(t, now, map[string]string{"a": "a4", "b": "", "c": "c1"})
}

// flushWithFiller writes z/ keys until the memtable holding the earlier
// writes is a level-0 table.
func flushWithFiller(t *testing.T, db *DB) {
	t.Helper()
	wb := db.NewWriteBatch()
	for i := 0; i < 20000; i++ {
		if err := wb.Set([]byte(fmt.Sprintf("z/%06d", i)), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); db.lc.levels[0].numTables() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no memtable was flushed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tableVersions lists every version of the keys a, b and c in the
// store's tables, newest first.
func tableVersions(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, tbl := range db.lc.levels[0].tables {
		it := tbl.NewIterator(0)
		for it.Rewind(); it.Valid(); it.Next() {
			key := string(it.Key()[:len(it.Key())-8])
			if key == "a" || key == "b" || key == "c" {
				v := string(it.Value().Value)
				if isDeletedOrExpired(it.Value().Meta, it.Value().ExpiresAt) {
					v = "<deleted>"
				}
				got[key] = append(got[key], v)
			}
		}
		it.Close()
	}
	return got
}

func readAs(t *testing.T, txn *Txn, want map[string]string) {
	t.Helper()
	for key, val := range want {
		item, err := txn.Get([]byte(key))
		switch {
		case val == "" && err == ErrKeyNotFound:
		case err != nil:
			t.Fatalf("%s: %v", key, err)
		default:
			got, _ := item.ValueCopy(nil)
			if string(got) != val {
				t.Fatalf("%s reads %q, want %q", key, got, val)
			}
		}
	}
}
