package store

import (
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// keyLoad holds the record of the last synthetic load (csat simulate
// load): what it was asked for and how far it got. Only a load writes it,
// so stores without it read as before and no schema change was needed.
var keyLoad = []byte("!load")

// LoadRecord is where a synthetic load stands: the flags that shape its
// history, the log's length when it began, and how many events of its
// stream the store holds. It is written in the transaction of every batch
// of the load (with the last part of a batch committed in parts), so it
// never runs ahead of or behind the log, and a load that was stopped can
// continue its stream after exactly the events committed.
type LoadRecord struct {
	Teammates, Conversations, Days int
	Seed                           int64
	End                            time.Time
	Base                           uint64 // the log's length when the load began
	Events                         uint64 // events of the load's stream committed
	Finished                       bool   // the stream's last event is among them
	// LastAt and LastConv are those of the last event committed: a
	// continuation checks that it regenerates the same stream.
	LastAt   time.Time
	LastConv string
	// Erasures counts the events of erasures' records (csat forget)
	// logged since the load began: bookkeeping, not of its stream and no
	// other data, so an unfinished load goes on after them.
	Erasures uint64
}

func encodeLoadRecord(r *LoadRecord) []byte {
	e := record(64 + len(r.LastConv))
	e.uint(uint64(r.Teammates))
	e.uint(uint64(r.Conversations))
	e.uint(uint64(r.Days))
	e.int(r.Seed)
	e.time(r.End)
	e.uint(r.Base)
	e.uint(r.Events)
	e.bool(r.Finished)
	e.time(r.LastAt)
	e.str(r.LastConv)
	if r.Erasures > 0 { // written only when set: records before it read as none
		e.uint(r.Erasures)
	}
	return e.b
}

func decodeLoadRecord(v []byte) (LoadRecord, error) {
	d := readRecord(v)
	r := LoadRecord{Teammates: int(d.uint()), Conversations: int(d.uint()), Days: int(d.uint()), Seed: d.int(), End: d.time()}
	r.Base, r.Events, r.Finished = d.uint(), d.uint(), d.bool()
	r.LastAt, r.LastConv = d.time(), d.str()
	if d.err == nil && len(d.b) > 0 {
		r.Erasures = d.uint()
	}
	return r, d.done("load record")
}

// ApplyLoadBatch is ApplyBatch for a load: rec, which must count evs in
// its Events, is written in the same transaction as the events.
func (s *Store) ApplyLoadBatch(evs []domain.Event, rec LoadRecord) ([]domain.Outcome, error) {
	return s.applyBatch(evs, encodeLoadRecord(&rec))
}

// LoadRecord returns the record of the last load, if any, and the log's
// length, both from one snapshot.
func (s *Store) LoadRecord() (rec LoadRecord, ok bool, seq uint64, err error) {
	txn, st, done := s.snapshot()
	defer done()
	rec, ok, err = readLoadRecord(txn)
	return rec, ok, st.seq, err
}

func readLoadRecord(txn *badger.Txn) (rec LoadRecord, ok bool, err error) {
	err = getValue(txn, keyLoad, func(v []byte) (err error) {
		ok = true
		rec, err = decodeLoadRecord(v)
		return err
	})
	return rec, ok, err
}

// writeLoadRecord puts the load record the batch carries, if any.
func (b *batch) writeLoadRecord(w *txnWriter) error {
	if b.loadRecord == nil {
		return nil
	}
	return w.set(keyLoad, b.loadRecord)
}

// checkLoadRecord is what Check says of the load record of a snapshot
// whose log ends at seq: no replay derives it, but it must decode and
// must not count events the log does not hold.
func checkLoadRecord(txn *badger.Txn, seq uint64) []Difference {
	rec, ok, err := readLoadRecord(txn)
	switch {
	case err != nil:
		return []Difference{{Key: "load record", Stored: fmt.Sprintf("an unreadable record (%v)", err), Replayed: "(not derived from the log)"}}
	case ok && rec.Base+rec.Events+rec.Erasures > seq:
		return []Difference{{Key: "load record", Stored: fmt.Sprintf("%d events of a load after event %d, and %d of erasures", rec.Events, rec.Base, rec.Erasures),
			Replayed: fmt.Sprintf("a log of %d events", seq)}}
	}
	return nil
}

// carryLoadRecord copies the load record into to, a store an erasure
// rebuilt from the log, which would otherwise lose it (no event logs it):
// the erasure changes no event of the load's stream, and the erasure's
// record, erasures events logged after them, counts in its Erasures.
func (s *Store) carryLoadRecord(to *Store, erasures uint64) error {
	rec, ok, _, err := s.LoadRecord()
	if err != nil || !ok {
		return err
	}
	rec.Erasures += erasures
	return to.db.Update(func(txn *badger.Txn) error { return txn.Set(keyLoad, encodeLoadRecord(&rec)) })
}
