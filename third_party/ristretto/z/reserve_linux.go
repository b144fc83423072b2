/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// reserve allocates the blocks of [off, off+n) of fd (csat's change to this
// copy of the library, see ../CSAT.md): a memory-mapped page a full file
// system cannot back kills the process with SIGBUS when written (on tmpfs
// even when read), so space is claimed before the file is mapped and a full
// disk is an ENOSPC error instead. File systems without fallocate keep the
// old behaviour.
//
// A file whose blocks are all allocated already (a table Badger wrote
// whole) is left alone: fallocate would change its modification and change
// times, which tell csat the table was written since it verified it, and
// every writable open would have every table read again.
func reserve(fd *os.File, off, n int64) error {
	if n <= 0 {
		return nil
	}
	var st unix.Stat_t
	if off == 0 && unix.Fstat(int(fd.Fd()), &st) == nil && st.Blocks*512 >= n {
		return nil
	}
	for {
		err := unix.Fallocate(int(fd.Fd()), 0, off, n)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOSYS):
			return nil
		}
		return err
	}
}
