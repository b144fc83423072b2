package store

// The conversation record's fields (codec.go has the records).

import "github.com/csat-app/csat/domain"

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
	// The assigned team, when there is one or parts follow (a record
	// without either is the bytes an older csat wrote), then the parts.
	if c.Team != "" || !c.TeamAt.IsZero() || !r.parts.keyed {
		e.str(c.Team)
		e.time(c.TeamAt)
	}
	if !r.parts.keyed {
		e.parts(&r.parts)
	}
}

func (d *dec) conversation() convRecord {
	var r convRecord
	d.conversationInto(&r, "")
	return r
}

// conversationInto decodes a conversation record into r, zero, taking
// id for its id when they are the same.
func (d *dec) conversationInto(r *convRecord, id string) {
	c := &r.Conversation
	c.ID = d.strAs(id)
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
		return
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
		return
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
	if len(d.b) > 0 {
		c.Team = d.str()
		c.TeamAt = d.time()
	}
	if r.parts.keyed = len(d.b) == 0; !r.parts.keyed {
		r.parts = d.parts()
	}
	if c.NewestSlot < 0 || c.NewestSlot > len(c.Slots) {
		d.fail()
	}
}
