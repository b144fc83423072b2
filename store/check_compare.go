package store

// The comparison a check's replay writes into (a keyWriter in place of a
// Badger transaction): log entries are matched with the stored ones as
// they stream, the families that grow with conversations are summed per
// group of keys, the rest is kept whole and compared at the end.

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"sort"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// sumGroupBits splits the summed keys into 4,096 groups: their sums (64
// KiB a side) stay in the processor's cache while the replay adds to them
// at random. A damage of a few keys lists a few groups' keys again (a
// 20-million-event store has some 7,000 keys a group), and a store
// damaged all over at most maxListedGroups of them.
const (
	sumGroupBits    = 12
	sumGroups       = 1 << sumGroupBits
	maxListedGroups = 32
	// maxDifferences bounds the differences kept for the report; the rest
	// are counted.
	maxDifferences = 10000
)

// groupSums are, per group of keys, how many keys it holds and the sum
// of their hashes (key and value).
type groupSums [sumGroups]struct{ n, h uint64 }

func (s *groupSums) add(g int, h uint64) { s[g].n++; s[g].h += h }

func (s *groupSums) sub(g int, h uint64) { s[g].n--; s[g].h -= h }

func (s *groupSums) addAll(o *groupSums) {
	for g := range o {
		s[g].n += o[g].n
		s[g].h += o[g].h
	}
}

// keyHash hashes keys and values with one seed for both sides of a check.
type keyHash struct{ seed maphash.Seed }

// of returns the group of key k and the hash of k with value v.
func (x keyHash) of(k, v []byte) (group int, h uint64) {
	hk := maphash.Bytes(x.seed, k)
	hv := maphash.Bytes(x.seed, v)
	return int(hk >> (64 - sumGroupBits)), hk ^ (hv*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
}

// storedEntry is a stored log entry the replay has not reached yet.
type storedEntry struct {
	seq uint64
	raw []byte
}

// keyedDiff is a difference with the key it is about, to report them in key order.
type keyedDiff struct {
	key []byte
	d   Difference
}

// comparison collects what a replay writes and how it differs from the store.
type comparison struct {
	hash     keyHash
	stored   *groupSums // the stored summed keys (check_source.go)
	replayed *groupSums
	kept     map[string][]byte // the replay's wholeInMemory keys
	log      []storedEntry     // stored entries waiting for the replay, in log order
	logHead  int

	// listing, in the second replay: the groups whose keys to list, and
	// the replay's keys found in them.
	listing map[int]bool
	found   map[string][]byte

	agentsStored, agentsReplayed []domain.Actor // to name agents in counters
	diffs                        []keyedDiff
	more                         int // differences beyond maxDifferences
}

func newComparison(agents []domain.Actor) *comparison {
	return &comparison{
		hash: keyHash{maphash.MakeSeed()}, stored: new(groupSums), replayed: new(groupSums),
		kept: map[string][]byte{}, agentsStored: agents,
	}
}

// child is a comparison for the encoder's goroutine (check_worker.go):
// the same hash and listing, sums and differences of its own.
func (c *comparison) child() *comparison {
	ch := &comparison{hash: c.hash, replayed: new(groupSums), kept: map[string][]byte{}, listing: c.listing, agentsStored: c.agentsStored}
	if c.listing != nil {
		ch.found = map[string][]byte{}
	}
	return ch
}

// adopt adds what the child ch compared once its goroutine has ended: its
// sums, its keys, and its differences ahead of c's, as the log's came
// first when one goroutine compared everything.
func (c *comparison) adopt(ch *comparison) {
	ch.unmatchedLog()
	c.replayed.addAll(ch.replayed)
	for k, v := range ch.kept {
		c.kept[k] = v
	}
	for k, v := range ch.found {
		c.found[k] = v
	}
	diffs := append(ch.diffs, c.diffs...)
	c.more += ch.more + max(0, len(diffs)-maxDifferences)
	c.diffs = diffs[:min(len(diffs), maxDifferences)]
}

// Set takes a key the replay writes.
func (c *comparison) Set(k, v []byte) error {
	switch comparedHow(k) {
	case inLogOrder:
		if c.listing == nil {
			c.matchLogEntry(k, v)
		}
	case summed:
		g, h := c.hash.of(k, v)
		switch {
		case c.listing == nil:
			c.replayed.add(g, h)
		case c.listing[g]:
			c.found[string(k)] = bytes.Clone(v)
		}
	case wholeInMemory:
		if c.listing == nil {
			c.kept[string(k)] = bytes.Clone(v)
		}
	}
	return nil
}

// unwrite takes back a summed key the replay wrote with value v.
func (c *comparison) unwrite(k, v []byte) {
	g, h := c.hash.of(k, v)
	if c.listing == nil {
		c.replayed.sub(g, h)
	} else {
		delete(c.found, string(k))
	}
}

// Delete takes a key the replay deletes. Check's replay starts from an
// empty store, so it only ever deletes what it wrote itself; a summed key
// cannot be taken back out of its sum without its value.
func (c *comparison) Delete(k []byte) error {
	switch comparedHow(k) {
	case wholeInMemory:
		delete(c.kept, string(k))
		return nil
	case notCompared:
		return nil
	}
	return fmt.Errorf("check: the replay deletes %s, which it never wrote", keyName(k))
}

// expectLog queues a stored log entry the replay is about to reach.
func (c *comparison) expectLog(seq uint64, raw []byte) {
	if c.logHead > 4096 && c.logHead*2 > len(c.log) {
		c.log = append(c.log[:0], c.log[c.logHead:]...)
		c.logHead = 0
	}
	c.log = append(c.log, storedEntry{seq, raw})
}

// matchLogEntry compares the replay's log entry k with the stored one.
func (c *comparison) matchLogEntry(k, v []byte) {
	seq := readSeq(k[2:])
	for {
		if c.logHead == len(c.log) || c.log[c.logHead].seq > seq {
			c.differ(k, nil, v)
			return
		}
		e := c.log[c.logHead]
		c.log[c.logHead] = storedEntry{}
		c.logHead++
		if e.seq < seq {
			c.differ(seqKey(pLog, e.seq), e.raw, nil)
			continue
		}
		if !bytes.Equal(e.raw, v) {
			c.differ(k, e.raw, v)
		}
		return
	}
}

// unmatchedLog reports the stored entries no replayed entry met.
func (c *comparison) unmatchedLog() {
	for _, e := range c.log[c.logHead:] {
		c.differ(seqKey(pLog, e.seq), e.raw, nil)
	}
	c.log, c.logHead = nil, 0
}

// differ records that key k is stored (nil: absent) and replayed (nil: absent).
func (c *comparison) differ(k, stored, replayed []byte) {
	for _, d := range describe(k, stored, replayed, c.agentsStored, c.agentsReplayed) {
		if len(c.diffs) >= maxDifferences {
			c.more++
			continue
		}
		c.diffs = append(c.diffs, keyedDiff{bytes.Clone(k), d})
	}
}

// compareKept compares the replay's wholeInMemory keys with the stored ones.
func (c *comparison) compareKept(txn *badger.Txn) error {
	err := c.merge(func(fn func(k, v []byte)) error { return eachStoredKept(txn, fn) }, c.kept)
	c.kept = nil
	return err
}

// merge walks the stored keys each yields, in key order, beside the
// replay's keys in want, and records every difference.
func (c *comparison) merge(each func(fn func(k, v []byte)) error, want map[string][]byte) error {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	next := 0
	err := each(func(k, v []byte) {
		for next < len(keys) && keys[next] < string(k) {
			c.differ([]byte(keys[next]), nil, want[keys[next]])
			next++
		}
		if next < len(keys) && keys[next] == string(k) {
			if !bytes.Equal(v, want[keys[next]]) {
				c.differ(k, v, want[keys[next]])
			}
			next++
			return
		}
		c.differ(k, v, nil)
	})
	for ; next < len(keys); next++ {
		c.differ([]byte(keys[next]), nil, want[keys[next]])
	}
	return err
}

// differingGroups lists the groups whose sums differ, at most
// maxListedGroups of them, and how many more differ.
func (c *comparison) differingGroups() (groups map[int]bool, more int) {
	groups = map[int]bool{}
	for g := range c.stored {
		if c.stored[g] == c.replayed[g] {
			continue
		}
		if len(groups) == maxListedGroups {
			more++
			continue
		}
		groups[g] = true
	}
	return groups, more
}

// differences are the differences found, in key order, with a last line
// for those not listed.
func (c *comparison) differences(unlistedGroups int) []Difference {
	sort.SliceStable(c.diffs, func(i, j int) bool { return bytes.Compare(c.diffs[i].key, c.diffs[j].key) < 0 })
	out := make([]Difference, 0, len(c.diffs)+1)
	for _, d := range c.diffs {
		out = append(out, d.d)
	}
	if c.more > 0 || unlistedGroups > 0 {
		out = append(out, Difference{
			Key:      "further keys",
			Stored:   fmt.Sprintf("%d more differences and %d more groups of conversation keys that differ", c.more, unlistedGroups),
			Replayed: "not listed: repair the ones above and check again",
		})
	}
	return out
}

// storedEntryKV is a stored key and value of a listed group.
type storedEntryKV struct{ k, v []byte }
