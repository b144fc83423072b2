package safetext

import "github.com/charmbracelet/x/ansi"

// CutMiddle shortens s to at most width cells by putting "…" in place of
// its middle: ids and names share their starts ("live…-", "conv-",
// "Billing & …") and differ at their ends, so a list of them cut at the end
// would look all alike. A column narrower than 3 cells keeps the start.
//
// Cells are counted by grapheme: a wide character, a letter with its
// combining marks or an emoji sequence is kept or dropped whole. Escape
// sequences (a style) take no cell and are kept whole; s is otherwise
// taken as it is, so make text from outside safe (Line) first.
func CutMiddle(s string, width int) string {
	w := ansi.StringWidth(s)
	if w <= width {
		return s
	}
	if width < 3 {
		return ansi.Truncate(s, max(width, 0), "…")
	}
	head := (width - 1) / 2
	tail := width - 1 - head
	end := ansi.TruncateLeft(s, w-tail, "")
	if ansi.StringWidth(end) > tail {
		// TruncateLeft keeps a wide grapheme it would halve; one cell
		// more drops it.
		end = ansi.TruncateLeft(s, w-tail+1, "")
	}
	return ansi.Truncate(s, head, "") + "…" + end
}
