//go:build !linux

package store

// Elsewhere than Linux the store leaves Badger's table mappings to the
// system (resident_linux.go).
type residentWatch struct{}

func watchResident(Options) *residentWatch { return nil }

func (w *residentWatch) watch(string) {}

func (w *residentWatch) close() {}

func paceResident() {}
