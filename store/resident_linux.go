package store

// Badger maps every table file into memory and reads it through the
// mapping; it never lets go of a page it touched. Opening a store touches
// every table's index (3% of the store), and an export or a check reads
// every block, so the process's resident set grew with the store: 442 MB
// for an export of a million ratings, of which the Go heap was a few
// dozen. Those pages are the kernel's page cache, clean and shared, but
// they count as the process's memory to the user, to top and to the
// limits of a laptop. So while the store is open a watcher reads the
// process's mapped file pages (/proc/self/statm) every 50 ms and, past
// tablePagesMax above what the process had mapped before the store
// opened, drops its mappings of the table files. The next read of such a
// page maps it again: from the page cache after MADV_DONTNEED (readers:
// a read-only Badger never unmaps a table until it closes, and the watcher
// stops first), or from disk after MADV_PAGEOUT (writers: a compaction
// may unmap a table between reading the map list and advising, and only
// PAGEOUT is harmless on whatever is mapped there next).

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

	"golang.org/x/sys/unix"
)

const (
	tablePagesMax = 16 << 20
	residentTick  = 50 * time.Millisecond
)

// residentWatch is the watcher of one open store.
type residentWatch struct {
	stop chan struct{}
	wg   sync.WaitGroup
	dirs atomic.Pointer[[]string] // whose .sst mappings it drops
}

// watchResident starts the watcher for the table files in dir.
func watchResident(readOnly bool, dir string) *residentWatch {
	base, ok := mappedFileBytes()
	if !ok {
		return nil
	}
	advice := unix.MADV_PAGEOUT
	if readOnly {
		advice = unix.MADV_DONTNEED
	}
	w := &residentWatch{stop: make(chan struct{})}
	w.dirs.Store(&[]string{})
	w.watch(dir)
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
				if now, ok := mappedFileBytes(); ok && now > base+tablePagesMax {
					dropTablePages(advice, *w.dirs.Load())
					// What is left is not tables (a writer's memtable log,
					// the value log): the bound counts from there, so that
					// it is not dropped again and again for nothing.
					if left, ok := mappedFileBytes(); ok && left > base {
						base = left
					}
				}
			}
		}
	}()
	return w
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

// close stops the watcher; it must run before Badger unmaps the tables.
func (w *residentWatch) close() {
	if w == nil {
		return
	}
	close(w.stop)
	w.wg.Wait()
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

// dropTablePages advises the kernel to drop every mapping of a .sst file
// under dirs.
func dropTablePages(advice int, dirs []string) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasSuffix(line, []byte(".sst")) {
			continue
		}
		fields := bytes.Fields(line)
		if len(fields) < 6 || !underAny(string(fields[5]), dirs) {
			continue
		}
		lo, hi, ok := bytes.Cut(fields[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), uintptr(advice))
	}
}

func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if d != "" && strings.HasPrefix(path, d+"/") {
			return true
		}
	}
	return false
}
