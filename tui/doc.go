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
package tui
