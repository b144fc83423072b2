package store

// A read-only command that needs only the counters (csat report) should
// not pay for the whole store: Badger opens every table of a database at
// open, reading its index, which on a year of a 200-person team is 760
// tables and 90 MB of index. So a writer, as it closes, copies everything
// but the bulk lists (log, parts, conversations and their indexes, marks,
// scenarios) into one small file beside the tables, the counters summary,
// stamped with the identity of every Badger file as the close left them.
// A counters-only reader that finds the stamp still true loads the summary
// into an in-memory Badger and reads it with the same code as the store;
// any other write to the directory (a writer opening it, a killed one, a
// copy, an older csat) changes a stamped file, and the reader opens the
// whole store as before. The summary is a copy: nothing is lost without it.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

const (
	summaryName  = "counters.summary"
	summaryMagic = "csat counters summary 1\n"
	// summaryMax bounds the summary: day and segment counters grow with
	// days × agents, not with ratings; past this a reader opens the store.
	summaryMax = 64 << 20
)

// summaryBulk are the prefixes a summary leaves out: lists that grow with
// conversations and events, which counters-only reads never touch; and
// the filter counters (c/), sums of the segment counters the summary
// keeps, which would make it four times the size (a summary reader sums
// the e/ keys instead: countersRange).
var summaryBulk = []byte{pLog, pPart, pConv, pUpdated, pFollowUp, pAchieve, pByAgent, pAgentFollowUp, pWorkspace, pMark, pJournal, pScenario, pFilterDay, pDecision, pLate}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// summaryPairs reads the keys a summary keeps, in key order.
func summaryPairs(txn *badger.Txn) (pairs [][2][]byte, size int, err error) {
	it := txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	for it.Rewind(); it.Valid(); {
		k := it.Item().Key()
		if len(k) >= 2 && k[1] == '/' && slices.Contains(summaryBulk, k[0]) {
			it.Seek([]byte{k[0], '/' + 1})
			continue
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, 0, err
		}
		size += len(k) + len(v) + 8
		if size > summaryMax {
			return nil, size, nil
		}
		pairs = append(pairs, [2][]byte{it.Item().KeyCopy(nil), v})
		it.Next()
	}
	return pairs, size, nil
}

// badgerFiles stamps the files Badger keeps in dir: name and identity
// (device, inode, size, modification and change times), in name order.
func badgerFiles(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range entries {
		name := e.Name()
		switch filepath.Ext(name) {
		case ".sst", ".vlog", ".mem":
		default:
			if name != "MANIFEST" && name != "KEYREGISTRY" && name != "DISCARD" {
				continue
			}
		}
		fi, err := e.Info()
		if err != nil {
			return "", err
		}
		id, ok := fileIdentity(fi)
		if !ok {
			return "", errors.New("no file identity on this system")
		}
		fmt.Fprintf(&b, "%s %s\n", name, id)
	}
	return b.String(), nil
}

// writeSummary replaces dir's summary by pairs, stamped with dir's files
// as they are now: after Badger closed. It writes a temporary file, syncs
// it and renames it over the old one, so a reader sees one whole summary
// or none.
func writeSummary(dir string, pairs [][2][]byte) error {
	stampText, err := badgerFiles(dir)
	if err != nil {
		return err
	}
	buf := []byte(summaryMagic)
	buf = binary.AppendUvarint(buf, uint64(len(stampText)))
	buf = append(buf, stampText...)
	buf = binary.AppendUvarint(buf, uint64(len(pairs)))
	for _, p := range pairs {
		buf = binary.AppendUvarint(buf, uint64(len(p[0])))
		buf = append(buf, p[0]...)
		buf = binary.AppendUvarint(buf, uint64(len(p[1])))
		buf = append(buf, p[1]...)
	}
	buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
	f, err := os.CreateTemp(dir, ".summary-*")
	if err != nil {
		return err
	}
	_, err = f.Write(buf)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, summaryName))
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return syncDir(dir)
}

// readSummary returns dir's summary when it is whole and its stamp still
// describes dir's files; ok is false otherwise, and the caller opens the store.
func readSummary(dir string) (pairs [][2][]byte, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, summaryName))
	if err != nil || len(data) < len(summaryMagic)+4 || !bytes.HasPrefix(data, []byte(summaryMagic)) {
		return nil, false
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, false
	}
	r := summaryReader{b: body[len(summaryMagic):]}
	stampText := r.bytes()
	now, err := badgerFiles(dir)
	if err != nil || r.bad || string(stampText) != now {
		return nil, false
	}
	n := r.uint()
	for i := uint64(0); i < n && !r.bad; i++ {
		k := r.bytes()
		pairs = append(pairs, [2][]byte{k, r.bytes()})
	}
	return pairs, !r.bad && len(r.b) == 0
}

type summaryReader struct {
	b   []byte
	bad bool
}

func (r *summaryReader) uint() uint64 {
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *summaryReader) bytes() []byte {
	n := r.uint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

// openSummary loads pairs into an in-memory Badger that the store's
// readers read as they would the store.
func openSummary(pairs [][2][]byte, log badger.Logger) (*badger.DB, error) {
	size, largest := 0, 0
	for _, p := range pairs {
		size += len(p[0]) + len(p[1])
		largest = max(largest, len(p[1]))
	}
	// An in-memory Badger refuses a value over the threshold, and the
	// threshold must fit in a batch, 15% of a memtable.
	threshold := largest + 1
	memTable := int64(max(2*size, 8*threshold) + 1<<20)
	bo := badger.DefaultOptions("").WithInMemory(true).WithLogger(log).WithMetricsEnabled(false).
		WithDetectConflicts(false).WithNumVersionsToKeep(1).WithCompression(options.None).
		WithBlockCacheSize(0).WithIndexCacheSize(0).WithNumCompactors(0).
		WithMemTableSize(memTable).WithValueThreshold(int64(threshold))
	db, err := badger.Open(bo)
	if err != nil {
		return nil, err
	}
	wb := db.NewWriteBatch()
	for _, p := range pairs {
		if err := wb.Set(p[0], p[1]); err != nil {
			wb.Cancel()
			db.Close()
			return nil, err
		}
	}
	if err := wb.Flush(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ErrNoSummary is a data directory without a counters summary its
// files still match (OpenSummary).
var ErrNoSummary = errors.New("no current counters summary")

// OpenSummary opens the counters summary of the store in dir alone, as
// Open with ReadOnly and CountersOnly does when the summary is current,
// and fails with ErrNoSummary when it is not (no clean close since the
// last write, an older csat, a copy): it never opens the tables, so it
// answers within milliseconds whatever the store's size. The dashboard
// draws its first frame from it while the whole store opens.
func OpenSummary(dir string) (*Store, error) {
	s := &Store{readOnly: true}
	d, err := prepareDir(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	s.dir = d
	ok, err := s.fromSummary()
	if err == nil && !ok {
		err = fmt.Errorf("%w in %s", ErrNoSummary, d)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// fromSummary opens s on its directory's summary when that is current;
// ok is false, with no error, when it is not.
func (s *Store) fromSummary() (ok bool, err error) {
	pairs, ok := readSummary(s.dir)
	if !ok {
		return false, nil
	}
	db, err := openSummary(pairs, silentLogger{})
	if err != nil {
		return false, nil // the whole store answers instead
	}
	s.db, s.summary = db, true
	if err := s.load(); err != nil {
		db.Close()
		return false, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return true, nil
}

// summaryToKeep reads a writer's summary before Badger closes; keep is
// false for readers, in-memory stores and a store left mid-batch. Any
// stale summary is removed first: it must not outlive a failed close.
func (s *Store) summaryToKeep() (pairs [][2][]byte, keep bool) {
	if s.readOnly || s.dir == "" || s.shadow != nil {
		return nil, false
	}
	os.Remove(filepath.Join(s.dir, summaryName))
	left, _ := filepath.Glob(filepath.Join(s.dir, ".summary-*"))
	for _, f := range left { // of a writer killed while it wrote one
		os.Remove(f)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.interrupted {
		return nil, false
	}
	var size int
	err := s.db.View(func(txn *badger.Txn) (err error) {
		pairs, size, err = summaryPairs(txn)
		return err
	})
	if err != nil || size > summaryMax {
		return nil, false
	}
	return pairs, true
}
