package store

// The replaying side of a check. It runs the write path's own batch (the
// rules, the counters, the late path, the indexes, the encodings) over the
// whole log, kept open from the first event to the last on an empty
// in-memory store, and hands what the batch would commit to the
// comparison instead of Badger. So every key the write path derives is
// compared, and nothing is derived twice. The batch leaves its log
// entries unencoded: after every ApplyBatch the encoder (check_worker.go)
// encodes them, and the conversations that ended, on a goroutine of its
// own. Memory stays bounded: log entries and marks go on after every
// ApplyBatch, and a conversation leaves the batch once its last part (the
// stored records and p/ keys say which) is replayed, its keys written for good. The
// batch's log holds only the ApplyBatch under way: the late path reads a
// conversation's earlier parts from the snapshot (refill).

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// seqSet is a set of sequence numbers, one bit each.
type seqSet []uint64

func newSeqSet(max uint64) seqSet { return make(seqSet, max/64+1) }

// add adds seq; the goroutines that scan the records add side by side.
func (s seqSet) add(seq uint64) {
	if seq/64 < uint64(len(s)) {
		atomic.OrUint64(&s[seq/64], 1<<(seq%64))
	}
}

func (s seqSet) has(seq uint64) bool { return seq/64 < uint64(len(s)) && s[seq/64]&(1<<(seq%64)) != 0 }

// checkReplay takes the replay's events (LogReplay's into).
type checkReplay struct {
	stored *badger.Txn // the snapshot checked
	cmp    *comparison
	src    *logSource // the stored log entries each batch meets
	enc    *encoder   // encodes what the batch writes (check_worker.go)
	empty  *Store
	b      *batch
	w      *txnWriter
	last   seqSet // the last part of each conversation
	any    bool   // an event was applied: a commit writes nothing for none
	// The ApplyBatch under way: the last seq before it, its first entry in
	// b.log (those before are earlier parts refill read), its events and
	// the outcomes so far, from which refill encodes the batch's own
	// entries, and the conversations refill read.
	base     uint64
	from     int
	evs      []domain.Event
	outs     []domain.Outcome
	refilled map[string]bool
	unwrite  []storedEntryKV // keys a resumed conversation takes back
}

func newCheckReplay(stored *badger.Txn, c *comparison, src *logSource, last seqSet) (*checkReplay, error) {
	empty, err := Open(Options{InMemory: true, memTableSize: 1 << 20})
	if err != nil {
		return nil, err
	}
	b := empty.newBatch()
	b.unencoded, b.fresh = true, true
	return &checkReplay{stored: stored, cmp: c, src: src, enc: startEncoder(c), empty: empty, b: b, w: &txnWriter{txn: c}, last: last}, nil
}

// close ends the replay and adds what the encoder compared to the check's
// comparison.
func (r *checkReplay) close() error {
	r.b.discard()
	r.empty.Close()
	enc, err := r.enc.finish()
	r.cmp.adopt(enc)
	return err
}

// ApplyBatch applies events through the batch's rules, as a store's
// ApplyBatch does, and hands on what they wrote. The outcomes it returns
// are the encoder's to read too, and are reused once it is done with
// them: a replay reads them before its next ApplyBatch.
func (r *checkReplay) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	wk := r.enc.next()
	outs := wk.outs[:0]
	r.base, r.from, r.evs = r.b.st.seq, len(r.b.log), evs
	clear(r.refilled)
	for i := range evs {
		r.outs = outs
		if err := r.prepare(&evs[i]); err != nil {
			return nil, &EventError{Index: i, Event: evs[i], Err: err}
		}
		o, err := r.b.apply(evs[i])
		if err != nil {
			return nil, &EventError{Index: i, Event: evs[i], Err: err}
		}
		outs = append(outs, o)
	}
	r.evs, r.outs = nil, nil
	r.any = r.any || len(evs) > 0
	wk.outs = outs
	return outs, r.handOn(wk, evs)
}

// handOn hands the encoder the log entries from b.log[r.from:] on (one an
// event of evs) and every conversation whose last part is among them, and
// writes the workspace index keys and marks the events carry.
func (r *checkReplay) handOn(wk *encodeWork, evs []domain.Event) error {
	b := r.b
	all, from := b.log, r.from
	if len(all)-from != len(evs) {
		return fmt.Errorf("check: %d events logged %d entries", len(evs), len(all)-from)
	}
	b.log = all[from:]
	err := b.writeWorkspaceIndex(r.w)
	b.log = all
	if err != nil {
		return err
	}
	if err := b.writeMarks(r.w); err != nil {
		return err
	}
	if err := b.writeDecisions(r.w); err != nil {
		return err
	}
	b.marks, b.events = b.marks[:0], b.events[:0]
	wk.unwrite, r.unwrite = r.unwrite, nil
	wk.stored = r.src.take(wk.stored)
	wk.evs = append(wk.evs, evs...)
	var ended []string
	for i := from; i < len(all); i++ {
		l := &all[i]
		wk.log = append(wk.log, logEntry{seq: l.seq, conv: l.conv, asKey: l.asKey})
		if l.conv != "" && r.last.has(l.seq) {
			ended = append(ended, l.conv)
		}
	}
	wk.ended = r.end(wk.ended, ended)
	b.order = b.order[:0] // the encoder writes a conversation once it ends
	clear(all)
	b.log = all[:0]
	r.enc.work <- wk
	return nil
}

// end drops the conversations whose last part is replayed from the batch
// and appends them to ended, for the encoder to write their keys.
func (r *checkReplay) end(ended []endedConv, ids []string) []endedConv {
	b := r.b
	for _, id := range ids {
		c := b.ws.Conversations[id]
		if c == nil {
			continue // never started, or ended already
		}
		ended = append(ended, endedConv{id: id, c: c, parts: b.partsOf(id)})
		delete(b.ws.Conversations, id)
		delete(b.convs, id)
	}
	return ended
}

// prepare readies the batch for an event. A late part of a conversation
// it holds needs the conversation's parts, which the batch keeps without
// their values. For a conversation it does not hold, a start is a new
// one (the fresh batch reads nothing); any other event is one of a
// conversation that left the batch early.
func (r *checkReplay) prepare(ev *domain.Event) error {
	conv := eventConv(*ev)
	if conv == "" {
		return nil
	}
	if c, held := r.b.ws.Conversations[conv]; held {
		if ev.Kind != domain.EvStart && domain.IsLate(ev.At, c.UpdatedAt) {
			return r.refill(conv) // late: the batch rebuilds it from its parts
		}
		return nil
	}
	if ev.Kind == domain.EvStart {
		return nil
	}
	return r.resume(conv)
}

// refill gives the batch's late path the values of conv's parts: its
// earlier ones read from the snapshot (its parts up to the ApplyBatch
// under way) into b.log ahead of the ApplyBatch's entries, and those of
// the ApplyBatch encoded from its events and outcomes, as the batch
// would have.
func (r *checkReplay) refill(conv string) error {
	b := r.b
	if !r.refilled[conv] {
		var earlier []logEntry
		if err := r.storedParts(conv, r.base, func(seq uint64, v []byte) error {
			earlier = append(earlier, logEntry{seq: seq, conv: conv, val: bytes.Clone(v)})
			return nil
		}); err != nil {
			return err
		}
		b.log = slices.Insert(b.log, r.from, earlier...)
		r.from += len(earlier)
		if r.refilled == nil {
			r.refilled = map[string]bool{}
		}
		r.refilled[conv] = true
	}
	for i := r.from; i < len(b.log); i++ {
		if l := &b.log[i]; l.conv == conv && l.val == nil && i-r.from < len(r.outs) {
			l.val = encodeLogEntry(&r.evs[i-r.from], &r.outs[i-r.from])
		}
	}
	return nil
}

// storedParts calls fn with each stored log entry of conv's parts up to
// seq upTo, in log order, as its record and p/ keys name them. A part
// naming an entry that is missing or another conversation's is a damage
// the comparison reports, and is passed over.
func (r *checkReplay) storedParts(conv string, upTo uint64, fn func(seq uint64, v []byte) error) error {
	return storedParts(r.stored, conv, func(seq uint64) error {
		if seq > upTo {
			return nil
		}
		err := getValue(r.stored, seqKey(pLog, seq), func(v []byte) error {
			if ev, err := decodeLoggedEvent(v, seq); err != nil || eventConv(ev) != conv {
				return err
			}
			return fn(seq, v)
		})
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		return err
	})
}

// resume brings back a conversation that left the batch before its last
// part: the stored record lacks that part (a damage the comparison
// reports). Its state is rebuilt from its parts so far, and the keys it
// left with are taken back, so that only the damage itself differs.
func (r *checkReplay) resume(conv string) error {
	var parts []domain.Event
	var seqs []uint64
	if err := r.storedParts(conv, r.b.st.seq, func(seq uint64, v []byte) error {
		ev, err := decodeLoggedEvent(v, seq)
		parts, seqs = append(parts, ev), append(seqs, seq)
		return err
	}); err != nil {
		return err
	}
	if len(parts) == 0 {
		return nil // never started: the rules say so
	}
	b := r.b
	scratch := &domain.Workspace{Settings: b.ws.Settings, History: b.ws.History, Roles: b.ws.Roles, Conversations: map[string]*domain.Conversation{}}
	scratch.Rebuild(conv, parts)
	c := scratch.Conversations[conv]
	if c == nil {
		return fmt.Errorf("conversation %s ended before its last part and cannot be rebuilt", conv)
	}
	b.ws.Conversations[conv] = c
	list := listOf(seqs)
	b.conv(conv).parts = list
	left := convRecord{Conversation: *c, parts: *list.clone()}
	r.unwrite = append(r.unwrite, storedEntryKV{convKey(conv), encodeConversation(&left)})
	for _, k := range indexKeys(&left) {
		r.unwrite = append(r.unwrite, storedEntryKV{k, emptyValue})
	}
	return nil
}

// finish ends the conversations still open and writes what the batch
// holds for the whole workspace (counters, dictionary, settings, roles,
// teams, names, meta), the way a commit writes it.
func (r *checkReplay) finish(c *comparison) error {
	ids := make([]string, 0, len(r.b.ws.Conversations))
	for id := range r.b.ws.Conversations {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	wk := r.enc.next()
	wk.unwrite, r.unwrite = r.unwrite, nil
	wk.ended = r.end(wk.ended, ids)
	r.enc.work <- wk
	b := r.b
	b.log, b.marks, b.order = nil, nil, nil
	c.agentsReplayed = b.st.agents
	if !r.any {
		return nil
	}
	for _, put := range b.puts() {
		if err := put(r.w); err != nil {
			return err
		}
	}
	return nil
}
