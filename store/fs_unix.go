//go:build unix

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockShared takes a shared lock on f (a data directory), as Badger's
// readers do, without waiting: it fails while a writer holds the store.
// Closing f releases it.
func lockShared(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB)
}

// mapFile maps the first size bytes of f read-only; unmap releases them.
func mapFile(f *os.File, size int) (data []byte, unmap func(), err error) {
	data, err = unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { unix.Munmap(data) }, nil
}

// dataEnd is where the file's last data extent ends: preallocated files are
// mostly holes, and what lies past this offset is known to be zeros. Where
// the file system cannot say, the whole file is data.
func dataEnd(f *os.File, size int) int {
	fd, end := int(f.Fd()), 0
	for off := int64(0); off < int64(size); {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break
		}
		if err != nil {
			return size
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return size
		}
		end, off = int(hole), hole
	}
	return min(end, size)
}

// freeBytes is the space left to an unprivileged writer on dir's file system.
func freeBytes(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
