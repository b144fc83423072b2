package badger

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// copyDir copies the files of a database's directory as they are, as a
// crash would leave them: what the write-ahead logs hold, nothing flushed.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == lockFile {
			continue
		}
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A transaction's entries go to the writer sorted by key (commitAndSend):
// each key's last write in the transaction wins, a delete as a set, in
// the memtable and in a replay of the write-ahead log after a crash, for
// values in the log and in the value log alike.
func TestSortedCommitKeepsEachKeysLastWrite(t *testing.T) {
	dir := t.TempDir()
	small := func(dir string) Options {
		return DefaultOptions(dir).WithLogger(nil).WithValueThreshold(64).WithMemTableSize(4 << 20).WithValueLogFileSize(4 << 20)
	}
	db, err := Open(small(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := func(i int) []byte { return []byte(fmt.Sprintf("k%04d", (i*7919)%1000)) }
	value := func(i int, round string) []byte {
		return bytes.Repeat([]byte(round), 1+i%3*50) // some over the value threshold
	}
	if err := db.Update(func(txn *Txn) error {
		for i := range 1000 {
			if err := txn.Set(key(i), value(i, "a")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// One transaction: keys set again, deleted, deleted then set, set
	// then deleted, in an order unlike theirs.
	want := map[string][]byte{}
	for i := range 1000 {
		want[string(key(i))] = value(i, "a")
	}
	if err := db.Update(func(txn *Txn) error {
		for i := range 1000 {
			k := key(i)
			var err error
			switch i % 4 {
			case 0:
				err, want[string(k)] = txn.Set(k, value(i, "b")), value(i, "b")
			case 1:
				err, want[string(k)] = txn.Delete(k), nil
			case 2:
				if err = txn.Delete(k); err == nil {
					err, want[string(k)] = txn.Set(k, value(i, "c")), value(i, "c")
				}
			case 3:
				if err = txn.Set(k, value(i, "d")); err == nil {
					err, want[string(k)] = txn.Delete(k), nil
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed)
	if tables, _ := filepath.Glob(filepath.Join(crashed, "*.sst")); len(tables) > 0 {
		t.Fatalf("tables %v: the memtable was flushed, and the replay would not read the log", tables)
	}
	check := func(what string, db *DB) {
		t.Helper()
		if err := db.View(func(txn *Txn) error {
			for k, v := range want {
				item, err := txn.Get([]byte(k))
				switch {
				case v == nil && err == ErrKeyNotFound:
					continue
				case err != nil:
					return fmt.Errorf("%s: %w", k, err)
				}
				got, err := item.ValueCopy(nil)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, v) {
					return fmt.Errorf("%s: %.8q…, want %.8q…", k, got, v)
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	check("after the commit", db)
	re, err := Open(small(crashed))
	if err != nil {
		t.Fatal(err)
	}
	defer re.Close()
	check("replayed after a crash", re)
}

// In managed mode a transaction may write a key at several versions, and
// the same key and version twice (an entry at another version between
// them keeps the first in duplicateWrites; WriteBatch.SetEntryAt): those go to the writer in
// upstream's order, so the same entry wins at each version as upstream.
func TestManagedDuplicatesKeepUpstreamsOrder(t *testing.T) {
	db, err := OpenManaged(DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	txn := db.NewTransactionAt(10, true)
	const n = 300
	for i := range n {
		k := []byte(fmt.Sprintf("k%04d", i))
		for _, w := range []struct {
			v   string
			ver uint64
		}{{"A", 5}, {"B", 6}, {"C", 5}} {
			e := NewEntry(k, []byte(w.v))
			e.version = w.ver // as WriteBatch.SetEntryAt does
			if err := txn.SetEntry(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Upstream sends the pending writes (C at 5) and then the duplicates
	// (A at 5, B at 6): A, sent after C, is what version 5 holds.
	if err := txn.CommitAt(10, nil); err != nil {
		t.Fatal(err)
	}
	for ver, want := range map[uint64]string{5: "A", 6: "B"} {
		read := db.NewTransactionAt(ver, false)
		for i := range n {
			item, err := read.Get([]byte(fmt.Sprintf("k%04d", i)))
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := item.ValueCopy(nil); string(got) != want {
				t.Fatalf("k%04d at version %d: %q, want %q", i, ver, got, want)
			}
		}
		read.Discard()
	}
}

// sortEntries orders entries as bytes.Compare does, keys that share their
// first 16 bytes, keys shorter than that and keys that are prefixes of
// others included.
func TestSortEntriesOrdersAsBytesCompare(t *testing.T) {
	var keys [][]byte
	for i := range 3000 {
		k := []byte(fmt.Sprintf("%c/%012d", 'a'+i%5, (i*7919)%2000))
		keys = append(keys, k[:1+i%len(k)], k, append(k, byte(i), 0), []byte{byte(i % 3)})
	}
	entries := make([]*Entry, len(keys))
	for i, k := range keys {
		entries[i] = &Entry{Key: k}
	}
	entries = sortEntries(entries)
	for i := 1; i < len(entries); i++ {
		if bytes.Compare(entries[i-1].Key, entries[i].Key) > 0 {
			t.Fatalf("entry %d %q sorts after %q", i, entries[i-1].Key, entries[i].Key)
		}
	}
}

// A key written twice in a transaction, a reserved one included, leaves
// its last write, and the others all of theirs.
func TestRewrittenKeyKeepsTheLastWrite(t *testing.T) {
	db, err := Open(DefaultOptions(t.TempDir()).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	txn := db.NewTransaction(true)
	txn.ReserveWrites(10)
	for i := range 20 {
		if err := txn.Set([]byte(fmt.Sprintf("k%02d", i%15)), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	err = db.View(func(txn *Txn) error {
		for i := range 15 {
			want := i
			if i < 5 {
				want = i + 15
			}
			item, err := txn.Get([]byte(fmt.Sprintf("k%02d", i)))
			if err != nil {
				return err
			}
			if v, _ := item.ValueCopy(nil); string(v) != fmt.Sprint(want) {
				t.Errorf("k%02d = %s, want %d", i, v, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
