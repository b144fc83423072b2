package store

// The write API: single events, batches, and pending batches a script runs
// against. A batch's pieces live beside it: batch.go (what a batch holds and
// how an event lands in it), counters.go and index.go (the derived keys it
// maintains), commit.go (how it reaches Badger), txn.go (the transaction
// writer).

import (
	"errors"
	"fmt"

	"github.com/csat-app/csat/domain"
)

// ErrReadOnly is returned by writes on a store opened read-only.
var ErrReadOnly = errors.New("the store is open read-only")

// EventError is a rule error (bad input) in a batch: nothing of the batch was written.
type EventError struct {
	Index int // position of the bad event in the batch
	Event domain.Event
	Err   error
}

func (e *EventError) Error() string {
	what := e.Event.Kind.String()
	if e.Event.Conv != "" {
		what += " " + e.Event.Conv
	}
	return fmt.Sprintf("event %d (%s): %v", e.Index, what, e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// EventIndex is the position of the bad event in the batch, so that a
// writer can leave that event out and write the rest (the Intercom ingester
// does, for a late part that does not apply at its place).
func (e *EventError) EventIndex() int { return e.Index }

// Apply applies one event through the rules and commits it with everything it changes.
func (s *Store) Apply(ev domain.Event) (domain.Outcome, error) {
	outs, err := s.ApplyBatch([]domain.Event{ev})
	if err != nil {
		var ee *EventError
		if errors.As(err, &ee) {
			return domain.Outcome{}, ee.Err
		}
		return domain.Outcome{}, err
	}
	return outs[0], nil
}

// ApplyBatch applies events in order and commits them in one transaction:
// all or none. On a rule error (bad input) nothing of the batch is written
// and the error (an *EventError) names the index of the bad event. A batch
// too big for one Badger transaction is committed in sub-batches split at
// whole events; each sub-batch is then all or none.
func (s *Store) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	return s.applyBatch(evs, nil)
}

// applyBatch is ApplyBatch writing a load record (load_record.go) with
// the events when load is not nil.
func (s *Store) applyBatch(evs []domain.Event, load []byte) (_ []domain.Outcome, err error) {
	defer recoverDamage(&err)
	if s.readOnly {
		return nil, ErrReadOnly
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.finishInterrupted(); err != nil {
		return nil, err
	}
	outs := make([]domain.Outcome, 0, len(evs))
	b := s.newBatch()
	defer b.discard()
	b.sizeFor(len(evs))
	b.events, b.lent, b.log = evs, true, make([]logEntry, 0, len(evs))
	b.loadRecord = load
	for i, ev := range evs {
		o, err := b.apply(ev)
		if err != nil {
			return nil, &EventError{Index: i, Event: ev, Err: err}
		}
		outs = append(outs, o)
	}
	if err := b.commit(); err != nil {
		return nil, err
	}
	return outs, nil
}

// Batch is a pending write: events applied to it are visible through its
// own reads and reach the store, all together, at Commit. It satisfies
// simulate.Backend, so a script can run against it and be written only if
// it ran without a script error. It holds the store's write lock until
// Commit or Discard.
type Batch struct{ b *batch }

// Begin starts a pending batch.
func (s *Store) Begin() (*Batch, error) {
	if err := s.lockWriter(); err != nil {
		return nil, err
	}
	return &Batch{b: s.newBatch()}, nil
}

// lockWriter takes the write lock for a writer that holds it across
// calls, once any batch a crash left half-committed is finished.
func (s *Store) lockWriter() error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.writeMu.Lock()
	if err := s.finishInterrupted(); err != nil {
		s.writeMu.Unlock()
		return err
	}
	return nil
}

// Apply applies one event to the batch; on error the batch is unchanged.
func (x *Batch) Apply(ev domain.Event) (domain.Outcome, error) {
	if x.b == nil {
		return domain.Outcome{}, errors.New("store: batch already committed or discarded")
	}
	return x.b.apply(ev)
}

// Settings are the batch's settings.
func (x *Batch) Settings() domain.Settings { return x.b.ws.Settings }

// Conversation returns a copy of a conversation's rule state as the batch sees it.
func (x *Batch) Conversation(id string) (domain.Conversation, bool) {
	if err := x.b.load(id); err != nil {
		return domain.Conversation{}, false
	}
	c := x.b.ws.Conversations[id]
	if c == nil {
		return domain.Conversation{}, false
	}
	return cloneConversation(c), true
}

// AllTime returns an agent's all-time counts as the batch sees them.
func (x *Batch) AllTime(agent domain.Actor) domain.Counts {
	if id, ok := x.b.lookupID(agent); ok {
		return x.b.st.totals[id]
	}
	return domain.Counts{}
}

// TeamAllTime sums the teammates' all-time counts as the batch sees them.
func (x *Batch) TeamAllTime() domain.Counts { return x.b.st.teamAllTime() }

// OpenFollowUps counts open follow-up items as the batch sees them.
func (x *Batch) OpenFollowUps() int { return x.b.st.queue.Open(x.b.ws.Settings.FollowUp) }

// Pending reports whether the batch is neither committed nor discarded.
func (x *Batch) Pending() bool { return x.b != nil }

// Len is the number of events applied so far.
func (x *Batch) Len() int { return len(x.b.events) }

// Commit writes the batch. The batch is finished either way.
func (x *Batch) Commit() error {
	if x.b == nil {
		return errors.New("store: batch already committed or discarded")
	}
	b := x.b
	x.b = nil
	defer b.s.writeMu.Unlock()
	defer b.discard()
	return b.commit()
}

// Discard drops the batch; nothing of it is written.
func (x *Batch) Discard() {
	if x.b == nil {
		return
	}
	x.b.discard()
	x.b.s.writeMu.Unlock()
	x.b = nil
}
