package store

// Late parts and the settings history. Conversations share no clock: an
// event is judged at its own time against its own conversation. A part
// earlier than its conversation's latest event is placed at its time: the
// conversation's parts are applied again in time order (domain's Rebuild),
// and the difference between the old and the rebuilt state moves the
// counters, the follow-up tally and the indexes, in the same transaction.
//
// The log stays append-only: the late part is appended with the outcome
// it had at its place; the entries before it keep the outcome they were
// first given. A replay of the log in log order (csat check, the split of
// a batch too big for one transaction) meets the late part at the same
// point and takes the same path, so it arrives at the same state and
// counters. Stream shows a conversation with late parts as rebuilt.

import (
	"fmt"
	"sort"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Now is "now" for a period over stored data: the wall clock, in UTC.
// Stored data has no clock of its own (each conversation keeps its time),
// so the dashboard, the API and csat report all count periods back from
// the reader's clock. The simulator counts from its script's clock instead.
func Now() time.Time { return time.Now().UTC() }

// loadHistory reads the settings history back from the audit trail: each
// entry is a change with the time it takes effect.
func loadHistory(txn *badger.Txn, h *domain.SettingsHistory) error {
	return iterate(txn, prefix(pAudit), func(k, v []byte) error {
		a, err := decodeAudit(v)
		if err != nil {
			return err
		}
		if _, err := h.Add(domain.SettingChange{At: a.At, Key: a.Key, Value: a.New}, domain.DefaultSettings()); err != nil {
			return fmt.Errorf("audit entry %d: %v: %w", readSeq(k[2:]), err, errCorrupt)
		}
		return nil
	})
}

// parts reads a conversation's logged events in log order: those stored
// before the batch, then the batch's own.
func (b *batch) parts(conv string) ([]domain.Event, error) {
	var evs []domain.Event
	if r := b.conv(conv).before; r != nil {
		if err := eachPart(b.read, conv, &r.parts, func(seq uint64) error {
			return getValue(b.read, seqKey(pLog, seq), func(v []byte) error {
				ev, _, err := decodeLogEntry(v, seq)
				evs = append(evs, ev)
				return err
			})
		}); err != nil {
			return nil, err
		}
	}
	for _, l := range b.log {
		if l.conv != conv {
			continue
		}
		ev, _, err := decodeLogEntry(l.val, l.seq)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// placeLate puts a late part in its place: it rebuilds the conversation
// from its parts and ev, and moves the counters and the follow-up tally by
// the difference. On error (ev cannot apply at its place) nothing changed.
func (b *batch) placeLate(ev domain.Event) (domain.Outcome, error) {
	// The parts are read from Badger, which must hold the batch before.
	if err := b.settleAhead(); err != nil {
		return domain.Outcome{}, err
	}
	parts, err := b.parts(ev.Conv)
	if err != nil {
		return domain.Outcome{}, err
	}
	parts = append(parts, ev)
	scratch := &domain.Workspace{Settings: b.ws.Settings, History: b.ws.History, Roles: b.ws.Roles, Conversations: map[string]*domain.Conversation{}}
	outs, errs := scratch.Rebuild(ev.Conv, parts)
	if err := errs[len(errs)-1]; err != nil {
		return domain.Outcome{}, err
	}
	rebuilt := scratch.Conversations[ev.Conv]
	old := b.ws.Conversations[ev.Conv]
	if err := b.moveSlots(old.Slots, -1, domain.SegmentOf(old)); err != nil {
		return domain.Outcome{}, err
	}
	if err := b.moveSlots(rebuilt.Slots, +1, domain.SegmentOf(rebuilt)); err != nil {
		return domain.Outcome{}, err
	}
	b.ws.Conversations[ev.Conv] = rebuilt
	b.noteLate(rebuilt)
	return outs[len(outs)-1], nil
}

// moveSlots adds (sign +1) or takes out (-1) what slots of a conversation
// of segment seg contribute to the counters and the follow-up tally.
func (b *batch) moveSlots(slots []domain.Slot, sign int, seg domain.Segment) error {
	for i := range slots {
		sl := &slots[i]
		var err error
		sl.Counted(func(a domain.Actor, at time.Time, delta domain.Counts) {
			if sign < 0 {
				delta = delta.Negate()
			}
			if err == nil {
				err = b.add(a, at, delta, seg)
			}
		})
		if err != nil {
			return err
		}
		m := domain.QueueMove{Moved: true, Agent: sl.Agent, After: sl.QueueEntry()}
		if sign < 0 {
			m.Before, m.After = m.After, domain.QueueEntry{}
		}
		b.st.queue.Move(m)
	}
	return nil
}

// inTimeOrder reports whether parts were logged in time order, so that
// their logged outcomes are the ones they have now.
func inTimeOrder(parts []Part) bool {
	return sort.SliceIsSorted(parts, func(i, j int) bool { return parts[i].Event.At.Before(parts[j].Event.At) })
}

// rebuildStream puts the parts of a conversation with late parts in time
// order (equal times in log order) and gives each the outcome it has in
// its place, under the settings history. A part that does not apply in its
// place (it waits for parts not yet arrived) gets an empty outcome.
func rebuildStream(conv string, parts []Part, st *memState) {
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Event.At.Before(parts[j].Event.At) })
	evs := make([]domain.Event, len(parts))
	for i := range parts {
		evs[i] = parts[i].Event
	}
	ws := &domain.Workspace{Settings: st.settings, History: st.history, Roles: st.roles, Conversations: map[string]*domain.Conversation{}}
	outs, errs := ws.Rebuild(conv, evs)
	for i := range parts {
		parts[i].Outcome = outs[i]
		if errs[i] != nil {
			parts[i].Outcome = domain.Outcome{Kind: parts[i].Event.Kind}
		}
	}
}
