//go:build unix && (!jemalloc || !cgo)

/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

import "golang.org/x/sys/unix"

// offHeapMin is the size above which Calloc maps its memory from the
// system (csat): a table builder's buffers (megabytes). A mapping costs
// two system calls and a fault per page touched; below this the free
// lists of calloc_classes.go are cheaper.
const (
	offHeapMinLog2 = 16
	offHeapMin     = 1 << offHeapMinLog2
)

// mapAnonymous maps n bytes of zeroed private memory, outside the Go heap:
// the collector neither counts nor scans it, and only the pages touched
// become resident. It says false if the system refused.
func mapAnonymous(n int) ([]byte, bool) {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	return b, true
}

// unmapAnonymous unmaps b if mapAnonymous mapped it (b whole, from its
// start), and says whether it did; unix.Munmap knows its own mappings.
func unmapAnonymous(b []byte) bool {
	return unix.Munmap(b) == nil
}
