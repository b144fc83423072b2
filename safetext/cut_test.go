package safetext

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestCutMiddle(t *testing.T) {
	const family = "👩\u200d👩\u200d👧\u200d👦" // one emoji sequence, two cells
	tests := []struct {
		name, in string
		width    int
		want     string
	}{
		{"fits", "s1-2972", 15, "s1-2972"},
		{"exactly", "conversation-42", 15, "conversation-42"},
		{"ids keep their ends apart", "livedn8st62wi3x-12", 15, "livedn8…wi3x-12"},
		{"the next id", "livedn8st62wi3x-13", 15, "livedn8…wi3x-13"},
		{"a name keeps its end", "Billing & Accounts Team North", 20, "Billing &…Team North"},
		// Wide characters are dropped whole on either side, never halved,
		// and never make the result wider than asked.
		{"wide, even", "山田太郎山田太郎", 9, "山田…太郎"},
		{"wide, head short", "山田太郎山田太郎", 8, "山…太郎"},
		{"wide, tail straddles", "山田太郎山田太郎", 10, "山田…太郎"},
		{"wide with a space", "山田 太郎 (営業部 第二課)", 12, "山田 …二課)"},
		{"combining mark stays on its letter", "Chloe\u0301 Dubois-Martin", 11, "Chloe\u0301…artin"},
		{"combining mark at the tail's start", "Dubois-Martin Chloe\u0301", 3, "D…e\u0301"},
		{"emoji sequences whole", family + family + family + family, 5, family + "…" + family},
		{"emoji sequence straddling the tail", family + "abc" + family, 6, family + "…c" + family},
		{"right-to-left text in logical order", "שלום עולם מה שלומך", 9, "שלום…לומך"},
		{"narrow column", "abcdef", 2, "a…"},
		{"one cell", "abcdef", 1, "…"},
		{"no cell", "abcdef", 0, ""},
		{"empty", "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CutMiddle(tt.in, tt.width)
			if got != tt.want {
				t.Errorf("CutMiddle(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
			}
			if w := ansi.StringWidth(got); w > max(tt.width, 0) {
				t.Errorf("CutMiddle(%q, %d) is %d cells wide", tt.in, tt.width, w)
			}
		})
	}
}

// Styled text (escape sequences that take no cell) is cut by what shows:
// every sequence comes out whole, and the visible text is cut as the plain
// text would be.
func TestCutMiddleKeepsEscapeSequencesWhole(t *testing.T) {
	for _, in := range []string{
		"\x1b[1mlivedn8st62wi3x-12\x1b[0m",
		"\x1b[38;5;208mBilling\x1b[0m & \x1b[4mAccounts Team North\x1b[0m",
		"\x1b]8;;https://example.com/c/42\x1b\\livedn8st62wi3x-12\x1b]8;;\x1b\\",
		"\x1b[31m山田太郎山田太郎\x1b[0m",
	} {
		for width := 3; width <= 20; width++ {
			got := CutMiddle(in, width)
			if plain, want := ansi.Strip(got), CutMiddle(ansi.Strip(in), width); plain != want {
				t.Errorf("CutMiddle(%q, %d) shows %q, want %q", in, width, plain, want)
			}
			if w := ansi.StringWidth(got); w > width {
				t.Errorf("CutMiddle(%q, %d) is %d cells wide", in, width, w)
			}
			if rest := ansi.Strip(got); strings.ContainsRune(rest, '\x1b') {
				t.Errorf("CutMiddle(%q, %d) = %q splits an escape sequence", in, width, got)
			}
		}
	}
}
