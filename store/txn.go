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
}

// keyWriter takes a batch's keys: a Badger transaction, or Check's
// comparison with the stored keys (check_compare.go).
type keyWriter interface {
	Set(k, v []byte) error
	Delete(k []byte) error
}

var emptyValue = []byte{}

func (w *txnWriter) set(k, v []byte) error {
	if v == nil {
		v = emptyValue
	}
	if w.onEntry != nil {
		w.onEntry(k, v)
	}
	return mapTooBig(w.txn.Set(k, v))
}

func (w *txnWriter) del(k []byte) error {
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
