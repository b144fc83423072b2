package store

// Placeholder bodies so that readers compile while the store is built.
// The store's implementer replaces this file; the signatures are the contract.

import (
	"context"
	"errors"
	"time"

	"github.com/csat-app/csat/domain"
)

var errTODO = errors.New("store: not implemented yet")

// Options says where and how to open the store.
type Options struct {
	Dir      string // the data directory; ignored when InMemory
	InMemory bool   // for tests and --dry-run
	ReadOnly bool   // for read-only commands: skips the costly close
}

// Store is the Badger-backed workspace.
type Store struct{}

// Open opens (creating if needed) the store.
func Open(opts Options) (*Store, error) { return nil, errTODO }

// Close flushes and closes.
func (s *Store) Close() error { return errTODO }

// Apply applies one event through the rules and commits it with everything it changes.
func (s *Store) Apply(ev domain.Event) (domain.Outcome, error) { return domain.Outcome{}, errTODO }

// ApplyBatch applies events in order and commits them in one transaction:
// all or none. On a rule error (bad input) nothing of the batch is written
// and the error names the index of the bad event.
func (s *Store) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) { return nil, errTODO }

// Now is the store clock (time of the last event).
func (s *Store) Now() time.Time { return time.Time{} }

// Settings are the settings in force.
func (s *Store) Settings() domain.Settings { return domain.DefaultSettings() }

// Conversation returns a conversation's rule state.
func (s *Store) Conversation(id string) (domain.Conversation, bool) {
	return domain.Conversation{}, false
}

// AllTime returns an agent's all-time counts.
func (s *Store) AllTime(agent domain.Actor) domain.Counts { return domain.Counts{} }

// TeamAllTime sums the teammates' all-time counts.
func (s *Store) TeamAllTime() domain.Counts { return domain.Counts{} }

// OpenFollowUps counts open follow-up items under the current threshold.
func (s *Store) OpenFollowUps() int { return 0 }

// Leaderboard reads a period's report from the day counters.
func (s *Store) Leaderboard(p Period) (Leaderboard, error) { return Leaderboard{}, errTODO }

// FollowUps lists the queue, oldest first.
func (s *Store) FollowUps(f FollowUpFilter) ([]FollowUpItem, error) { return nil, errTODO }

// Achievements lists positive ratings, newest first.
func (s *Store) Achievements(limit int) ([]Achievement, error) { return nil, errTODO }

// Conversations lists conversations, most recently updated first.
func (s *Store) Conversations(limit int) ([]ConversationSummary, error) { return nil, errTODO }

// Stream lists the parts of one conversation in order.
func (s *Store) Stream(conv string) ([]Part, error) { return nil, errTODO }

// Audit lists settings changes, newest first.
func (s *Store) Audit(limit int) ([]AuditEntry, error) { return nil, errTODO }

// Teammates lists the roster.
func (s *Store) Teammates() ([]Teammate, error) { return nil, errTODO }

// Subscribe delivers a Change after every commit until ctx ends.
func (s *Store) Subscribe(ctx context.Context) <-chan Change { return nil }

// ParsePeriod reads today, 7d, 30d, 90d or all, relative to now (in UTC days).
func ParsePeriod(name string, now time.Time) (Period, error) { return Period{}, errTODO }

// Events calls fn for every logged event with sequence number > after, in
// log order, until fn returns an error (which Events returns).
func (s *Store) Events(after uint64, fn func(seq uint64, ev domain.Event) error) error {
	return errTODO
}

// Dir is the data directory ("" in memory).
func (s *Store) Dir() string { return "" }
