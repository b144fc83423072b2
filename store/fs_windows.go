package store

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// lockShared has no counterpart on Windows, where Badger locks a store
// with a file of its own and has no read-only mode.
func lockShared(*os.File) error {
	return fmt.Errorf("a shared lock on a data directory: %w on Windows", errors.ErrUnsupported)
}

// mapFile is not offered on Windows: the write-ahead files go unchecked
// there, and Badger replays them as it reads them.
func mapFile(*os.File, int) ([]byte, func(), error) {
	return nil, nil, fmt.Errorf("mapping a write-ahead file: %w on Windows", errors.ErrUnsupported)
}

// dataEnd takes the whole file as data.
func dataEnd(_ *os.File, size int) int { return size }

// freeBytes is the space left to this user on dir's volume.
func freeBytes(dir string) (uint64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var free uint64
	err = windows.GetDiskFreeSpaceEx(p, &free, nil, nil)
	return free, err
}
