package store

import (
	"fmt"
	"sort"
	"strings"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Display names. An identity's key (domain.Actor) never changes; its
// display name and email are the last EvName for it, kept under
// i/<kind><key> and in memory (a few bytes per identity), and looked up
// when something is shown, so a rename reaches every row of history and a
// name learned late fills in rows written before it.

const pName = 'i'

func nameKey(a domain.Actor) []byte {
	return append(append(prefix(pName), byte(a.Kind)), a.Name...)
}

// Name is one entry of the display-name directory.
type Name struct {
	Actor   domain.Actor
	Display string
	Email   string
}

// names maps identities to their directory entries; guarded by Store.mu.
type names map[domain.Actor]Name

func encodeName(n Name) []byte {
	e := enc{}
	e.str(n.Display)
	e.str(n.Email)
	return e.b
}

// loadNames reads the directory at open.
func loadNames(txn *badger.Txn) (names, error) {
	out := names{}
	err := iterate(txn, prefix(pName), func(k, v []byte) error {
		if len(k) < 3 {
			return fmt.Errorf("name key %q: %w", k, errCorrupt)
		}
		n := Name{Actor: domain.Actor{Kind: domain.Kind(k[2]), Name: string(k[3:])}}
		d := dec{b: v}
		n.Display, n.Email = d.str(), d.str()
		out[n.Actor] = n
		return d.done("name of " + n.Actor.String())
	})
	return out, err
}

// learnName records a batch's EvName; the last one of an identity wins.
func (b *batch) learnName(ev domain.Event) {
	if b.names == nil {
		b.names = names{}
	}
	b.names[ev.Actor] = Name{Actor: ev.Actor, Display: ev.Text, Email: ev.By}
}

// writeNames puts the batch's names into its transaction.
func (b *batch) writeNames(w *txnWriter) error {
	for a, n := range b.names {
		if err := w.set(nameKey(a), encodeName(n)); err != nil {
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
	return domain.DisplayName(a, s.names[a].Display)
}

// NameOf is a's directory entry: "" for what no EvName gave.
func (s *Store) NameOf(a domain.Actor) (display, email string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.names[a]
	return n.Display, n.Email
}

// Names lists every identity that has a display name, by key, for readers
// that show many rows (the API sends it once).
func (s *Store) Names() []Name {
	s.mu.RLock()
	out := make([]Name, 0, len(s.names))
	for _, n := range s.names {
		out = append(out, n)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Actor.String() < out[j].Actor.String() })
	return out
}

// FindTeammate finds the teammate whose email (any case) or exact display
// name is ref. It is an error when two teammates share it.
func (s *Store) FindTeammate(ref string) (domain.Actor, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var found []domain.Actor
	for a, n := range s.names {
		if a.IsTeammate() && (n.Display == ref || n.Email != "" && strings.EqualFold(n.Email, ref)) {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return domain.Actor{}, false, nil
	case 1:
		return found[0], true, nil
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return domain.Actor{}, false, fmt.Errorf("%q names %d teammates (%s, %s…): use an admin id", ref, len(found), found[0].Name, found[1].Name)
}

// displayRows fills the display names of leaderboard rows and orders the
// rows by them (then by key, for two people of one name).
func (s *Store) displayRows(rows []AgentRow) {
	s.mu.RLock()
	for i := range rows {
		rows[i].Display = domain.DisplayName(rows[i].Agent, s.names[rows[i].Agent].Display)
	}
	s.mu.RUnlock()
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Display != rows[j].Display {
			return rows[i].Display < rows[j].Display
		}
		return rows[i].Agent.Name < rows[j].Agent.Name
	})
}
