package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/y"
	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/proto"
)

// checkTables verifies every table file whole, footer, index and each
// block against its checksum, before Badger opens them. Badger opens tables
// in goroutines of its own and panics there on a truncated or damaged
// footer, which no caller can recover; and while it can verify blocks as
// it reads them, its iterators end quietly at a block that fails, so a
// flipped bit read as "fewer rows" with exit 0. Checking first turns both
// into an error that names the file. compression is each table's, from
// the MANIFEST. A table verified whole before, unchanged since, is not
// read again (verified.go).
func checkTables(dir string, compression map[uint64]options.CompressionType) error {
	verified := loadVerifiedTables()
	defer verified.save()
	var todo []string
	live := map[string]bool{}
	for id, path := range tableIDs(dir) {
		if abs, err := filepath.Abs(path); err == nil {
			live[abs] = true
		}
		if _, named := compression[id]; named && !verified.has(path) {
			todo = append(todo, path) // a table the MANIFEST does not name is a leftover no one reads
		}
	}
	verified.forgetGone(dir, live)
	slices.Sort(todo)
	ids := map[string]uint64{}
	for id, path := range tableIDs(dir) {
		ids[path] = id
	}
	// Two at a time: the decompression is the cost, and it is CPU.
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch tableScratch // reused: a table is read whole, and tables are many
			for i := range next {
				if errs[i] = scratch.checkTable(todo[i], compression[ids[todo[i]]]); errs[i] == nil {
					verified.add(todo[i])
				}
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("%w: table file %s is damaged (%v); restore the data directory from a backup, or rebuild it from an export", ErrDataDir, todo[i], err)
		}
	}
	return nil
}

// tableScratch holds one checker's buffers: the table file and a block
// decompressed.
type tableScratch struct{ file, block []byte }

// checkTable mirrors Badger's table layout: blocks, then the footer …
// index | index length (4) | checksum | checksum length (4), lengths
// big-endian; and each block (decompressed) is … numEntries (4) |
// checksum | checksum length (4), the checksum covering what precedes it.
func (sc *tableScratch) checkTable(path string, compression options.CompressionType) (err error) {
	data, err := sc.read(path)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable: %v", r)
		}
	}()
	size := int64(len(data))
	readAt := func(off, n int64) ([]byte, error) {
		if off < 0 || n < 0 || off+n > size {
			return nil, fmt.Errorf("footer points outside the file (%d bytes)", size)
		}
		return data[off : off+n], nil
	}
	pos := size - 4
	buf, err := readAt(pos, 4)
	if err != nil {
		return err
	}
	checksumLen := int64(binary.BigEndian.Uint32(buf))
	pos -= checksumLen
	if buf, err = readAt(pos, checksumLen); err != nil {
		return err
	}
	var sum pb.Checksum
	if err := proto.Unmarshal(buf, &sum); err != nil {
		return fmt.Errorf("unreadable checksum: %v", err)
	}
	pos -= 4
	if buf, err = readAt(pos, 4); err != nil {
		return err
	}
	indexLen := int64(binary.BigEndian.Uint32(buf))
	pos -= indexLen
	index, err := readAt(pos, indexLen)
	if err != nil {
		return err
	}
	if err := y.VerifyChecksum(index, &sum); err != nil {
		return fmt.Errorf("index: %v", err)
	}
	ti := fb.GetRootAsTableIndex(index, 0)
	var bo fb.BlockOffset
	for i := 0; i < ti.OffsetsLength(); i++ {
		if !ti.Offsets(&bo, i) {
			return fmt.Errorf("index: no offset for block %d", i)
		}
		block, err := readAt(int64(bo.Offset()), int64(bo.Len()))
		if err != nil {
			return fmt.Errorf("block %d: %v", i, err)
		}
		if err := sc.checkBlock(block, compression); err != nil {
			return fmt.Errorf("block %d at offset %d: %v", i, bo.Offset(), err)
		}
	}
	return nil
}

// read reads the file at path into sc.file.
func (sc *tableScratch) read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if int64(cap(sc.file)) < fi.Size() {
		sc.file = make([]byte, fi.Size())
	}
	data := sc.file[:fi.Size()]
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	return data, nil
}

func (sc *tableScratch) checkBlock(b []byte, compression options.CompressionType) error {
	switch compression {
	case options.None:
	case options.Snappy:
		n, err := snappy.DecodedLen(b)
		if err != nil {
			return err
		}
		if cap(sc.block) < n {
			sc.block = make([]byte, n)
		}
		if b, err = snappy.Decode(sc.block[:n], b); err != nil {
			return err
		}
	default:
		return nil // not written by csat; Badger verifies it as it reads
	}
	n := len(b)
	if n < 8 {
		return fmt.Errorf("%d bytes, too short", n)
	}
	sumLen := int(binary.BigEndian.Uint32(b[n-4:]))
	if sumLen > n-8 {
		return fmt.Errorf("checksum length %d does not fit", sumLen)
	}
	var sum pb.Checksum
	if err := proto.Unmarshal(b[n-4-sumLen:n-4], &sum); err != nil {
		return fmt.Errorf("unreadable checksum: %v", err)
	}
	return y.VerifyChecksum(b[:n-4-sumLen], &sum)
}

// ErrDamaged says Badger failed inside a table while reading it: the
// damage checkTables could not see (a table changed after the open).
var ErrDamaged = errors.New("damaged table")

// recoverDamage turns a panic inside Badger while it reads a table into an
// ErrDamaged error, at the store's boundary: no panic reaches the user.
func recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: reading the store failed inside Badger (%v); check it with csat check, restore the data directory from a backup, or rebuild it from an export", ErrDamaged, r)
	}
}
