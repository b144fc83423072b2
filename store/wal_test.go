package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

const walBatch = 10 // events per batch, one Badger transaction each

// crashedStore writes batches into a store and copies its files while it is
// still open: what a SIGKILL leaves, since Badger writes its write-ahead
// files through memory maps and the copy sees every committed write. With
// long, every conversation says something over the 4 KiB value threshold,
// so the value log holds entries too. It returns the copy and the number of
// events committed.
func crashedStore(t *testing.T, batches int, long bool) (string, uint64) {
	t.Helper()
	live := filepath.Join(t.TempDir(), "live")
	s := openDir(t, live)
	defer s.Close()
	text := "thanks"
	if long {
		text = strings.Repeat("a long message ", 400)
	}
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	for b := range batches {
		var evs []domain.Event
		for i := b * walBatch; i < (b+1)*walBatch; i += 2 {
			conv, who := fmt.Sprintf("c%d", i), domain.User(fmt.Sprintf("u%d", i))
			evs = append(evs,
				domain.Event{Kind: domain.EvStart, At: at(i), Conv: conv, Actor: who, Channel: domain.ChannelEmail},
				domain.Event{Kind: domain.EvSay, At: at(i + 1), Conv: conv, Actor: who, Text: text})
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "crashed")
	copyStoreDir(t, live, dst)
	return dst, s.Seq()
}

// copyStoreDir copies the files of src into dst, leaving zero blocks as
// holes, as the preallocated originals are.
func copyStoreDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var zeros [4096]byte
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(data); off += len(zeros) {
			block := data[off:min(off+len(zeros), len(data))]
			if !bytes.Equal(block, zeros[:len(block)]) {
				if _, err := f.WriteAt(block, int64(off)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := f.Truncate(int64(len(data))); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// walTxns returns where each whole transaction of a .mem file starts and
// ends, in order, read with the walker under test.
func walTxns(t *testing.T, path string) [][2]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := walFile{b: data, end: len(data)}
	var txns [][2]int
	start := walHeaderSize
	for off := walHeaderSize; ; {
		e, ok, _ := w.entry(off)
		if !ok || len(e.key) == 0 {
			return txns
		}
		if off = e.next; e.meta&walBitFinTxn != 0 {
			txns = append(txns, [2]int{start, off})
			start = off
		}
	}
}

// entryEnd is where the entry at off in a write-ahead file ends.
func entryEnd(t *testing.T, path string, off int) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, ok, _ := walFile{b: data, end: len(data)}.entry(off)
	if !ok {
		t.Fatalf("no entry at %s:%d", path, off)
	}
	return e.next
}

// onlyFile is the one file of dir matching pattern.
func onlyFile(t *testing.T, dir, pattern string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(paths) != 1 {
		t.Fatalf("want one %s in %s, found %v", pattern, dir, paths)
	}
	return paths[0]
}

func patchFile(t *testing.T, path string, off int, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, int64(off)); err != nil {
		t.Fatal(err)
	}
}

// dirSums is every file of dir with its bytes, to prove a refusal wrote nothing.
func dirSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sums[e.Name()] = string(b)
	}
	return sums
}

// wantRefused opens dir for writing and read-only; both must be refused
// with words in the error, leaving every file as it was.
func wantRefused(t *testing.T, dir string, words ...string) {
	t.Helper()
	before := dirSums(t, dir)
	for _, ro := range []bool{false, true} {
		s, err := Open(Options{Dir: dir, ReadOnly: ro, memTableSize: 2 << 20})
		if err == nil {
			s.Close()
			t.Fatalf("read-only %v: a damaged write-ahead file was opened", ro)
		}
		if !errors.Is(err, ErrDataDir) {
			t.Errorf("read-only %v: %v is not an ErrDataDir (exit 2)", ro, err)
		}
		for _, w := range words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("read-only %v: the error does not say %q: %v", ro, w, err)
			}
		}
	}
	after := dirSums(t, dir)
	if len(after) != len(before) {
		t.Fatalf("refusing changed the files: %d before, %d after", len(before), len(after))
	}
	for name, b := range before {
		if after[name] != b {
			t.Fatalf("refusing changed %s", name)
		}
	}
}

// openedSeq opens dir read-only (recovering it as after a crash), checks
// it and returns its last event number.
func openedSeq(t *testing.T, dir string) uint64 {
	t.Helper()
	s, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
	return s.Seq()
}

func TestDamagedWriteAheadLog(t *testing.T) {
	src, total := crashedStore(t, 12, false)
	mem := filepath.Base(onlyFile(t, src, "*.mem"))
	txns := walTxns(t, filepath.Join(src, mem))
	// The schema write at open, then one transaction a batch.
	if len(txns) != 13 {
		t.Fatalf("%d transactions in %s, want 13", len(txns), mem)
	}
	mid, last := txns[6], txns[len(txns)-1]
	damaged := func(t *testing.T, damage func(path string)) string {
		dir := filepath.Join(t.TempDir(), "data")
		copyStoreDir(t, src, dir)
		damage(filepath.Join(dir, mem))
		return dir
	}

	t.Run("intact", func(t *testing.T) {
		if got := openedSeq(t, damaged(t, func(string) {})); got != total {
			t.Fatalf("%d events after the crash, want %d", got, total)
		}
	})
	t.Run("bytes flipped in the middle", func(t *testing.T) {
		at := (mid[0] + mid[1]) / 2
		dir := damaged(t, func(p string) { patchFile(t, p, at, []byte{0xde, 0xad, 0xbe, 0xef}) })
		wantRefused(t, dir, filepath.Join(dir, mem)+" is damaged at offset", "(valid entries follow", "restore it from a backup")
		// Why: Badger itself replays up to the damage and drops the rest.
		db, err := badger.Open(badgerOptions(Options{Dir: dir}, silentLogger{}))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var logged uint64
		err = db.View(func(txn *badger.Txn) error {
			return iterate(txn, prefix(pLog), func(k, v []byte) error { logged++; return nil })
		})
		if err != nil || logged >= total {
			t.Fatalf("Badger kept %d of %d events (%v): it no longer drops what follows damage; is this check still needed?", logged, total, err)
		}
	})
	t.Run("header of an entry zeroed", func(t *testing.T) {
		dir := damaged(t, func(p string) { patchFile(t, p, mid[0], make([]byte, 8)) })
		wantRefused(t, dir, "is damaged at offset", "(valid entries follow")
	})
	t.Run("encryption key id in the file header", func(t *testing.T) {
		dir := damaged(t, func(p string) { patchFile(t, p, 7, []byte{1}) })
		wantRefused(t, dir, "is damaged at offset 0", "encryption key 1")
	})
	t.Run("cut inside an entry", func(t *testing.T) {
		dir := damaged(t, func(p string) {
			if err := os.Truncate(p, int64(mid[0]+7)); err != nil {
				t.Fatal(err)
			}
		})
		wantRefused(t, dir, fmt.Sprintf("is damaged at offset %d (a bad entry there reaches the end of the file", mid[0]))
	})
	t.Run("cut shorter than the header", func(t *testing.T) {
		dir := damaged(t, func(p string) {
			if err := os.Truncate(p, 10); err != nil {
				t.Fatal(err)
			}
		})
		wantRefused(t, dir, "is cut short (10 bytes")
	})
	t.Run("cut at an entry boundary is not detected", func(t *testing.T) {
		// The file then ends where a batch ended: a clean end, as after
		// Badger's own recovery. Badger drops the rest; so do we.
		dir := damaged(t, func(p string) {
			if err := os.Truncate(p, int64(mid[1])); err != nil {
				t.Fatal(err)
			}
		})
		if got, want := openedSeq(t, dir), total-6*walBatch; got != want {
			t.Fatalf("%d events, want %d", got, want)
		}
	})
	t.Run("torn tail", func(t *testing.T) {
		// A kill in the middle of the last batch: its first half written,
		// then the zeros of the preallocated file. Only that batch is lost.
		dir := damaged(t, func(p string) {
			half := (last[0] + last[1]) / 2
			patchFile(t, p, half, make([]byte, last[1]-half))
		})
		if got, want := openedSeq(t, dir), total-walBatch; got != want {
			t.Fatalf("%d events, want %d", got, want)
		}
	})
	t.Run("damage to the last batch looks torn", func(t *testing.T) {
		// Not detected: nothing valid follows the last entry.
		dir := damaged(t, func(p string) { patchFile(t, p, last[1]-6, []byte{0xff, 0xff}) })
		if got, want := openedSeq(t, dir), total-walBatch; got != want {
			t.Fatalf("%d events, want %d", got, want)
		}
	})
	// In an older file, with a newer one holding committed entries, the same
	// damage cannot be a torn tail: a transaction never spans two files.
	second := entryEnd(t, filepath.Join(src, mem), last[0]) // the last batch's second entry
	for name, damage := range map[string]func(p string){
		"flipped": func(p string) { patchFile(t, p, last[1]-6, []byte{0xff, 0xff}) },
		"zeroed":  func(p string) { patchFile(t, p, second, make([]byte, last[1]-second)) },
	} {
		t.Run("last batch of an older file "+name, func(t *testing.T) {
			dir := damaged(t, func(p string) {
				intact, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(filepath.Dir(p), "99999.mem"), intact, 0o600); err != nil {
					t.Fatal(err)
				}
				damage(p)
			})
			wantRefused(t, dir, filepath.Join(dir, mem)+" is damaged at offset", "(valid entries follow in 99999.mem)")
		})
	}
}

func TestDamagedValueLog(t *testing.T) {
	src, total := crashedStore(t, 4, true)
	vlog := filepath.Base(onlyFile(t, src, "*.vlog"))
	data, err := os.ReadFile(filepath.Join(src, vlog))
	if err != nil {
		t.Fatal(err)
	}
	w := walFile{b: data, end: len(data)}
	first, ok, _ := w.entry(walHeaderSize)
	if !ok {
		t.Fatalf("%s holds no value: the test no longer writes values over the threshold", vlog)
	}
	t.Run("intact", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		copyStoreDir(t, src, dir)
		// Not s.Check: it replays into an in-memory Badger, which refuses
		// values over the threshold.
		s, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		parts, err := s.Stream("c0")
		if err != nil || s.Seq() != total || len(parts) != 2 || len(parts[1].Event.Text) < 4<<10 {
			t.Fatalf("%d events (want %d), %d parts of c0: %v", s.Seq(), total, len(parts), err)
		}
	})
	t.Run("bytes flipped in a value", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		copyStoreDir(t, src, dir)
		patchFile(t, filepath.Join(dir, vlog), first.next-100, []byte("XXXX"))
		wantRefused(t, dir, filepath.Join(dir, vlog)+fmt.Sprintf(" is damaged at offset %d (valid entries follow at offset %d)", walHeaderSize, first.next))
	})
}

// TestWriteAheadOfAStoreInUseIsNotRead: the checks of tables and logs take
// Badger's shared lock, so a store another writer holds is left to Badger
// to refuse as in use, never misread while it changes.
func TestWriteAheadOfAStoreInUseIsNotRead(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	defer s.Close()
	if _, err := s.Apply(domain.Event{Kind: domain.EvClock, At: t0}); err != nil {
		t.Fatal(err)
	}
	patchFile(t, onlyFile(t, dir, "*.mem"), walHeaderSize, []byte{0xff, 0xff, 0xff, 0xff})
	// What a reader could see of a table while the writer compacts it away.
	if err := os.WriteFile(filepath.Join(dir, "000999.sst"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checkFiles(dir); err != nil {
		t.Fatalf("the check read a store in use: %v", err)
	}
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second writer: %v, want ErrLocked", err)
	}
}

// A read-only open of a store a killed writer left reads it through a
// shadow directory and changes no byte of it: Badger alone would only open
// it for writing, cutting its memtable logs.
func TestReadOnlyOpenAfterACrashChangesNothing(t *testing.T) {
	for _, long := range []bool{false, true} {
		dir, total := crashedStore(t, 6, long)
		before := dirSums(t, dir)
		s, err := Open(Options{Dir: dir, ReadOnly: true, memTableSize: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if s.shadow == nil {
			t.Error("the crashed store was opened without a shadow: Badger did not ask for recovery")
		}
		if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 || s.Seq() != total {
			t.Fatalf("check: %v %v, seq %d of %d", diffs, err, s.Seq(), total)
		}
		shadow := s.shadow.path
		s.Close()
		if _, err := os.Stat(shadow); !os.IsNotExist(err) {
			t.Errorf("the shadow %s outlived Close: %v", shadow, err)
		}
		after := dirSums(t, dir)
		if len(after) != len(before) {
			t.Fatalf("long %v: %d files before, %d after", long, len(before), len(after))
		}
		for name, b := range before {
			if after[name] != b {
				t.Fatalf("long %v: the read-only open changed %s", long, name)
			}
		}
	}
}
