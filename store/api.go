package store

// This file is the contract between the store and its readers (tui, cmd,
// serve). The store issue owner implements every method; signatures change
// only together with their callers.

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// Period is a half-open interval [From, To) of days in UTC (domain.Period).
type Period = domain.Period

// Leaderboard is one period's report: the team row, the teammates and the bot agents.
type Leaderboard struct {
	Period    Period
	Team      domain.Counts
	Teammates []AgentRow // every teammate with a survey or rating in the period, by name
	Bots      []AgentRow // workflow and fin, when they have any
	Teams     []TeamRow  // every team, by display name, even when it has no counts
}

// TeamRow is a team's counts over the period: the sum of its members' rows.
type TeamRow struct {
	Team   domain.Team
	Counts domain.Counts
	Daily  []DayCounts // as AgentRow.Daily
}

// AgentRow is one agent's counts over the period, with one entry per day for
// the trend sparkline (len(Daily) = number of days in the period, capped at 90;
// longer periods are bucketed evenly).
type AgentRow struct {
	Agent  domain.Actor
	Counts domain.Counts
	Daily  []DayCounts
	// Display is how the agent is shown: its display name, else its key.
	Display string
}

// DayCounts is one sparkline bucket of a row: domain.Counts in 32-bit
// fields, half the size. A 90-day board of 200 agents holds 18,000 of
// them, and allocating them (the collector's work they cause) was half
// the cost of reading the board.
type DayCounts struct {
	ByValue  [6]int32
	Surveys  int32
	Inferred int32
}

// Counts widens d.
func (d DayCounts) Counts() domain.Counts {
	c := domain.Counts{Surveys: int(d.Surveys), Inferred: int(d.Inferred)}
	for v, n := range d.ByValue {
		c.ByValue[v] = int(n)
	}
	return c
}

// Add adds o into d.
func (d *DayCounts) Add(o DayCounts) {
	for v := range d.ByValue {
		d.ByValue[v] += o.ByValue[v]
	}
	d.Surveys += o.Surveys
	d.Inferred += o.Inferred
}

// addCounts adds c into d (a day's counts of one agent fit 32 bits).
func (d *DayCounts) addCounts(c *domain.Counts) {
	for v := range d.ByValue {
		d.ByValue[v] += int32(c.ByValue[v])
	}
	d.Surveys += int32(c.Surveys)
	d.Inferred += int32(c.Inferred)
}

// FollowUpItem is one entry of the negative-remarks queue.
type FollowUpItem struct {
	Conv     string
	Agent    domain.Actor
	Customer domain.Actor
	Value    int
	Comment  string
	RatedAt  time.Time // first rated
	Changed  time.Time // last changed
	FollowUp domain.FollowUp
	Raised   bool // the customer raised the rating after work started
	// Window is whether the customer can still change the rating at the
	// store clock, and if not, why.
	Window domain.SlotWindow
}

// FollowUpFilter narrows the queue. Zero values match everything open.
type FollowUpFilter struct {
	Agent           domain.Actor
	IncludeResolved bool
	// Text keeps the items whose agent, customer, comment, conversation
	// or follow-up author contain each of its words, in any case
	// (FollowUpPage; "" keeps all).
	Text string
	// Segments keeps the items of the conversations it matches (channel,
	// audience, origin), as a filtered leaderboard counts them.
	Segments domain.Filter
}

// Achievement is a positive rating, with its comment if any.
type Achievement struct {
	Conv     string
	Agent    domain.Actor
	Customer domain.Actor
	Value    int
	Comment  string
	At       time.Time
}

// ConversationSummary is one row of the conversation list.
type ConversationSummary struct {
	ID        string
	Customer  domain.Actor
	Origin    domain.Origin
	Channel   domain.Channel
	State     domain.ConvState // as of the newest event stored
	StartedAt time.Time
	UpdatedAt time.Time
	Chars     int
	Slots     []domain.Slot
}

// Part is one item of a conversation's stream: the event that made it and
// its outcome (requests, ratings, refusals).
type Part struct {
	Seq     uint64
	Event   domain.Event
	Outcome domain.Outcome
}

// AuditEntry is one settings change.
type AuditEntry struct {
	At       time.Time
	By       string // "" for scripts and the system
	Key      domain.SettingKey
	Old, New string
}

// Teammate is a member of the workspace roster.
type Teammate struct {
	Name string
	Role domain.Role
}

// Change is what the live feed says after a commit: which kinds of data
// moved, so a view reloads only what it shows.
type Change struct {
	Seq           uint64 // the log sequence number of the last event committed
	Ratings       bool
	FollowUps     bool
	Conversations bool
	Settings      bool
}
