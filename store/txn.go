package store

import (
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

// errTooBig says a batch must be split.
var errTooBig = errors.New("batch too big for one transaction")

// txnWriter is the one place a batch's keys enter a Badger transaction:
// it maps Badger's "transaction too big" to errTooBig, and shows every
// entry to the store's test observer.
type txnWriter struct {
	txn     keyWriter
	onEntry func(k, v []byte)
	// entries is where a Badger transaction's entries are made, a chunk
	// at a time: one allocation for hundreds of keys instead of one a
	// key. Badger holds an entry until its commit has landed, so a chunk
	// is never reused, only dropped with the transaction.
	//
	// Every key and value given to set and del stays unchanged until the
	// transaction's commit has landed (Settle, or Commit's return):
	// Badger's Set says so, the entry holds the caller's slices, and its
	// map of pending writes is keyed by the key's very bytes
	// (third_party/badger/CSAT.md). The batch's keys and records are cut
	// from chunks never written over (keyArena), its log values likewise
	// (batch.logValue), every other key and value is made for its call.
	// TestBatchKeysAndValuesStayAsSetUntilTheirCommitLands holds a
	// pipeline to it.
	entries []badger.Entry
	// n counts the keys set and deleted.
	n int
}

// entryChunk is how many entries txnWriter makes at once.
const entryChunk = 512

// entrySetter is a keyWriter that takes entries the caller made: a
// Badger transaction.
type entrySetter interface {
	SetEntry(e *badger.Entry) error
}

// keyWriter takes a batch's keys: a Badger transaction, or Check's
// comparison with the stored keys (check_compare.go).
type keyWriter interface {
	Set(k, v []byte) error
	Delete(k []byte) error
}

var emptyValue = []byte{}

func (w *txnWriter) set(k, v []byte) error {
	w.n++
	if v == nil {
		v = emptyValue
	}
	if w.onEntry != nil {
		w.onEntry(k, v)
	}
	if es, ok := w.txn.(entrySetter); ok {
		return mapTooBig(es.SetEntry(w.entry(k, v)))
	}
	return mapTooBig(w.txn.Set(k, v))
}

// entry is a new entry of key k and value v, from the current chunk.
func (w *txnWriter) entry(k, v []byte) *badger.Entry {
	if len(w.entries) == cap(w.entries) {
		w.entries = make([]badger.Entry, 0, entryChunk)
	}
	w.entries = append(w.entries, badger.Entry{Key: k, Value: v})
	return &w.entries[len(w.entries)-1]
}

func (w *txnWriter) del(k []byte) error {
	w.n++
	if w.onEntry != nil {
		w.onEntry(k, nil)
	}
	return mapTooBig(w.txn.Delete(k))
}

func mapTooBig(err error) error {
	if errors.Is(err, badger.ErrTxnTooBig) {
		return errTooBig
	}
	return err
}
