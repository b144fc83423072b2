package store

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
)

// The writer's cache of conversation records. A load's batch touches
// ~1,500 conversations that earlier batches wrote, and reading each back
// through Badger walks every level of the tree (a deeper tree, a dearer
// read). The cache keeps the records the last commits wrote, as the very
// bytes committed, so a batch decodes them from memory and asks Badger only
// for those that fell out. Holding bytes, not decoded state, keeps it
// exactly what Badger holds: a batch decodes either alike.
//
// It is the writer's alone (used under writeMu): filled only once a commit
// has landed (publish), emptied when a commit fails (Badger may or may not
// hold it) and when the database is replaced (a rebuild). Readers never
// see it; they read their snapshots. A store opened read-only has none.

// convCacheGeneration bounds one generation of the cache in bytes; the
// cache holds at most two. A bulk writer's (load, import, sync) holds
// about three days of the realistic load's conversations (8,500 started a
// day by 200 people, ~150 bytes each with its slack): its conversations
// come back hours or days apart (a reply, a close, a rating days later),
// and one that fell out is read back through every level of the tree.
// Simulated on that load's stream, 2 MiB generations missed 16% of the
// records already written, 8 MiB ones rewritten in place 0.7% (a load
// at that density read back 1.9%; BENCHMARKS.md). A bulk writer's Badger block cache is smaller by as
// much (badger_options.go): the cache answers the reads it served. Any
// other writer's holds about a day of a 200-person team's.
const (
	convCacheGeneration      = 8 << 20
	convCacheGenerationSmall = 1 << 20
)

// convCache is two generations of records: a lookup tries the current
// one, then the previous, and copies a hit there into the current; when
// the current fills, it becomes the previous and the previous is dropped.
// So a record in use stays and the bytes held stay under two generations.
// A record put again while its generation is current is rewritten in its
// place when it fits there (each is given some slack to grow), not
// appended: a conversation is written by several batches in a row, and
// appending each version filled a generation with superseded copies.
//
// A generation holds no pointers for the collector to follow, however many
// records it keeps: one buffer of records and a map from a hash of the
// conversation id to a record's place. A record names its id, so a lookup
// whose hash meets another conversation's record misses (and reads Badger).
type convCache struct {
	limit    int
	seed     maphash.Seed
	cur, old convGeneration
}

// convGeneration is records appended to buf (uvarint id length, id,
// uvarint slot size, the value's length in 4 bytes, the value in a slot
// of that size) and each one's offset, by id hash.
type convGeneration struct {
	at  map[uint64]uint32
	buf []byte
}

func newConvCache(limit int) *convCache {
	return &convCache{limit: limit, seed: maphash.MakeSeed()}
}

// get returns the committed record of conversation id, if cached. The
// bytes are the cache's, valid until the next put: callers decode them at
// once.
func (c *convCache) get(id string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	return c.getHashed(maphash.String(c.seed, id), id)
}

func (c *convCache) getHashed(h uint64, id string) ([]byte, bool) {
	if v, ok := c.cur.get(h, id); ok {
		return v, true
	}
	v, ok := c.old.get(h, id)
	if ok {
		// Copied first: the current generation may take over the
		// buffer v is in.
		v = c.put1(h, id, bytes.Clone(v))
	}
	return v, ok
}

// put records v as conversation id's committed record (copied).
func (c *convCache) put(id string, v []byte) {
	if c == nil {
		return
	}
	c.put1(maphash.String(c.seed, id), id, v)
}

// put1 copies the record into the current generation and returns the
// copy. An older record under the same hash, in the previous generation,
// goes: it is either this conversation's, superseded, or another's.
func (c *convCache) put1(h uint64, id string, v []byte) []byte {
	slot := len(v) + recordSlack(len(v))
	size := 2*binary.MaxVarintLen32 + 4 + len(id) + slot
	if size > c.limit {
		delete(c.cur.at, h)
		delete(c.old.at, h)
		return v
	}
	if at, ok := c.cur.slot(h, id); ok && len(at)-4 >= len(v) {
		return c.cur.rewrite(at, v)
	}
	if c.cur.at == nil || len(c.cur.buf)+size > c.limit {
		// The dropped generation's buffer is reused: no record of it is
		// held past a get.
		buf := c.old.buf[:0]
		if cap(buf) < c.limit {
			buf = make([]byte, 0, c.limit)
		}
		c.old, c.cur = c.cur, convGeneration{at: make(map[uint64]uint32, len(c.cur.at)), buf: buf}
	}
	delete(c.old.at, h)
	g := &c.cur
	g.at[h] = uint32(len(g.buf))
	g.buf = binary.AppendUvarint(g.buf, uint64(len(id)))
	g.buf = append(g.buf, id...)
	g.buf = binary.AppendUvarint(g.buf, uint64(slot))
	from := len(g.buf)
	g.buf = append(g.buf, make([]byte, 4+slot)...)
	return g.rewrite(g.buf[from:], v)
}

// recordSlack is the room left after a record of n bytes for it to grow
// in place: a conversation's record grows by a slot or a customer at a
// time, some tens of bytes.
func recordSlack(n int) int { return 32 + n/8 }

// rewrite puts v into the slot at (its length, then room for the value)
// and returns the value as held.
func (g *convGeneration) rewrite(at, v []byte) []byte {
	binary.LittleEndian.PutUint32(at, uint32(len(v)))
	n := copy(at[4:], v)
	return at[4 : 4+n : 4+n]
}

// get finds conversation id's record under hash h.
func (g *convGeneration) get(h uint64, id string) ([]byte, bool) {
	at, ok := g.slot(h, id)
	if !ok {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(at))
	return at[4 : 4+n : 4+n], true
}

// slot is the place of conversation id's record under hash h: its length
// and the room for its value, as slotted (len is 4 + the room).
func (g *convGeneration) slot(h uint64, id string) ([]byte, bool) {
	off, ok := g.at[h]
	if !ok {
		return nil, false
	}
	b := g.buf[off:]
	n, k := binary.Uvarint(b)
	b = b[k:]
	if n != uint64(len(id)) || string(b[:n]) != id {
		return nil, false
	}
	b = b[n:]
	m, k := binary.Uvarint(b)
	return b[k : k+4+int(m) : k+4+int(m)], true
}

// reset forgets every record: what Badger holds is no longer known.
func (c *convCache) reset() {
	if c == nil {
		return
	}
	c.cur, c.old = convGeneration{}, convGeneration{}
}
