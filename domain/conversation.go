package domain

import (
	"fmt"
	"time"
)

// Origin says how a conversation started.
type Origin uint8

// Origins of RULES.md. custom-bot is the legacy name of a Workflow start.
const (
	OriginInbound Origin = iota
	OriginDirect
	OriginWorkflow
	OriginAPI
	OriginMessage
	OriginVisitorMessage
	OriginCustomBot
)

var originNames = [...]string{"inbound", "direct", "workflow", "api", "message", "visitor-message", "custom-bot"}

func (o Origin) String() string {
	if int(o) < len(originNames) {
		return originNames[o]
	}
	return fmt.Sprintf("origin(%d)", o)
}

// ParseOrigin reads an origin name.
func ParseOrigin(s string) (Origin, error) {
	for i, n := range originNames {
		if n == s {
			return Origin(i), nil
		}
	}
	return 0, fmt.Errorf("unknown origin %q: want inbound, direct, workflow, api, message, visitor-message or custom-bot", s)
}

// Channel changes how a survey is shown, never whether it is sent.
type Channel uint8

// Channels.
const (
	ChannelMessenger Channel = iota
	ChannelEmail
)

func (c Channel) String() string {
	if c == ChannelEmail {
		return "email"
	}
	return "messenger"
}

// ParseChannel reads "messenger" or "email".
func ParseChannel(s string) (Channel, error) {
	switch s {
	case "messenger":
		return ChannelMessenger, nil
	case "email":
		return ChannelEmail, nil
	}
	return 0, fmt.Errorf("unknown channel %q: want messenger or email", s)
}

// ConvState is a conversation's stored state. A snooze that has ended
// reads as open: see [Conversation.StateAt].
type ConvState uint8

// Conversation states.
const (
	StateOpen ConvState = iota
	StateSnoozed
	StateClosed
)

func (s ConvState) String() string {
	switch s {
	case StateSnoozed:
		return "snoozed"
	case StateClosed:
		return "closed"
	}
	return "open"
}

// Conversation holds exactly what the rules need, kept up to date as events
// arrive so that no decision ever walks the conversation's parts.
type Conversation struct {
	ID        string
	Origin    Origin
	Channel   Channel
	Audience  Audience
	OpenedBy  string // the teammate who opened a direct conversation
	StartedAt time.Time
	// UpdatedAt is the time of the conversation's latest part (one that
	// waits for earlier parts included): a part before it is late (see
	// [ErrLate]).
	UpdatedAt time.Time
	State     ConvState
	// SnoozedUntil is when a snooze ends; meaningful while State is StateSnoozed.
	SnoozedUntil time.Time
	ClosedAt     time.Time
	// Customers who took part, distinct, in order of arrival.
	Customers []Actor
	// Chars is the running length, in code points, of customer and teammate messages.
	Chars int
	// LastReplyAt is the time of the last customer or teammate message, or
	// StartedAt when there is none.
	LastReplyAt time.Time
	// Messages counts messages from anyone (notes excluded).
	Messages int
	// LastTeammate is the teammate who last sent a message; "" if none did.
	LastTeammate string
	// LastBot is the bot agent that last sent a message.
	LastBot Actor
	// Requested is set once any survey request was sent here, by any profile.
	Requested bool
	// Slots holds one rating slot per rated agent, in order of first request.
	Slots []Slot
	// NewestSlot is the 1-based index of the slot with the newest request; 0 when none.
	NewestSlot int
	// Helpdesk names the helpdesk whose rules decided this conversation's
	// surveys ("intercom"); "" when this project's rules decide them.
	Helpdesk string
	// Team is the id of the team the conversation is assigned to (the
	// latest assign event, by time); "" for none. It moves no rule and no
	// counter: team rows count their members' ratings, wherever they were.
	// TeamAt is the time of that assign event, zero when there was none.
	Team   string
	TeamAt time.Time
}

// StateAt is the state at time now: a snooze that ends at or before now has woken.
func (c *Conversation) StateAt(now time.Time) ConvState {
	if c.State == StateSnoozed && !now.Before(c.SnoozedUntil) {
		return StateOpen
	}
	return c.State
}

// HasCustomer reports whether a took part.
func (c *Conversation) HasCustomer(a Actor) bool {
	for _, x := range c.Customers {
		if x == a {
			return true
		}
	}
	return false
}

// Slot returns the rating slot of agent, or nil.
func (c *Conversation) Slot(agent Actor) *Slot {
	for i := range c.Slots {
		if c.Slots[i].Agent == agent {
			return &c.Slots[i]
		}
	}
	return nil
}

// Newest returns the slot with the newest request, or nil.
func (c *Conversation) Newest() *Slot {
	if c.NewestSlot == 0 {
		return nil
	}
	return &c.Slots[c.NewestSlot-1]
}

// Slot is the one rating a rated agent can receive in one conversation; all
// requests for that agent in the conversation share it.
type Slot struct {
	Agent          Actor
	Requests       int
	FirstRequestAt time.Time
	// LastRequestAt starts the rating and change windows.
	LastRequestAt time.Time
	// Value is 1..5, or 0 while unrated.
	Value         int
	FirstRatedAt  time.Time
	LastChangedAt time.Time
	Comment       string
	Commented     bool
	FollowUp      FollowUp
	// Inferred is set when a helpdesk's rating made the slot: its request
	// is known only from the answer (Counts.Inferred).
	Inferred bool
}

// QueueEntry is what the follow-up queue needs to know of a slot.
func (s *Slot) QueueEntry() QueueEntry { return QueueEntry{Value: s.Value, Stage: s.FollowUp.Stage} }

// FollowUpCandidate reports whether the slot is a follow-up item under some
// threshold or in the list of resolved items: rated, and either in the queue
// under any of [FollowUpThresholds] or with follow-up work begun. An index of
// candidates lets a reader apply the threshold of the day without a rescan.
func (s *Slot) FollowUpCandidate() bool {
	if s.Value == 0 {
		return false
	}
	if s.FollowUp.Stage != StageNone {
		return true
	}
	e := s.QueueEntry()
	for _, t := range FollowUpThresholds {
		if e.InQueue(t) {
			return true
		}
	}
	return false
}

// FollowStage is where a follow-up item stands.
type FollowStage uint8

// Follow-up stages. An item is open until resolved.
const (
	StageNone FollowStage = iota // not started: in the queue while the rating qualifies
	StageClaimed
	StageContacted
	StageResolved
)

var stageNames = [...]string{"open", "claimed", "contacted", "resolved"}

func (s FollowStage) String() string {
	if int(s) < len(stageNames) {
		return stageNames[s]
	}
	return "?"
}

// ParseFollowStage reads claimed, contacted or resolved.
func ParseFollowStage(s string) (FollowStage, error) {
	for i, n := range stageNames[1:] {
		if n == s {
			return FollowStage(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown follow-up step %q: want claimed, contacted or resolved", s)
}

// FollowUp is the lead's work on a negative remark.
type FollowUp struct {
	Stage FollowStage
	By    string // who moved it last
	Note  string
	At    time.Time
	// ValueAtStart is the rating when work started, to tell a raised rating.
	ValueAtStart int
}

// Raised reports whether the customer raised the rating after work started.
func (s *Slot) Raised() bool {
	return s.FollowUp.Stage != StageNone && s.Value > s.FollowUp.ValueAtStart
}
