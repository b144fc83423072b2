/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

import "golang.org/x/sys/unix"

// hugePageMin is the size from which a mapped buffer asks for transparent
// huge pages (csat, ../CSAT.md): a table builder's buffers (8 MiB and
// doubling) are written from their start, every page of them, and each
// 4 KiB page was a fault of its own, 44% of a bulk load's page faults.
// A 2 MiB page is one fault for 512 pages; its zeroing is the same work
// as theirs. A buffer is written nearly to its end before the builder
// grows another, so at most a part of its last 2 MiB page is resident
// for nothing.
const hugePageMin = 2 << 20

// adviseHuge asks for transparent huge pages on b if it is big enough
// (MADV_HUGEPAGE: the system's default, "madvise", gives them only to
// ranges that ask). A kernel without them refuses, and b keeps small
// pages.
func adviseHuge(b []byte) {
	if len(b) >= hugePageMin {
		_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	}
}

// PopulateWrite maps every page of b, a shared mapping of a file about to
// be written whole, writable in one system call (csat, ../CSAT.md:
// MADV_POPULATE_WRITE, Linux 5.14): Badger copies each new table into its
// mapping (table.CreateTable), and each of its 4 KiB pages was a write
// fault of its own, a quarter of a bulk load's faults. The kernel does the
// same work for each page without the trap into it. An older kernel
// refuses, and the copy faults the pages in as before.
func PopulateWrite(b []byte) {
	if len(b) > 0 {
		_ = unix.Madvise(b, unix.MADV_POPULATE_WRITE)
	}
}
