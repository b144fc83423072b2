package domain

import "time"

// Observed ratings come from a helpdesk that already ran its own rules: the
// survey was sent and the customer answered. They are facts, so observe
// records them without asking the rules (no windows, no comment lock), but
// reports the same SurveyChange and RatingChange a decided rating would, so
// counters, the follow-up queue and achievements move the same way.

// observe applies an EvObserve to c: it creates the rated agent's slot when
// missing, with a request at ev.Until (when the helpdesk asked), and sets
// the observed value and remark.
func (w *Workspace) observe(c *Conversation, ev Event, at time.Time, o *Outcome) error {
	switch {
	case !ev.Actor.IsCustomer():
		return fail(ErrActor, "an observed rating comes from a customer, not %q", ev.Actor)
	case !c.HasCustomer(ev.Actor):
		return fail(ErrNotInConversation, "%s is not in %s", ev.Actor, c.ID)
	case !ev.Agent.IsAgent():
		return fail(ErrActor, "an observed rating is for a teammate or bot agent, not %q", ev.Agent)
	case ev.Value < 0 || ev.Value > 5:
		return fail(ErrInvalid, "observed rating %d: want 1..5, or 0 for a request", ev.Value)
	}
	asked := ev.Until
	if asked.IsZero() || asked.After(at) {
		asked = at
	}
	o.Decision = DecisionAccepted
	o.To = ev.Agent
	c.Requested = true
	s := c.Slot(ev.Agent)
	if s == nil {
		c.Slots = append(c.Slots, Slot{Agent: ev.Agent, Requests: 1, FirstRequestAt: asked, LastRequestAt: asked, Inferred: ev.Value != 0})
		s = &c.Slots[len(c.Slots)-1]
		c.NewestSlot = len(c.Slots)
		// A slot made by its answer: the helpdesk did not report the request.
		o.Survey = SurveyChange{Agent: ev.Agent, NewSlot: true, At: asked, Inferred: ev.Value != 0}
	}
	if ev.Value == 0 || s.Stale(ev.Updated) {
		// A request without an answer, or a redelivery older than what is
		// stored: the slot stands, the rating does not move.
		return nil
	}
	before := s.QueueEntry()
	o.Rating = RatingChange{Agent: s.Agent, Old: s.Value, New: ev.Value}
	if s.Value == 0 {
		// The helpdesk does not say when the first answer came; the request
		// time places the rating in its period, which is what reports need.
		s.FirstRatedAt = asked
	}
	changed := at
	if !ev.Updated.IsZero() {
		changed = ev.Updated
	}
	if s.Value != ev.Value || (ev.Text != "" && ev.Text != s.Comment) {
		s.LastChangedAt = changed
	}
	s.Value = ev.Value
	if ev.Text != "" {
		s.Comment, s.Commented = ev.Text, true
	}
	o.Rating.FirstRatedAt = s.FirstRatedAt
	w.moved(s, before, o)
	return nil
}

// Stale reports whether a helpdesk change made at updated is older than the
// slot's last change, so it must change nothing: a delivery retried a
// minute later carries the value it had then.
func (s *Slot) Stale(updated time.Time) bool {
	return !updated.IsZero() && !s.LastChangedAt.IsZero() && updated.Before(s.LastChangedAt)
}
