package store

// The index of decisions. A what-if counts the closes, asks, ratings and
// comments of its window, and leaves out the follow-up steps the
// overrides make impossible; these are the only events whose outcome can
// read a setting (domain.EventKind.ReadsSettings). A conversation that
// reads none of the overrides decides under them as it did, so its logged
// outcomes are all a what-if needs of it, and the x/ keys give them by
// time without its log entries: one small entry per such event, with the
// conversation's audience, origin and helpdesk (what ReadsSetting reads,
// fixed at its start). The what-if reads the log only of the
// conversations it decides again (whatif_window.go).
//
// An entry holds the outcome as logged, which never changes: a late part
// logs its outcome at its place, and the parts logged before it keep
// theirs. A conversation a late part rebuilt is a what-if's to replay,
// counted with its parts in place, so its y/ key names it; a helpdesk's
// conversations are replayed anyway and get none.

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
)

const (
	// pDecision indexes the events whose outcome can read a setting, by
	// time then sequence number.
	pDecision = 'x'
	// pLate names the conversations, not a helpdesk's, with a part placed late.
	pLate = 'y'
)

// decisionKey is an event's place in the index of decisions: x/TIME SEQ.
func decisionKey(at time.Time, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(appendTime(prefix(pDecision), at), seq)
}

const decisionKeyLen = 2 + 8 + 8

func lateKey(conv string) []byte { return append(prefix(pLate), conv...) }

// encodeDecision is an x/ entry: the event's kind, its outcome reduced to
// what a tally reads (the decision, the failed rules, a rating's old
// value), and the conversation's origin, audience, helpdesk and id.
func encodeDecision(kind domain.EventKind, o *domain.Outcome, c *domain.Conversation) []byte {
	e := record(12 + len(c.Helpdesk) + len(c.ID))
	e.byte(uint8(kind))
	e.byte(uint8(o.Decision))
	var failed uint64
	for _, r := range o.Checks() {
		if r.Failed {
			failed |= 1 << r.Code
		}
	}
	e.uint(failed)
	e.int(int64(o.Rating.Old))
	e.byte(uint8(c.Origin))
	e.byte(uint8(c.Audience))
	e.str(c.Helpdesk)
	e.str(c.ID)
	return e.b
}

// decodedDecision is an x/ entry read back: the event (kind, time,
// conversation), its reduced outcome, and its conversation as it started.
type decodedDecision struct {
	ev   domain.Event
	o    domain.Outcome
	conv domain.Conversation
}

// decodeDecision reads the x/ entry of key k into d, reusing its buffers.
func decodeDecision(k, v []byte, d *decodedDecision) error {
	if len(k) != decisionKeyLen {
		return fmt.Errorf("decision key %x: %w", k, errCorrupt)
	}
	r := readRecord(v)
	kind := domain.EventKind(r.byte())
	decision := domain.Decision(r.byte())
	failed := r.uint()
	old := r.int()
	d.conv.Origin = domain.Origin(r.byte())
	d.conv.Audience = domain.Audience(r.byte())
	d.conv.Helpdesk = r.str()
	d.conv.ID = r.str()
	if r.err != nil || len(r.b) != 0 {
		return r.done(fmt.Sprintf("decision %d", readSeq(k[10:])))
	}
	var checks [domain.MaxChecks]domain.Check
	n := 0
	for c := domain.Code(1); failed>>c != 0; c++ {
		if failed&(1<<c) == 0 {
			continue
		}
		if n == len(checks) {
			return fmt.Errorf("decision %d: more failed rules than an outcome holds (%d): %w", readSeq(k[10:]), len(checks), errCorrupt)
		}
		checks[n] = domain.Check{Code: c, Failed: true}
		n++
	}
	d.ev = domain.Event{Kind: kind, At: readTime(k[2:10]), Conv: d.conv.ID}
	d.o = domain.Outcome{Kind: kind, Decision: decision, Rating: domain.RatingChange{Old: int(old)}}.WithChecks(checks[:n])
	return nil
}

// decisionLog is what a batch adds to the index of decisions.
type decisionLog struct {
	entries [][2][]byte // x/ keys and values, in log order
	// late holds the conversations (not a helpdesk's) that a late part
	// rebuilt; true once their y/ key is written.
	late map[string]bool
}

// noteDecision indexes a logged event whose outcome can read a setting.
func (b *batch) noteDecision(ev *domain.Event, o *domain.Outcome, conv string, seq uint64) {
	if conv == "" || !ev.Kind.ReadsSettings() {
		return
	}
	if c := b.ws.Conversations[conv]; c != nil {
		b.decisions.entries = append(b.decisions.entries, [2][]byte{decisionKey(ev.At, seq), encodeDecision(ev.Kind, o, c)})
	}
}

// noteLate names c, rebuilt by a late part, for a what-if to replay.
func (b *batch) noteLate(c *domain.Conversation) {
	if c.Helpdesk != "" {
		return
	}
	if b.decisions.late == nil {
		b.decisions.late = map[string]bool{}
	}
	if _, ok := b.decisions.late[c.ID]; !ok {
		b.decisions.late[c.ID] = false
	}
}

// writeDecisions puts what the batch added to the index of decisions
// since it last wrote them: a check's replay, one batch for the whole
// log, writes them after each ApplyBatch (check_replay.go), and each key
// once.
func (b *batch) writeDecisions(w *txnWriter) error {
	for _, kv := range b.decisions.entries {
		if err := w.set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	clear(b.decisions.entries)
	b.decisions.entries = b.decisions.entries[:0]
	for conv, written := range b.decisions.late {
		if written {
			continue
		}
		if err := w.set(lateKey(conv), nil); err != nil {
			return err
		}
		b.decisions.late[conv] = true
	}
	return nil
}
