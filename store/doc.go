// Package store persists the workspace in Badger: the append-only event log
// (the truth), the materialized state derived from it, and per-(agent, day)
// counters, always written in one transaction so they never disagree.
package store
