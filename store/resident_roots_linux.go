package store

// Once Badger has opened every table it reads each table's index root
// again (DB.Tables, for the stale-data size, as it computes the newest
// version): one page per table, but a fault maps up to 64 KiB of page
// cache around it, so on a store of 800 tables the resident set jumped
// by 50 MB just after the watcher had dropped the tables' pages, and an
// export peaked at 81 MB for 30 MB of work. So a drop leaves the first
// pages of every index mapped: with the root already mapped, that read
// faults nothing in.

import (
	"encoding/binary"
	"os"
	"sync"
)

// rootPages is how much of an index's start stays mapped: the
// flatbuffer's root offset, its vtable and root table, written last and
// so first in the buffer.
const rootPages = 2

// indexRoots remembers where each table file's index starts; tables never
// change once written.
type indexRoots struct {
	mu sync.Mutex
	at map[string]int64 // table file → its index's offset; -1: not known
}

// of is the offset of path's index in the file, when its footer says.
func (r *indexRoots) of(path string) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if off, ok := r.at[path]; ok {
		return off, off >= 0
	}
	off, ok := indexOffset(path)
	if !ok {
		off = -1
	}
	if r.at == nil {
		r.at = map[string]int64{}
	}
	r.at[path] = off
	return off, ok
}

// forget drops the tables not in live (deleted by a compaction).
func (r *indexRoots) forget(live map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for path := range r.at {
		if !live[path] {
			delete(r.at, path)
		}
	}
}

// indexOffset reads a Badger table's footer: the file ends with the
// index, its length (4 bytes), a checksum and the checksum's length (4
// bytes), both lengths big-endian.
func indexOffset(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, false
	}
	size := fi.Size()
	var b [4]byte
	if _, err := f.ReadAt(b[:], size-4); err != nil {
		return 0, false
	}
	sumEnd := size - 4 - int64(binary.BigEndian.Uint32(b[:]))
	if _, err := f.ReadAt(b[:], sumEnd-4); err != nil {
		return 0, false
	}
	off := sumEnd - 4 - int64(binary.BigEndian.Uint32(b[:]))
	return off, off >= 0 && off < size
}
