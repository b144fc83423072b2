package store

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
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
		"table added": func(dir string) {
			for _, p := range tableIDs(dir) {
				b, _ := os.ReadFile(p)
				os.WriteFile(filepath.Join(dir, "999999.sst"), b, 0o600)
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
