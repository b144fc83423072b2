// Package simulate owns the scenario-script language of SCENARIOS.md: its
// parser, the runner that drives a [Backend] on the script's own clock, the human
// and JSON traces, expectations, and the comparison of both rule profiles.
// It also holds the one replay of a log ([Replay], under pinned settings or
// a profile, with a callback per event) behind the what-if, the dashboard's
// simulator and the observed comparison, and [ReplayInto], which fills the
// fresh store of check and of an erasure, handing each outcome on; the one
// text of an outcome ([Describe]); and the synthetic load generator.
//
// A scenario's diff under both profiles runs the script twice with [Run]
// and its profile option rather than replaying events: a script has waits
// relative to the clock and expectations, which only the runner knows.
package simulate
