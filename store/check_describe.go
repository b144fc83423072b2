package store

// How a difference found by Check reads: keys named in words, counters
// compared per agent.

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
)

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
	if isFilterDayKey(k) {
		day := dayStart(countersDay(k)).Format(time.DateOnly)
		return diffCounts(fmt.Sprintf("counters of %s, %s", day, selectorFilter(k[2])), stored, replayed, agentsA, agentsB)
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
	return fmt.Sprintf("{state %s, %d chars, %d messages, slots [%s]%s}", r.State, r.Chars, r.Messages, strings.Join(parts, " "), showParts(&r.parts))
}

// showParts is a record's part list, the first few of it.
func showParts(p *partList) string {
	if p.keyed {
		return ", parts in p/ keys"
	}
	seqs := fmt.Sprint(p.inline[:min(len(p.inline), 12)])
	if len(p.inline) > 12 {
		seqs = seqs[:len(seqs)-1] + " …]"
	}
	if p.more > 0 {
		return fmt.Sprintf(", parts %s and %d in p/ keys", seqs, p.more)
	}
	return ", parts " + seqs
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
	case pDecision:
		if len(k) == decisionKeyLen {
			return fmt.Sprintf("decision index entry %d at %s", readSeq(rest[8:]), readTime(rest[:8]).Format(time.RFC3339))
		}
	case pLate:
		return "late conversation index entry of " + string(rest)
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
