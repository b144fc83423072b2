package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Difference is one key where the stored state disagrees with a replay of the log.
type Difference struct {
	Key              string // what the key holds, in words
	Stored, Replayed string // "" when the key is missing on that side
}

func (d Difference) String() string {
	switch {
	case d.Stored == "":
		return fmt.Sprintf("%s: missing (a replay has %s)", d.Key, d.Replayed)
	case d.Replayed == "":
		return fmt.Sprintf("%s: stored %s, but a replay has no such key", d.Key, d.Stored)
	}
	return fmt.Sprintf("%s: stored %s, a replay has %s", d.Key, d.Stored, d.Replayed)
}

// LogReplay fills into, a fresh store, with the events of log in log order,
// handing onOutcome (if not nil) each event's position in log, from 1, and
// the outcome into decided; an error from onOutcome ends the replay. csat
// passes simulate.ReplayInto: how a log is replayed is the simulator's, and
// the store does not import it. Check and the erasure's rebuild use it.
type LogReplay func(log func(yield func(domain.Event) error) error, into *Store, onOutcome func(n int, o *domain.Outcome) error) error

// Check replays the log with replay into a fresh in-memory store and
// compares every derived key (state, counters, indexes, dictionary, meta,
// marks) with what is stored. It returns the differences; none means the
// store is consistent.
//
// The log and the state compared are those of one snapshot, taken first:
// writers go on meanwhile, and what they commit is in neither.
func (s *Store) Check(replay LogReplay) (_ []Difference, err error) {
	defer recoverDamage(&err)
	stored, _, doneStored := s.snapshot()
	defer doneStored()
	fresh, err := Open(Options{InMemory: true})
	if err != nil {
		return nil, err
	}
	defer fresh.Close()
	snapshotLog := func(yield func(domain.Event) error) error {
		return logEntriesIn(stored, 0, func(seq uint64, v []byte) error {
			ev, _, err := decodeLogEntry(v, seq)
			if err != nil {
				return err
			}
			return yield(ev)
		})
	}
	if err := replay(snapshotLog, fresh, nil); err != nil {
		return nil, err
	}
	replayed, _, doneReplayed := fresh.snapshot()
	defer doneReplayed()
	return diffStores(stored, replayed, s.Agents(), fresh.Agents())
}

// diffStores walks both stores' keys in order, like a merge.
func diffStores(a, b *badger.Txn, agentsA, agentsB []domain.Actor) ([]Difference, error) {
	ia := a.NewIterator(badger.IteratorOptions{})
	defer ia.Close()
	ib := b.NewIterator(badger.IteratorOptions{})
	defer ib.Close()
	ia.Rewind()
	ib.Rewind()
	var diffs []Difference
	value := func(it *badger.Iterator) []byte {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return []byte("<unreadable: " + err.Error() + ">")
		}
		return v
	}
	skip := func(k []byte) bool {
		return bytes.Equal(k, keySchema) || bytes.Equal(k, keyChange) || bytes.Equal(k, keyPending) || bytes.Equal(k, keySegments) || len(k) >= 2 && k[0] == pJournal && k[1] == '/' ||
			len(k) >= 2 && k[0] == pScenario && k[1] == '/'
	}
	for ia.Valid() || ib.Valid() {
		if ia.Valid() && skip(ia.Item().Key()) {
			ia.Next()
			continue
		}
		if ib.Valid() && skip(ib.Item().Key()) {
			ib.Next()
			continue
		}
		var c int
		switch {
		case !ia.Valid():
			c = 1
		case !ib.Valid():
			c = -1
		default:
			c = bytes.Compare(ia.Item().Key(), ib.Item().Key())
		}
		switch {
		case c < 0:
			k := ia.Item().KeyCopy(nil)
			diffs = append(diffs, describe(k, value(ia), nil, agentsA, agentsB)...)
			ia.Next()
		case c > 0:
			k := ib.Item().KeyCopy(nil)
			diffs = append(diffs, describe(k, nil, value(ib), agentsA, agentsB)...)
			ib.Next()
		default:
			va, vb := value(ia), value(ib)
			if !bytes.Equal(va, vb) {
				diffs = append(diffs, describe(ia.Item().KeyCopy(nil), va, vb, agentsA, agentsB)...)
			}
			ia.Next()
			ib.Next()
		}
	}
	return diffs, nil
}

// describe turns a differing key into readable differences. Counters are
// compared per agent, so a corrupted count names the agent and the day.
func describe(k, stored, replayed []byte, agentsA, agentsB []domain.Actor) []Difference {
	if len(k) >= 2 && k[0] == pDay && k[1] == '/' && len(k) == 6 {
		day := dayStart(readDayKey(k)).Format(time.DateOnly)
		return diffCounts("counters of "+day, stored, replayed, agentsA, agentsB)
	}
	if len(k) == 7 && k[0] == pSegDay && k[1] == '/' {
		day := dayStart(readDayKey(k)).Format(time.DateOnly)
		return diffCounts(fmt.Sprintf("counters of %s, %s", day, domain.Segment(k[6])), stored, replayed, agentsA, agentsB)
	}
	if bytes.Equal(k, keyTotal) {
		return diffCounts("all-time counters", stored, replayed, agentsA, agentsB)
	}
	show := func(v []byte) string {
		if v == nil {
			return ""
		}
		return fmt.Sprintf("%d bytes %x", len(v), truncate(v, 24))
	}
	name := keyName(k)
	if k[0] == pConv && len(stored) > 0 && len(replayed) > 0 {
		return []Difference{{Key: name, Stored: showConversation(stored), Replayed: showConversation(replayed)}}
	}
	return []Difference{{Key: name, Stored: show(stored), Replayed: show(replayed)}}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func showConversation(v []byte) string {
	r, err := decodeConversation(v, "")
	if err != nil {
		return fmt.Sprintf("unreadable %d bytes", len(v))
	}
	var parts []string
	for _, sl := range r.Slots {
		parts = append(parts, fmt.Sprintf("%s=%d", sl.Agent, sl.Value))
	}
	return fmt.Sprintf("{state %s, %d chars, %d messages, slots [%s]}", r.State, r.Chars, r.Messages, strings.Join(parts, " "))
}

func keyName(k []byte) string {
	if len(k) < 2 || k[1] != '/' {
		return string(k)
	}
	rest := k[2:]
	switch k[0] {
	case pLog:
		return fmt.Sprintf("log entry %d", readSeq(rest))
	case pAudit:
		return fmt.Sprintf("audit entry %d", readSeq(rest))
	case pConv:
		return "conversation " + string(rest)
	case pPart:
		if i := bytes.IndexByte(rest, 0); i >= 0 {
			return fmt.Sprintf("part %d of conversation %s", readSeq(rest[i+1:]), rest[:i])
		}
	case pUpdated:
		if len(rest) > 8 {
			return fmt.Sprintf("conversation list entry of %s at %s", rest[8:], readTime(rest[:8]).Format(time.RFC3339))
		}
	case pFollowUp, pAchieve:
		what := "follow-up index"
		if k[0] == pAchieve {
			what = "achievements index"
		}
		if at, conv, agent, ok := parseSlotKey(k); ok {
			return fmt.Sprintf("%s entry of %s in %s at %s", what, agent, conv, at.Format(time.RFC3339))
		}
	case pByAgent, pAgentFollowUp:
		what := "ratings-by-agent"
		if k[0] == pAgentFollowUp {
			what = "follow-ups-by-agent"
		}
		if agent, at, conv, ok := parseRatingKey(k); ok {
			return fmt.Sprintf("%s entry of %s in %s at %s", what, agent, conv, at.Format(time.RFC3339))
		}
	case pWorkspace:
		return fmt.Sprintf("workspace event index entry %d", readSeq(rest))
	case pAgent:
		return fmt.Sprintf("agent %d", readSeq(rest))
	case pRole:
		return "role of " + string(rest)
	case pTeam:
		return "team " + string(rest)
	case pMark:
		if source, key, ok := parseMarkKey(k); ok {
			return fmt.Sprintf("mark index entry %s of %s", key, source)
		}
	}
	return fmt.Sprintf("%q", k)
}

func diffCounts(what string, stored, replayed []byte, agentsA, agentsB []domain.Actor) []Difference {
	ca := make([]domain.Counts, len(agentsA))
	cb := make([]domain.Counts, len(agentsB))
	errA := decodeAgentCounts(stored, ca)
	errB := decodeAgentCounts(replayed, cb)
	if errA != nil || errB != nil {
		return []Difference{{Key: what, Stored: fmt.Sprintf("%x", truncate(stored, 24)), Replayed: fmt.Sprintf("%x", truncate(replayed, 24))}}
	}
	byName := map[domain.Actor][2]domain.Counts{}
	var order []domain.Actor
	add := func(agents []domain.Actor, cs []domain.Counts, side int) {
		for id, a := range agents {
			if cs[id] == (domain.Counts{}) {
				continue
			}
			v, seen := byName[a]
			if !seen {
				order = append(order, a)
			}
			v[side] = cs[id]
			byName[a] = v
		}
	}
	add(agentsA, ca, 0)
	add(agentsB, cb, 1)
	var diffs []Difference
	for _, a := range order {
		v := byName[a]
		if v[0] != v[1] {
			diffs = append(diffs, Difference{Key: what + " for " + a.String(), Stored: showCounts(v[0]), Replayed: showCounts(v[1])})
		}
	}
	if len(diffs) == 0 && !bytes.Equal(stored, replayed) {
		// Same counts under different agent ids: the dictionary differs, reported on its own keys.
		return nil
	}
	return diffs
}

func showCounts(c domain.Counts) string {
	return fmt.Sprintf("[%d😠 %d🙁 %d😐 %d😀 %d🤩, %d surveys]", c.ByValue[1], c.ByValue[2], c.ByValue[3], c.ByValue[4], c.ByValue[5], c.Surveys)
}

// corruptCounter overwrites one agent's counters for a day, for tests of Check.
func (s *Store) corruptCounter(agent domain.Actor, day time.Time, c domain.Counts) error {
	s.mu.RLock()
	id, ok := s.st.ids[agent]
	n := len(s.st.agents)
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("no agent %s", agent)
	}
	return s.db.Update(func(txn *badger.Txn) error {
		cs := make([]domain.Counts, n)
		if err := getValue(txn, dayKey(dayOf(day)), func(v []byte) error { return decodeAgentCounts(v, cs) }); err != nil {
			return err
		}
		cs[id] = c
		return txn.Set(dayKey(dayOf(day)), encodeAgentCounts(cs))
	})
}

// EachEvent yields every logged event, in log order: the event source of a
// replay.
func (s *Store) EachEvent(yield func(domain.Event) error) error {
	return s.Events(0, func(_ uint64, ev domain.Event) error { return yield(ev) })
}
