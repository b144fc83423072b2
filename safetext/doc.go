// Package safetext makes text that came from outside (customer remarks,
// names, message bodies, script texts) safe to show in a terminal or to open
// in a spreadsheet, without changing what is stored.
//
// A terminal obeys some characters instead of printing them: escape
// sequences retitle windows, clear the screen or move the cursor; C0 and C1
// controls ring, erase or start sequences of their own; bidi overrides and
// isolates reorder what follows so a line reads differently from what it
// holds. Line and Text remove escape sequences whole (with their payloads up
// to ST or BEL), show every other control character as a visible symbol,
// drop the bidi overrides and isolates, and show invalid UTF-8 as U+FFFD.
// Everything else, emoji and any script, is kept exactly.
//
// Cell does the same for a spreadsheet cell and also defuses formulas.
//
// The package imports nothing of csat: every layer that writes to a screen
// or a file for people may use it; domain does not, it has no screen.
package safetext
