package store

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/csat-app/csat/simulate"
)

// closedStore is a store with table files, closed cleanly.
func closedStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	s := openDir(t, dir)
	if _, err := s.ApplyBatch(splitBatch()[:3000]); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(tableIDs(dir)) == 0 {
		t.Fatal("no table files")
	}
	return dir
}

// A damaged MANIFEST, a missing one, or one that disagrees with the table
// files is refused by writable and read-only opens alike, naming it, and
// no file changes: Badger would delete the tables it no longer names.
func TestDamagedManifestIsRefused(t *testing.T) {
	src := closedStore(t)
	manifest, err := os.ReadFile(filepath.Join(src, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	n := len(manifest)
	damage := map[string]func(dir string){
		"removed": func(dir string) { os.Remove(filepath.Join(dir, "MANIFEST")) },
		"table removed": func(dir string) {
			for _, p := range tableIDs(dir) {
				os.Remove(p)
				return
			}
		},
	}
	for _, cut := range []int{1, 4, 12, 30, n - 9, n - 8} {
		if cut > 0 && cut < n {
			damage["cut by "+itoa(cut)] = func(dir string) { os.Truncate(filepath.Join(dir, "MANIFEST"), int64(n-cut)) }
		}
	}
	for _, at := range []int{0, 5, 9, n / 2, n - 1} {
		damage["bit flipped at "+itoa(at)] = func(dir string) {
			b := append([]byte(nil), manifest...)
			b[at] ^= 0x10
			os.WriteFile(filepath.Join(dir, "MANIFEST"), b, 0o600)
		}
	}
	for name, fn := range damage {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			copyStoreDir(t, src, dir)
			fn(dir)
			wantRefused(t, dir, filepath.Join(dir, "MANIFEST"))
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A table file newer than every table the MANIFEST names is what a writer
// killed while writing a table leaves: a reader leaves it out and changes
// nothing; a writer removes it, as Badger does, and says so in store.log.
func TestTableTheManifestDoesNotNameYet(t *testing.T) {
	dir := closedStore(t)
	before := dumpDir(t, dir)
	var table []byte
	for _, p := range tableIDs(dir) {
		table, _ = os.ReadFile(p)
	}
	orphan := filepath.Join(dir, "999999.sst")
	if err := os.WriteFile(orphan, table, 0o600); err != nil {
		t.Fatal(err)
	}
	sums := dirSums(t, dir)
	ro, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpKeys(t, ro); got != before {
		t.Error("a reader of the store with a leftover table reads other data")
	}
	ro.Close()
	if after := dirSums(t, dir); len(after) != len(sums) || after["999999.sst"] != sums["999999.sst"] {
		t.Fatal("a reader changed the store's files")
	}
	w := openDir(t, dir)
	if got := dumpKeys(t, w); got != before {
		t.Error("a writer of the store with a leftover table reads other data")
	}
	w.Close()
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("the writer left the leftover table: %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "store.log"))
	if !strings.Contains(string(log), "999999.sst") {
		t.Errorf("store.log does not say the writer removed the leftover table:\n%s", log)
	}
}

// dumpDir opens dir read-only and dumps its keys.
func dumpDir(t *testing.T, dir string) string {
	t.Helper()
	s, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return dumpKeys(t, s)
}

// A table verified whole is not read again while it is unchanged; any
// write to it, a flipped bit included, has it verified again.
func TestVerifiedTablesAreRememberedUntilWritten(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := closedStore(t)
	if _, err := checkFiles(dir); err != nil {
		t.Fatal(err)
	}
	var table string
	for _, p := range tableIDs(dir) {
		table = p
	}
	if !loadVerifiedTables().has(table) {
		t.Fatal("a verified table is not remembered")
	}
	b, err := os.ReadFile(table)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 1
	if err := os.WriteFile(table, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if loadVerifiedTables().has(table) {
		t.Fatal("a table written since is still taken as verified")
	}
	if _, err := checkFiles(dir); err == nil || !strings.Contains(err.Error(), table) {
		t.Fatalf("a flipped bit in a table verified before: %v", err)
	}
}

// A panic inside Badger while reading reaches the caller as ErrDamaged.
func TestPanicWhileReadingIsADamagedTableError(t *testing.T) {
	read := func() (err error) {
		defer recoverDamage(&err)
		panic("runtime error: slice bounds out of range [:9] with capacity 4")
	}
	if err := read(); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "slice bounds") {
		t.Fatalf("got %v, want an ErrDamaged naming the panic", err)
	}
}

// A writer killed in its first flush leaves a MANIFEST that names no table
// beside 000001.sst and the write-ahead file the table came from: that is
// no damage. A reader leaves the table out and reads the write-ahead file,
// and so does a writer (Badger drops the table and flushes its own). The same MANIFEST beside another table, or
// without a write-ahead file, is refused.
func TestFirstFlushCutShort(t *testing.T) {
	src := filepath.Join(t.TempDir(), "data")
	s := openDir(t, src)
	if _, err := s.ApplyBatch(splitBatch()[:200]); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(t.TempDir(), "open")
	copyStoreDir(t, src, open) // the write-ahead file only: nothing flushed yet
	if len(tableIDs(open)) != 0 {
		t.Fatal("the open store has table files already")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := dumpDir(t, src)
	var table []byte
	for _, p := range tableIDs(closedStore(t)) {
		table, _ = os.ReadFile(p)
	}
	killed := func(t *testing.T, name string, keepWAL bool) string {
		dir := filepath.Join(t.TempDir(), "data")
		copyStoreDir(t, open, dir)
		if err := os.WriteFile(filepath.Join(dir, name), table, 0o600); err != nil {
			t.Fatal(err)
		}
		if !keepWAL {
			mems, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
			for _, m := range mems {
				os.Remove(m)
			}
		}
		return dir
	}
	t.Run("first table", func(t *testing.T) {
		dir := killed(t, "000001.sst", true)
		if got := dumpDir(t, dir); got != want {
			t.Error("a reader of the store killed in its first flush reads other data")
		}
		w := openDir(t, dir)
		if got := dumpKeys(t, w); got != want {
			t.Error("a writer of the store killed in its first flush reads other data")
		}
		if diffs, err := w.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
			t.Errorf("check: %v %v", diffs, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := dumpDir(t, dir); got != want {
			t.Error("after the writer closed, the store reads other data")
		}
	})
	t.Run("another table", func(t *testing.T) {
		dir := killed(t, "000007.sst", true)
		wantRefused(t, dir, filepath.Join(dir, "MANIFEST"))
	})
	t.Run("no write-ahead file", func(t *testing.T) {
		dir := killed(t, "000001.sst", false)
		wantRefused(t, dir, filepath.Join(dir, "MANIFEST"))
	})
}
