package store

// Schema 9: the index of decisions (x/) and of late conversations (y/),
// built for a store an older csat wrote from its log, read in order in
// two halves, one a core: each entry whose outcome can read a setting gets
// its x/ key from its logged outcome and its conversation's start; a part
// earlier than one of its conversation's logged before it names the
// conversation in y/, as the write path's late path does. A reader keeps
// the starts of the conversations it saw lately (two generations of a
// bounded map: conversations live for days, the log runs in time order);
// one it has let go, or never saw (it began in the other half), is read
// again from its parts before this one. An interrupted build leaves the
// store at schema 8, and the next writable open builds both again,
// dropping what it finds first.

import (
	"errors"
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// upgradeDecisions builds the x/ and y/ keys of a store older than schema
// 9 and stamps it 9. The caller is a writable open, once the store is at
// schema 8.
func (s *Store) upgradeDecisions(version uint64) error {
	if version == 0 || version >= 9 {
		return nil
	}
	if err := s.buildDecisions(); err != nil {
		return fmt.Errorf("upgrading the store in %s to schema 9: %w", s.dir, err)
	}
	return s.writeSchemaVersion(9)
}

// startsKept bounds each generation of the starts a reader keeps.
var startsKept = 1 << 17

// convStart is what the build keeps of a conversation: its start as
// domain.StartOf makes it, reduced to what an x/ entry records of it,
// the time of its latest part so far, and whether it has a late part.
type convStart struct {
	id, helpdesk string
	origin       domain.Origin
	audience     domain.Audience
	late         bool
	latest       time.Time
}

// keepStart is what the build keeps of the conversation start begins.
func keepStart(start domain.Event) *convStart {
	c := domain.StartOf(start)
	return &convStart{id: c.ID, origin: c.Origin, audience: c.Audience, helpdesk: c.Helpdesk, latest: c.UpdatedAt}
}

// conversation is the part of a conversation an x/ entry records.
func (st *convStart) conversation() domain.Conversation {
	return domain.Conversation{ID: st.id, Origin: st.origin, Audience: st.audience, Helpdesk: st.helpdesk}
}

// startCache keeps the starts of the conversations seen lately: a
// generation is dropped once the next is full.
type startCache struct{ cur, old map[string]*convStart }

func (c *startCache) get(conv []byte) *convStart {
	if st := c.cur[string(conv)]; st != nil {
		return st
	}
	st := c.old[string(conv)]
	if st != nil {
		c.put(st)
	}
	return st
}

func (c *startCache) put(st *convStart) {
	if len(c.cur) >= startsKept {
		c.old, c.cur = c.cur, make(map[string]*convStart, startsKept)
	}
	c.cur[st.id] = st
}

// buildDecisions replaces the store's x/ and y/ keys by those its log
// implies. Two readers share the log, each half on its own core; a
// conversation that spans the middle is one whose start the second half's
// reader reads again from its parts.
func (s *Store) buildDecisions() error {
	if err := s.dropFamilies(pDecision, pLate); err != nil {
		return err
	}
	var last uint64
	if err := s.db.View(func(txn *badger.Txn) (err error) { last, err = lastSeq(txn); return err }); err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	half := last / 2
	errs := make(chan error, 1)
	go func() { errs <- s.indexLogRange(wb, half, last) }()
	err := s.indexLogRange(wb, 0, half)
	if err2 := <-errs; err == nil {
		err = err2
	}
	if err != nil {
		return err
	}
	return wb.Flush()
}

// indexLogRange writes the x/ and y/ keys of the log entries after seq
// after, up to and including seq to.
func (s *Store) indexLogRange(wb *badger.WriteBatch, after, to uint64) error {
	cache := &startCache{cur: map[string]*convStart{}}
	err := s.db.View(func(txn *badger.Txn) error {
		return logEntriesIn(txn, after, func(seq uint64, v []byte) error {
			if seq > to {
				return errRangeDone
			}
			return indexLogged(txn, wb, cache, seq, v)
		})
	})
	if errors.Is(err, errRangeDone) {
		return nil
	}
	return err
}

// errRangeDone ends a reader at the end of its half of the log.
var errRangeDone = errors.New("the end of the range")

// indexLogged writes what log entry seq (v) adds to the index of decisions.
func indexLogged(txn *badger.Txn, wb *badger.WriteBatch, cache *startCache, seq uint64, v []byte) error {
	kind, at, conv, err := peekLogEntry(v, seq)
	if err != nil || conv == nil || !isPart(kind) {
		return err
	}
	var st *convStart
	if kind == domain.EvStart {
		ev, _, err := decodeLogEntry(v, seq)
		if err != nil {
			return err
		}
		st = keepStart(ev)
		cache.put(st)
	} else if st = cache.get(conv); st == nil {
		if st, err = startFromParts(txn, string(conv), seq); err != nil {
			return err
		}
		cache.put(st)
	}
	if domain.IsLate(at, st.latest) {
		if st.helpdesk == "" && !st.late {
			if err := wb.Set(lateKey(st.id), emptyValue); err != nil {
				return err
			}
		}
		st.late = true
	} else {
		st.latest = at
	}
	if !kind.ReadsSettings() {
		return nil
	}
	_, o, err := decodeLogEntry(v, seq)
	if err != nil {
		return err
	}
	c := st.conversation()
	return wb.Set(decisionKey(at, seq), encodeDecision(kind, &o, &c))
}

// isPart reports whether an event of kind belongs to its conversation
// (eventConv): its record names a log entry of one.
func isPart(kind domain.EventKind) bool { return eventConv(domain.Event{Kind: kind, Conv: "-"}) != "" }

// peekLogEntry reads a log entry's kind, time and conversation (nil for
// none), without copying.
func peekLogEntry(v []byte, seq uint64) (domain.EventKind, time.Time, []byte, error) {
	d := readRecord(v)
	kind := domain.EventKind(d.byte())
	at := d.time()
	n := d.uint()
	if d.err != nil || n > uint64(len(d.b)) {
		return 0, time.Time{}, nil, fmt.Errorf("log entry %d: %w", seq, errCorrupt)
	}
	if n == 0 {
		return kind, at, nil, nil
	}
	return kind, at, d.b[:n], nil
}

// startFromParts reads what the build keeps of conv from its parts logged
// before seq: a conversation whose start the cache has let go.
func startFromParts(txn *badger.Txn, conv string, seq uint64) (*convStart, error) {
	seqs, err := partSeqs(txn, []string{conv})
	if err != nil {
		return nil, err
	}
	var st *convStart
	var latest time.Time
	err = logEntriesAt(txn, seqs, func(s uint64, v []byte) error {
		if s >= seq {
			return nil
		}
		ev, err := decodeLoggedEvent(v, s)
		if err != nil {
			return err
		}
		if ev.Kind == domain.EvStart && st == nil {
			st = keepStart(ev)
		}
		if ev.At.After(latest) {
			latest = ev.At
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return nil, fmt.Errorf("log entry %d of conversation %s, which has no start before it: %w", seq, conv, errCorrupt)
	}
	st.latest = latest
	return st, nil
}
