//go:build !linux

/*
 * SPDX-FileCopyrightText: © Hypermode Inc. <hello@hypermode.com>
 * SPDX-License-Identifier: Apache-2.0
 */

package z

// adviseHuge and PopulateWrite do nothing where there is no
// MADV_HUGEPAGE or MADV_POPULATE_WRITE (csat).
func adviseHuge([]byte) {}

func PopulateWrite([]byte) {}
