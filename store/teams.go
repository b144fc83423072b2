package store

// The teams and the roster a store keeps in memory.

import (
	"fmt"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// loadRoster reads the teams and the roles.
func loadRoster(txn *badger.Txn, st *memState) error {
	if err := iterate(txn, prefix(pTeam), func(k, v []byte) error {
		d := dec{b: v}
		t := d.team()
		if err := d.done("team " + string(k[2:])); err != nil {
			return err
		}
		st.teams[t.ID] = &t
		return nil
	}); err != nil {
		return err
	}
	return iterate(txn, prefix(pRole), func(k, v []byte) error {
		if len(v) != 1 {
			return fmt.Errorf("role of %s: %w", k[2:], errCorrupt)
		}
		st.roles[string(k[2:])] = domain.Role(v[0])
		return nil
	})
}

// Teams returns the workspace's teams, by display name.
func (s *Store) Teams() []domain.Team {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return domain.SortedTeams(s.st.teams)
}
