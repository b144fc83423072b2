//go:build linux || darwin

package store

import (
	"fmt"
	"os"
	"syscall"
)

// fileIdentity is device, inode, size, modification and change times.
func fileIdentity(fi os.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	m, c := statTimes(st)
	return fmt.Sprintf("%d:%d:%d:%d.%d:%d.%d", st.Dev, st.Ino, st.Size, m.Sec, m.Nsec, c.Sec, c.Nsec), true
}
