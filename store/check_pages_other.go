//go:build !linux

package store

// releaseMappedFiles is a no-op where the process's mappings cannot be
// listed; see check_pages_linux.go.
func releaseMappedFiles(dir string) {}
