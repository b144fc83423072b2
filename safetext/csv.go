package safetext

import "strings"

// Cell returns s made safe for a spreadsheet cell (OWASP "CSV injection"):
// escape sequences, control characters other than line breaks, and bidi
// controls are dropped, invalid UTF-8 becomes U+FFFD, and a cell that would
// begin with = + - @ (or tab or CR) gets a leading ' so that no spreadsheet
// reads it as a formula. Numbers such as -3 or +1.5 are kept as they are.
func Cell(s string) string {
	if !Safe(s) {
		s = clean(s, true, true)
	}
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || isNumber(s) {
		return s
	}
	return "'" + s
}

// isNumber reports whether s is a plain decimal: an optional sign, digits,
// and at most one point between digits.
func isNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i+1 < len(s):
			point = true
		default:
			return false
		}
	}
	return digits > 0
}
