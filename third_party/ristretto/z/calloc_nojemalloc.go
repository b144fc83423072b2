// Copyright 2020 The LevelDB-Go and Pebble Authors. All rights reserved. Use
// of this source code is governed by a BSD-style license that can be found in
// the LICENSE file.

//go:build !jemalloc || !cgo
// +build !jemalloc !cgo

package z

import (
	"fmt"
	"sync/atomic"
)

// Provides versions of Calloc, CallocNoRef, etc when jemalloc is not available
// (eg: build without jemalloc tag).
//
// csat: Calloc is not plain Go memory. Badger's table builders ask for
// buffers of megabytes and the decompression of every block read asks for
// a few kilobytes, all freed again through Free; on the Go heap that was
// most of a bulk writer's allocations (17 GB over a 2M-event load), and
// the collector ran almost without pause. A buffer of more than offHeapMin
// bytes is mapped from the system where it can be (offheap_unix.go) and
// unmapped by Free; a smaller one is Go memory kept in a free list of its
// size class (calloc_classes.go) for the next Calloc.

// Calloc allocates a slice of size n.
func Calloc(n int, tag string) []byte {
	if n > offHeapMin {
		if b, ok := mapAnonymous(n); ok {
			mappedChanged(atomic.AddInt64(&numBytes, int64(cap(b))))
			return b[:n]
		}
		return make([]byte, n)
	}
	return classCalloc(n)
}

// CallocNoRef will not give you memory back without jemalloc.
func CallocNoRef(n int, tag string) []byte {
	// We do the add here just to stay compatible with a corresponding Free call.
	return nil
}

// Free gives back a slice that Calloc returned, which must not be used
// after (csat: it is unmapped, or handed to the next Calloc). A slice from
// elsewhere is left to the collector.
func Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	// A mapping is always larger than the largest size class, so a buffer
	// freed twice, whose unmapping fails, never reaches a free list.
	if cap(b) > offHeapMin && unmapAnonymous(b) {
		mappedChanged(atomic.AddInt64(&numBytes, -int64(cap(b))))
		return
	}
	classFree(b)
}

// onMapped is WatchMapped's function (csat).
var onMapped atomic.Pointer[func(outstanding int64)]

// WatchMapped has f called with the bytes Calloc has mapped outside the
// Go heap and not yet freed (NumAllocBytes) each time that changes, on
// the goroutine that changed it; nil stops it (csat). The Go runtime's
// memory limit does not see those bytes: a process that budgets its
// memory lowers its heap's limit by them.
func WatchMapped(f func(outstanding int64)) {
	if f == nil {
		onMapped.Store(nil)
		return
	}
	onMapped.Store(&f)
}

func mappedChanged(outstanding int64) {
	if f := onMapped.Load(); f != nil {
		(*f)(outstanding)
	}
}

func Leaks() string { return "Leaks: Using Go memory" }
func StatsPrint() {
	fmt.Println("Using Go memory")
}

// ReadMemStats doesn't do anything since all the memory is being managed
// by the Go runtime.
func ReadMemStats(_ *MemStats) {}

// poolsAllocators says an AllocatorPool keeps returned allocators (csat).
const poolsAllocators = false
