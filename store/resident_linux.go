package store

// Badger maps every table file into memory and reads it through the
// mapping; it never lets go of a page it touched. Opening a store touches
// every table's index (3% of the store), and an export or a check reads
// every block, so the process's resident set grew with the store: 442 MB
// for an export of a million ratings, of which the Go heap was a few
// dozen. Those pages are the kernel's page cache, clean and shared, but
// they count as the process's memory to the user, to top and to the
// limits of a laptop. So while the store is open a watcher reads the
// process's mapped file pages (/proc/self/statm) every 50 ms and each time
// Badger maps a file, and, past tablePagesMax above what is resident beside
// the tables, drops its mappings of the table files with MADV_DONTNEED.
// The kernel keeps the pages in its page cache, and the next read of such a
// page maps it again with a minor fault. The ranges come from
// /proc/self/maps, and a compaction may delete a table meanwhile; DONTNEED
// on whatever the process mapped there next would zero it. So the drop runs
// inside z.WhileMapped, which holds off every unmapping of a file until it
// returns (third_party/ristretto/CSAT.md). Writers used MADV_PAGEOUT
// instead, harmless on any mapping but evicting the pages from the page
// cache too: every later read of a table (a compaction's inputs, the
// writer's conversation reads) went to the disk, with 8 MiB of read-around
// a fault, and a load of 2.7 GB read 20.7 GB (BENCHMARKS.md).

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sys/unix"
)

const (
	tablePagesMax = 16 << 20
	besideEvery   = time.Second
)

// How often the watcher checks the bound, and a reader's own goroutine
// at most (paceResident); variables for the tests.
var (
	residentTick = 50 * time.Millisecond
	paceEvery    = time.Millisecond
)

// residentWatch is the watcher of one open store.
type residentWatch struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	dirs  atomic.Pointer[[]string] // whose .sst mappings it drops
	bound int64                    // table pages allowed resident above base

	mu       sync.Mutex // one check at a time; a mapping waits for it
	base     int64      // file pages resident that are not dropped
	beside   int64      // of which beside the tables, as read at besideAt
	besideAt time.Time
	roots    indexRoots // where each table's index starts
}

// watchers are the open stores' watchers. Badger's open reads every
// table's index, some 90 MB on a year of a 200-person team, three tables
// at a time and within a fraction of a second: a watcher that only ticked
// saw all of it resident first on a busy machine. So every file Badger
// maps (z.OnMap, third_party/ristretto/CSAT.md) checks the bound too,
// before the file is read.
var watchers struct {
	sync.Mutex
	all map[*residentWatch]bool
}

func init() { z.OnMap = checkWatchers }

var lastPace atomic.Int64 // unix nanoseconds of the last paced check

// paceResident checks the bound from a reader's own goroutine, at most
// every paceEvery. A list page reads a conversation per row through the
// bloom filters, indexes and blocks of a table at each level, and each
// page fault maps 64 KiB of page cache (the kernel's fault-around, which
// madvise does not turn off): 200 rows of follow-ups mapped 50 MB within
// milliseconds, faster than a ticking watcher saw on a busy machine, and
// the dashboard's resident set spiked to twice its size on every page.
func paceResident() {
	now := time.Now().UnixNano()
	last := lastPace.Load()
	if now-last < int64(paceEvery) || !lastPace.CompareAndSwap(last, now) {
		return
	}
	checkWatchers()
}

func checkWatchers() {
	watchers.Lock()
	all := make([]*residentWatch, 0, len(watchers.all))
	for w := range watchers.all {
		all = append(all, w)
	}
	watchers.Unlock()
	for _, w := range all {
		w.check()
	}
}

// watchResident starts the watcher for the table files of the store opts
// opens.
func watchResident(opts Options) *residentWatch {
	base, ok := mappedFileBytes()
	if !ok {
		return nil
	}
	w := &residentWatch{stop: make(chan struct{}), bound: tablePagesMax, base: base, beside: base}
	w.dirs.Store(&[]string{})
	w.watch(opts.Dir)
	watchers.Lock()
	if watchers.all == nil {
		watchers.all = map[*residentWatch]bool{}
	}
	watchers.all[w] = true
	watchers.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(residentTick)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.check()
			}
		}
	}()
	return w
}

// check drops the table pages when they are past the bound. Checks wait
// for each other: a drop takes milliseconds (reading the map lists), and
// Badger's openers read indexes at over a gigabyte a second meanwhile.
func (w *residentWatch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now, ok := mappedFileBytes()
	if !ok || now <= w.base+w.bound {
		return
	}
	dirs := *w.dirs.Load()
	var kept int64
	z.WhileMapped(func() { kept = dropTablePages(dirs, &w.roots) })
	// What is left beside the tables (the binary, a writer's memtable and
	// value logs) is not dropped: the bound counts from there, so that it
	// is not dropped again and again for nothing. It is read mapping by
	// mapping: the total read again just after the drop still counted
	// table pages (tables Badger mapped meanwhile, pages the kernel had not
	// yet uncounted), and the bound rose with every drop (an export of a
	// million ratings held 80 MB of table pages). The indexes' first
	// pages, kept mapped, count with it. Reading every mapping takes
	// milliseconds, and a scan drops every 16 MiB: it is read again at
	// most every besideEvery (what is beside the tables grows slowly).
	if time.Since(w.besideAt) > besideEvery {
		if left, ok := residentBesideTables(dirs); ok {
			w.beside, w.besideAt = left, time.Now()
		}
	}
	w.base = w.beside + kept
}

// watch adds the table files in dir (a reader's shadow of the store).
func (w *residentWatch) watch(dir string) {
	if w == nil {
		return
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // the map list names files by their real paths
	}
	dirs := append(append([]string(nil), *w.dirs.Load()...), dir)
	w.dirs.Store(&dirs)
}

// close stops the watcher.
func (w *residentWatch) close() {
	if w == nil {
		return
	}
	watchers.Lock()
	delete(watchers.all, w)
	watchers.Unlock()
	close(w.stop)
	w.wg.Wait()
	w.mu.Lock() // a check running from a mapping ends first
	defer w.mu.Unlock()
}

// mappedFileBytes is the process's resident shared pages (file mappings,
// the binary's text among them), in bytes.
func mappedFileBytes() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[2], 10, 64)
	return pages * int64(os.Getpagesize()), err == nil
}

// residentBesideTables is the resident part of the process's file
// mappings other than the table files under dirs, in bytes, from
// /proc/self/smaps.
func residentBesideTables(dirs []string) (int64, bool) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var total int64
	counted := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if rest, ok := bytes.CutPrefix(line, []byte("Rss:")); ok {
			if counted {
				kb, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
				total += kb << 10
			}
			continue
		}
		if _, path, ok := mapping(line); ok {
			counted = len(path) > 0 && path[0] == '/' && !isTable(path, dirs)
		}
	}
	return total, sc.Err() == nil
}

// dropTablePages advises the kernel to drop every mapping of a .sst file
// under dirs but the first pages of its index (resident_roots_linux.go);
// kept is how many bytes it leaves mapped. It must run inside
// z.WhileMapped.
func dropTablePages(dirs []string, roots *indexRoots) (kept int64) {
	const advice = unix.MADV_DONTNEED
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0
	}
	defer f.Close()
	page := uint64(os.Getpagesize())
	live := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		addr, path, ok := mapping(sc.Bytes())
		if !ok || !isTable(path, dirs) {
			continue
		}
		lo, hi, ok := bytes.Cut(addr, []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		live[string(path)] = true
		keepLo, keepHi := end, end // Badger maps a table whole, from its start
		if off, ok := roots.of(string(path)); ok && start+uint64(off) < end {
			keepLo = start + uint64(off)&^(page-1)
			keepHi = min(end, keepLo+rootPages*page)
		}
		unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(keepLo-start), uintptr(advice))
		if keepHi < end {
			unix.Syscall(unix.SYS_MADVISE, uintptr(keepHi), uintptr(end-keepHi), uintptr(advice))
		}
		kept += int64(keepHi - keepLo)
	}
	roots.forget(live)
	return kept
}

// mapping splits a mapping's first line of /proc/self/maps or smaps
// ("lo-hi perms offset dev inode path") into its address range and path
// (empty for an anonymous mapping; it may hold spaces); ok is false for
// any other line.
func mapping(line []byte) (addr, path []byte, ok bool) {
	rest := line
	for i := range 5 {
		rest = bytes.TrimLeft(rest, " ")
		field, after, _ := bytes.Cut(rest, []byte(" "))
		if len(field) == 0 || i == 0 && (bytes.IndexByte(field, '-') <= 0 || bytes.HasSuffix(field, []byte(":"))) {
			return nil, nil, false
		}
		if i == 0 {
			addr = field
		}
		rest = after
	}
	return addr, bytes.TrimSpace(rest), true
}

// isTable reports whether path is a table file under one of dirs.
func isTable(path []byte, dirs []string) bool {
	return bytes.HasSuffix(path, []byte(".sst")) && underAny(string(path), dirs)
}

func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if d != "" && strings.HasPrefix(path, d+"/") {
			return true
		}
	}
	return false
}
