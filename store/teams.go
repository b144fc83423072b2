package store

// The teams and the roster a store keeps in memory.

import (
	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// loadRoster reads the teams and the roles.
func loadRoster(txn *badger.Txn, st *memState) error {
	if err := iterate(txn, prefix(pTeam), func(k, v []byte) error {
		t, err := decodeTeam(v, "team "+string(k[2:]))
		if err != nil {
			return err
		}
		st.teams[t.ID] = &t
		return nil
	}); err != nil {
		return err
	}
	return iterate(txn, prefix(pRole), func(k, v []byte) error {
		r, err := decodeRole(v, string(k[2:]))
		st.roles[string(k[2:])] = r
		return err
	})
}

// Teams returns the workspace's teams, by display name.
func (s *Store) Teams() []domain.Team {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return domain.SortedTeams(s.st.teams)
}
