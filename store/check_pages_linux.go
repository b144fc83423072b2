package store

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sys/unix"
)

// releaseMappedFiles lets go of the resident pages of dir's table and
// value-log files that the process has mapped. Badger reads tables
// through memory maps, and a mapped page a read touched stays in the
// process's resident set until the kernel needs the memory: a check
// reads every table, so its resident set would grow to the size of the
// store. The pages stay in the page cache (a later read maps them again
// without I/O); the files are read-only to the reader, and a shared
// mapping's written pages are the file's, so nothing is lost.
//
// A check may run beside a writer, whose compactions delete tables at any
// time: DONTNEED on a range unmapped between the read of the map list and
// the advice would zero whatever the process mapped there next. So, as
// the writer's watcher (resident_linux.go), it runs inside z.WhileMapped,
// which holds off every unmapping of a file until it returns.
func releaseMappedFiles(dir string) {
	z.WhileMapped(func() { dropMappedFiles(dir) })
}

// dropMappedFiles is releaseMappedFiles's drop, inside z.WhileMapped.
func dropMappedFiles(dir string) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	dir = filepath.Clean(dir) + string(filepath.Separator)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		path := fields[5]
		if !strings.HasPrefix(path, dir) || !(strings.HasSuffix(path, ".sst") || strings.HasSuffix(path, ".vlog")) {
			continue
		}
		from, to, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(from, 16, 64)
		end, err2 := strconv.ParseUint(to, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
	}
}
