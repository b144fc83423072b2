package store

// A load's batches one ahead. Badger writes a committed transaction into
// its memtable and value log on a goroutine of its own, and the committer
// waits; a load spent about half its CPU on each side, one after the
// other. A LoadPipeline applies and encodes the next batch while Badger
// writes the one before, so that a load uses both cores, and still
// commits each batch whole and in order:
//
//   - the next batch starts from the memory state of the batch in flight
//     and reads what that one wrote (conversation records, day counters,
//     new agent ids) from it, not from Badger (aheadOf); anything else it
//     would read from the store (a late part's parts, a workspace event's
//     names) waits until the batch in flight has committed;
//   - it is sent to Badger only once the one before has committed: a
//     failed commit fails the pipeline, and nothing applied on top of it
//     is ever written;
//   - readers see whole commits: s.mu is held from a send until its
//     commit is published, as a synchronous commit holds it.
//
// At most two batches are held: the one in flight and the one applied.

import (
	"errors"
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// LoadPipeline writes a load's batches, each applied while the one before
// commits. It holds the store's write lock until Close.
type LoadPipeline struct {
	s *Store
	// flight is the batch sent to Badger whose commit is not yet known;
	// done delivers its result.
	flight *batch
	done   chan error
	// staged is the batch applied and put into stagedTxn, not yet sent.
	staged    *batch
	stagedTxn *badger.Txn
	// nextRead and nextWrite are the transactions of the batch after the
	// flight, opened before it was sent: Badger opens a transaction only
	// once every commit in flight has landed.
	nextRead, nextWrite *badger.Txn
	failed              error // a commit failed: nothing more is written
	// refused is Apply's error: the batch it refused had taken nextRead
	// and nextWrite, so no batch after it can start on top of the flight.
	refused error
	closed  bool
	// written is the filter of the conversations the pipeline's batches
	// may have written (conv_filter.go), nil unless it began on a store
	// holding none.
	written *convFilter
	// logs are the arrays of the log entries of the last two batches
	// applied: a batch's are read until it is staged, and it is settled
	// before the batch after the next is applied, which takes its array
	// over.
	logs  [2][]logEntry
	turns int
}

// BeginLoad starts a pipeline of load batches.
func (s *Store) BeginLoad() (*LoadPipeline, error) {
	if err := s.lockWriter(); err != nil {
		return nil, err
	}
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	return &LoadPipeline{s: s, written: newLoadConvFilter(txn)}, nil
}

// Apply applies evs through the rules on top of the batch in flight and
// stages them with rec, the load record counting them; Send sends them.
// On a rule error (an *EventError), or any other, nothing of evs is
// staged and the batch in flight is unaffected: Settle and Close still
// commit it. The pipeline then takes no more batches: Apply and Send
// return that error. A batch too big for one transaction is committed
// here, in journaled parts, after the one in flight.
func (p *LoadPipeline) Apply(evs []domain.Event, rec LoadRecord) ([]domain.Outcome, error) {
	return p.ApplyInto(nil, evs, rec)
}

// ApplyInto is Apply with the outcomes in outs[:0] when it has room for
// them: a load passes back the outcomes of the batch before the one in
// flight, read by then, so that a batch does not allocate its outcomes
// (2,000 of 432 bytes, a tenth of the bytes a load allocated).
func (p *LoadPipeline) ApplyInto(outs []domain.Outcome, evs []domain.Event, rec LoadRecord) (_ []domain.Outcome, err error) {
	switch {
	case p.failed != nil:
		return nil, p.failed
	case p.refused != nil:
		return nil, p.refused
	case p.closed || p.staged != nil:
		return nil, errors.New("store: load pipeline: a batch applied before the last was sent")
	}
	defer func() {
		if err != nil && p.failed == nil {
			p.refused = err
		}
	}()
	defer recoverDamage(&err)
	b, txn := p.nextBatch()
	b.sizeFor(len(evs))
	turn := p.turns % 2
	p.turns++
	p.logs[turn] = reuse(p.logs[turn], len(evs))
	b.events, b.lent, b.log = evs, true, p.logs[turn]
	b.loadRecord = encodeLoadRecord(&rec)
	if outs = outs[:0]; cap(outs) < len(evs) {
		outs = make([]domain.Outcome, 0, len(evs))
	}
	for i, ev := range evs {
		o, err := b.apply(ev)
		if err != nil {
			b.discard()
			txn.Discard()
			if p.failed != nil {
				return nil, p.failed
			}
			return nil, &EventError{Index: i, Event: ev, Err: err}
		}
		outs = append(outs, o)
	}
	err = b.stage(txn)
	if err == nil {
		p.staged, p.stagedTxn = b, txn
		return outs, nil
	}
	b.discard()
	txn.Discard()
	if !errors.Is(err, errTooBig) || len(evs) == 1 {
		return nil, err
	}
	if err := p.Settle(); err != nil {
		return nil, err
	}
	if err := p.s.commitSplit(evs, b.loadRecord); err != nil {
		return nil, err
	}
	return outs, nil
}

// reuse is s emptied, with room for n, cleared of what the batch two
// before left in it.
func reuse[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	clear(s[:cap(s)])
	return s[:0]
}

// nextBatch is the batch after the one in flight, with its write
// transaction.
func (p *LoadPipeline) nextBatch() (*batch, *badger.Txn) {
	if p.flight == nil {
		b := p.s.newBatch()
		b.written, b.daySegs = p.written, map[int32]*[domain.NumSegments][]domain.Counts{}
		return b, p.s.db.NewTransaction(true)
	}
	b := p.s.newBatchOf(p.flight.st.clone(), p.nextRead)
	b.written, b.daySegs = p.written, map[int32]*[domain.NumSegments][]domain.Counts{}
	b.ahead = newAheadOf(p.flight, p.Settle)
	txn := p.nextWrite
	p.nextRead, p.nextWrite = nil, nil
	return b, txn
}

// Settle waits until the batch in flight, if any, has committed, and
// makes it the store's state. An error says it may not have: the
// pipeline writes nothing more.
func (p *LoadPipeline) Settle() error {
	if p.flight == nil {
		return p.failed
	}
	b, s := p.flight, p.s
	err := <-p.done
	p.flight = nil
	defer s.mu.Unlock()
	if err != nil {
		s.convs.reset() // whether Badger holds the batch is not known
		p.failed = fmt.Errorf("store: commit: %w", mapDiskFull(err, s.dir, "committing a batch"))
		return p.failed
	}
	b.publish()
	return nil
}

// Send sends the staged batch to Badger without waiting for its commit;
// the batch before must have settled. Settle (or the next Apply, or
// Close) learns whether it committed.
func (p *LoadPipeline) Send() error {
	switch {
	case p.failed != nil:
		return p.failed
	case p.refused != nil:
		return p.refused
	case p.staged == nil:
		return nil
	case p.flight != nil:
		return errors.New("store: load pipeline: a batch sent before the one in flight settled")
	}
	b, txn, s := p.staged, p.stagedTxn, p.s
	p.staged, p.stagedTxn = nil, nil
	b.discard()
	b.ahead = nil // settled: holding it would chain every batch of the load
	// Both of the next batch's transactions read at a timestamp before
	// this commit. The write one reads nothing: stage only sets and
	// deletes (txnWriter). The batch reads through nextRead only what this
	// one did not write: aheadOf answers what it did, and a read it cannot
	// answer waits for this commit (settleAhead, which then reads a newer
	// snapshot). Badger looks at a write transaction's read timestamp only
	// to detect conflicts: a key read through it and written by this
	// commit would fail the next commit with ErrConflict (and the read
	// would miss this commit's value). Detection is off
	// (badger_options.go: writeMu orders the writers), and with no key
	// read it would find none.
	p.nextRead, p.nextWrite = s.db.NewTransaction(false), s.db.NewTransaction(true)
	// The next batch writes about as many keys as this one: its
	// transaction's map of pending writes is made that big at once.
	p.nextWrite.ReserveWrites(b.entries + b.entries/8)
	// s.mu stays held until Settle publishes this batch, and the loader
	// applies the next batch meanwhile (simulate's writeAhead: Apply, then
	// Settle), so a reader waits for this commit and for the next batch's
	// apply: 2,000 events (simulate.DefaultBatchSize) at the rules' and
	// encoding's fifth of a load's 30-80 us of CPU an event, some 15-35 ms
	// more than a commit at a time would cost it. Releasing s.mu when
	// Badger's callback says the commit landed would publish (s.st, the
	// conversation cache) on Badger's goroutine while the next batch reads
	// them; and a reader let in before the publish would pair the old
	// memory state with a snapshot holding the batch. A load is bulk
	// work, and its readers (a dashboard's refresh) take those
	// milliseconds late for it.
	s.mu.Lock()
	p.flight, p.done = b, make(chan error, 1)
	if commitFault != nil {
		if err := commitFault(); err != nil {
			txn.Discard()
			p.done <- err
			return nil
		}
	}
	txn.CommitWith(func(err error) { p.done <- err })
	return nil
}

// Close settles the batch in flight, drops a staged one unsent and
// releases the store's write lock. It returns the error of a failed
// commit, if any.
func (p *LoadPipeline) Close() error {
	if p.closed {
		return p.failed
	}
	err := p.Settle()
	if p.staged != nil {
		p.staged.discard()
		p.stagedTxn.Discard()
		p.staged, p.stagedTxn = nil, nil
	}
	for _, txn := range []*badger.Txn{p.nextRead, p.nextWrite} {
		if txn != nil {
			txn.Discard()
		}
	}
	p.nextRead, p.nextWrite = nil, nil
	p.closed = true
	p.s.writeMu.Unlock()
	return err
}

// aheadOf is the batch in flight as the batch after it reads it: what it
// wrote, which Badger may not hold yet.
type aheadOf struct {
	b      *batch
	convs  map[string][]byte // its conversation records, by id
	settle func() error      // waits for it to commit
}

func newAheadOf(b *batch, settle func() error) *aheadOf {
	a := &aheadOf{b: b, convs: make(map[string][]byte, len(b.wrote)), settle: settle}
	for _, c := range b.wrote {
		a.convs[c.id] = c.val
	}
	return a
}

// conversation is the record the batch in flight wrote for id, if any.
func (a *aheadOf) conversation(id string) ([]byte, bool) {
	if a == nil {
		return nil, false
	}
	v, ok := a.convs[id]
	return v, ok
}

// agentID is the id the batch in flight gave a new agent.
func (a *aheadOf) agentID(x domain.Actor) (uint32, bool) {
	if a == nil {
		return 0, false
	}
	id, ok := a.b.newIDs[x]
	return id, ok
}

// dayCounts is a copy of day d's counters as the batch in flight wrote
// them, n agents long at least.
func (a *aheadOf) dayCounts(d int32, n int) ([]domain.Counts, bool) {
	if a == nil {
		return nil, false
	}
	cs, ok := a.b.days[d]
	if !ok {
		return nil, false
	}
	return copyCounts(cs, n), true
}

// segDayCounts is segment day k's counters as the batch in flight
// wrote them or, unmoved, summed them into its c/ keys: its own, the
// caller copies them or only reads them.
func (a *aheadOf) segDayCounts(k segDay) ([]domain.Counts, bool) {
	if a == nil {
		return nil, false
	}
	if cs, ok := a.b.segDays[k]; ok {
		return cs, true
	}
	if day := a.b.daySegs[k.day]; day != nil {
		return day[k.seg], true
	}
	return nil, false
}

func copyCounts(cs []domain.Counts, n int) []domain.Counts {
	c := make([]domain.Counts, max(n, len(cs)))
	copy(c, cs)
	return c
}

// settleAhead waits, before a read that the batch in flight cannot
// answer, until it has committed, and reads from then on a snapshot that
// holds it.
func (b *batch) settleAhead() error {
	if b.ahead == nil {
		return nil
	}
	if err := b.ahead.settle(); err != nil {
		return err
	}
	b.ahead = nil
	b.read.Discard()
	b.read = b.s.db.NewTransaction(false)
	return nil
}
