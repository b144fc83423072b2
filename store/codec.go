package store

// The records' binary encoding: append-only writers and a reader that
// remembers its first error, so that a corrupted value is reported instead of
// panicking. Varints keep the day counters and the log small.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/csat-app/csat/domain"
)

var errCorrupt = errors.New("corrupt record")

type enc struct{ b []byte }

func (e *enc) uint(v uint64)        { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) int(v int64)          { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) byte(v uint8)         { e.b = append(e.b, v) }
func (e *enc) str(s string)         { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) actor(a domain.Actor) { e.byte(uint8(a.Kind)); e.str(a.Name) }
func (e *enc) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// time encodes the zero time as 0 so that "never" survives a round trip.
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.int(0)
		return
	}
	e.int(t.UnixNano())
}

type dec struct {
	b   []byte
	err error
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *dec) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) byte() uint8 {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) bool() bool { return d.byte() != 0 }

func (d *dec) str() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *dec) actor() domain.Actor {
	k := domain.Kind(d.byte())
	return domain.Actor{Kind: k, Name: d.str()}
}

func (d *dec) time() time.Time {
	n := d.int()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// done reports the first error, or trailing bytes as corruption.
func (d *dec) done(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return fmt.Errorf("%s: %w", what, d.err)
	}
	return nil
}

func (e *enc) event(ev *domain.Event) {
	e.byte(uint8(ev.Kind))
	e.time(ev.At)
	e.str(ev.Conv)
	e.actor(ev.Actor)
	e.actor(ev.Agent)
	e.byte(uint8(ev.Origin))
	e.byte(uint8(ev.Channel))
	e.str(ev.Text)
	e.int(int64(ev.Value))
	e.time(ev.Until)
	e.str(ev.Setting.Scope)
	e.str(ev.Setting.Name)
	e.byte(uint8(ev.Stage))
	e.str(ev.By)
	e.byte(uint8(ev.Role))
}

func (d *dec) event() domain.Event {
	var ev domain.Event
	ev.Kind = domain.EventKind(d.byte())
	ev.At = d.time()
	ev.Conv = d.str()
	ev.Actor = d.actor()
	ev.Agent = d.actor()
	ev.Origin = domain.Origin(d.byte())
	ev.Channel = domain.Channel(d.byte())
	ev.Text = d.str()
	ev.Value = int(d.int())
	ev.Until = d.time()
	ev.Setting.Scope = d.str()
	ev.Setting.Name = d.str()
	ev.Stage = domain.FollowStage(d.byte())
	ev.By = d.str()
	ev.Role = domain.Role(d.byte())
	return ev
}

func (e *enc) queueEntry(q domain.QueueEntry) { e.int(int64(q.Value)); e.byte(uint8(q.Stage)) }

func (d *dec) queueEntry() domain.QueueEntry {
	v := int(d.int())
	return domain.QueueEntry{Value: v, Stage: domain.FollowStage(d.byte())}
}

func (e *enc) outcome(o *domain.Outcome) {
	e.byte(uint8(o.Kind))
	e.byte(uint8(o.Decision))
	cs := o.Checks()
	e.byte(uint8(len(cs)))
	for _, c := range cs {
		e.byte(uint8(c.Code))
		e.bool(c.Failed)
		e.int(c.Have)
		e.int(c.Limit)
	}
	e.actor(o.To)
	e.actor(o.Survey.Agent)
	e.bool(o.Survey.NewSlot)
	e.time(o.Survey.At)
	e.actor(o.Rating.Agent)
	e.int(int64(o.Rating.Old))
	e.int(int64(o.Rating.New))
	e.time(o.Rating.FirstRatedAt)
	e.bool(o.Queue.Moved)
	e.actor(o.Queue.Agent)
	e.queueEntry(o.Queue.Before)
	e.queueEntry(o.Queue.After)
	e.bool(o.Reopened)
}

func (d *dec) outcome() domain.Outcome {
	var o domain.Outcome
	o.Kind = domain.EventKind(d.byte())
	o.Decision = domain.Decision(d.byte())
	n := int(d.byte())
	if n > 8 {
		d.fail()
		return o
	}
	var cs [8]domain.Check
	for i := 0; i < n; i++ {
		cs[i] = domain.Check{Code: domain.Code(d.byte()), Failed: d.bool(), Have: d.int(), Limit: d.int()}
	}
	o = o.WithChecks(cs[:n])
	o.To = d.actor()
	o.Survey.Agent = d.actor()
	o.Survey.NewSlot = d.bool()
	o.Survey.At = d.time()
	o.Rating.Agent = d.actor()
	o.Rating.Old = int(d.int())
	o.Rating.New = int(d.int())
	o.Rating.FirstRatedAt = d.time()
	o.Queue.Moved = d.bool()
	o.Queue.Agent = d.actor()
	o.Queue.Before = d.queueEntry()
	o.Queue.After = d.queueEntry()
	o.Reopened = d.bool()
	return o
}

// convRecord is a conversation's record: its rule state, whose UpdatedAt
// (the time of its latest event) orders the list.
type convRecord struct {
	domain.Conversation
}

func (e *enc) conversation(r *convRecord) {
	c := &r.Conversation
	e.str(c.ID)
	e.byte(uint8(c.Origin))
	e.byte(uint8(c.Channel))
	e.byte(uint8(c.Audience))
	e.str(c.OpenedBy)
	e.time(c.StartedAt)
	e.byte(uint8(c.State))
	e.time(c.SnoozedUntil)
	e.time(c.ClosedAt)
	e.uint(uint64(len(c.Customers)))
	for _, a := range c.Customers {
		e.actor(a)
	}
	e.int(int64(c.Chars))
	e.time(c.LastReplyAt)
	e.int(int64(c.Messages))
	e.str(c.LastTeammate)
	e.actor(c.LastBot)
	e.bool(c.Requested)
	e.uint(uint64(len(c.Slots)))
	for i := range c.Slots {
		s := &c.Slots[i]
		e.actor(s.Agent)
		e.int(int64(s.Requests))
		e.time(s.FirstRequestAt)
		e.time(s.LastRequestAt)
		e.int(int64(s.Value))
		e.time(s.FirstRatedAt)
		e.time(s.LastChangedAt)
		e.str(s.Comment)
		e.bool(s.Commented)
		e.byte(uint8(s.FollowUp.Stage))
		e.str(s.FollowUp.By)
		e.str(s.FollowUp.Note)
		e.time(s.FollowUp.At)
		e.int(int64(s.FollowUp.ValueAtStart))
	}
	e.int(int64(c.NewestSlot))
	e.time(r.UpdatedAt)
	// Appended last: older records end before them.
	e.str(c.Helpdesk)
	for i := range c.Slots {
		e.bool(c.Slots[i].Inferred)
	}
}

func (d *dec) conversation() convRecord {
	var r convRecord
	c := &r.Conversation
	c.ID = d.str()
	c.Origin = domain.Origin(d.byte())
	c.Channel = domain.Channel(d.byte())
	c.Audience = domain.Audience(d.byte())
	c.OpenedBy = d.str()
	c.StartedAt = d.time()
	c.State = domain.ConvState(d.byte())
	c.SnoozedUntil = d.time()
	c.ClosedAt = d.time()
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return r
	}
	c.Customers = make([]domain.Actor, n)
	for i := range c.Customers {
		c.Customers[i] = d.actor()
	}
	c.Chars = int(d.int())
	c.LastReplyAt = d.time()
	c.Messages = int(d.int())
	c.LastTeammate = d.str()
	c.LastBot = d.actor()
	c.Requested = d.bool()
	n = d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return r
	}
	if n > 0 {
		c.Slots = make([]domain.Slot, n)
	}
	for i := range c.Slots {
		s := &c.Slots[i]
		s.Agent = d.actor()
		s.Requests = int(d.int())
		s.FirstRequestAt = d.time()
		s.LastRequestAt = d.time()
		s.Value = int(d.int())
		s.FirstRatedAt = d.time()
		s.LastChangedAt = d.time()
		s.Comment = d.str()
		s.Commented = d.bool()
		s.FollowUp.Stage = domain.FollowStage(d.byte())
		s.FollowUp.By = d.str()
		s.FollowUp.Note = d.str()
		s.FollowUp.At = d.time()
		s.FollowUp.ValueAtStart = int(d.int())
	}
	c.NewestSlot = int(d.int())
	r.UpdatedAt = d.time()
	if len(d.b) > 0 {
		c.Helpdesk = d.str()
		for i := range c.Slots {
			c.Slots[i].Inferred = d.bool()
		}
	}
	if c.NewestSlot < 0 || c.NewestSlot > len(c.Slots) {
		d.fail()
	}
	return r
}

func (e *enc) settings(s *domain.Settings) {
	for _, a := range []*domain.AudienceSettings{&s.Users, &s.Leads} {
		e.bool(a.CSAT)
		e.bool(a.DirectOutbound)
		e.bool(a.WorkflowOutbound)
		e.int(int64(a.RatingWindowHours))
		e.int(int64(a.ChangeWindowHours))
		e.str(a.SurveyApp)
	}
	e.bool(s.HideScores)
	e.int(int64(s.TargetPermille))
	e.byte(uint8(s.FollowUp))
	e.byte(uint8(s.Profile))
}

func (d *dec) settings() domain.Settings {
	var s domain.Settings
	for _, a := range []*domain.AudienceSettings{&s.Users, &s.Leads} {
		a.CSAT = d.bool()
		a.DirectOutbound = d.bool()
		a.WorkflowOutbound = d.bool()
		a.RatingWindowHours = int(d.int())
		a.ChangeWindowHours = int(d.int())
		a.SurveyApp = d.str()
	}
	s.HideScores = d.bool()
	s.TargetPermille = int(d.int())
	s.FollowUp = domain.FollowUpThreshold(d.byte())
	s.Profile = domain.Profile(d.byte())
	return s
}

// counts writes the five values and the surveys. Surveys are never
// negative, so a negative one, -(surveys+1), says the inferred count
// follows: counters written before it existed read unchanged.
func (e *enc) counts(c *domain.Counts) {
	for v := 1; v <= 5; v++ {
		e.int(int64(c.ByValue[v]))
	}
	if c.Inferred == 0 {
		e.int(int64(c.Surveys))
		return
	}
	e.int(-int64(c.Surveys) - 1)
	e.int(int64(c.Inferred))
}

func (d *dec) counts() domain.Counts {
	var c domain.Counts
	for v := 1; v <= 5; v++ {
		c.ByValue[v] = int(d.int())
	}
	c.Surveys = int(d.int())
	if c.Surveys < 0 {
		c.Surveys = -c.Surveys - 1
		c.Inferred = int(d.int())
	}
	return c
}

// encodeJournalEvent is a journaled event of a batch committed in parts.
func encodeJournalEvent(ev *domain.Event) []byte {
	e := enc{b: make([]byte, 0, 64+len(ev.Text))}
	e.event(ev)
	e.time(ev.Updated) // appended last, as in a log entry's tail
	return e.b
}

func decodeJournalEvent(v []byte, seq uint64) (domain.Event, error) {
	d := dec{b: v}
	ev := d.event()
	if len(d.b) > 0 {
		ev.Updated = d.time()
	}
	return ev, d.done(fmt.Sprintf("journaled event %d", seq))
}

func encodePending(p pendingBatch) []byte {
	e := enc{}
	e.uint(p.base)
	e.uint(p.n)
	return e.b
}

func decodePending(v []byte, p *pendingBatch) error {
	d := dec{b: v}
	p.base = d.uint()
	p.n = d.uint()
	return d.done("pending batch")
}

// logTail writes what was added to log entries after their first shape,
// after the outcome, so older entries simply end before it.
func (e *enc) logTail(ev *domain.Event, o *domain.Outcome) {
	e.time(ev.Updated)
	e.bool(o.Survey.Inferred)
}

func (d *dec) logTail(ev *domain.Event, o *domain.Outcome) {
	if len(d.b) == 0 {
		return
	}
	ev.Updated = d.time()
	o.Survey.Inferred = d.bool()
}
