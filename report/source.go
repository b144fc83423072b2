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

// EachRating calls fn with every rating slot's row, unrated slots included.
func EachRating(src Source, fn func(RatingRow) error) error {
	return src.EachConversation(func(c domain.Conversation, _ time.Time) error {
		for _, r := range Ratings(&c, src.DisplayName) {
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
	return src.EachConversation(func(c domain.Conversation, updated time.Time) error {
		return fn(NewConversationRow(&c, updated, now))
	})
}
