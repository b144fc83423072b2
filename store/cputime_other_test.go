//go:build !unix

package store

import "time"

// processCPU is zero where getrusage is missing: benchmarks then report
// no CPU time.
func processCPU() time.Duration { return 0 }
