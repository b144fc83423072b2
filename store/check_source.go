package store

// The stored side of a check, read from one snapshot: the log in order
// (decoded a chunk ahead of the replay, on its own goroutine), the
// conversation records (before the replay, in two ranges side by side)
// and the p/ keys beside them, which say each conversation's last part,
// the other summed
// families (beside the replay), and the families kept whole (at the end).

import (
	"bytes"
	"errors"
	"slices"
	"sync/atomic"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/y"
)

// pageRelease lets go of the table pages a check's reads mapped
// (check_pages_linux.go) every releaseEvery bytes they read, counted
// over all its goroutines: each release drops every mapping of the
// directory, so one count for all of them drops no more often than
// needed, and a count in bytes, not keys, does not drop the pages of a
// family of short keys (p/) ten times as often as the log's.
type pageRelease struct {
	dir  string
	read atomic.Int64
}

const releaseEvery = 32 << 20

// add counts n bytes read.
func (p *pageRelease) add(n int) {
	if after := p.read.Add(int64(n)); after/releaseEvery != (after-int64(n))/releaseEvery {
		releaseMappedFiles(p.dir)
	}
}

// pageCount counts one goroutine's reads, adding them to the shared
// count a megabyte at a time: an add for every key made the cores trade
// the count's cache line.
type pageCount struct {
	p *pageRelease
	n int
}

func (p *pageRelease) counter() *pageCount { return &pageCount{p: p} }

func (c *pageCount) tick(n int) {
	if c.n += n; c.n >= 1<<20 {
		c.p.add(c.n)
		c.n = 0
	}
}

// guard runs fn and turns a panic inside Badger into the store's damage error.
func guard(fn func() error) (err error) {
	defer recoverDamage(&err)
	return fn()
}

// recordRanges splits the conversation records in two at a table's
// first record, by the key counts of Badger's tables, for two goroutines
// to scan. A store too small to split is scanned whole.
func recordRanges(tables []badger.TableInfo) [][2][]byte {
	pre := prefix(pConv)
	var firsts []badger.TableInfo
	total := 0
	for _, t := range tables {
		if k := y.ParseKey(t.Left); bytes.HasPrefix(k, pre) && len(k) > len(pre) {
			t.Left = k
			firsts = append(firsts, t)
			total += int(t.KeyCount)
		}
	}
	if len(firsts) < 2 {
		return [][2][]byte{{pre, nil}}
	}
	slices.SortFunc(firsts, func(a, b badger.TableInfo) int { return bytes.Compare(a.Left, b.Left) })
	// Split at the table whose keys before it are nearest half of them.
	best, before := 1, int(firsts[0].KeyCount)
	for i, n := 2, before; i < len(firsts); i++ {
		if n += int(firsts[i-1].KeyCount); abs(2*n-total) < abs(2*before-total) {
			best, before = i, n
		}
	}
	split := firsts[best].Left
	return [][2][]byte{{pre, split}, {split, nil}}
}

func abs(n int) int { return max(n, -n) }

// scanRecords sums the stored conversation records from from up to to
// (nil: all) and marks the last part of each whose parts it holds all.
func scanRecords(txn *badger.Txn, h keyHash, sums *groupSums, last seqSet, from, to []byte, pages *pageRelease) error {
	pre := prefix(pConv)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	count := pages.counter()
	for it.Seek(from); it.ValidForPrefix(pre); it.Next() {
		item := it.Item()
		k := item.Key()
		if to != nil && bytes.Compare(k, to) >= 0 {
			break
		}
		if err := item.Value(func(v []byte) error {
			count.tick(len(k) + len(v))
			sums.add(h.of(k, v))
			list, err := recordParts(v, "")
			if err == nil && !list.hasKeys() && len(list.inline) > 0 {
				last.add(list.inline[len(list.inline)-1])
			}
			return nil // a damaged record: its sum tells
		}); err != nil {
			return err
		}
	}
	return nil
}

// scanParts sums the stored p/ keys and marks the last part of each
// conversation with some: its last key, since a conversation's keys sort
// by seq, and follow the parts its record holds.
func scanParts(txn *badger.Txn, h keyHash, sums *groupSums, last seqSet, pages *pageRelease) error {
	pre := prefix(pPart)
	from := pre
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	count := pages.counter()
	var conv []byte
	var seq uint64
	for it.Seek(from); it.ValidForPrefix(pre); it.Next() {
		item := it.Item()
		k := item.Key()
		count.tick(len(k))
		if err := item.Value(func(v []byte) error {
			sums.add(h.of(k, v))
			return nil
		}); err != nil {
			return err
		}
		if len(k) < len(pre)+1+8 || k[len(k)-9] != 0 {
			continue // a damaged key: its sum tells
		}
		if c := k[len(pre) : len(k)-9]; !bytes.Equal(c, conv) {
			if conv != nil {
				last.add(seq)
			}
			conv = append(conv[:0], c...)
		}
		seq = readSeq(k[len(k)-8:])
	}
	if conv != nil {
		last.add(seq)
	}
	return nil
}

// eachSummed calls fn with every stored key and value of the summed
// families; parts says whether p/ and v/ are among them.
func eachSummed(txn *badger.Txn, parts bool, pages *pageRelease, fn func(k, v []byte)) error {
	count := pages.counter()
	for _, f := range checkFamilies {
		if f.by != summed || (f.prefix == pPart || f.prefix == pConv) && !parts {
			continue
		}
		if err := iterate(txn, prefix(f.prefix), func(k, v []byte) error {
			count.tick(len(k) + len(v))
			fn(k, v)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// listStored lists the stored summed keys of the given groups, in key
// order, as comparison.merge needs them: eachSummed goes family by family
// in checkFamilies' order, which is not the keys' (p/ comes before a/).
func listStored(txn *badger.Txn, h keyHash, groups map[int]bool, pages *pageRelease) ([]storedEntryKV, error) {
	var out []storedEntryKV
	err := eachSummed(txn, true, pages, func(k, v []byte) {
		if g, _ := h.of(k, v); groups[g] {
			out = append(out, storedEntryKV{bytes.Clone(k), append([]byte{}, v...)})
		}
	})
	slices.SortFunc(out, func(a, b storedEntryKV) int { return bytes.Compare(a.k, b.k) })
	return out, err
}

// eachStoredKept calls fn with every stored key compared whole, in key
// order, skipping over the other families.
func eachStoredKept(txn *badger.Txn, fn func(k, v []byte)) error {
	it := txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	for it.Rewind(); it.Valid(); {
		item := it.Item()
		k := item.Key()
		switch comparedHow(k) {
		case wholeInMemory:
		case notCompared:
			if len(k) < 2 || k[1] != '/' {
				it.Next()
				continue
			}
			fallthrough
		default:
			it.Seek([]byte{k[0], '/' + 1})
			continue
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		fn(k, v)
		it.Next()
	}
	return nil
}

// logChunk is a run of stored log entries, decoded.
type logChunk struct {
	seqs []uint64
	raws [][]byte
	evs  []domain.Event
}

const logChunkLen = 512

// logSource reads the stored log for a replay, a few chunks ahead of it.
type logSource struct {
	chunks   chan logChunk
	spare    chan logChunk // chunks replayed, for the reader to fill again
	stop     chan struct{}
	err      error         // the reader's, once chunks is closed
	pending  []storedEntry // the entries yielded since the last taken
	done     uint64
	total    uint64
	progress func(done, total uint64)
}

func startLogSource(txn *badger.Txn, total uint64, progress func(done, total uint64), pages *pageRelease) *logSource {
	src := &logSource{chunks: make(chan logChunk, 4), spare: make(chan logChunk, 4), stop: make(chan struct{}), total: total, progress: progress}
	go func() {
		defer close(src.chunks)
		src.err = guard(func() error { return src.read(txn, pages) })
	}()
	return src
}

// close stops the reader when the replay ends early.
func (src *logSource) close() {
	close(src.stop)
	for range src.chunks {
	}
}

func (src *logSource) read(txn *badger.Txn, pages *pageRelease) error {
	ch := src.emptyChunk()
	var arena []byte
	send := func() bool {
		select {
		case src.chunks <- ch:
			ch = src.emptyChunk()
			return true
		case <-src.stop:
			return false
		}
	}
	// Not logEntriesIn: prefetching would copy every value once more.
	pre := prefix(pLog)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	count := pages.counter()
	for it.Seek(pre); it.ValidForPrefix(pre); it.Next() {
		item := it.Item()
		seq := readSeq(item.Key()[len(pre):])
		err := item.Value(func(v []byte) error {
			count.tick(len(v) + 10)
			if len(arena)+len(v) > cap(arena) {
				arena = make([]byte, 0, max(64<<10, len(v)))
			}
			arena = append(arena, v...)
			raw := arena[len(arena)-len(v) : len(arena) : len(arena)]
			ev, err := decodeLoggedEvent(raw, seq)
			ch.seqs, ch.raws, ch.evs = append(ch.seqs, seq), append(ch.raws, raw), append(ch.evs, ev)
			return err
		})
		if err != nil {
			return err
		}
		if len(ch.evs) == logChunkLen && !send() {
			return errStopped
		}
	}
	if len(ch.evs) > 0 && !send() {
		return errStopped
	}
	return nil
}

// emptyChunk is a chunk the replay is done with, or a new one.
func (src *logSource) emptyChunk() logChunk {
	select {
	case ch := <-src.spare:
		// Not cleared: the reader writes over them, and what they hold
		// until then is a few chunks' worth.
		return logChunk{seqs: ch.seqs[:0], raws: ch.raws[:0], evs: ch.evs[:0]}
	default:
		return logChunk{seqs: make([]uint64, 0, logChunkLen), raws: make([][]byte, 0, logChunkLen), evs: make([]domain.Event, 0, logChunkLen)}
	}
}

// take appends to dst the stored entries yielded since it was last
// called: a batch's, which its encoder compares with the replay's.
func (src *logSource) take(dst []storedEntry) []storedEntry {
	dst = append(dst, src.pending...)
	clear(src.pending)
	src.pending = src.pending[:0]
	return dst
}

// errStopped ends a log reader whose replay ended first.
var errStopped = errors.New("check: the replay stopped")

// events is the log as a replay reads it (LogReplay's log).
func (src *logSource) events(yield func(domain.Event) error) error {
	for ch := range src.chunks {
		for i := range ch.evs {
			src.pending = append(src.pending, storedEntry{ch.seqs[i], ch.raws[i]})
			if err := yield(ch.evs[i]); err != nil {
				return err
			}
		}
		src.done += uint64(len(ch.evs))
		if src.progress != nil {
			src.progress(src.done, src.total)
		}
		select {
		case src.spare <- ch:
		default:
		}
	}
	return src.err
}
