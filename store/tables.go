package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// checkTables reads the footer of every table file and verifies its index
// checksum before Badger opens them. Badger opens tables in goroutines of its
// own and panics there on a truncated or damaged footer, which no caller can
// recover; checking first turns that into an error that names the file.
func checkTables(dir string) error {
	ssts, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	if err != nil {
		return nil
	}
	for _, path := range ssts {
		if err := checkTable(path); err != nil {
			return fmt.Errorf("%w: table file %s is damaged (%v); restore the data directory from a backup, or rebuild it from an export", ErrDataDir, path, err)
		}
	}
	return nil
}

// checkTable mirrors Badger's table footer: … index | index length (4) |
// checksum | checksum length (4), lengths big-endian.
func checkTable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	readAt := func(off, n int64) ([]byte, error) {
		if off < 0 || n < 0 || off+n > size {
			return nil, fmt.Errorf("footer points outside the file (%d bytes)", size)
		}
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
			return nil, err
		}
		return buf, nil
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
	return y.VerifyChecksum(index, &sum)
}
