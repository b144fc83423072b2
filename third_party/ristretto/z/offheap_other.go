//go:build !unix && (!jemalloc || !cgo)

/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

// offHeapMin is the size above which Calloc would map memory from the
// system (csat); without mmap it stays Go memory, from make.
const (
	offHeapMinLog2 = 16
	offHeapMin     = 1 << offHeapMinLog2
)

func mapAnonymous(n int) ([]byte, bool) { return nil, false }

func unmapAnonymous(b []byte) bool { return false }
