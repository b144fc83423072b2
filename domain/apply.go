package domain

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Rule constants of RULES.md.
const (
	MinChars   = 250                // a conversation must be over this many code points
	StaleAfter = 7 * 24 * time.Hour // closed within a week of the last reply
)

// Errors for events that cannot happen. They change nothing; the simulator
// reports them as script errors, the store as bad input.
var (
	// ErrLate is a part earlier than its conversation's latest event: it
	// cannot be judged against a later history, so the caller places it
	// and applies the conversation's parts again, in time order
	// ([Workspace.Rebuild]).
	ErrLate                = errors.New("earlier than the conversation's latest event")
	ErrUnknownConversation = errors.New("unknown conversation")
	ErrConversationExists  = errors.New("conversation already started")
	ErrState               = errors.New("not in a state for that")
	ErrActor               = errors.New("wrong actor")
	ErrNotInConversation   = errors.New("customer not in the conversation")
	ErrNotAdmin            = errors.New("only admins change settings")
	ErrInvalid             = errors.New("invalid value")
	// ErrFuture is a time too far after the receiving clock ([CheckArrival]).
	ErrFuture = errors.New("time in the future")
)

// Workspace is the whole state the rules read and write. Apply reads only the
// settings, the roles and the event's own conversation, so a store may
// populate Conversations lazily with just that one.
//
// There is no workspace clock: every event carries its own time and is
// judged at that time against its own conversation's history, under the
// settings in force then. Conversations share no clock, so history of any
// date applies in any order across conversations.
type Workspace struct {
	// Settings are the settings in force after every recorded change: the
	// panel as it stands. Before the first change they are also the
	// settings of all times; History keeps the changes with their times.
	Settings      Settings
	History       SettingsHistory
	Conversations map[string]*Conversation
	Roles         map[string]Role
	Teams         map[string]*Team
}

// NewWorkspace returns an empty workspace with default settings.
func NewWorkspace() *Workspace {
	return &Workspace{Settings: DefaultSettings(), Conversations: map[string]*Conversation{}, Roles: map[string]Role{}}
}

// SettingsAt are the settings in force at t: a close is judged under the
// settings in force at the close.
func (w *Workspace) SettingsAt(t time.Time) Settings { return *w.settingsAt(t) }

// settingsAt is SettingsAt without the copy, for the rules' hot path.
func (w *Workspace) settingsAt(t time.Time) *Settings {
	if st := w.History.at(t); st != nil {
		return st
	}
	return &w.Settings
}

func fail(err error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", err, fmt.Sprintf(format, args...))
}

// Apply applies ev at its own time ev.At and returns its outcome. On error
// nothing changed. An event of a conversation earlier than that
// conversation's latest event is refused with [ErrLate]. The zero time is
// a time like any other: there is no earliest date.
func (w *Workspace) Apply(ev Event) (Outcome, error) {
	at := ev.At
	o := Outcome{Kind: ev.Kind}
	var err error
	switch ev.Kind {
	case EvClock, EvMark:
	case EvSet:
		err = w.set(ev)
	case EvRole:
		err = w.role(ev)
	case EvTeam:
		err = w.team(ev)
	case EvStart:
		err = w.start(ev)
	case EvName:
		err = validateName(ev)
	default:
		c := w.Conversations[ev.Conv]
		if c == nil {
			return Outcome{}, fail(ErrUnknownConversation, "%q", ev.Conv)
		}
		if IsLate(at, c.UpdatedAt) {
			return Outcome{}, fail(ErrLate, "%s of %s at %s is before its latest event at %s", ev.Kind, c.ID, at.Format(time.RFC3339), c.UpdatedAt.Format(time.RFC3339))
		}
		err = w.applyTo(c, ev, at, &o)
		if err == nil {
			c.UpdatedAt = at
		}
	}
	if err != nil {
		return Outcome{}, err
	}
	return o, nil
}

func (w *Workspace) set(ev Event) error {
	if ev.By != "" && w.Roles[ev.By] != RoleAdmin {
		return fail(ErrNotAdmin, "%s is not an admin", ev.By)
	}
	latest, err := w.History.Add(SettingChange{At: ev.At, Key: ev.Setting, Value: ev.Text}, w.Settings)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	w.Settings = latest
	return nil
}

func (w *Workspace) role(ev Event) error {
	if !ValidName(ev.By) {
		return fail(ErrInvalid, "teammate name %q", ev.By)
	}
	for _, r := range ReservedNames {
		if ev.By == r {
			return fail(ErrInvalid, "%q is reserved and cannot name a teammate", ev.By)
		}
	}
	if w.Roles == nil {
		w.Roles = map[string]Role{}
	}
	w.Roles[ev.By] = ev.Role
	return nil
}

func (w *Workspace) start(ev Event) error {
	if !ValidName(ev.Conv) {
		return fail(ErrInvalid, "conversation id %q: ids are [A-Za-z0-9_.-]+", ev.Conv)
	}
	if _, ok := w.Conversations[ev.Conv]; ok {
		return fail(ErrConversationExists, "%q", ev.Conv)
	}
	if !ev.Actor.IsCustomer() {
		return fail(ErrActor, "a conversation starts with a customer (user:NAME or lead:NAME), not %q", ev.Actor)
	}
	if int(ev.Origin) >= len(originNames) {
		return fail(ErrInvalid, "origin %d", ev.Origin)
	}
	switch {
	case ev.Origin == OriginDirect && !ev.Agent.IsTeammate():
		return fail(ErrActor, "a direct conversation needs the teammate who opens it (by NAME)")
	case ev.Origin != OriginDirect && !ev.Agent.IsZero():
		return fail(ErrActor, "only a direct conversation is opened by a teammate, not a %s one", ev.Origin)
	}
	if w.Conversations == nil {
		w.Conversations = map[string]*Conversation{}
	}
	c := StartOf(ev)
	w.Conversations[ev.Conv] = &c
	return nil
}

// applyTo validates first and mutates after, so an error leaves c untouched.
func (w *Workspace) applyTo(c *Conversation, ev Event, at time.Time, o *Outcome) error {
	state := c.StateAt(at)
	switch ev.Kind {
	case EvSay:
		if ev.Actor.IsZero() || !(ev.Actor.IsCustomer() || ev.Actor.IsAgent()) {
			return fail(ErrActor, "who says it? %q", ev.Actor)
		}
		w.say(c, ev, at, state, o)
	case EvNote:
		if !ev.Actor.IsTeammate() {
			return fail(ErrActor, "only teammates write notes, not %q", ev.Actor)
		}
	case EvAdd:
		if !ev.Actor.IsCustomer() {
			return fail(ErrActor, "only customers join, not %q", ev.Actor)
		}
		if !c.HasCustomer(ev.Actor) {
			c.Customers = append(c.Customers, ev.Actor)
		}
	case EvSnooze:
		if !ev.Actor.IsAgent() {
			return fail(ErrActor, "only a teammate or bot snoozes, not %q", ev.Actor)
		}
		if !ev.Until.After(at) {
			return fail(ErrInvalid, "a snooze must end after now")
		}
		if state == StateClosed {
			return noEffect(c, o, "%s is closed and cannot be snoozed", c.ID)
		}
		c.State, c.SnoozedUntil = StateSnoozed, ev.Until
	case EvReopen:
		if state == StateOpen {
			return noEffect(c, o, "%s is already open", c.ID)
		}
		c.State = StateOpen
	case EvClose:
		if !ev.Actor.IsAgent() {
			return fail(ErrActor, "only a teammate or bot agent closes, not %q", ev.Actor)
		}
		if state == StateClosed {
			return noEffect(c, o, "%s is already closed", c.ID)
		}
		w.decideClose(c, ev.Actor, at, o)
		c.State, c.ClosedAt = StateClosed, at
	case EvAssign:
		if ev.Text != "" && !ValidName(ev.Text) {
			return fail(ErrInvalid, "team id %q: ids are [A-Za-z0-9_.-]+", ev.Text)
		}
		c.Team, c.TeamAt = ev.Text, at
	case EvAsk:
		w.decideAsk(c, at, o)
	case EvRate, EvComment:
		if !ev.Actor.IsCustomer() {
			return fail(ErrActor, "only customers rate, not %q", ev.Actor)
		}
		if !c.HasCustomer(ev.Actor) {
			return fail(ErrNotInConversation, "%s is not in %s", ev.Actor, c.ID)
		}
		if !ev.Agent.IsZero() && !ev.Agent.IsAgent() {
			return fail(ErrActor, "ratings are for a teammate or bot agent, not %q", ev.Agent)
		}
		if ev.Kind == EvRate {
			w.decideRate(c, ev, at, o)
		} else {
			w.decideComment(c, ev, at, o)
		}
	case EvFollowUp:
		return w.followUp(c, ev, at, o)
	case EvObserve:
		return w.observe(c, ev, at, o)
	default:
		return fail(ErrInvalid, "event kind %d", ev.Kind)
	}
	return nil
}

// noEffect answers a state part (close, reopen, snooze) its conversation
// is not in a state for. A script's part is refused with [ErrState]. A
// helpdesk's part is a fact: it is kept with [Outcome.NoEffect] and
// changes nothing now, so that the parts delivered after it and placed
// before it (a close before the reopen that follows it) find it in its
// place when the conversation is rebuilt.
func noEffect(c *Conversation, o *Outcome, format string, args ...any) error {
	if c.Helpdesk == "" {
		return fail(ErrState, format, args...)
	}
	o.NoEffect = true
	return nil
}

func (w *Workspace) say(c *Conversation, ev Event, at time.Time, state ConvState, o *Outcome) {
	c.Messages++
	switch {
	case ev.Actor.IsCustomer():
		c.Chars += utf8.RuneCountInString(ev.Text)
		c.LastReplyAt = at
		if !c.HasCustomer(ev.Actor) {
			c.Customers = append(c.Customers, ev.Actor)
		}
		if state != StateOpen {
			c.State = StateOpen
			o.Reopened = true
		} else if c.State == StateSnoozed { // a snooze that already ran out
			c.State = StateOpen
		}
	case ev.Actor.IsTeammate():
		c.Chars += utf8.RuneCountInString(ev.Text)
		c.LastReplyAt = at
		c.LastTeammate = ev.Actor.Name
	default:
		c.LastBot = ev.Actor
	}
}

// decideClose runs the Simple automation (or the legacy Task Bot) on a close.
func (w *Workspace) decideClose(c *Conversation, by Actor, at time.Time, o *Outcome) {
	if c.Helpdesk != "" {
		return // the helpdesk decided; its surveys arrive as observations
	}
	if by.IsBot() {
		o.Decision = DecisionSkipped
		o.check(CodeClosedByBot, true, int64(by.Kind), 0)
		return
	}
	st := w.settingsAt(at)
	aud := st.For(c.Audience)
	o.check(CodeDisabled, !aud.CSAT, int64(c.Audience), 0)
	if st.Profile == ProfileIntercom {
		switch c.Origin {
		case OriginDirect:
			o.check(CodeDirectOutboundOff, !aud.DirectOutbound, int64(c.Audience), 0)
		case OriginWorkflow, OriginAPI, OriginCustomBot:
			o.check(CodeWorkflowOutboundOff, !aud.WorkflowOutbound, int64(c.Audience), 0)
		}
	}
	o.check(CodeNoTeammateReply, c.LastTeammate == "", 0, 0)
	o.check(CodeTooShort, c.Chars <= MinChars, int64(c.Chars), MinChars)
	since := at.Sub(c.LastReplyAt)
	o.check(CodeStale, since > StaleAfter, int64(since), int64(StaleAfter))
	o.check(CodeGroup, len(c.Customers) > 1, int64(len(c.Customers)), 1)
	if st.Profile == ProfileOperator {
		o.check(CodeAlreadyRequested, c.Requested, 0, 0)
		customerStarted := c.Origin == OriginInbound || c.Origin == OriginVisitorMessage
		o.check(CodeNotCustomerStarted, !customerStarted, int64(c.Origin), 0)
	}
	if o.anyFailed() {
		o.Decision = DecisionSkipped
		return
	}
	w.send(c, Teammate(c.LastTeammate), at, o)
}

// decideAsk runs a Workflow's "ask for rating" step.
func (w *Workspace) decideAsk(c *Conversation, at time.Time, o *Outcome) {
	if c.Helpdesk != "" {
		return // the helpdesk decided; its surveys arrive as observations
	}
	if w.settingsAt(at).Profile == ProfileOperator {
		o.Decision = DecisionSkipped
		o.check(CodeNotSupported, true, 0, 0)
		return
	}
	o.check(CodeGroup, len(c.Customers) > 1, int64(len(c.Customers)), 1)
	agentSpoke := c.LastTeammate != "" || !c.LastBot.IsZero()
	o.check(CodeNoAgentMessage, !agentSpoke, 0, 0)
	if c.Origin == OriginDirect {
		o.check(CodeOutboundNoFollowup, c.Messages < 2, int64(c.Messages), 2)
	}
	if o.anyFailed() {
		o.Decision = DecisionSkipped
		return
	}
	to := c.LastBot
	if c.LastTeammate != "" {
		to = Teammate(c.LastTeammate)
	}
	w.send(c, to, at, o)
}

// send records a request: one slot per agent, shared by all its requests.
func (w *Workspace) send(c *Conversation, to Actor, at time.Time, o *Outcome) {
	o.Decision = DecisionSent
	o.To = to
	c.Requested = true
	s := c.Slot(to)
	if s == nil {
		c.Slots = append(c.Slots, Slot{Agent: to, FirstRequestAt: at})
		s = &c.Slots[len(c.Slots)-1]
		o.Survey.NewSlot = true
	}
	s.Requests++
	s.LastRequestAt = at
	for i := range c.Slots {
		if &c.Slots[i] == s {
			c.NewestSlot = i + 1
		}
	}
	o.Survey.Agent, o.Survey.At = to, at
}

// target picks the slot a rate or comment answers: the named agent's, or the newest.
func target(c *Conversation, agent Actor) *Slot {
	if agent.IsZero() {
		return c.Newest()
	}
	return c.Slot(agent)
}

func (w *Workspace) decideRate(c *Conversation, ev Event, at time.Time, o *Outcome) {
	s := target(c, ev.Agent)
	o.check(CodeNoRequest, s == nil, 0, 0)
	o.check(CodeInvalidRating, ev.Value < 1 || ev.Value > 5, int64(ev.Value), 5)
	if s != nil {
		since := at.Sub(s.LastRequestAt)
		if st := w.settingsAt(at); st.Profile == ProfileIntercom {
			aud := st.For(c.Audience)
			if s.Value == 0 {
				h := aud.RatingWindowHours
				o.check(CodeRatingWindowClosed, h > 0 && since > time.Duration(h)*time.Hour, int64(since), int64(h))
			} else {
				h := aud.ChangeWindowHours
				o.check(CodeChangeWindowClosed, h > 0 && since > time.Duration(h)*time.Hour, int64(since), int64(h))
			}
		}
		if s.Value != 0 {
			o.check(CodeLockedByComment, s.Commented, 0, 0)
		}
	}
	if o.anyFailed() {
		o.Decision = DecisionRefused
		return
	}
	o.Decision = DecisionAccepted
	before := s.QueueEntry()
	o.Rating = RatingChange{Agent: s.Agent, Old: s.Value, New: ev.Value}
	if s.Value == 0 {
		s.FirstRatedAt = at
	}
	if s.Value != ev.Value {
		s.Value = ev.Value
		s.LastChangedAt = at
	}
	o.Rating.FirstRatedAt = s.FirstRatedAt
	w.moved(s, before, o)
}

func (w *Workspace) decideComment(c *Conversation, ev Event, at time.Time, o *Outcome) {
	s := target(c, ev.Agent)
	o.check(CodeNoRequest, s == nil, 0, 0)
	if s != nil {
		o.check(CodeCommentWithoutRating, s.Value == 0, 0, 0)
		o.check(CodeLockedByComment, s.Commented, 0, 0)
	}
	if o.anyFailed() {
		o.Decision = DecisionRefused
		return
	}
	o.Decision = DecisionAccepted
	o.Rating = RatingChange{Agent: s.Agent, Old: s.Value, New: s.Value, FirstRatedAt: s.FirstRatedAt}
	s.Comment, s.Commented = ev.Text, true
}

func (w *Workspace) moved(s *Slot, before QueueEntry, o *Outcome) {
	if after := s.QueueEntry(); after != before {
		o.Queue = QueueMove{Moved: true, Agent: s.Agent, Before: before, After: after}
	}
}

// followUp moves a follow-up item: claimed → contacted → resolved, each step
// optional but never backwards. Repeating the current step updates the note.
func (w *Workspace) followUp(c *Conversation, ev Event, at time.Time, o *Outcome) error {
	s := c.Slot(ev.Agent)
	if s == nil || s.Value == 0 {
		return fail(ErrState, "%s has no rating for %s to follow up", c.ID, ev.Agent)
	}
	cur := s.FollowUp.Stage
	inQueue := cur != StageNone || s.Value <= int(w.settingsAt(at).FollowUp)
	switch {
	case !inQueue:
		return fail(ErrState, "the rating of %s in %s is not in the follow-up queue", ev.Agent, c.ID)
	case ev.Stage == StageNone || ev.Stage > StageResolved:
		return fail(ErrInvalid, "follow-up step %d", ev.Stage)
	case ev.Stage < cur:
		return fail(ErrState, "the item is %s already and cannot go back to %s", cur, ev.Stage)
	case cur == StageResolved && ev.Stage == StageResolved && ev.Text == "":
		return fail(ErrState, "the item is resolved already")
	}
	before := s.QueueEntry()
	if cur == StageNone {
		s.FollowUp.ValueAtStart = s.Value
	}
	s.FollowUp.Stage, s.FollowUp.By, s.FollowUp.At = ev.Stage, ev.By, at
	if ev.Text != "" {
		s.FollowUp.Note = ev.Text
	}
	w.moved(s, before, o)
	return nil
}
