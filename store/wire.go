package store

// The fields of the records' binary encoding (codec.go has the records):
// append-only writers and a reader that remembers its first error, so that
// a corrupted value is reported instead of panicking. Varints keep the day
// counters and the log small.

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
	// skip reads strings past without copying them (decodeLoggedEvent).
	skip bool
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
	if d.skip {
		d.b = d.b[n:]
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// strAs is str, or known itself when the string is known's bytes: no copy.
func (d *dec) strAs(known string) string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	raw := d.b[:n]
	d.b = d.b[n:]
	switch {
	case d.skip:
		return ""
	case string(raw) == known:
		return known
	}
	return string(raw)
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

func (e *enc) queueEntry(q domain.QueueEntry) { e.int(int64(q.Value)); e.byte(uint8(q.Stage)) }

func (d *dec) queueEntry() domain.QueueEntry {
	v := int(d.int())
	return domain.QueueEntry{Value: v, Stage: domain.FollowStage(d.byte())}
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
