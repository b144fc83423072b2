// Package simulate owns the scenario-script language of SCENARIOS.md: its
// parser, the runner that drives a [Backend] on a simulated clock, the human
// and JSON traces, expectations, and the comparison of both rule profiles.
// It also holds the synthetic load generator and the what-if replays, which
// drive the same rules.
package simulate
