package report

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// RatingRow is one rating slot (a conversation and the agent rated in it),
// in `csat export ratings` and `/api/export/ratings` alike.
type RatingRow struct {
	Conversation string `json:"conversation"`
	Agent        string `json:"agent"`
	AgentKind    string `json:"agent_kind"` // teammate or bot
	Customer     string `json:"customer"`
	// Value is 1..5, null while the slot is unrated.
	Value *int   `json:"value"`
	Class string `json:"class"` // positive, neutral, negative or none
	// Comment is null when no comment was left.
	Comment        *string `json:"comment"`
	FirstRated     Stamp   `json:"first_rated"`
	LastChanged    Stamp   `json:"last_changed"`
	FirstRequested Stamp   `json:"first_requested"`
	Requests       int     `json:"requests"`
	FollowUp       string  `json:"followup"` // open, claimed, contacted or resolved
	// AgentName and CustomerName are the display names (Agent and Customer
	// are the keys); last, so the columns before them keep their places.
	AgentName    string `json:"agent_name"`
	CustomerName string `json:"customer_name"` // "" without a customer
	// Team is the id of the team the conversation is assigned to (Intercom's
	// team_assignee_id), "" for none; TeamName its display name (the id
	// while the team is not known by name).
	Team     string `json:"team"`
	TeamName string `json:"team_name"`
}

// ConversationRow is one conversation, in `csat export conversations` and
// `/api/export/conversations` alike.
type ConversationRow struct {
	Conversation string `json:"conversation"`
	Customer     string `json:"customer"`
	Audience     string `json:"audience"` // users or leads
	Origin       string `json:"origin"`
	Channel      string `json:"channel"`
	State        string `json:"state"` // at the store clock
	Started      Stamp  `json:"started"`
	Updated      Stamp  `json:"updated"`
	Closed       Stamp  `json:"closed"`
	Chars        int    `json:"chars"`
	Messages     int    `json:"messages"`
	Customers    int    `json:"customers"`
	Slots        int    `json:"slots"`
	Rated        int    `json:"rated"`
	// Team and TeamName are the assigned team's, as in RatingRow.
	Team     string `json:"team"`
	TeamName string `json:"team_name"`
}

// Ratings lists the rows of a conversation's slots, in slot order; name
// gives an identity's display name.
func Ratings(c *domain.Conversation, name func(domain.Actor) string) []RatingRow {
	rows := make([]RatingRow, 0, len(c.Slots))
	customerName := ""
	if len(c.Customers) > 0 {
		customerName = name(c.Customers[0])
	}
	for _, sl := range c.Slots {
		r := RatingRow{
			Conversation: c.ID, Agent: sl.Agent.String(), AgentName: name(sl.Agent), AgentKind: agentKind(sl.Agent),
			Customer: customer(c), CustomerName: customerName,
			Class: domain.ClassOf(sl.Value).String(), FirstRated: Stamp(sl.FirstRatedAt), LastChanged: Stamp(sl.LastChangedAt),
			FirstRequested: Stamp(sl.FirstRequestAt), Requests: sl.Requests, FollowUp: sl.FollowUp.Stage.String(),
			Team: c.Team, TeamName: c.Team,
		}
		if sl.Value != 0 {
			v := sl.Value
			r.Value = &v
		}
		if sl.Commented {
			text := sl.Comment
			r.Comment = &text
		}
		rows = append(rows, r)
	}
	return rows
}

// NewConversationRow is a conversation's row; its state is read at now.
func NewConversationRow(c *domain.Conversation, updated, now time.Time) ConversationRow {
	rated := 0
	for _, sl := range c.Slots {
		if sl.Value != 0 {
			rated++
		}
	}
	return ConversationRow{
		Conversation: c.ID, Customer: customer(c), Audience: c.Audience.String(), Origin: c.Origin.String(),
		Channel: c.Channel.String(), State: c.StateAt(now).String(), Started: Stamp(c.StartedAt),
		Updated: Stamp(updated), Closed: Stamp(c.ClosedAt), Chars: c.Chars, Messages: c.Messages,
		Customers: len(c.Customers), Slots: len(c.Slots), Rated: rated, Team: c.Team, TeamName: c.Team,
	}
}

func customer(c *domain.Conversation) string {
	if len(c.Customers) == 0 {
		return ""
	}
	return c.Customers[0].String()
}

func agentKind(a domain.Actor) string {
	if a.IsTeammate() {
		return KindTeammate
	}
	return KindBot
}
