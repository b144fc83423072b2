//go:build unix

package reliability

import (
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// everyCommand is one reader and one writer of each kind: each must refuse
// a damaged store the same way.
var everyCommand = [][]string{
	{"check"},
	{"report"},
	{"export", "ratings"},
	{"export", "conversations"},
	{"import", "intercom", "../intercom/testdata/export_v1.jsonl"},
	{"simulate", "load", "--conversations", "0", "--live", "1"},
}

// TestFaultDamagedManifest truncates the MANIFEST at several lengths, flips
// bits in it and removes it: every command refuses with exit 2 naming it,
// and no file of the store changes. Badger deleted the table files a
// damaged MANIFEST no longer named, even for the read-only check, which
// then said "ok"; with it removed, import wiped the tables.
func TestFaultDamagedManifest(t *testing.T) {
	src := filepath.Join(t.TempDir(), "data")
	seeded(t, src)
	manifest, err := os.ReadFile(filepath.Join(src, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	n := len(manifest)
	cases := map[string][]byte{"removed": nil}
	for _, cut := range []int{1, 12, 30, n - 8} {
		cases["cut by "+strconv.Itoa(cut)] = manifest[:n-cut]
	}
	for _, at := range []int{2, 7, 12, n / 2, n - 1} {
		b := append([]byte(nil), manifest...)
		b[at] ^= 0x04
		cases["bit flipped at "+strconv.Itoa(at)] = b
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			copyDir(t, src, dir)
			path := filepath.Join(dir, "MANIFEST")
			if content == nil {
				os.Remove(path)
			} else if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			before := fileSums(t, dir)
			for _, args := range everyCommand {
				r := csat(t, append(args, "--data-dir", dir)...)
				wantFailure(t, r, 2, path)
			}
			if after := fileSums(t, dir); !maps.Equal(before, after) {
				t.Fatalf("refusing the damaged MANIFEST changed the store's files")
			}
		})
	}
}

// TestFaultFlippedTableBytes flips one byte at a time, every 64th, of a
// table file: every command either refuses naming the file or gives
// exactly the original output; never a panic (csat fails the test on
// one), never changed data with exit 0. Before, 3 flips in 40 gave a
// changed export with exit 0 and 2 made check panic. CSAT_FLIP_SWEEP=full
// sweeps a table of a larger store.
func TestFaultFlippedTableBytes(t *testing.T) {
	src := filepath.Join(t.TempDir(), "data")
	if os.Getenv("CSAT_FLIP_SWEEP") == "full" {
		seeded(t, src)
	} else {
		fixtures := t.TempDir()
		for _, f := range []string{"export_v1.jsonl", "export_v2.json"} {
			b, err := os.ReadFile(filepath.Join("../intercom/testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(fixtures, f), string(b))
		}
		if r := csat(t, "import", "intercom", "--data-dir", src, fixtures); r.code != 0 {
			t.Fatalf("import:\n%s", r)
		}
	}
	readers := [][]string{{"export", "ratings"}, {"export", "conversations"}, {"report", "--period", "all"}, {"check"}}
	want := map[string]string{}
	for _, args := range readers {
		r := csat(t, append(args, "--data-dir", src)...)
		if r.code != 0 {
			t.Fatalf("%v on the undamaged store:\n%s", args, r)
		}
		want[strings.Join(args, " ")] = r.stdout
	}
	ssts, _ := filepath.Glob(filepath.Join(src, "*.sst"))
	if len(ssts) != 1 {
		t.Fatalf("%d table files, want one to sweep", len(ssts))
	}
	table, err := os.ReadFile(ssts[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	copyDir(t, src, dir)
	path := filepath.Join(dir, filepath.Base(ssts[0]))
	refused := 0
	for off := 0; off < len(table); off += 64 {
		b := append([]byte(nil), table...)
		b[off] ^= 0xff
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range readers {
			r := csat(t, append(args, "--data-dir", dir)...)
			switch {
			case r.code != 0 && strings.Contains(r.stderr, path):
				refused++
			case r.code != 0:
				t.Fatalf("byte %d flipped: %v failed without naming %s:\n%s", off, args, path, r)
			case r.stdout != want[strings.Join(args, " ")]:
				t.Fatalf("byte %d flipped: %v exited 0 with changed output", off, args)
			}
		}
	}
	t.Logf("%d flips over %d bytes: %d of %d runs refused naming the file, the others gave the original output", (len(table)+63)/64, len(table), refused, (len(table)+63)/64*len(readers))
}

// copyDir copies the store's files (a clean store: no holes to keep).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
