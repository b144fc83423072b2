package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
	badger "github.com/dgraph-io/badger/v4"
)

// Display names. An identity's key (domain.Actor) never changes; its
// display name and email are those of its newest EvName (by the event's
// time, domain.NameSupersedes), kept under i/<kind><key> with that time and
// in memory (a few bytes per identity), and looked up when something is
// shown, so a rename reaches every row of history, a name learned late
// fills in rows written before it, and an older payload delivered late does
// not take a rename back.

const pName = 'i'

func nameKey(a domain.Actor) []byte {
	return append(append(prefix(pName), byte(a.Kind)), a.Name...)
}

// Name is one entry of the display-name directory.
type Name struct {
	Actor   domain.Actor
	Display string
	Email   string
	At      time.Time // when the helpdesk showed it (the EvName's time)
}

// names maps identities to their directory entries; guarded by Store.mu.
type names map[domain.Actor]Name

// encodeName writes a name's time only when it has one: a record of a
// store from before the times were kept (schema 7 and older) ends after the email.
func encodeName(n Name) []byte {
	e := enc{}
	e.str(n.Display)
	e.str(n.Email)
	if !n.At.IsZero() {
		e.time(n.At)
	}
	return e.b
}

// decodeName reads a record of encodeName into n.
func decodeName(v []byte, n *Name) error {
	d := dec{b: v}
	n.Display, n.Email = d.str(), d.str()
	if d.err == nil && len(d.b) > 0 {
		n.At = d.time()
	}
	return d.done("name of " + n.Actor.String())
}

// loadNames reads the directory at open.
func loadNames(txn *badger.Txn) (names, error) {
	out := names{}
	err := iterate(txn, prefix(pName), func(k, v []byte) error {
		if len(k) < 3 {
			return fmt.Errorf("name key %q: %w", k, errCorrupt)
		}
		n := Name{Actor: domain.Actor{Kind: domain.Kind(k[2]), Name: string(k[3:])}}
		err := decodeName(v, &n)
		out[n.Actor] = n
		return err
	})
	return out, err
}

// learnName records a batch's EvName if it supersedes the name the batch or
// the store holds for that identity; it reports whether what is shown
// changed (a newer repeat only moves the time).
func (b *batch) learnName(ev domain.Event) bool {
	held, ok := b.names[ev.Actor]
	if !ok {
		b.s.mu.RLock()
		held = b.s.names[ev.Actor]
		b.s.mu.RUnlock()
	}
	if !domain.NameSupersedes(held.At, ev.At) {
		return false
	}
	if b.names == nil {
		b.names = names{}
	}
	b.names[ev.Actor] = Name{Actor: ev.Actor, Display: ev.Text, Email: ev.By, At: ev.At}
	return held.Display != ev.Text || held.Email != ev.By
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

// NameSeen is a's directory entry with the time it was shown at (zero for
// what no EvName gave, or a store from before the times were kept).
func (s *Store) NameSeen(a domain.Actor) (display, email string, at time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.names[a]
	return n.Display, n.Email, n.At
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
