package store

import (
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// pScenario keys the simulator sessions kept by name (n/NAME). They are
// the trainers' drafts, not workspace facts: no event logs them, a replay
// does not derive them, and Check leaves them out.
const pScenario = 'n'

// MaxScenarioBytes bounds one saved scenario (a script of a few hundred steps
// is a few KiB).
const MaxScenarioBytes = 1 << 20

// Scenario is a simulator session saved by name as a script
// (simulate.WriteScript), replayable with csat simulate run.
type Scenario struct {
	Name    string
	By      string
	SavedAt time.Time
	Script  string
}

// ValidScenarioName accepts 1 to 64 of A-Z a-z 0-9 _ . - (not starting with
// a dot): a name that is also safe as a file name and on a command line.
func ValidScenarioName(name string) error {
	if name == "" || len(name) > 64 || name[0] == '.' {
		return fmt.Errorf("scenario name %q: want 1 to 64 of A-Z a-z 0-9 _ . - not starting with a dot", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("scenario name %q: want 1 to 64 of A-Z a-z 0-9 _ . - not starting with a dot", name)
		}
	}
	return nil
}

func scenarioKey(name string) []byte { return append(prefix(pScenario), name...) }

// SaveScenario keeps sc under its name, replacing one saved before.
func (s *Store) SaveScenario(sc Scenario) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if err := ValidScenarioName(sc.Name); err != nil {
		return err
	}
	if len(sc.Script) > MaxScenarioBytes {
		return fmt.Errorf("scenario %s: %d bytes, over the %d a scenario may hold", sc.Name, len(sc.Script), MaxScenarioBytes)
	}
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(scenarioKey(sc.Name), encodeScenario(sc))
	})
}

// Scenario returns the scenario saved as name; ok is false when there is none.
func (s *Store) Scenario(name string) (sc Scenario, ok bool, err error) {
	if ValidScenarioName(name) != nil {
		return Scenario{}, false, nil
	}
	txn, _, done := s.snapshot()
	defer done()
	item, err := txn.Get(scenarioKey(name))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Scenario{}, false, nil
	}
	if err != nil {
		return Scenario{}, false, err
	}
	err = item.Value(func(v []byte) error {
		sc, err = decodeScenario(name, v)
		return err
	})
	return sc, err == nil, err
}

// Scenarios lists the saved scenarios by name, scripts included.
func (s *Store) Scenarios() ([]Scenario, error) {
	txn, _, done := s.snapshot()
	defer done()
	var out []Scenario
	err := iterate(txn, prefix(pScenario), func(k, v []byte) error {
		sc, err := decodeScenario(string(k[2:]), v)
		if err == nil {
			out = append(out, sc)
		}
		return err
	})
	return out, err
}

// carryScenarios copies the saved scenarios into a store rebuilt from the
// log (an erasure), which would otherwise lose them: no event logs them.
func (s *Store) carryScenarios(to *Store) error {
	list, err := s.Scenarios()
	if err != nil || len(list) == 0 {
		return err
	}
	return to.db.Update(func(txn *badger.Txn) error {
		for _, sc := range list {
			if err := txn.Set(scenarioKey(sc.Name), encodeScenario(sc)); err != nil {
				return err
			}
		}
		return nil
	})
}
