//go:build !jemalloc || !cgo

/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

import (
	"math/bits"
	"sync"
	"unsafe"
)

// Free lists of Go memory for Calloc's small buffers (csat). Badger
// decompresses every block it reads, a compaction's inputs whole, into a
// Calloc'd buffer of about its block size, and frees it as soon as no
// iterator or cache holds the block: gigabytes over a load, all garbage to
// the collector. A freed buffer waits in the free list of its size class
// for the next Calloc of that class instead. The lists are sync.Pools:
// what waits is still Go memory, which the collector takes back when the
// lists sit unused, and a buffer that is never freed is collected as
// before.
//
// Classes step by an eighth of a power of two (at most 12.5% more than
// asked for) above classMin up to offHeapMin; smaller requests are plain
// make.

const (
	classMinLog2   = 9
	classMin       = 1 << classMinLog2
	classStepsLog2 = 3 // eight classes per power of two
	// classCount is the number of size classes in (classMin, offHeapMin].
	classCount = (offHeapMinLog2 - classMinLog2) << classStepsLog2
)

var classLists [classCount]sync.Pool

// classOf returns the index and size of the smallest class holding n
// bytes, classMin < n <= offHeapMin.
func classOf(n int) (int, int) {
	pow := bits.Len(uint(n-1)) - 1 // 2^pow < n <= 2^(pow+1)
	step := 1 << (pow - classStepsLog2)
	steps := (n - (1 << pow) + step - 1) / step // 1..8
	idx := (pow-classMinLog2)<<classStepsLog2 + steps - 1
	return idx, 1<<pow + steps*step
}

// classCalloc returns n zeroed bytes, reusing a freed buffer of n's
// class if one waits.
func classCalloc(n int) []byte {
	if n <= classMin {
		return make([]byte, n)
	}
	idx, size := classOf(n)
	if p, ok := classLists[idx].Get().(unsafe.Pointer); ok {
		b := unsafe.Slice((*byte)(p), size)
		clear(b)
		return b[:n]
	}
	return make([]byte, n, size)
}

// classFree puts b, cap(b) bytes from its start, on the free list of its
// class if its capacity is exactly one (Calloc's, not a mapping's);
// otherwise the collector takes it.
// The list keeps only the pointer: it converts to an interface without
// allocating, and keeps the whole buffer alive.
func classFree(b []byte) {
	if cap(b) <= classMin || cap(b) > offHeapMin {
		return
	}
	idx, size := classOf(cap(b))
	if size != cap(b) {
		return
	}
	classLists[idx].Put(unsafe.Pointer(unsafe.SliceData(b)))
}
