package store

// A conversation's parts: the sequence numbers of its log entries, in log
// order. Its record (v/) holds the first inlinePartsMax of them, as delta
// varints after its other fields; the parts past those are p/ keys, one
// each, as every part was before schema 10. A record rewritten once per
// batch that touches it stays bounded however many parts a conversation
// gathers, and nearly every conversation writes no p/ key at all
// (doc.go, "Key layout").

import (
	"bytes"
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// convRecord is a conversation's record: its rule state, whose UpdatedAt
// (the time of its latest event) orders the list, and its parts.
type convRecord struct {
	domain.Conversation
	parts partList
}

// inlinePartsMax is how many parts a conversation record holds. A
// variable for the tests.
var inlinePartsMax = 128

// partList is a conversation's parts as its record says them.
type partList struct {
	inline []uint64 // its first parts, in log order
	more   uint64   // how many parts follow them, each a p/ key
	// keyed says the record predates the list (schema 9 and older, or a
	// record an interrupted upgrade has not reached): every part is a p/ key.
	keyed bool
}

// add appends a part and reports whether it is a p/ key.
func (p *partList) add(seq uint64) (asKey bool) {
	if p.keyed || len(p.inline) >= inlinePartsMax {
		p.more++
		return true
	}
	p.inline = append(p.inline, seq)
	return false
}

// clone is a copy whose inline list the copy's adds do not share.
func (p *partList) clone() *partList {
	c := *p
	c.inline = append(make([]uint64, 0, len(p.inline)+4), p.inline...)
	return &c
}

// hasKeys says whether some parts are p/ keys.
func (p *partList) hasKeys() bool { return p.keyed || p.more > 0 }

// listOf is the part list of seqs (in log order), as add would build it.
func listOf(seqs []uint64) *partList {
	p := &partList{}
	for _, seq := range seqs {
		p.add(seq)
	}
	return p
}

// parts encodes the list: the number inline, the first, each one's
// distance from the one before, the number of p/ keys.
func (e *enc) parts(p *partList) {
	e.uint(uint64(len(p.inline)))
	prev := uint64(0)
	for _, seq := range p.inline {
		e.uint(seq - prev)
		prev = seq
	}
	e.uint(p.more)
}

func (d *dec) parts() partList {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return partList{}
	}
	var p partList
	if n > 0 {
		p.inline = make([]uint64, n)
	}
	prev := uint64(0)
	for i := range p.inline {
		delta := d.uint()
		if delta == 0 || prev+delta < prev {
			d.fail() // sequence numbers rise, from 1
			return partList{}
		}
		prev += delta
		p.inline[i] = prev
	}
	p.more = d.uint()
	return p
}

// keyedParts calls fn with the seq of each of conv's p/ keys, in log
// order, through it (an iterator over p/, moved forward at most gap keys
// before it seeks).
func keyedParts(it *badger.Iterator, conv string, gap int, fn func(seq uint64) error) error {
	pre := partPrefix(conv)
	for advanceTo(it, pre, gap); it.ValidForPrefix(pre); it.Next() {
		k := it.Item().Key()
		if len(k) != len(pre)+8 {
			return fmt.Errorf("part key %q: %w", k, errCorrupt)
		}
		if err := fn(readSeq(k[len(pre):])); err != nil {
			return err
		}
	}
	return nil
}

// eachPart calls fn with each part of conv, whose record holds list, in
// log order: those inline, then its p/ keys.
func eachPart(txn *badger.Txn, conv string, list *partList, fn func(seq uint64) error) error {
	for _, seq := range list.inline {
		if err := fn(seq); err != nil {
			return err
		}
	}
	if !list.hasKeys() {
		return nil
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: partPrefix(conv)})
	defer it.Close()
	return keyedParts(it, conv, 0, fn)
}

// storedParts calls fn with each stored part of conv, in log order; a
// conversation without a record has none.
func storedParts(txn *badger.Txn, conv string, fn func(seq uint64) error) error {
	r, found, err := getConversation(txn, conv)
	if err != nil || !found {
		return err
	}
	return eachPart(txn, conv, &r.parts, fn)
}

// recordParts decodes only what a reader of parts needs of a record: its
// part list (its strings are read past, not copied).
func recordParts(v []byte, conv string) (partList, error) {
	d := readRecord(v)
	d.skip = true
	r := d.conversation()
	if d.err == nil && len(d.b) == 0 {
		return r.parts, nil
	}
	return r.parts, d.done("conversation " + conv)
}

// partsWalk reads the parts of conversations asked for in id order: one
// iterator over the records, stepping over at most a 32nd of the keys'
// gap between two asked for (a record stands for several p/ keys, and
// stepping over 32 records cost a what-if more CPU than seeking past 8:
// BENCHMARKS.md), and one over the p/ keys for those with more parts
// than their record holds.
type partsWalk struct {
	txn   *badger.Txn
	convs *badger.Iterator
	keys  *badger.Iterator
	gap   int
	key   []byte
}

func newPartsWalk(txn *badger.Txn, gap int) *partsWalk {
	return &partsWalk{txn: txn, convs: txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pConv)}), gap: gap}
}

func (w *partsWalk) close() {
	w.convs.Close()
	if w.keys != nil {
		w.keys.Close()
	}
}

// each calls fn with each part of conv, in log order, last set on the
// last; a conversation without a record has none.
func (w *partsWalk) each(conv string, fn func(seq uint64, last bool)) error {
	w.key = append(append(w.key[:0], pConv, '/'), conv...)
	advanceTo(w.convs, w.key, w.gap/32)
	if !w.convs.Valid() || !bytes.Equal(w.convs.Item().Key(), w.key) {
		return nil
	}
	var list partList
	if err := w.convs.Item().Value(func(v []byte) (err error) {
		list, err = recordParts(v, conv)
		return err
	}); err != nil {
		return err
	}
	var pending uint64
	have := false
	emit := func(seq uint64) error {
		if have {
			fn(pending, false)
		}
		pending, have = seq, true
		return nil
	}
	for _, seq := range list.inline {
		emit(seq)
	}
	var err error
	if list.hasKeys() {
		if w.keys == nil {
			w.keys = w.txn.NewIterator(badger.IteratorOptions{Prefix: prefix(pPart)})
		}
		err = keyedParts(w.keys, conv, w.gap, emit)
	}
	if have {
		fn(pending, true)
	}
	return err
}
