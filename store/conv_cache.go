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
// cache holds at most two. A bulk writer's (load, import, sync) holds about
// two days of a 200-person team's conversations (8,500 a day, ~140 bytes
// each), any other writer's about one. Small on purpose: a bulk writer
// runs under a soft heap limit, and every byte held is headroom the
// collector loses between cycles (8 MiB generations cost more in
// collections than they saved in reads; BENCHMARKS.md).
const (
	convCacheGeneration      = 2 << 20
	convCacheGenerationSmall = 1 << 20
)

// convCache is two generations of records: a lookup tries the current
// one, then the previous, and copies a hit there into the current; when
// the current fills, it becomes the previous and the previous is dropped.
// So a record in use stays and the bytes held stay under two generations.
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
// uvarint value length, value) and each one's offset, by id hash.
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
	size := 2*binary.MaxVarintLen32 + len(id) + len(v)
	if size > c.limit {
		delete(c.cur.at, h)
		delete(c.old.at, h)
		return v
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
	g.buf = binary.AppendUvarint(g.buf, uint64(len(v)))
	from := len(g.buf)
	g.buf = append(g.buf, v...)
	return g.buf[from:len(g.buf):len(g.buf)]
}

// get finds conversation id's record under hash h.
func (g *convGeneration) get(h uint64, id string) ([]byte, bool) {
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
	return b[k : k+int(m) : k+int(m)], true
}

// reset forgets every record: what Badger holds is no longer known.
func (c *convCache) reset() {
	if c == nil {
		return
	}
	c.cur, c.old = convGeneration{}, convGeneration{}
}
