package store

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

// convCacheGeneration bounds one generation of the cache in bytes (keys,
// values and a map entry's overhead); the cache holds at most two. A bulk
// writer's (load, import, sync) holds the conversations of a few days of
// a 200-person team's traffic (8,500 a day, ~200 bytes each); any other
// writer's, about one day's.
const (
	convCacheGeneration      = 8 << 20
	convCacheGenerationSmall = 1 << 20
)

// convCacheEntryOverhead approximates what a map entry costs beyond its
// key's and value's bytes (headers, buckets).
const convCacheEntryOverhead = 64

// convCache is two generations of records: a lookup tries the current
// one, then the previous, and moves a hit there into the current; when
// the current fills, it becomes the previous and the previous is dropped.
// So a record in use stays and the bytes held stay under two generations.
type convCache struct {
	limit    int
	cur, old map[string][]byte
	curBytes int
}

func newConvCache(limit int) *convCache { return &convCache{limit: limit} }

// get returns the committed record of conversation id, if cached. The
// bytes are shared: callers only decode them.
func (c *convCache) get(id string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	if v, ok := c.cur[id]; ok {
		return v, true
	}
	v, ok := c.old[id]
	if ok {
		c.put(id, v)
	}
	return v, ok
}

// put records v as conversation id's committed record; v must not change
// afterwards.
func (c *convCache) put(id string, v []byte) {
	if c == nil {
		return
	}
	if c.cur == nil {
		c.cur = map[string][]byte{}
	}
	if prev, ok := c.cur[id]; ok {
		c.curBytes -= len(prev)
	} else {
		c.curBytes += len(id) + convCacheEntryOverhead
	}
	c.cur[id] = v
	c.curBytes += len(v)
	if c.curBytes >= c.limit {
		c.old, c.cur, c.curBytes = c.cur, make(map[string][]byte, len(c.cur)), 0
	}
}

// reset forgets every record: what Badger holds is no longer known.
func (c *convCache) reset() {
	if c == nil {
		return
	}
	c.cur, c.old, c.curBytes = nil, nil, 0
}
