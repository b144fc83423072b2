//go:build csatfault

package store

import (
	"os"
	"syscall"
)

// The fault-injection build (go build -tags csatfault) kills the process
// after the first committed part of a split batch when
// CSAT_FAULT=kill-after-part, as a crash there would. Only the reliability
// tests build it.
func init() {
	if os.Getenv("CSAT_FAULT") != "kill-after-part" {
		return
	}
	afterPart = func() error {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}
