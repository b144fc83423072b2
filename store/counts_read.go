package store

// Reading (agent id, counts)* records in place: the hot loop of every
// leaderboard and series, which decode a record per agent per day.

import (
	"encoding/binary"

	"github.com/csat-app/csat/domain"
)

// uvarintAt decodes the uvarint at v[pos:] and returns the position after
// it, or -1 for a damaged one. Agent ids under 128 take the one-byte path.
func uvarintAt(v []byte, pos int) (uint64, int) {
	if pos < len(v) && v[pos] < 0x80 {
		return uint64(v[pos]), pos + 1
	}
	if pos >= len(v) {
		return 0, -1
	}
	x, n := binary.Uvarint(v[pos:])
	if n <= 0 {
		return 0, -1
	}
	return x, pos + n
}

// varintAt decodes the zigzag varint at v[pos:] as binary.Varint does, or
// returns -1 for the position of a damaged one. A day's count of one
// agent is nearly always under 64: one byte.
func varintAt(v []byte, pos int) (int64, int) {
	if pos < len(v) && v[pos] < 0x80 {
		b := int64(v[pos])
		return b>>1 ^ -(b & 1), pos + 1
	}
	if pos >= len(v) {
		return 0, -1
	}
	x, n := binary.Varint(v[pos:])
	if n <= 0 {
		return 0, -1
	}
	return x, pos + n
}

// addCounts decodes one agent's counts at v[pos:] (the layout of
// enc.counts) straight into c, and returns the position after them, or -1
// for a damaged record.
func addCounts(v []byte, pos int, c *domain.Counts) int {
	var x int64
	for i := 1; i <= 5; i++ {
		if x, pos = varintAt(v, pos); pos < 0 {
			return -1
		}
		c.ByValue[i] += int(x)
	}
	if x, pos = varintAt(v, pos); pos < 0 {
		return -1
	}
	if x < 0 { // the inferred count follows (enc.counts)
		x = -x - 1
		var inf int64
		if inf, pos = varintAt(v, pos); pos < 0 {
			return -1
		}
		c.Inferred += int(inf)
	}
	c.Surveys += int(x)
	return pos
}

// eachAgentCounts calls add with every (agent id, counts) of the record
// v, decoding the counts into the Counts add returns (nil: skip them);
// an id at or past agents, or a damaged record, is errCorrupt.
func eachAgentCounts(v []byte, agents int, add func(id uint64) *domain.Counts) error {
	if r := readRecord(v); r.err != nil {
		return r.err
	}
	var skip domain.Counts
	for pos := 1; pos < len(v); {
		var id uint64
		if id, pos = uvarintAt(v, pos); pos < 0 || id >= uint64(agents) {
			return errCorrupt
		}
		c := add(id)
		if c == nil {
			c = &skip
		}
		if pos = addCounts(v, pos, c); pos < 0 {
			return errCorrupt
		}
	}
	return nil
}
