package store

// The derived index keys of conversations: the list by last update, the
// follow-up candidates (by first rating and by agent), the achievements
// and the ratings by agent.

import (
	"bytes"

	"github.com/csat-app/csat/domain"
)

// writeConversations puts each touched conversation's record and moves its
// index keys from the state before the batch to the state after.
func (b *batch) writeConversations(w *txnWriter) error {
	b.wrote = b.wrote[:0]
	for _, id := range b.order {
		bc := b.convs[id]
		b.written.add(id)
		v, err := b.cw.write(w, id, bc.before, b.ws.Conversations[id], bc.partList())
		if err != nil {
			return err
		}
		b.wrote = append(b.wrote, committedConv{id: id, val: v})
	}
	return nil
}

// committedConv is a conversation record a batch writes, kept for the
// writer's cache (conv_cache.go) until the commit lands.
type committedConv struct {
	id  string
	val []byte
}

// convWriter writes conversation records and their index keys. The
// records and keys are cut from chunks (keyArena) and a chunk is never
// written over, only dropped with the writer: Badger's transaction holds
// the keys (its map of pending writes is keyed by their bytes,
// third_party/badger/CSAT.md) and values until the commit has landed,
// the batch after reads the records (aheadOf) until it is sent, and the
// writer's cache copies them at publish. A load's batch that took over
// the chunks of the batch two before was tried and dropped
// (BENCHMARKS.md, "the collector and allocations an event"): what is reused here is only what nothing holds once
// the next conversation is written.
type convWriter struct {
	// scratch is where a record is encoded; the arena copies it before
	// the next record is encoded.
	scratch []byte
	arena   keyArena
	// The lists of a conversation's index keys, reused for the next
	// conversation: they hold the keys' slices, not their bytes, and
	// Badger took each key it was given from the slice itself.
	old, now   [][]byte
	dels, sets [][]byte
}

// write puts conversation id's record, c with its parts, and moves its
// index keys from before (nil: new) to c. It returns the record's value:
// the writer's cache holds it.
func (cw *convWriter) write(w *txnWriter, id string, before *convRecord, c *domain.Conversation, parts *partList) ([]byte, error) {
	after := convRecord{Conversation: *c, parts: *parts}
	cw.scratch = appendConversation(cw.scratch[:0], &after)
	v := cw.arena.copy(cw.scratch)
	if err := w.set(cw.arena.convKey(id), v); err != nil {
		return nil, err
	}
	cw.indexDiff(before, &after)
	for _, k := range cw.dels {
		if err := w.del(k); err != nil {
			return nil, err
		}
	}
	for _, k := range cw.sets {
		if err := w.set(k, nil); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// indexKeys lists the index keys a conversation's state implies: its place
// in the list, and each rated slot's entries: by agent, and as a follow-up
// candidate (f/ and o/) and an achievement when it is one. Membership
// asks the domain (classes, queue entries); the threshold is applied on read.
func indexKeys(r *convRecord) [][]byte {
	var a keyArena
	return a.indexKeys(r, nil)
}

// indexKeys appends r's index keys (the function indexKeys) to keys, cut
// from the arena.
func (a *keyArena) indexKeys(r *convRecord, keys [][]byte) [][]byte {
	a.room(updatedKeyLen(r.ID))
	keys = append(keys, a.cut(len(a.buf), appendUpdatedKey(a.buf, r.UpdatedAt, r.ID)))
	for i := range r.Slots {
		sl := &r.Slots[i]
		if sl.Value == 0 {
			continue
		}
		a.room(agentKeyLen(sl.Agent, r.ID))
		keys = append(keys, a.cut(len(a.buf), appendAgentKey(a.buf, pByAgent, sl.Agent, sl.FirstRatedAt, r.ID)))
		if sl.FollowUpCandidate() {
			a.room(slotKeyLen(r.ID, sl.Agent))
			keys = append(keys, a.cut(len(a.buf), appendSlotKey(a.buf, pFollowUp, sl.FirstRatedAt, r.ID, sl.Agent)))
			a.room(agentKeyLen(sl.Agent, r.ID))
			keys = append(keys, a.cut(len(a.buf), appendAgentKey(a.buf, pAgentFollowUp, sl.Agent, sl.FirstRatedAt, r.ID)))
		}
		if domain.ClassOf(sl.Value) == domain.ClassPositive {
			a.room(slotKeyLen(r.ID, sl.Agent))
			keys = append(keys, a.cut(len(a.buf), appendSlotKey(a.buf, pAchieve, sl.LastChangedAt, r.ID, sl.Agent)))
		}
	}
	return keys
}

// indexDiff sets dels and sets to the index keys to delete and set when a
// conversation moves from before (nil: new) to after.
func (cw *convWriter) indexDiff(before, after *convRecord) {
	cw.old, cw.now = cw.old[:0], cw.arena.indexKeys(after, cw.now[:0])
	if before != nil {
		cw.old = cw.arena.indexKeys(before, cw.old)
	}
	cw.dels, cw.sets = cw.dels[:0], cw.sets[:0]
	for _, k := range cw.old {
		if !containsKey(cw.now, k) {
			cw.dels = append(cw.dels, k)
		}
	}
	for _, k := range cw.now {
		if !containsKey(cw.old, k) {
			cw.sets = append(cw.sets, k)
		}
	}
}

// keyArena cuts keys and values from chunks of keyArenaChunk bytes (a
// zero chunk: each its own allocation, of its size). What it cuts stays
// valid for as long as it is held: a full chunk is left to what was cut
// from it, never written over.
type keyArena struct {
	buf   []byte
	chunk int
}

// keyArenaChunk is the size of a batch's chunks of keys and records: a
// conversation's record and keys take a few hundred bytes.
const keyArenaChunk = 32 << 10

// room makes room for n more bytes in the current chunk.
func (a *keyArena) room(n int) {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(a.chunk, n))
	}
}

// cut takes what was appended to the chunk from offset from on as buf
// (the chunk, appended to); should an append have outgrown the room
// made, buf is a new array and becomes the chunk.
func (a *keyArena) cut(from int, buf []byte) []byte {
	a.buf = buf
	return buf[from:len(buf):len(buf)]
}

// copy is a copy of v cut from the arena.
func (a *keyArena) copy(v []byte) []byte {
	a.room(len(v))
	return a.cut(len(a.buf), append(a.buf, v...))
}

func (a *keyArena) convKey(id string) []byte {
	a.room(2 + len(id))
	return a.cut(len(a.buf), appendConvKey(a.buf, id))
}

func containsKey(ks [][]byte, k []byte) bool {
	for _, x := range ks {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}
