//go:build unix

package serve

import "syscall"

// processGone says whether no process has the id pid.
func processGone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }
