// Package tui is the csat dashboard: a Bubble Tea program whose root model
// routes keys and messages to one child model per tab (leaderboard,
// follow-ups, achievements, conversations, simulator, settings).
//
// The dashboard decides no CSAT rule itself. Scores, classes, faces, the
// target, the Wilson bound, follow-up membership, change windows and rating
// visibility all come from package domain; the numbers come from the store.
// Styles come from one [Theme] built from a *lipgloss.Renderer, so that each
// SSH session can bring its own; keys come from one [KeyMap], which also
// feeds the ? help.
//
// Update never reads or writes the store: a tab's reads and writes run as
// commands whose result comes back as a loadedMsg naming the tab (or the
// part of it) and a generation, so a slow read never overwrites a newer
// one; keys typed meanwhile wait for it, so they act on what they will see.
package tui
