package store

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sys/unix"

	"github.com/csat-app/csat/domain"
)

// A writer maps every table it builds; the pages it wrote through the
// mapping used to stay resident, so a long load held each table it had
// built in its RSS (4.8 GB at the end of a 2.6 GB load). Once a table is
// on disk its pages leave the process (third_party/ristretto/CSAT.md).
func TestWrittenTablesDoNotStayResident(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	defer s.Close()
	g := newRealisticStream(3, 50, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for tables := 0; tables < 4; {
		evs := make([]domain.Event, 0, 500)
		for range 500 {
			evs = append(evs, g.next())
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		tables = len(s.db.Tables())
	}
	mapped, resident := tableMappings(t, dir)
	if mapped < 1<<20 {
		t.Fatalf("only %d bytes of tables mapped", mapped)
	}
	// Opening a table reads its index (at the file's end) through the map,
	// and the batches read conversations back from the tables: up to a
	// third of it was resident again by the end of the test.
	if resident*2 > mapped {
		t.Fatalf("%d of %d mapped table bytes resident after writing them", resident, mapped)
	}
}

// tableMappings sums the size and the resident part of this process's
// mappings of .sst files in dir, from /proc/self/smaps.
func tableMappings(t *testing.T, dir string) (size, rss int64) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if _, path, ok := mapping(sc.Bytes()); ok { // a mapping's first line
			inTable = filepath.Dir(string(path)) == dir && strings.HasSuffix(string(path), ".sst")
			continue
		}
		switch {
		case inTable && len(fields) == 3 && (fields[0] == "Size:" || fields[0] == "Rss:"):
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			if fields[0] == "Size:" {
				size += kb << 10
			} else {
				rss += kb << 10
			}
		}
	}
	return size, rss
}

// pageSink keeps the reads of mapped pages from being optimised away.
var pageSink byte

// The watcher's bound counts from what stays resident beside the tables
// after a drop. Reading the process's total again just after the drop
// still counted the tables' pages, so the bound rose with every drop (an
// export of a million ratings held 80 MB of table pages, not 16): the
// part beside the tables is read mapping by mapping, and a table's pages,
// however many, are not in it.
func TestResidentBesideTablesLeavesTablesOut(t *testing.T) {
	dir := t.TempDir()
	touch := func(name string, size int) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Munmap(b) })
		for i := 0; i < size; i += os.Getpagesize() {
			pageSink += b[i]
		}
	}
	before, ok := residentBesideTables([]string{dir})
	if !ok {
		t.Skip("no /proc/self/smaps")
	}
	touch("000001 with space.sst", 8<<20)
	touch("000002.vlog", 2<<20)
	_, tables := tableMappings(t, dir)
	if tables < 4<<20 {
		t.Fatalf("only %d bytes of the table resident after reading it", tables)
	}
	beside, _ := residentBesideTables([]string{dir})
	if grew := beside - before; grew < 1<<20 || grew > 4<<20 {
		t.Fatalf("beside the tables: %d bytes more, want the value log's 2 MiB (the table's %d left out)", grew, tables)
	}
	z.WhileMapped(func() { dropTablePages([]string{dir}, &indexRoots{}) })
	if _, left := tableMappings(t, dir); left > 1<<20 {
		t.Fatalf("%d bytes of the table still resident after the drop", left)
	}
}

// A drop leaves each table's index root mapped, found from the table's
// footer: the blocks of a table Badger wrote end where its index starts.
func TestIndexOffsetIsWhereTheBlocksEnd(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	g := newRealisticStream(5, 50, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for len(s.db.Tables()) < 2 {
		evs := make([]domain.Event, 0, 500)
		for range 500 {
			evs = append(evs, g.next())
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(paths) == 0 {
		t.Fatal("no tables written")
	}
	for _, path := range paths {
		off, ok := indexOffset(path)
		data, err := os.ReadFile(path)
		if !ok || err != nil {
			t.Fatalf("%s: no index offset (%v)", path, err)
		}
		idx := fb.GetRootAsTableIndex(data[off:], 0)
		var last fb.BlockOffset
		if n := idx.OffsetsLength(); n == 0 || !idx.Offsets(&last, n-1) {
			t.Fatalf("%s: the index at %d lists no blocks", path, off)
		}
		if end := int64(last.Offset()) + int64(last.Len()); end != off {
			t.Errorf("%s: the blocks end at %d, the index starts at %d", path, end, off)
		}
	}
	var roots indexRoots
	if _, ok := roots.of(filepath.Join(dir, "none.sst")); ok {
		t.Error("an index offset for a file that does not exist")
	}
}

// A list reads a conversation per row, each through the tables of every
// level, and every page fault maps 64 KiB of them: a page of the
// dashboard's follow-ups mapped 50 MB between two ticks of the watcher.
// So each conversation read checks the bound itself (paceResident): with
// the watcher's ticks stopped, reading every conversation leaves about the
// bound resident, not the tables it read.
func TestConversationReadsKeepTablePagesBounded(t *testing.T) {
	tick, pace := residentTick, paceEvery
	residentTick, paceEvery = time.Hour, 0
	defer func() { residentTick, paceEvery = tick, pace }()
	dir := t.TempDir()
	s := openDir(t, dir)
	g := newRealisticStream(9, 50, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for tableBytes(t, dir) < 12<<20 {
		evs := make([]domain.Event, 0, 2000)
		for range 2000 {
			evs = append(evs, g.next())
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	const bound = 256 << 10
	ro.resident.mu.Lock()
	ro.resident.bound = bound
	ro.resident.mu.Unlock()
	readAll := func(pace time.Duration) (resident int64) {
		t.Helper()
		paceEvery = pace
		z.WhileMapped(func() { dropTablePages([]string{dir}, &indexRoots{}) })
		convs, err := ro.Conversations(0)
		if err != nil || len(convs) < 1000 {
			t.Fatalf("read %d conversations: %v", len(convs), err)
		}
		_, resident = tableMappings(t, dir)
		return resident
	}
	// The bound, and one conversation's read past it (a block, an index
	// and a bloom filter at each level).
	const most = bound + 512<<10
	unpaced := readAll(time.Hour)
	if unpaced <= most {
		t.Fatalf("reading every conversation left only %d bytes of tables resident without the checks: too few to test a bound of %d", unpaced, bound)
	}
	if paced := readAll(0); paced > most {
		t.Fatalf("%d bytes of tables resident after reading every conversation (%d without the checks), bound %d", paced, unpaced, bound)
	}
}

// tableBytes is the size of the table files in dir.
func tableBytes(t *testing.T, dir string) int64 {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	var n int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// A store a person browses (the dashboard) keeps fewer blocks cached than
// one a command writes through.
func TestInteractiveStoreHoldsLess(t *testing.T) {
	dir := t.TempDir()
	for _, interactive := range []bool{false, true} {
		s, err := Open(Options{Dir: dir, Interactive: interactive, memTableSize: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		cache := s.db.Opts().BlockCacheSize
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if interactive != (cache < 16<<20) {
			t.Errorf("interactive %v: a block cache of %d bytes", interactive, cache)
		}
	}
}
