package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The entry of a table a compaction deleted is dropped at the next check
// of its directory; the entries of other directories stay.
func TestVerifiedTablesForgetTablesGone(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir, other := closedStore(t), closedStore(t)
	for _, d := range []string{dir, other} {
		if _, err := checkFiles(d); err != nil {
			t.Fatal(err)
		}
	}
	var gone string
	for _, p := range tableIDs(dir) {
		gone = p
	}
	abs, _ := filepath.Abs(gone)
	if !loadVerifiedTables().has(gone) {
		t.Fatal("a verified table is not remembered")
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	v := loadVerifiedTables()
	v.forgetGone(dir, map[string]bool{})
	v.save()
	count := func(prefix string) (n int) {
		for line := range loadVerifiedTables().known {
			if strings.HasPrefix(line, prefix) {
				n++
			}
		}
		return n
	}
	if n := count(abs + " "); n != 0 {
		t.Fatalf("%d entries of a deleted table are kept", n)
	}
	otherAbs, _ := filepath.Abs(other)
	if n := count(otherAbs + "/"); n != len(tableIDs(other)) {
		t.Fatalf("%d entries of another store kept, it has %d tables", n, len(tableIDs(other)))
	}
}

// A writable open leaves the tables it did not rewrite as they were, so
// that the next open does not verify them again.
func TestWritableOpenKeepsTablesVerified(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := closedStore(t)
	if _, err := checkFiles(dir); err != nil {
		t.Fatal(err)
	}
	before := tableIDs(dir)
	s := openDir(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	v, kept := loadVerifiedTables(), 0
	for id, path := range tableIDs(dir) {
		if before[id] != path {
			continue // written by this open (a flush or a compaction)
		}
		kept++
		if !v.has(path) {
			t.Errorf("table %s, untouched by the open, is no longer taken as verified", path)
		}
	}
	if kept == 0 {
		t.Fatal("the open rewrote every table: nothing to test")
	}
}

// A store deleted leaves no entries behind once another is checked.
func TestVerifiedTablesForgetDeletedStores(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	gone, kept := closedStore(t), closedStore(t)
	if _, err := checkFiles(gone); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	if _, err := checkFiles(kept); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(gone)
	for line := range loadVerifiedTables().known {
		if strings.HasPrefix(line, abs+"/") {
			t.Fatalf("an entry of a deleted store is kept: %s", line)
		}
	}
}
