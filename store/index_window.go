package store

// The what-if window. A what-if counts only the decisions of its window,
// and every rule reads nothing but the event's own conversation and the
// workspace (settings and their history, roles, teams). Replaying the
// workspace events (w/, a few) with every event of the conversations
// touched in the window (u/ at or after its start, then the parts each
// one's record names, parts.go) therefore decides every event of the window exactly as a replay
// of the whole log would, reading a window's worth of the log instead of
// all of it. A conversation touched in the window keeps its parts from
// before it, so a late part is placed as the store placed it.

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// workspaceEventKey indexes a log entry that belongs to no conversation.
func workspaceEventKey(seq uint64) []byte { return seqKey(pWorkspace, seq) }

// writeWorkspaceIndex puts the w/ key of each of the batch's log entries
// that belong to no conversation (those that do are named by their
// conversation's record).
func (b *batch) writeWorkspaceIndex(w *txnWriter) error {
	for _, l := range b.log {
		if l.conv != "" {
			continue
		}
		if err := w.set(workspaceEventKey(l.seq), nil); err != nil {
			return err
		}
	}
	return nil
}

// EventsSince calls fn, in log order, with the workspace events and every
// event of each conversation touched at or after since, and always those
// of the newest conversation, so that a replay ends at the store's latest
// conversation event. A since at or before the first event gives the
// whole log, as Events does.
func (s *Store) EventsSince(since time.Time, fn func(seq uint64, ev domain.Event) error) error {
	w := window{s: s, since: since}
	return w.each(fn)
}

// window reads the events of a what-if window, keeping the sequence
// numbers it found and the store's last seq they were found at.
type window struct {
	s     *Store
	since time.Time
	at    uint64
	seqs  []uint64
}

func (w *window) each(fn func(seq uint64, ev domain.Event) error) (err error) {
	defer recoverDamage(&err)
	w.s.mu.RLock()
	first := w.s.st.first
	w.s.mu.RUnlock()
	if !w.since.After(first) {
		return w.s.Events(0, fn)
	}
	txn, st, done := w.s.snapshot()
	defer done()
	if w.seqs == nil || w.at != st.seq {
		if w.seqs, err = windowSeqs(txn, w.since); err != nil {
			return err
		}
		w.at = st.seq
	}
	return logEntriesAt(txn, w.seqs, func(seq uint64, v []byte) error {
		ev, _, err := decodeLogEntry(v, seq)
		if err != nil {
			return err
		}
		return fn(seq, ev)
	})
}

// windowSeqs lists, sorted, the sequence numbers EventsSince reads: eight
// bytes per event of the window, never the log.
func windowSeqs(txn *badger.Txn, since time.Time) ([]uint64, error) {
	seqs, err := workspaceSeqs(txn)
	if err != nil {
		return nil, err
	}
	convs, err := touchedSince(txn, since)
	if err != nil {
		return nil, err
	}
	slices.Sort(convs)
	parts, err := partSeqs(txn, convs)
	if err != nil {
		return nil, err
	}
	seqs = append(seqs, parts...)
	slices.Sort(seqs)
	return slices.Compact(seqs), nil
}

// partSeqs lists the sequence numbers of the parts of convs (sorted). In
// id order the walk moves forward through the tables, and steps over the
// few conversations between two touched ones: ids given in order (a
// load's, a helpdesk's) put the window's together.
func partSeqs(txn *badger.Txn, convs []string) ([]uint64, error) {
	return partSeqsStepping(txn, convs, keyStepGap)
}

// partSeqsStepping is partSeqs stepping over at most gap keys between two
// of convs, seeking past more.
func partSeqsStepping(txn *badger.Txn, convs []string, gap int) ([]uint64, error) {
	var seqs []uint64
	w := newPartsWalk(txn, gap)
	defer w.close()
	for _, conv := range convs {
		if err := w.each(conv, func(seq uint64, _ bool) { seqs = append(seqs, seq) }); err != nil {
			return nil, err
		}
	}
	return seqs, nil
}

// workspaceSeqs lists, in log order, the sequence numbers of the
// workspace events (the w/ index).
func workspaceSeqs(txn *badger.Txn) ([]uint64, error) {
	var seqs []uint64
	err := eachKey(txn, prefix(pWorkspace), prefix(pWorkspace), func(k []byte) error {
		if len(k) != 10 {
			return fmt.Errorf("workspace event key %q: %w", k, errCorrupt)
		}
		seqs = append(seqs, readSeq(k[2:]))
		return nil
	})
	return seqs, err
}

// touchedSince lists the conversations whose latest part is at or after
// since, or the newest one when none is.
func touchedSince(txn *badger.Txn, since time.Time) ([]string, error) {
	var convs []string
	pre := prefix(pUpdated)
	take := func(k []byte) error {
		if len(k) <= 10 {
			return fmt.Errorf("conversation list key %q: %w", k, errCorrupt)
		}
		convs = append(convs, string(k[10:]))
		return nil
	}
	if err := eachKey(txn, pre, appendTime(prefix(pUpdated), since), take); err != nil || len(convs) > 0 {
		return convs, err
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre, Reverse: true})
	defer it.Close()
	if it.Seek(append(append([]byte(nil), pre...), 0xff)); it.ValidForPrefix(pre) {
		return convs, take(it.Item().Key())
	}
	return convs, nil
}

// eachKey calls fn with every key under pre from from on, reading no values.
func eachKey(txn *badger.Txn, pre, from []byte, fn func(k []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	for it.Seek(from); it.ValidForPrefix(pre); it.Next() {
		if err := fn(it.Item().Key()); err != nil {
			return err
		}
	}
	return nil
}

// logEntriesAt steps through the log, and partSeqs through the records
// (a 32nd as far: partsWalk), rather than seek when the next wanted key
// is this near: a window's reads want most keys between its first and its last. A reader
// of a few keys in each block (the what-if through the index of
// decisions, whatif_window.go) seeks to each instead.
const (
	seekGap    = 64
	keyStepGap = 256
)

// advanceTo moves it to the first key at or after target: by stepping when
// it is on an earlier key no more than gap keys before, else by a seek. An
// iterator on target or past it stays.
func advanceTo(it *badger.Iterator, target []byte, gap int) {
	for n := 0; n < gap && it.Valid(); n++ {
		if bytes.Compare(it.Item().Key(), target) >= 0 {
			return
		}
		it.Next()
	}
	if !it.Valid() || bytes.Compare(it.Item().Key(), target) < 0 {
		it.Seek(target)
	}
}

// logEntriesAt calls fn with the log entries of seqs (sorted), in order.
// The entries of a window cluster at the end of the log, so it steps to
// the next one when it is near and seeks only across gaps.
func logEntriesAt(txn *badger.Txn, seqs []uint64, fn func(seq uint64, v []byte) error) error {
	return logEntriesStepping(txn, seqs, seekGap, fn)
}

// logEntriesStepping is logEntriesAt stepping over at most gap entries
// between two of seqs, seeking past more.
func logEntriesStepping(txn *badger.Txn, seqs []uint64, gap int, fn func(seq uint64, v []byte) error) error {
	pre := prefix(pLog)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pre})
	defer it.Close()
	for _, seq := range seqs {
		want := seqKey(pLog, seq)
		advanceTo(it, want, gap)
		if !it.ValidForPrefix(pre) || !bytes.Equal(it.Item().Key(), want) {
			return fmt.Errorf("log entry %d, which an index names, is missing: %w", seq, errCorrupt)
		}
		if err := it.Item().Value(func(v []byte) error { return fn(seq, v) }); err != nil {
			return err
		}
	}
	return nil
}
