package store

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrDiskFull refuses to write when the data directory's file system is nearly
// full. Badger writes its memtable log and new tables through memory maps, and
// a page it cannot back kills the process with SIGBUS instead of returning an
// error: so the store stops writing while a margin is left, and what is stored
// stays whole and readable.
var ErrDiskFull = errors.New("disk full")

// minFreeBytes is the margin kept free: room to flush one full memtable
// (16 MiB) into a table, plus one batch and Badger's bookkeeping.
const minFreeBytes = 16<<20 + 4<<20

func (s *Store) checkFreeSpace() error { return checkFreeSpace(s.dir) }

func checkFreeSpace(dir string) error {
	if dir == "" {
		return nil
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // no answer is no reason to refuse; Badger reports real write errors
	}
	if free := st.Bavail * uint64(st.Bsize); free < minFreeBytes {
		return fmt.Errorf("%w: %s has %d MiB free; csat stops writing below %d MiB so that what is stored stays whole",
			ErrDiskFull, dir, free>>20, minFreeBytes>>20)
	}
	return nil
}
