package store

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// ErrDiskFull refuses to write when the data directory's file system is nearly
// full, and is what a write that met a full disk returns. Badger writes its
// memtable logs, value logs and new tables through memory maps; their blocks
// are reserved before they are mapped (third_party/ristretto/CSAT.md), so a
// disk another process fills is an error, not a SIGBUS. The store also stops
// writing while a margin is left, so that Badger's flushes and compactions
// of what is stored still find room.
var ErrDiskFull = errors.New("disk full")

// minFreeBytes is the margin kept free: room to flush one full memtable
// (16 MiB) into a table, plus one batch and Badger's bookkeeping.
const minFreeBytes = 16<<20 + 4<<20

func (s *Store) checkFreeSpace() error { return checkFreeSpace(s.dir) }

func checkFreeSpace(dir string) error {
	if dir == "" {
		return nil
	}
	free, err := freeBytes(dir)
	if err != nil {
		return nil // no answer is no reason to refuse; Badger reports real write errors
	}
	if free < minFreeBytes {
		return fmt.Errorf("%w: %s has %d MiB free; csat stops writing below %d MiB so that what is stored stays whole",
			ErrDiskFull, dir, free>>20, minFreeBytes>>20)
	}
	return nil
}

// diskFull says whether err is a file system out of space, however deep
// Badger wrapped it (some of its errors keep only the text).
func diskFull(err error) bool {
	return err != nil && (errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), syscall.ENOSPC.Error()))
}

// mapDiskFull returns ErrDiskFull, naming dir and what was under way, for
// a file system out of space, and err otherwise.
func mapDiskFull(err error, dir, what string) error {
	if !diskFull(err) || errors.Is(err, ErrDiskFull) {
		return err
	}
	return fmt.Errorf("%w: %s ran out of space while %s; nothing of it was stored: free space and retry (%v)", ErrDiskFull, dir, what, err)
}
