package safetext

import (
	"bytes"
	"io"
	"log"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Hostile is text a customer could send: one of each thing a terminal
// would obey, between words that must survive.
var hostile = []struct{ name, in, line, text string }{
	{"osc title BEL", "a\x1b]0;pwned\x07b", "ab", "ab"},
	{"osc title ST", "a\x1b]0;pwned\x1b\\b", "ab", "ab"},
	{"osc 8 link", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click", "click"},
	{"csi clear", "x\x1b[2J\x1b[Hfake", "xfake", "xfake"},
	{"csi colour", "\x1b[31mred\x1b[0m", "red", "red"},
	{"dcs", "a\x1bP1$tpayload\x1b\\b", "ab", "ab"},
	{"sos pm apc", "a\x1bXs\x1b\\b\x1b^p\x1b\\c\x1b_q\x1b\\d", "abcd", "abcd"},
	{"reset", "a\x1bcb", "ab", "ab"},
	{"lone esc", "a\x1b", "a", "a"},
	{"unterminated osc", "a\x1b]0;rest", "a", "a"},
	{"bell backspace", "a\x07\x08b", "a␇␈b", "a␇␈b"},
	{"nul del", "a\x00\x7fb", "a␀␡b", "a␀␡b"},
	{"newline", "one\ntwo", "one⏎two", "one\ntwo"},
	{"crlf", "one\r\ntwo", "one⏎two", "one\ntwo"},
	{"lone cr", "over\rwrite", "over␍write", "over␍write"},
	{"tab", "a\tb", "a b", "a b"},
	{"c1 csi as utf-8", "a\u009b2Jb", "a\uFFFD2Jb", "a\uFFFD2Jb"},
	{"c1 osc as utf-8", "a\u009d0;t\u009cb", "a\uFFFD0;t\uFFFDb", "a\uFFFD0;t\uFFFDb"},
	{"raw 8-bit csi", "a\x9b2Jb", "a\uFFFD2Jb", "a\uFFFD2Jb"},
	{"invalid utf-8", "caf\xe9 \xff!", "caf\uFFFD \uFFFD!", "caf\uFFFD \uFFFD!"},
	{"bidi override", "invoice\u202egpj.exe", "invoicegpj.exe", "invoicegpj.exe"},
	{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc", "abc"},
	{"embeddings", "\u202aa\u202bb\u202cc\u202dd", "abcd", "abcd"},
}

func TestLineAndText(t *testing.T) {
	for _, c := range hostile {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in); got != c.line {
				t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
			}
			if got := Text(c.in); got != c.text {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
			}
		})
	}
}

func TestKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"", "Chloé Dubois", "山田 太郎", "مرحبا بالعالم", "שלום", "👩🏽‍💻 thanks! 🎉", "Ελληνικά", "naïve café – “quotes” … ©",
		"a\u200fb\u200ec", // LRM and RLM are marks, not overrides
		"e\u0301 combining", "🏳️‍🌈", "ｆｕｌｌ　ｗｉｄｔｈ",
	} {
		if !Safe(s) {
			t.Errorf("Safe(%q) = false", s)
		}
		if got := Line(s); got != s {
			t.Errorf("Line(%q) = %q", s, got)
		}
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q", s, got)
		}
		if got := Cell(s); got != s {
			t.Errorf("Cell(%q) = %q", s, got)
		}
	}
}

func TestCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`=HYPERLINK("http://evil","x")`, `'=HYPERLINK("http://evil","x")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'=1+1"},
		{"\r=1+1", "'=1+1"},
		{"\x1b[31m=1\x1b[0m", "'=1"},
		{"\u202e=1", "'=1"},
		{"-3", "-3"},
		{"-1.5", "-1.5"},
		{"+7", "+7"},
		{"-", "'-"},
		{"-.5", "'-.5"},
		{"1.", "1."},
		{"- a list", "'- a list"},
		{"great\nservice", "great\nservice"},
		{"bell\x07 and nul\x00", "bell and nul"},
		{"caf\xe9", "caf\uFFFD"},
		{"a = b", "a = b"},
		{"", ""},
	} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLogWriter(t *testing.T) {
	var buf bytes.Buffer
	l := log.New(LogWriter(&buf), "csat: ", 0)
	l.Printf("webhook %s", "n1\x1b]0;x\x07\nfake: entry")
	l.Printf("second")
	if got, want := buf.String(), "csat: webhook n1⏎fake: entry\ncsat: second\n"; got != want {
		t.Fatalf("log = %q, want %q", got, want)
	}
	if n, err := LogWriter(io.Discard).Write([]byte("ab\x1b\n")); n != 4 || err != nil {
		t.Fatalf("Write = %d, %v; want 4, nil", n, err)
	}
}

// FuzzSanitize: whatever the input, Line leaves no control character, no
// bidi control and no invalid UTF-8 (hence no ESC), Text the same but line
// breaks, Cell no formula start but a plain decimal, which it keeps as it
// is; and text without ESC or C1 controls keeps every character that is
// not a control, in order.
func FuzzSanitize(f *testing.F) {
	for _, c := range hostile {
		f.Add(c.in)
	}
	f.Add("=1+1")
	f.Add("山田\x1b[2J太郎")
	f.Fuzz(func(t *testing.T, s string) {
		line, text, cell := Line(s), Text(s), Cell(s)
		assertShown(t, "Line", s, line, false)
		assertShown(t, "Text", s, text, true)
		for _, r := range cell {
			if r != '\n' && isControl(r) || IsBidiControl(r) {
				t.Fatalf("Cell(%q) = %q holds %U", s, cell, r)
			}
		}
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber.MatchString(cell) {
			t.Fatalf("Cell(%q) = %q begins a formula", s, cell)
		}
		if plainNumber.MatchString(s) && cell != s {
			t.Fatalf("Cell(%q) = %q changed a number", s, cell)
		}
		if Safe(s) && line != s {
			t.Fatalf("Line(%q) = %q changed safe text", s, line)
		}
		if utf8.ValidString(s) && !strings.ContainsAny(s, "\x1b\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f") {
			if want := printable(s); printable(line) != want {
				t.Fatalf("Line(%q) = %q lost text: want the printable %q", s, line, want)
			}
		}
	})
}

// plainNumber is the decimal Cell leaves unquoted (its doc: -3, +1.5), of
// any length, written here apart from the code under test.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

func assertShown(t *testing.T, name, in, out string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q is not UTF-8", name, in, out)
	}
	for _, r := range out {
		if r == '\n' && multiline {
			continue
		}
		if isControl(r) || IsBidiControl(r) {
			t.Fatalf("%s(%q) = %q holds %U", name, in, out, r)
		}
	}
}

// printable is s without controls, bidi controls and the symbols shown for them.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) || IsBidiControl(r) || r >= 0x2400 && r <= 0x2421 || r == '⏎' || r == ' ' {
			return -1
		}
		return r
	}, s)
}
