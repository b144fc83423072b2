package safetext

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Placeholders shown instead of what a terminal would obey.
const (
	// NewlineMark stands for a line break inside one line of a table.
	NewlineMark = "⏎"
	// Replacement stands for invalid UTF-8 and for C1 control characters.
	Replacement = "\uFFFD"
)

// Line returns s made safe for one line of a terminal: a line break is shown
// as ⏎ (a CR LF pair as one), a tab as a space.
func Line(s string) string { return clean(s, false, false) }

// Text returns s made safe for a multi-line view: line breaks are kept (a CR
// before one is dropped), everything else as in Line.
func Text(s string) string { return clean(s, true, false) }

// Safe reports whether s is shown as it is by Line: valid UTF-8 without
// control characters, escape sequences or bidi controls.
func Safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2 {
			return safeSlow(s)
		}
	}
	return utf8.ValidString(s)
}

// safeSlow looks at each rune when a fast byte scan found a byte that may
// begin something unsafe (0xC2 begins C1 controls and ordinary Latin-1
// letters alike, 0xE2 bidi controls and ordinary punctuation).
func safeSlow(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if isControl(r) || IsBidiControl(r) {
			return false
		}
	}
	return true
}

// clean does Line, Text and Cell: multiline keeps line breaks, drop leaves
// out the characters that Line and Text show as symbols.
func clean(s string, multiline, drop bool) string {
	if Safe(s) {
		return s
	}
	// Invalid bytes first: a stray 0x9B would otherwise begin an 8-bit CSI
	// for the escape parser and swallow the text after it.
	s = ansi.Strip(strings.ToValidUTF8(s, Replacement))
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\n' && multiline:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(NewlineMark)
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// the \n that follows stands for the pair
		case IsBidiControl(r), drop && isControl(r):
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r) // the Control Pictures block: ␀ … ␟
		case r == 0x7f:
			b.WriteRune('␡')
		case r >= 0x80 && r <= 0x9f:
			b.WriteString(Replacement)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

// IsBidiControl reports whether r is a bidi embedding, override or isolate
// (U+202A–U+202E, U+2066–U+2069): characters that reorder the text after
// them. The marks LRM and RLM only nudge neutral characters and are kept.
func IsBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// LogWriter returns a writer for a log.Logger: each entry is written as one
// safe line (line breaks inside it shown as ⏎), so that logged text can
// neither drive the terminal that tails the log nor forge another entry.
func LogWriter(w io.Writer) io.Writer { return logWriter{w} }

type logWriter struct{ w io.Writer }

func (l logWriter) Write(p []byte) (int, error) {
	entry, nl := strings.CutSuffix(string(p), "\n")
	out := Line(entry)
	if nl {
		out += "\n"
	}
	if _, err := io.WriteString(l.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}
