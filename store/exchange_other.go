//go:build !linux

package store

import "errors"

// exchangeDirs needs an atomic exchange of two directories, which this
// build has only on Linux (renameat2 RENAME_EXCHANGE); two renames would
// leave a moment with no data directory at all.
func exchangeDirs(a, b string) error {
	return errors.New("erasure needs an atomic directory exchange, which csat has only on Linux")
}
