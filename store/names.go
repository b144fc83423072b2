package store

import (
	"fmt"
	"sort"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Display names. An identity's key (domain.Actor) never changes; its
// display name is the last EvName for it, kept under i/<kind><key> and in
// memory (a few bytes per identity), and looked up when something is shown,
// so a rename reaches every row of history and a name learned late fills in
// rows written before it.

const pName = 'i'

func nameKey(a domain.Actor) []byte {
	return append(append(prefix(pName), byte(a.Kind)), a.Name...)
}

// names maps identities to their display names; guarded by Store.mu.
type names map[domain.Actor]string

// loadNames reads the directory at open.
func loadNames(txn *badger.Txn) (names, error) {
	out := names{}
	err := iterate(txn, prefix(pName), func(k, v []byte) error {
		if len(k) < 3 {
			return fmt.Errorf("name key %q: %w", k, errCorrupt)
		}
		out[domain.Actor{Kind: domain.Kind(k[2]), Name: string(k[3:])}] = string(v)
		return nil
	})
	return out, err
}

// learnName records a batch's EvName; the last one of an identity wins.
func (b *batch) learnName(ev domain.Event) {
	if b.names == nil {
		b.names = names{}
	}
	b.names[ev.Actor] = ev.Text
}

// writeNames puts the batch's names into its transaction.
func (b *batch) writeNames(w *txnWriter) error {
	for a, n := range b.names {
		if err := w.set(nameKey(a), []byte(n)); err != nil {
			return err
		}
	}
	return nil
}

// publishNames makes a committed batch's names visible; the caller holds s.mu.
func (s *Store) publishNames(b *batch) {
	if len(b.names) == 0 {
		return
	}
	if s.names == nil {
		s.names = names{}
	}
	for a, n := range b.names {
		s.names[a] = n
	}
}

// DisplayName is how a is shown: its display name when one was given,
// else its key (domain.DisplayName).
func (s *Store) DisplayName(a domain.Actor) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return domain.DisplayName(a, s.names[a])
}

// Names lists every identity that has a display name, for readers that show
// many rows (the API sends it once).
func (s *Store) Names() []Name {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Name, 0, len(s.names))
	for a, n := range s.names {
		out = append(out, Name{Actor: a, Display: n})
	}
	return out
}

// Name is one entry of the display-name directory.
type Name struct {
	Actor   domain.Actor `json:"actor"`
	Display string       `json:"display"`
}

// displayRows fills the display names of leaderboard rows and orders the
// rows by them (then by key, for two people of one name).
func (s *Store) displayRows(rows []AgentRow) {
	s.mu.RLock()
	for i := range rows {
		rows[i].Display = domain.DisplayName(rows[i].Agent, s.names[rows[i].Agent])
	}
	s.mu.RUnlock()
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Display != rows[j].Display {
			return rows[i].Display < rows[j].Display
		}
		return rows[i].Agent.Name < rows[j].Agent.Name
	})
}
