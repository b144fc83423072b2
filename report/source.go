package report

import (
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// Source is what the rows are read from: the store (or anything that reads
// like it), in conversation id order.
type Source interface {
	Settings() domain.Settings
	Leaderboard(p store.Period) (store.Leaderboard, error)
	EachConversation(fn func(c domain.Conversation, updatedAt time.Time) error) error
	// DisplayName is how an identity is shown: its display name, else its key.
	DisplayName(a domain.Actor) string
}

// Report is the leaderboard of period p under the happiness target in force.
func Report(src Source, p store.Period) (Leaderboard, error) {
	lb, err := src.Leaderboard(p)
	if err != nil {
		return Leaderboard{}, err
	}
	return NewLeaderboard(lb, src.Settings().TargetPermille), nil
}

// teamLister is a source that knows its teams by name (the store does).
type teamLister interface{ Teams() []domain.Team }

// teamNames gives a team id's display name: the id itself while the
// source does not know the team (an export imported without GET /teams).
func teamNames(src Source) func(id string) string {
	names := map[string]string{}
	if tl, ok := src.(teamLister); ok {
		for _, t := range tl.Teams() {
			names[t.ID] = t.Name
		}
	}
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
}

// EachRating calls fn with every rating slot's row, unrated slots included.
func EachRating(src Source, fn func(RatingRow) error) error {
	team := teamNames(src)
	return src.EachConversation(func(c domain.Conversation, _ time.Time) error {
		for _, r := range Ratings(&c, src.DisplayName) {
			r.TeamName = team(c.Team)
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// EachConversation calls fn with every conversation's row, its state now
// (store.Now: the wall clock, as for periods).
func EachConversation(src Source, fn func(ConversationRow) error) error {
	now := store.Now()
	team := teamNames(src)
	return src.EachConversation(func(c domain.Conversation, updated time.Time) error {
		r := NewConversationRow(&c, updated, now)
		r.TeamName = team(c.Team)
		return fn(r)
	})
}
