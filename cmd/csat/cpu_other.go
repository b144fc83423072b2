//go:build !unix

package main

import "time"

// processCPU is not known here: a load's summary gives wall-clock rates only.
func processCPU() (time.Duration, bool) { return 0, false }
