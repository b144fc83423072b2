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
