package domain

import "time"

// EventKind says what an Event does.
type EventKind uint8

// Event kinds. Their names are the scenario verbs.
const (
	EvClock    EventKind = iota // only advances the clock (wait, clock)
	EvStart                     // a conversation starts
	EvSay                       // a message
	EvNote                      // an internal note
	EvAdd                       // another customer joins
	EvSnooze                    // snooze until Until
	EvClose                     // close: the Simple automation or Task Bot decides
	EvReopen                    // reopen a closed or snoozed conversation
	EvAsk                       // a Workflow's "ask for rating" step
	EvRate                      // a customer rates
	EvComment                   // a customer leaves a remark
	EvSet                       // a setting changes
	EvFollowUp                  // a lead moves a follow-up item
	EvRole                      // a teammate's role is recorded
	EvObserve                   // a rating observed in a helpdesk (Intercom): a fact, not a decision
	EvMark                      // bookkeeping: which external delivery keys a batch carried (MarkEvent)
	EvName                      // an identity's display name, as a helpdesk gives it
	EvTeam                      // a team is named, or a teammate joins or leaves it
	EvAssign                    // a conversation is assigned to a team, or to none
)

var eventNames = [...]string{"clock", "start", "say", "note", "add", "snooze", "close", "reopen", "ask", "rate", "comment", "set", "followup", "role", "observe", "mark", "name", "team", "assign"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return "unknown"
}

// ParseEventKind reads an event name.
func ParseEventKind(s string) (EventKind, bool) {
	for i, n := range eventNames {
		if n == s {
			return EventKind(i), true
		}
	}
	return 0, false
}

// Event is one thing that happens. Which fields matter depends on Kind:
//
//	start:    Conv, Actor (first customer), Origin, Channel, Agent (opening teammate, direct only),
//	          By (the helpdesk the conversation is observed in, "" when the rules decide it)
//	say:      Conv, Actor, Text
//	note:     Conv, Actor (teammate), Text
//	add:      Conv, Actor (customer)
//	snooze:   Conv, Actor, Until
//	close:    Conv, Actor (teammate or bot agent)
//	reopen:   Conv, Actor
//	ask:      Conv
//	rate:     Conv, Actor (customer), Value, Agent (optional slot)
//	comment:  Conv, Actor (customer), Text, Agent (optional slot)
//	set:      Setting, Text (value), By (admin, or "" for scripts and the system)
//	followup: Conv, Agent (slot), Stage, By, Text (note)
//	role:     By (teammate name), Role
//	observe:  Conv, Actor (customer), Agent (rated agent), Value, Text (remark or ""),
//	          Until (when the helpdesk asked for the rating; may be before At),
//	          Updated (when the helpdesk last changed the rating; an older one changes nothing).
//	          Value 0 is a request the helpdesk reports without an answer yet.
//	name:     Actor (the identity, by its stable key), Text (its display name),
//	          By (its email, or "")
//	mark:     By (source), Keys; advances the clock like clock
//	team:     Conv (team id), Text (display name, or "" to keep it), Agent (member, optional),
//	          Value (TeamJoin or TeamLeave)
//	assign:   Conv, Text (the team id the conversation is assigned to, "" for none)
type Event struct {
	Kind    EventKind
	At      time.Time
	Conv    string
	Actor   Actor
	Agent   Actor
	Origin  Origin
	Channel Channel
	Text    string
	Value   int
	Until   time.Time
	Setting SettingKey
	Stage   FollowStage
	By      string
	Role    Role
	Updated time.Time
	Keys    []string // mark only
}

// PartOf is the conversation ev is a part of, or "" for an event of the
// workspace: a clock, a setting, a role, a team (whose Conv is the team's
// id), a name or a mark.
func (ev Event) PartOf() string {
	switch ev.Kind {
	case EvClock, EvSet, EvRole, EvTeam, EvName, EvMark:
		return ""
	}
	return ev.Conv
}
