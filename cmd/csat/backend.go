package main

import "github.com/csat-app/csat/simulate"

// openBackend opens what `simulate run` writes into. Until the store is
// wired, every run is in memory.
func openBackend(g *globals, dryRun bool) (simulate.Backend, func() error, error) {
	return simulate.NewMemory(), func() error { return nil }, nil
}
