package serve

import "os"

// processGone says whether no process has the id pid: Windows opens a
// handle only to a process that exists.
func processGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	p.Release()
	return false
}
