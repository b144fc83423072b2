package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Badger's write-ahead files: the memtable logs (NNNNN.mem, every write lands
// there first) and the value logs (NNNNNN.vlog, values of 4 KiB and more).
// Both are memory-mapped, preallocated (zeros past the last entry) and laid
// out as
//
//	key id (8, big-endian; 0: not encrypted) | base IV (12) | entry …
//	entry: meta (1) | user meta (1) | key length | value length | expiry (uvarints)
//	       | key | value | CRC-32C of all of it before (4, big-endian)
//
// A key ends in its version (8 bytes). Entries of a transaction carry bitTxn
// and are closed by an entry bitFinTxn, key "!badger!txn"+version, value the
// commit timestamp in decimal (the value log keeps neither bit).
//
// On open Badger replays each memtable log up to the first entry it cannot
// read (short, checksum mismatch, key over 64 KiB, empty key) and keeps the
// transactions whole before it; read-write it then truncates the file there,
// without a word, whatever followed. After a kill that is right: what follows
// is the batch in flight, partly written, then zeros. After damage in the
// middle it drops committed events. So before Badger opens the store,
// checkFiles walks every entry the same way and refuses when committed
// data can still be read after the first bad entry.

const (
	walHeaderSize = 20
	walMaxKey     = 1 << 16
	walBitTxn     = 1 << 6
	walBitFinTxn  = 1 << 7
)

var (
	walCRC    = crc32.MakeTable(crc32.Castagnoli)
	walTxnKey = []byte("!badger!txn")
)

// checkFiles verifies the MANIFEST (manifest.go) and the tables
// (tables.go) and walks every .mem and .vlog file of dir entry by entry,
// refusing a damaged one (see above); a torn tail, the only damage a kill
// leaves, is accepted. It says whether a killed writer left anything a
// writer would recover: then a reader opens a shadow (shadow.go). It runs
// under a shared lock on dir, as Badger's readers take it: while a writer
// holds the store it checks nothing and lets Badger report the store in
// use, rather than read files the writer is compacting away (a table
// deleted mid-check would read as damaged).
func checkFiles(dir string) (left leftovers, err error) {
	d, err := os.Open(dir)
	if err != nil {
		return left, nil // prepareDir has read it: Badger will say what is wrong
	}
	defer d.Close() // releases the lock
	if err := lockShared(d); err != nil {
		return left, nil
	}
	compression, orphans, err := checkManifest(dir)
	if err != nil {
		return left, err
	}
	left.orphanTables = orphans
	if err := checkTables(dir, compression); err != nil {
		return left, err
	}
	for _, ext := range []string{".mem", ".vlog"} {
		if err := checkLogs(dir, ext); err != nil {
			return left, err
		}
	}
	return left, nil
}

// leftovers is what a killed writer left that a writer recovers.
type leftovers struct {
	orphanTables []string // table files the MANIFEST does not name yet
}

// checkLogs checks the files of one kind, oldest first, as Badger replays
// them. Damage followed by committed entries, in the file or a later one, is
// refused; so is a bad entry at the very end of a file, which a crash never
// leaves (the files are preallocated). A transaction never spans two files,
// so only the newest one with committed entries may end in a torn one.
func checkLogs(dir, ext string) error {
	paths := walFiles(dir, ext)
	scans := make([]walScan, len(paths))
	for i, path := range paths {
		s, err := scanLogFile(path)
		if err != nil {
			return walDamaged(path, err.Error())
		}
		scans[i] = s
	}
	later := "" // a later file with committed entries
	for i := len(paths) - 1; i >= 0; i-- {
		s := scans[i]
		switch {
		case s.clean && (s.keep == s.stop || later == ""):
		case s.follow >= 0:
			return walDamaged(paths[i], fmt.Sprintf("is damaged at offset %d (valid entries follow at offset %d)", s.stop, s.follow))
		case later != "":
			return walDamaged(paths[i], fmt.Sprintf("is damaged at offset %d (valid entries follow in %s)", s.stop, later))
		case s.past:
			return walDamaged(paths[i], fmt.Sprintf("is damaged at offset %d (a bad entry there reaches the end of the file: it was cut short or overwritten)", s.stop))
		}
		if s.keep > walHeaderSize {
			later = filepath.Base(paths[i])
		}
	}
	return nil
}

func walDamaged(path, what string) error {
	return fmt.Errorf("%w: write-ahead file %s %s: refusing to open, which would drop committed events; restore it from a backup",
		ErrDataDir, path, what)
}

// walFiles lists dir's files named NUMBER+ext in Badger's replay order.
func walFiles(dir, ext string) []string {
	entries, _ := os.ReadDir(dir)
	type file struct {
		fid  uint64
		path string
	}
	var files []file
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ext) || !e.Type().IsRegular() {
			continue
		}
		fid, err := strconv.ParseUint(strings.TrimSuffix(name, ext), 10, 32)
		if err != nil {
			continue // Badger refuses the name itself
		}
		files = append(files, file{fid, filepath.Join(dir, name)})
	}
	slices.SortFunc(files, func(a, b file) int { return cmp.Compare(a.fid, b.fid) })
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.path
	}
	return paths
}

// walScan is what walking one file found.
type walScan struct {
	keep   int  // Badger keeps the entries before this offset
	stop   int  // the first entry Badger does not take
	clean  bool // nothing but zeros from stop on: the file ends there
	past   bool // the entry at stop reaches the end of the file
	follow int  // offset of committed entries readable after stop, or -1
}

// scanLogFile maps the file read-only and walks it. The error says what is
// wrong with its header.
func scanLogFile(path string) (walScan, error) {
	s := walScan{keep: walHeaderSize, stop: walHeaderSize, clean: true, follow: -1}
	f, err := os.Open(path)
	if err != nil {
		return s, nil // gone since the listing, or unreadable: Badger will say
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return s, nil // a kill between creating and sizing the file leaves it empty
	}
	if fi.Size() < walHeaderSize {
		return s, fmt.Errorf("is cut short (%d bytes, shorter than its %d-byte header)", fi.Size(), walHeaderSize)
	}
	if fi.Size() > math.MaxInt32 {
		return s, nil // larger than Badger ever writes one; not ours to judge
	}
	data, unmap, err := mapFile(f, int(fi.Size()))
	if err != nil {
		return s, nil
	}
	defer unmap()
	w := walFile{b: data, end: dataEnd(f, len(data))}
	if key := binary.BigEndian.Uint64(data); key != 0 {
		return s, fmt.Errorf("is damaged at offset 0 (its header names encryption key %d; csat never encrypts)", key)
	}
	return w.scan(), nil
}

// walFile is a mapped write-ahead file; b[end:] is known to be zeros.
type walFile struct {
	b   []byte
	end int
}

type walEntry struct {
	meta       byte
	key, value []byte
	next       int // offset just past the entry
}

// entry reads the entry at off as Badger's safeRead.Entry does. ok is false
// where Badger stops; past is true when the entry, as far as its header can
// be read, reaches the end of the file: a crash leaves a torn entry followed
// by the zeros of the preallocated file, so a bad one there was cut short or
// overwritten. (Badger grows a value log past its preallocation only for a
// single write of over 64 MiB of values.)
func (w walFile) entry(off int) (e walEntry, ok, past bool) {
	b := w.b
	if off >= len(b) {
		return e, false, false
	}
	p := off + 2 // meta, user meta
	var n [3]uint64
	for i := range n {
		if p >= len(b) {
			return e, false, true
		}
		v, k := binary.Uvarint(b[p:])
		if k == 0 {
			return e, false, true
		}
		if k < 0 {
			return e, false, false // Badger fails the whole open on this one
		}
		n[i], p = v, p+k
	}
	klen, vlen := int64(uint32(n[0])), int64(uint32(n[1]))
	if klen > walMaxKey {
		return e, false, false
	}
	end := int64(p) + klen + vlen // where the checksum starts
	if end+crc32.Size > int64(len(b)) {
		return e, false, true
	}
	last := end+crc32.Size == int64(len(b))
	if end >= int64(w.end) {
		return e, false, last // its checksum lies where nothing was ever written
	}
	if crc32.Checksum(b[off:end], walCRC) != binary.BigEndian.Uint32(b[end:]) {
		return e, false, last
	}
	return walEntry{meta: b[off], key: b[p : int64(p)+klen], value: b[int64(p)+klen : end], next: int(end + crc32.Size)}, true, false
}

// walTs is the version at the end of a key (Badger's y.ParseTs).
func walTs(key []byte) uint64 {
	if len(key) <= 8 {
		return 0
	}
	return math.MaxUint64 - binary.BigEndian.Uint64(key[len(key)-8:])
}

// txnStep applies Badger's transaction rule for one entry: commit is the
// open transaction's timestamp (0: none). It returns the new one, whether
// the entry closed a transaction or stands alone (its data is then kept),
// and false where Badger stops.
func txnStep(e walEntry, commit uint64) (next uint64, committed, ok bool) {
	switch {
	case e.meta&walBitTxn != 0:
		ts := walTs(e.key)
		if commit != 0 && commit != ts {
			return commit, false, false
		}
		return ts, false, true
	case e.meta&walBitFinTxn != 0:
		ts, err := strconv.ParseUint(string(e.value), 10, 64)
		if err != nil || ts != commit {
			return commit, false, false
		}
		return 0, true, true
	default:
		return commit, commit == 0, commit == 0
	}
}

// scan walks the file from its header the way Badger replays it, then
// looks past the first entry Badger does not take.
func (w walFile) scan() walScan {
	s := walScan{keep: walHeaderSize, follow: -1}
	off, commit := walHeaderSize, uint64(0)
	for {
		e, ok, past := w.entry(off)
		var committed bool
		if ok && len(e.key) > 0 {
			commit, committed, ok = txnStep(e, commit)
		} else {
			ok = false
		}
		if !ok {
			s.stop, s.past = off, past
			break
		}
		if off = e.next; committed {
			s.keep = off
		}
	}
	s.clean = w.zerosFrom(s.stop)
	if !s.clean {
		s.follow = w.committedAfter(s.stop)
	}
	return s
}

// zerosFrom reports whether b[off:] is all zeros.
func (w walFile) zerosFrom(off int) bool { return w.nonZero(off) >= len(w.b) }

// nonZero is the offset of the first byte at or after off that is not zero,
// or len(b).
func (w walFile) nonZero(off int) int {
	var zeros [4096]byte
	for off < w.end {
		chunk := w.b[off:min(off+len(zeros), w.end)]
		if bytes.Equal(chunk, zeros[:len(chunk)]) {
			off += len(chunk)
			continue
		}
		for i, c := range chunk {
			if c != 0 {
				return off + i
			}
		}
	}
	return len(w.b)
}

// committedAfter looks for committed data after a bad entry, whose length
// cannot be trusted: from every offset on, it tries to read a whole
// transaction (or its closing entry, or an entry outside any transaction),
// and returns the first offset where one reads, or -1. A torn tail has none:
// its last batch was never closed, and zeros follow.
func (w walFile) committedAfter(from int) int {
	for q := from; q < w.end; q++ {
		// An entry's first non-zero byte is at most its third (a key length).
		nz := w.nonZero(q)
		if nz >= w.end {
			break
		}
		q = max(q, nz-2)
		if w.commitsFrom(q) {
			return q
		}
	}
	return -1
}

// commitsFrom reports whether entries read from off up to a committed one.
func (w walFile) commitsFrom(off int) bool {
	commit := uint64(0)
	for {
		e, ok, _ := w.entry(off)
		if !ok || len(e.key) == 0 {
			return false
		}
		if commit == 0 && e.meta&walBitFinTxn != 0 && bytes.HasPrefix(e.key, walTxnKey) {
			commit = walTs(e.key) // a closing entry whose transaction the damage cut
		}
		var committed bool
		if commit, committed, ok = txnStep(e, commit); !ok {
			return false
		}
		if committed {
			return true
		}
		off = e.next
	}
}
