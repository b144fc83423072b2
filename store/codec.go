package store

// Every record the store writes, in one place. A record's value starts
// with its format byte (recordFormat): a reader meets a record of a newer
// csat as an error that says so, never as garbage, and a later format can
// be read beside this one. Index keys with empty values carry no record;
// !schema is a bare uvarint, since it says which formats to expect. The
// fields are encoded with wire.go; migrate.go reads schema 2's records,
// which had no format byte.

import (
	"errors"
	"fmt"

	"github.com/csat-app/csat/domain"
)

// recordFormat is the format byte of every record this build writes.
const recordFormat = 1

var errNewerRecord = errors.New("written by a newer csat")

// record starts a record of about size bytes.
func record(size int) enc {
	e := enc{b: make([]byte, 1, size+1)}
	e.b[0] = recordFormat
	return e
}

// readRecord opens a record for decoding; a bad format byte is the
// decoder's first error.
func readRecord(v []byte) dec {
	switch {
	case len(v) == 0:
		return dec{err: errCorrupt}
	case v[0] != recordFormat:
		return dec{err: fmt.Errorf("record format %d (this csat reads format %d): %w", v[0], recordFormat, errNewerRecord)}
	}
	return dec{b: v[1:]}
}

// encodeLogEntry is a log entry: an event and its outcome.
func encodeLogEntry(ev *domain.Event, o *domain.Outcome) []byte {
	return appendLogEntry(make([]byte, 0, 97+len(ev.Text)), ev, o)
}

// appendLogEntry appends the log entry of ev and o to dst.
func appendLogEntry(dst []byte, ev *domain.Event, o *domain.Outcome) []byte {
	e := enc{b: append(dst, recordFormat)}
	e.event(ev)
	e.outcome(o)
	e.logTail(ev, o)
	return e.b
}

func decodeLogEntry(v []byte, seq uint64) (domain.Event, domain.Outcome, error) {
	d := readRecord(v)
	ev := d.event()
	o := d.outcome()
	d.logTail(&ev, &o)
	if d.err == nil && len(d.b) == 0 {
		return ev, o, nil // the hot path of every replay: no message to format
	}
	return ev, o, d.done(fmt.Sprintf("log entry %d", seq))
}

// decodeLoggedEvent is decodeLogEntry for a reader of the event alone (a
// replay): the outcome is read past, its names not copied.
func decodeLoggedEvent(v []byte, seq uint64) (domain.Event, error) {
	d := readRecord(v)
	ev := d.event()
	d.skipOutcome()
	var o domain.Outcome
	d.logTail(&ev, &o)
	if d.err == nil && len(d.b) == 0 {
		return ev, nil
	}
	return ev, d.done(fmt.Sprintf("log entry %d", seq))
}

func encodeConversation(r *convRecord) []byte {
	e := record(256)
	e.conversation(r)
	return e.b
}

// appendConversation appends conversation record r to dst.
func appendConversation(dst []byte, r *convRecord) []byte {
	e := enc{b: append(dst, recordFormat)}
	e.conversation(r)
	return e.b
}

// decodeConversation decodes conversation id's record; the error, only
// then formatted, names it.
func decodeConversation(v []byte, id string) (convRecord, error) {
	var r convRecord
	err := decodeConversationInto(&r, v, id)
	return r, err
}

// decodeConversationInto is decodeConversation into r, which must be
// zero. The record's id, when it is id, is id itself, not a copy.
func decodeConversationInto(r *convRecord, v []byte, id string) error {
	d := readRecord(v)
	d.conversationInto(r, id)
	if d.err == nil && len(d.b) == 0 {
		return nil
	}
	return d.done("conversation " + id)
}

// encodeAgent is an entry of the agent dictionary.
func encodeAgent(a domain.Actor) []byte {
	e := record(16 + len(a.Name))
	e.actor(a)
	return e.b
}

func decodeAgent(v []byte) (domain.Actor, error) {
	d := readRecord(v)
	a := d.actor()
	return a, d.done("agent")
}

func encodeRole(r domain.Role) []byte {
	e := record(1)
	e.byte(uint8(r))
	return e.b
}

func decodeRole(v []byte, name string) (domain.Role, error) {
	d := readRecord(v)
	r := domain.Role(d.byte())
	return r, d.done("role of " + name)
}

func encodeAudit(a *AuditEntry) []byte {
	e := record(32 + len(a.By) + len(a.Old) + len(a.New))
	e.time(a.At)
	e.str(a.By)
	e.str(a.Key.Scope)
	e.str(a.Key.Name)
	e.str(a.Old)
	e.str(a.New)
	return e.b
}

func decodeAudit(v []byte) (AuditEntry, error) {
	d := readRecord(v)
	var a AuditEntry
	a.At = d.time()
	a.By = d.str()
	a.Key.Scope = d.str()
	a.Key.Name = d.str()
	a.Old = d.str()
	a.New = d.str()
	return a, d.done("audit entry")
}

func encodeMeta(st *memState) []byte {
	e := record(96)
	e.uint(st.seq)
	e.time(st.latest)
	e.time(st.first)
	e.settings(&st.settings)
	for _, n := range st.queue.NotStarted {
		e.int(int64(n))
	}
	e.int(int64(st.queue.Started))
	return e.b
}

func decodeMeta(v []byte, st *memState) error {
	d := readRecord(v)
	st.seq = d.uint()
	st.latest = d.time()
	st.first = d.time()
	st.settings = d.settings()
	for i := range st.queue.NotStarted {
		st.queue.NotStarted[i] = int(d.int())
	}
	st.queue.Started = int(d.int())
	return d.done("meta")
}

// encodeAgentCounts writes the non-zero counts as (agent id, counts) pairs:
// a day's counters, and the all-time totals. Store.Leaderboard reads them
// in place.
func encodeAgentCounts(cs []domain.Counts) []byte {
	e := record(16 * len(cs))
	for id := range cs {
		if cs[id] == (domain.Counts{}) {
			continue
		}
		e.uint(uint64(id))
		e.counts(&cs[id])
	}
	return e.b
}

// decodeAgentCounts adds a (agent id, counts)* record into cs, which must
// be long enough for every id.
func decodeAgentCounts(v []byte, cs []domain.Counts) error {
	d := readRecord(v)
	for len(d.b) > 0 && d.err == nil {
		id := d.uint()
		c := d.counts()
		if id >= uint64(len(cs)) {
			return fmt.Errorf("counts of agent %d: %w", id, errCorrupt)
		}
		cs[id].Add(c)
	}
	return d.done("counts")
}

// encodeScenario is a saved simulator scenario: saved-at, by, the script.
func encodeScenario(sc Scenario) []byte {
	e := record(16 + len(sc.By) + len(sc.Script))
	e.time(sc.SavedAt)
	e.str(sc.By)
	e.str(sc.Script)
	return e.b
}

func decodeScenario(name string, v []byte) (Scenario, error) {
	d := readRecord(v)
	sc := Scenario{Name: name, SavedAt: d.time(), By: d.str(), Script: d.str()}
	return sc, d.done("scenario " + name)
}

func encodeSchema(version uint64) []byte {
	e := enc{}
	e.uint(version)
	return e.b
}

func decodeSchema(v []byte) (uint64, error) {
	d := dec{b: v}
	version := d.uint()
	return version, d.done("schema version")
}

// encodeJournalEvent is a journaled event of a batch committed in parts.
func encodeJournalEvent(ev *domain.Event) []byte {
	e := record(64 + len(ev.Text))
	e.event(ev)
	e.time(ev.Updated) // appended last, as in a log entry's tail
	return e.b
}

func decodeJournalEvent(v []byte, seq uint64) (domain.Event, error) {
	d := readRecord(v)
	ev := d.event()
	if len(d.b) > 0 {
		ev.Updated = d.time()
	}
	return ev, d.done(fmt.Sprintf("journaled event %d", seq))
}

func encodePending(p pendingBatch) []byte {
	e := record(16)
	e.uint(p.base)
	e.uint(p.n)
	if p.load != nil {
		e.str(string(p.load))
	}
	return e.b
}

func decodePending(v []byte, p *pendingBatch) error {
	d := readRecord(v)
	p.base = d.uint()
	p.n = d.uint()
	if len(d.b) > 0 {
		p.load = []byte(d.str())
	}
	return d.done("pending batch")
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
	e.uint(uint64(len(ev.Keys)))
	for _, k := range ev.Keys {
		e.str(k)
	}
}

// event reads an event of format 1: the fields of a schema-2 store's
// events (eventFields), then the keys of a mark.
func (d *dec) event() domain.Event {
	ev := d.eventFields()
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ev
	}
	for range n {
		ev.Keys = append(ev.Keys, d.str())
	}
	return ev
}

func (d *dec) eventFields() domain.Event {
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

// skipOutcome reads past an outcome as outcome reads it, keeping nothing.
func (d *dec) skipOutcome() {
	d.skip = true
	d.byte() // kind
	d.byte() // decision
	n := int(d.byte())
	if n > 8 {
		d.fail() // and every read after it
	}
	for range n {
		d.byte() // code
		d.byte() // failed
		d.int()  // have
		d.int()  // limit
	}
	d.actor() // to
	d.actor() // the survey's agent
	d.byte()  // a new slot
	d.int()   // the survey's time
	d.actor() // the rating's agent
	d.int()   // old
	d.int()   // new
	d.int()   // first rated
	d.byte()  // moved
	d.actor() // the queue's agent
	d.int()   // before
	d.byte()
	d.int() // after
	d.byte()
	d.byte() // reopened
	d.skip = false
}

// encodeTeam is a t/ record: id, display name, member count, members.
func encodeTeam(t *domain.Team) []byte {
	e := record(32 + len(t.Name))
	e.str(t.ID)
	e.str(t.Name)
	e.uint(uint64(len(t.Members)))
	for _, m := range t.Members {
		e.str(m)
	}
	return e.b
}

func decodeTeam(v []byte, what string) (domain.Team, error) {
	d := readRecord(v)
	t := domain.Team{ID: d.str(), Name: d.str()}
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return t, d.done(what)
	}
	t.Members = make([]string, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		t.Members = append(t.Members, d.str())
	}
	return t, d.done(what)
}

// logTail writes what was added to log entries after their first shape,
// after the outcome, so older entries simply end before it. NoEffect, the
// latest, is written only when set: an entry without it is then the same
// bytes as one an older csat wrote, and check, which compares a replay's
// entries with the stored ones byte for byte, passes on older stores.
func (e *enc) logTail(ev *domain.Event, o *domain.Outcome) {
	e.time(ev.Updated)
	e.bool(o.Survey.Inferred)
	if o.NoEffect {
		e.bool(true)
	}
}

func (d *dec) logTail(ev *domain.Event, o *domain.Outcome) {
	if len(d.b) == 0 {
		return
	}
	ev.Updated = d.time()
	o.Survey.Inferred = d.bool()
	if len(d.b) > 0 {
		o.NoEffect = d.bool()
	}
}
