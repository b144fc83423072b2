/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

import "golang.org/x/sys/unix"

// dropPages unmaps b's pages from this process (MADV_DONTNEED on a shared
// file mapping): they stay in the page cache and on disk, and a later read
// maps them again with a minor fault.
func dropPages(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return unix.Madvise(b, unix.MADV_DONTNEED)
}
