package store

// The encoding side of a check's replay, on a goroutine of its own. The
// batch applies the rules and leaves its log entries unencoded; after
// each ApplyBatch the replay hands this side the batch's events and
// outcomes, with the stored log entries they meet, and the conversations
// that ended. It encodes them with the write path's own encodings (the
// log entry and the part key of one its record does not hold, the conversation record and its index
// keys) and compares them as the batch's commit would write them, into a
// comparison of its own that the check adds to its own at the end. So
// the rules and the encodings run on both cores, in log order each.

import (
	"github.com/csat-app/csat/domain"
)

// endedConv is a conversation whose last part is replayed: its keys are final.
// A check's batch starts from nothing stored, so its keys are all new.
type endedConv struct {
	id    string
	c     *domain.Conversation
	parts *partList
}

// encodeWork is what one ApplyBatch hands on, in the order the batch's
// commit would write it: keys taken back (a conversation resumed), the
// log (its entries, one an event of evs, with the outcomes the rules
// gave), the ended conversations. The encoder hands it back for reuse.
type encodeWork struct {
	unwrite []storedEntryKV
	stored  []storedEntry // the stored log entries the batch's events met
	log     []logEntry
	evs     []domain.Event
	outs    []domain.Outcome
	ended   []endedConv
	vals    []byte // the encoded log entries
}

// encoder runs the encoding side. Its comparison is its own until done.
type encoder struct {
	cmp   *comparison
	work  chan *encodeWork
	spare chan *encodeWork // work done, for the replay to fill again
	done  chan error
}

func startEncoder(parent *comparison) *encoder {
	e := &encoder{cmp: parent.child(), work: make(chan *encodeWork, 4), spare: make(chan *encodeWork, 6), done: make(chan error, 1)}
	go func() {
		var err error
		for wk := range e.work {
			if err == nil {
				err = guard(func() error { return e.encode(wk) })
			}
			select {
			case e.spare <- wk:
			default:
			}
		}
		e.done <- err
	}()
	return e
}

// next is an empty encodeWork, one the encoder is done with if any. Its
// events, outcomes and log entries are not cleared: the next batch writes
// over them, and clearing them cost a second of the replay's goroutine on
// a large store; what they still hold until then is a few batches' worth.
func (e *encoder) next() *encodeWork {
	select {
	case wk := <-e.spare:
		clear(wk.unwrite)
		clear(wk.stored)
		clear(wk.ended)
		*wk = encodeWork{stored: wk.stored[:0], log: wk.log[:0], evs: wk.evs[:0], outs: wk.outs[:0], ended: wk.ended[:0], vals: wk.vals[:0]}
		return wk
	default:
		return &encodeWork{}
	}
}

// finish waits for the work handed on and returns the encoder's comparison.
func (e *encoder) finish() (*comparison, error) {
	close(e.work)
	return e.cmp, <-e.done
}

func (e *encoder) encode(wk *encodeWork) error {
	c := e.cmp
	for _, kv := range wk.unwrite {
		c.unwrite(kv.k, kv.v)
	}
	if c.listing == nil { // a listing compares no log entries
		for _, s := range wk.stored {
			c.expectLog(s.seq, s.raw)
		}
		for i := range wk.log {
			from := len(wk.vals)
			wk.vals = appendLogEntry(wk.vals, &wk.evs[i], &wk.outs[i])
			wk.log[i].val = wk.vals[from:len(wk.vals):len(wk.vals)]
		}
	}
	w := &txnWriter{txn: c}
	if err := writeLogEntries(w, wk.log); err != nil {
		return err
	}
	var cw convWriter
	for _, x := range wk.ended {
		if _, err := cw.write(w, x.id, nil, x.c, x.parts); err != nil {
			return err
		}
	}
	return nil
}
