package domain

import (
	"strconv"
	"strings"
	"time"
)

// Code is a stable reason code: a rule that blocked a survey or a rating.
type Code uint8

// Reason codes of RULES.md, in the order the rules are listed there.
const (
	CodeDisabled Code = iota + 1
	CodeDirectOutboundOff
	CodeWorkflowOutboundOff
	CodeNoTeammateReply
	CodeTooShort
	CodeStale
	CodeGroup
	CodeAlreadyRequested
	CodeNotCustomerStarted
	CodeClosedByBot
	CodeNoAgentMessage
	CodeOutboundNoFollowup
	CodeNotSupported
	CodeNoRequest
	CodeInvalidRating
	CodeRatingWindowClosed
	CodeChangeWindowClosed
	CodeLockedByComment
	CodeCommentWithoutRating
	codeCount
)

var codeNames = [codeCount]string{"", "disabled", "direct_outbound_off", "workflow_outbound_off", "no_teammate_reply",
	"too_short", "stale", "group", "already_requested", "not_customer_started", "closed_by_bot", "no_agent_message",
	"outbound_no_followup", "not_supported", "no_request", "invalid_rating", "rating_window_closed",
	"change_window_closed", "locked_by_comment", "comment_without_rating"}

// Short names of the rule each code guards, for the simulator's ✓/✗ panel.
var ruleNames = [codeCount]string{"", "csat on", "direct outbound", "workflow outbound", "teammate replied",
	"length", "last reply", "one customer", "first request", "customer started", "closed by teammate",
	"agent message", "outbound follow-up", "workflows", "request", "value", "rating window",
	"change window", "no comment yet", "rated first"}

func (c Code) String() string {
	if c > 0 && c < codeCount {
		return codeNames[c]
	}
	return "unknown"
}

// Rule is the short name of the rule the code guards.
func (c Code) Rule() string {
	if c > 0 && c < codeCount {
		return ruleNames[c]
	}
	return "unknown"
}

// ParseCode reads a reason code.
func ParseCode(s string) (Code, bool) {
	for i := 1; i < int(codeCount); i++ {
		if codeNames[i] == s {
			return Code(i), true
		}
	}
	return 0, false
}

// AllCodes lists every reason code.
func AllCodes() []Code {
	cs := make([]Code, 0, codeCount-1)
	for c := Code(1); c < codeCount; c++ {
		cs = append(cs, c)
	}
	return cs
}

// Check is one rule as evaluated: whether it failed, and the figures behind it.
// The detail text is built only when asked for, so deciding allocates nothing.
type Check struct {
	Code   Code
	Failed bool
	Have   int64 // chars, nanoseconds, customers, value, audience…: depends on Code
	Limit  int64
}

// Detail explains the check in a few words, e.g. "212/250 chars".
func (c Check) Detail() string {
	switch c.Code {
	case CodeDisabled:
		return "csat " + onOff(!c.Failed) + " for " + Audience(c.Have).String()
	case CodeDirectOutboundOff:
		return "direct outbound " + onOff(!c.Failed) + " for " + Audience(c.Have).String()
	case CodeWorkflowOutboundOff:
		return "workflow outbound " + onOff(!c.Failed) + " for " + Audience(c.Have).String()
	case CodeNoTeammateReply:
		if c.Failed {
			return "no teammate message"
		}
		return "teammate replied"
	case CodeTooShort:
		return strconv.FormatInt(c.Have, 10) + "/" + strconv.FormatInt(c.Limit, 10) + " chars"
	case CodeStale:
		return FormatSpan(time.Duration(c.Have)) + " since last reply"
	case CodeGroup:
		if c.Have == 1 {
			return "1 customer"
		}
		return strconv.FormatInt(c.Have, 10) + " customers"
	case CodeAlreadyRequested:
		if c.Failed {
			return "a request was already sent"
		}
		return "no request yet"
	case CodeNotCustomerStarted:
		return "origin " + Origin(c.Have).String()
	case CodeClosedByBot:
		if c.Failed {
			return "closed by " + Actor{Kind: Kind(c.Have)}.kindName()
		}
		return "closed by a teammate"
	case CodeNoAgentMessage:
		if c.Failed {
			return "no message from a teammate or bot"
		}
		return strconv.FormatInt(c.Have, 10) + " agent messages"
	case CodeOutboundNoFollowup:
		if c.Failed {
			return "nothing sent after the opening message"
		}
		return "followed up"
	case CodeNotSupported:
		return "the operator profile has no Workflows"
	case CodeNoRequest:
		if c.Failed {
			return "no request to answer"
		}
		return "request sent"
	case CodeInvalidRating:
		return strconv.FormatInt(c.Have, 10) + " of 1..5"
	case CodeRatingWindowClosed, CodeChangeWindowClosed:
		d := FormatSpan(time.Duration(c.Have)) + " since request"
		if c.Limit == 0 {
			return d + ", no window"
		}
		if c.Failed {
			return d + " > " + strconv.FormatInt(c.Limit, 10) + "h"
		}
		return d + " ≤ " + strconv.FormatInt(c.Limit, 10) + "h"
	case CodeLockedByComment:
		if c.Failed {
			return "a comment was left"
		}
		return "no comment"
	case CodeCommentWithoutRating:
		if c.Failed {
			return "not rated yet"
		}
		return "rated"
	}
	return ""
}

func (a Actor) kindName() string {
	switch a.Kind {
	case KindWorkflow:
		return "workflow"
	case KindFin:
		return "fin"
	case KindTeammate:
		return "teammate"
	}
	return "bot"
}

// FormatSpan prints a duration in days, hours, minutes and seconds, leaving
// out zero parts: "8d 2h", "7d 1s", "0s".
func FormatSpan(d time.Duration) string {
	if d < 0 {
		return "-" + FormatSpan(-d)
	}
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	parts := []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	for _, p := range parts {
		if n := d / p.unit; n > 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(p.name)
			d -= n * p.unit
		}
	}
	if b.Len() == 0 {
		return d.String()
	}
	return b.String()
}

// Decision is what became of a close, ask, rate or comment.
type Decision uint8

// Decisions. DecisionNone is for events that decide nothing (say, note, …).
const (
	DecisionNone Decision = iota
	DecisionSent
	DecisionSkipped
	DecisionAccepted
	DecisionRefused
)

var decisionNames = [...]string{"none", "sent", "skipped", "accepted", "refused"}

func (d Decision) String() string { return decisionNames[d] }

// MaxChecks is how many rules one outcome holds: at least as many as
// the longest list a decision checks (a close under the Operator profile
// checks seven).
const MaxChecks = 8

// Outcome is what applying one event did, with every rule it checked.
type Outcome struct {
	Kind     EventKind
	Decision Decision
	checks   [MaxChecks]Check
	nchecks  uint8

	// To is the agent a sent survey is addressed to.
	To Actor
	// Survey describes the request sent, when Decision is DecisionSent.
	Survey SurveyChange
	// Rating describes an accepted rate.
	Rating RatingChange
	// Queue describes how the slot's follow-up membership moved, when it did.
	Queue QueueMove
	// Reopened is set when a customer's message woke or reopened the conversation.
	Reopened bool
	// NoEffect is set on a helpdesk's state part that changes nothing at
	// its place (a reopen of an open conversation): kept, not refused.
	NoEffect bool
}

// SurveyChange is a request sent to Agent. NewSlot is set for the first
// request to that agent in the conversation: the one that counts as a survey sent.
type SurveyChange struct {
	Agent   Actor
	NewSlot bool
	At      time.Time
	// Inferred is set when a helpdesk's rating made the slot: the request
	// is known only from its answer (Counts.Inferred).
	Inferred bool
}

// RatingChange is an accepted rating. Old is 0 for a first rating.
// FirstRatedAt places the rating in its period for good.
type RatingChange struct {
	Agent        Actor
	Old, New     int
	FirstRatedAt time.Time
}

// Changed reports whether the stored rating moved (a same-value re-rate records nothing new).
func (r RatingChange) Changed() bool { return r.Old != r.New }

// QueueMove is a slot's follow-up entry before and after an event.
type QueueMove struct {
	Moved         bool
	Agent         Actor
	Before, After QueueEntry
}

// Checks lists every rule evaluated, in RULES.md order.
func (o *Outcome) Checks() []Check { return o.checks[:o.nchecks] }

// Reasons lists the failed rules only.
func (o *Outcome) Reasons() []Check {
	var rs []Check
	for _, c := range o.checks[:o.nchecks] {
		if c.Failed {
			rs = append(rs, c)
		}
	}
	return rs
}

// Has reports whether code is among the failed rules.
func (o *Outcome) Has(code Code) bool {
	for _, c := range o.checks[:o.nchecks] {
		if c.Failed && c.Code == code {
			return true
		}
	}
	return false
}

// Decided reports whether the event made a decision (close, ask, rate, comment).
func (o *Outcome) Decided() bool { return o.Decision != DecisionNone }

func (o *Outcome) check(code Code, failed bool, have, limit int64) {
	o.checks[o.nchecks] = Check{Code: code, Failed: failed, Have: have, Limit: limit}
	o.nchecks++
}

func (o *Outcome) anyFailed() bool {
	for _, c := range o.checks[:o.nchecks] {
		if c.Failed {
			return true
		}
	}
	return false
}

// WithChecks returns o with its evaluated rules set to cs (at most 8 are
// kept), so that a store can rebuild a logged outcome exactly.
func (o Outcome) WithChecks(cs []Check) Outcome {
	o.nchecks = uint8(copy(o.checks[:], cs))
	return o
}
