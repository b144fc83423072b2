package store

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"

	"github.com/csat-app/csat/domain"
)

// schemaVersion is written by this build; a store with a higher one is
// refused, an older one upgraded by a writable open (migrate.go). Schema 2
// added the mark index (k/); schema 3 a format byte on every record and
// marks as mark events; schema 4 the ratings-by-agent index (b/), which
// a writable open builds from the conversations; schema 5 the per-day
// segment counters (e/), which a writable open recounts (segments.go);
// schema 6 the workspace-event index (w/) and the follow-ups-by-agent
// index (o/), which a writable open builds from the keys (index_upgrade.go);
// schema 7 the filter counters (c/), which a writable open sums from the
// segment counters (filter_upgrade.go);
// schema 8 the time each display name was shown at (i/), which a writable
// open reads from the log's names (names_upgrade.go);
// schema 9 the index of decisions (x/) and of late conversations (y/),
// which a writable open reads from the log (decisions_upgrade.go);
// schema 10 a conversation's parts in its record, past a bound in p/ keys,
// which a writable open folds from the p/ keys (parts_upgrade.go).
const schemaVersion = 10

// readableSchema is the oldest schema a read-only open reads: a schema-9
// store holds its parts in p/ keys, which every reader still reads
// (parts.go); Check alone refuses it.
const readableSchema = 9

var (
	keySchema = []byte("!schema")
	keyMeta   = []byte("!meta")
	keyTotal  = []byte("!total")
	// keyChange held the last commit's Change for Badger's Subscribe, until
	// the store announced commits itself; older stores still have it.
	keyChange = []byte("!chg")
	// keyPending names a batch committed in parts that is not finished yet
	// (journal.go).
	keyPending = []byte("!pending")
)

const (
	pLog      = 'l'
	pPart     = 'p'
	pConv     = 'v'
	pUpdated  = 'u'
	pDay      = 'd'
	pAgent    = 'g'
	pFollowUp = 'f'
	pAchieve  = 'a'
	pRole     = 'r'
	pAudit    = 's'
	pMark     = 'k'
	pJournal  = 'j'
	pByAgent  = 'b'
	pSegDay   = 'e'
	pTeam     = 't'
	// pWorkspace indexes the log entries of no conversation (index_window.go).
	pWorkspace = 'w'
	// pAgentFollowUp indexes follow-up candidates by agent (index_followup.go).
	pAgentFollowUp = 'o'
	// pFilterDay holds a day's counters of a filter of one or two
	// dimensions (filter_counters.go).
	pFilterDay = 'c'
)

func prefix(p byte) []byte { return []byte{p, '/'} }

func appendTime(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixNano())^(1<<63))
}

func readTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC()
}

func seqKey(p byte, seq uint64) []byte { return appendSeqKey(make([]byte, 0, seqKeyLen), p, seq) }

// seqKeyLen is the length of a seqKey; a partKey is partKeyExtra longer
// than its conversation id.
const seqKeyLen, partKeyExtra = 2 + 8, 2 + 1 + 8

func appendSeqKey(b []byte, p byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(b, p, '/'), seq)
}

func convKey(id string) []byte { return appendConvKey(make([]byte, 0, 2+len(id)), id) }

func appendConvKey(b []byte, id string) []byte { return append(append(b, pConv, '/'), id...) }

func partKey(conv string, seq uint64) []byte {
	return appendPartKey(make([]byte, 0, len(conv)+partKeyExtra), conv, seq)
}

func appendPartKey(b []byte, conv string, seq uint64) []byte {
	b = append(append(append(b, pPart, '/'), conv...), 0)
	return binary.BigEndian.AppendUint64(b, seq)
}

func partPrefix(conv string) []byte { return append(append(prefix(pPart), conv...), 0) }

func updatedKey(t time.Time, conv string) []byte {
	return appendUpdatedKey(make([]byte, 0, updatedKeyLen(conv)), t, conv)
}

func updatedKeyLen(conv string) int { return 2 + 8 + len(conv) }

func appendUpdatedKey(b []byte, t time.Time, conv string) []byte {
	return append(appendTime(append(b, pUpdated, '/'), t), conv...)
}

func slotKey(p byte, t time.Time, conv string, agent domain.Actor) []byte {
	return appendSlotKey(make([]byte, 0, slotKeyLen(conv, agent)), p, t, conv, agent)
}

func slotKeyLen(conv string, agent domain.Actor) int { return 2 + 8 + len(conv) + 2 + len(agent.Name) }

func appendSlotKey(b []byte, p byte, t time.Time, conv string, agent domain.Actor) []byte {
	b = append(appendTime(append(b, p, '/'), t), conv...)
	b = append(b, 0, byte(agent.Kind))
	return append(b, agent.Name...)
}

// agentRatingPrefix begins every b/ key of agent: kind, name length, name.
func agentRatingPrefix(agent domain.Actor) []byte {
	return appendAgentPrefix(make([]byte, 0, agentPrefixLen(agent)), pByAgent, agent)
}

// agentPrefixLen is at most the length of an agent's b/ or o/ prefix.
func agentPrefixLen(agent domain.Actor) int { return 3 + binary.MaxVarintLen64 + len(agent.Name) }

// appendAgentPrefix appends the prefix of p's keys of agent (b/ or o/):
// kind, name length, name.
func appendAgentPrefix(b []byte, p byte, agent domain.Actor) []byte {
	b = append(b, p, '/', byte(agent.Kind))
	b = binary.AppendUvarint(b, uint64(len(agent.Name)))
	return append(b, agent.Name...)
}

// ratingKey is a slot's place in the ratings-by-agent index: by the time
// the rating was first given, the day it counts on.
func ratingKey(agent domain.Actor, at time.Time, conv string) []byte {
	return appendAgentKey(make([]byte, 0, agentKeyLen(agent, conv)), pByAgent, agent, at, conv)
}

func agentKeyLen(agent domain.Actor, conv string) int { return agentPrefixLen(agent) + 8 + len(conv) }

// appendAgentKey appends agent's key in p's index (b/ or o/) of a slot
// of conv first rated at.
func appendAgentKey(b []byte, p byte, agent domain.Actor, at time.Time, conv string) []byte {
	return append(appendTime(appendAgentPrefix(b, p, agent), at), conv...)
}

// parseRatingKey reads a b/ key.
func parseRatingKey(k []byte) (agent domain.Actor, at time.Time, conv string, ok bool) {
	if len(k) < 4 {
		return
	}
	n, w := binary.Uvarint(k[3:])
	if w <= 0 || uint64(len(k)-3-w) < n+8 {
		return
	}
	name := k[3+w : 3+w+int(n)]
	rest := k[3+w+int(n):]
	return domain.Actor{Kind: domain.Kind(k[2]), Name: string(name)}, readTime(rest[:8]), string(rest[8:]), true
}

// parseSlotKey reads the conversation and agent of an f/ or a/ key.
func parseSlotKey(k []byte) (at time.Time, conv string, agent domain.Actor, ok bool) {
	if len(k) < 2+8+3 {
		return
	}
	at = readTime(k[2:10])
	rest := k[10:]
	for i, c := range rest {
		if c == 0 {
			if i+1 >= len(rest) {
				return
			}
			return at, string(rest[:i]), domain.Actor{Kind: domain.Kind(rest[i+1]), Name: string(rest[i+2:])}, true
		}
	}
	return
}

func dayKey(day int32) []byte {
	return binary.BigEndian.AppendUint32(prefix(pDay), uint32(day)^(1<<31))
}

func readDayKey(k []byte) int32 { return int32(binary.BigEndian.Uint32(k[2:]) ^ (1 << 31)) }

// segDayKey is the key of one day's counters of one segment (channel,
// audience, direction): e/DAY(4) SEG(1), so a day's segments sort together.
func segDayKey(day int32, seg domain.Segment) []byte {
	return append(binary.BigEndian.AppendUint32(prefix(pSegDay), uint32(day)^(1<<31)), byte(seg))
}

// filterDayKey is the key of one day's counters of the conversations a
// filter selects (filterSelector): c/SEL(1) DAY(4), so one filter's days
// sort together.
func filterDayKey(sel byte, day int32) []byte {
	return binary.BigEndian.AppendUint32(append(prefix(pFilterDay), sel), uint32(day)^(1<<31))
}

func teamKey(id string) []byte { return append(prefix(pTeam), id...) }

func agentKey(id uint32) []byte { return binary.BigEndian.AppendUint32(prefix(pAgent), id) }

func roleKey(name string) []byte { return append(prefix(pRole), name...) }

// markKey is the index key of one key of a mark event: source 0x00 key.
func markKey(source, key string) []byte {
	return append(append(append(prefix(pMark), source...), 0), key...)
}

// parseMarkKey splits a k/ key into its source and key.
func parseMarkKey(k []byte) (source, key string, ok bool) {
	if len(k) < 3 {
		return "", "", false
	}
	i := bytes.IndexByte(k[2:], 0)
	if i < 0 {
		return "", "", false
	}
	return string(k[2 : 2+i]), string(k[2+i+1:]), true
}

// dayOf is the UTC day number (days since 1970-01-01) of t.
func dayOf(t time.Time) int32 {
	s := t.Unix()
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	if d > math.MaxInt32 || d < math.MinInt32 {
		return 0
	}
	return int32(d)
}

// dayStart is the midnight UTC that begins day d.
func dayStart(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }
