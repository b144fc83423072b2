//go:build unix

package store

import (
	"io/fs"
	"syscall"
)

// allocatedBytes is the disk space a file takes, as du counts it.
func allocatedBytes(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks * 512
	}
	return fi.Size()
}
