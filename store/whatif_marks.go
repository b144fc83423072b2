package store

// The log entries a what-if replays, marked a bit each by sequence
// number: sorted as they are marked, whatever order the index of
// decisions names their conversations in, and a bit an entry where a
// list of sequence numbers took 8 bytes and a sort. A window's entries
// cluster at the log's end, so the pages are made as marks reach them.

import (
	"math/bits"
	"slices"
)

// marksPageSeqs is the number of sequence numbers a page of marks covers.
const marksPageSeqs = 1 << 15

// A marksPage marks the entries of its sequence numbers, and among them
// the last part of each conversation.
type marksPage struct {
	entries, last [marksPageSeqs / 64]uint64
}

// windowMarks are the entries of a what-if window.
type windowMarks struct {
	pages map[uint64]*marksPage
	n     int // entries marked
}

func newWindowMarks() *windowMarks { return &windowMarks{pages: map[uint64]*marksPage{}} }

// add marks seq, and as the last part of its conversation if last.
func (m *windowMarks) add(seq uint64, last bool) {
	p := m.pages[seq/marksPageSeqs]
	if p == nil {
		p = &marksPage{}
		m.pages[seq/marksPageSeqs] = p
	}
	w, bit := seq%marksPageSeqs/64, uint64(1)<<(seq%64)
	if p.entries[w]&bit == 0 {
		m.n++
	}
	p.entries[w] |= bit
	if last {
		p.last[w] |= bit
	}
}

// has reports whether seq is marked.
func (m *windowMarks) has(seq uint64) bool {
	p := m.pages[seq/marksPageSeqs]
	return p != nil && p.entries[seq%marksPageSeqs/64]&(1<<(seq%64)) != 0
}

// each calls fn with the marked entries in order, until fn returns false.
func (m *windowMarks) each(fn func(seq uint64, last bool) bool) {
	pages := make([]uint64, 0, len(m.pages))
	for n := range m.pages {
		pages = append(pages, n)
	}
	slices.Sort(pages)
	for _, n := range pages {
		p := m.pages[n]
		for w, word := range p.entries {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &= word - 1
				seq := n*marksPageSeqs + uint64(w)*64 + uint64(b)
				if !fn(seq, p.last[w]&(1<<b) != 0) {
					return
				}
			}
		}
	}
}
