/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

import (
	"os"
)

// Mmap uses the mmap system call to memory-map a file. If writable is true,
// memory protection of the pages is set so that they may be written to as well.
func Mmap(fd *os.File, writable bool, size int64) ([]byte, error) {
	return mmap(fd, writable, size)
}

// Munmap unmaps a previously mapped slice.
func Munmap(b []byte) error {
	return munmap(b)
}

// Madvise uses the madvise system call to give advise about the use of memory
// when using a slice that is memory-mapped to a file. Set the readahead flag to
// false if page references are expected in random order.
func Madvise(b []byte, readahead bool) error {
	return madvise(b, readahead)
}

// Msync would call sync on the mmapped data. Once the data is on disk it
// also drops the pages from this process's mapping (Linux): Badger calls
// Msync only after writing a new table whole through its mapping, and
// those pages would otherwise stay resident, so that a long write kept
// every table it built in its RSS. MmapFile.Sync (the logs') keeps them.
func Msync(b []byte) error {
	if err := msync(b); err != nil {
		return err
	}
	return dropPages(b)
}
