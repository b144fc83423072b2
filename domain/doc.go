// Package domain owns the CSAT rule set: conversations, survey requests,
// rating slots, follow-up membership, settings and scores, for both rule
// profiles (intercom and the legacy operator Task Bot).
//
// It is pure: no I/O, no clock, no goroutines. Everything flows through one
// entry point, [Workspace.Apply], which applies an [Event] and returns an
// [Outcome] carrying every rule it checked, each with its reason code and
// detail. Callers (the simulator, the store, the dashboard) never decide a
// rule themselves; they fold outcomes into their own aggregates with
// [Tally] and [QueueTally].
package domain
