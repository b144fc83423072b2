package store

// What a writable open does to a store before the first write: finish a
// batch a previous run left half-written, build the segment counters a
// store older than schema 3 lacks, and stamp the schema.

// migrate brings a store of schema version (0: new and empty) to this
// build's. The caller is a writable open.
func (s *Store) migrate(version uint64) error {
	if err := s.finishPending(); err != nil {
		return err
	}
	if version == 1 || version == 2 {
		if err := s.buildSegments(); err != nil {
			return err
		}
	}
	if version != 1 {
		// A schema-1 store is upgraded when its marks are first asked for
		// (upgradeMarks): that reads the whole log, seconds on a store of
		// millions of events, which a dashboard, a report or a load, none
		// of which reads marks, should not wait for.
		if err := s.writeSchema(); err != nil {
			return err
		}
	}
	return nil
}
