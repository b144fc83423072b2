package simulate

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// token is one word of a script line. Col is 1-based and counts characters
// (runes), so a column points at the same place an editor shows, even after
// emoji.
type token struct {
	Text   string
	Col    int
	End    int // column of the token's last character (the closing quote of a text)
	Quoted bool
}

// lexError is a lexical error at a column of the current line.
type lexError struct {
	Col int
	Msg string
}

// Error gives COL: message; the parser adds the file and line.
func (e *lexError) Error() string { return fmt.Sprintf("%d: %s", e.Col, e.Msg) }

// lexLine splits one line into words and quoted texts, dropping a comment
// that starts with # outside quotes.
func lexLine(line string) ([]token, *lexError) {
	var toks []token
	col := 0
	i := 0
	next := func() (rune, int) {
		r, size := utf8.DecodeRuneInString(line[i:])
		return r, size
	}
	for i < len(line) {
		r, size := next()
		col++
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, &lexError{col, "invalid UTF-8"}
		case r == ' ' || r == '\t' || r == '\r':
			i += size
		case r == '#':
			return toks, nil
		case r == '"':
			start := col
			i += size
			var b strings.Builder
			closed := false
			for i < len(line) && !closed {
				r, size = next()
				col++
				switch {
				case r == utf8.RuneError && size == 1:
					return nil, &lexError{col, "invalid UTF-8 in text"}
				case r == '"':
					closed = true
				case r == '\\':
					if i+size >= len(line) {
						return nil, &lexError{col, `a backslash must be followed by " or \`}
					}
					e, esize := utf8.DecodeRuneInString(line[i+size:])
					if e != '"' && e != '\\' {
						return nil, &lexError{col, fmt.Sprintf(`bad escape \%s in text: only \" and \\ are allowed`, printable(e))}
					}
					b.WriteRune(e)
					i += esize
					col++
				default:
					b.WriteRune(r)
				}
				i += size
			}
			if !closed {
				return nil, &lexError{start, "unterminated text: a closing \" is missing"}
			}
			if i < len(line) {
				if r, _ := next(); r != ' ' && r != '\t' && r != '\r' && r != '#' {
					return nil, &lexError{col + 1, "put a space after the closing \""}
				}
			}
			toks = append(toks, token{Text: b.String(), Col: start, End: col, Quoted: true})
		default:
			start, from := col, i
			for i < len(line) {
				r, size = next()
				if r == ' ' || r == '\t' || r == '\r' || r == '#' {
					break
				}
				if r == utf8.RuneError && size == 1 {
					return nil, &lexError{col, "invalid UTF-8"}
				}
				if r == '"' {
					return nil, &lexError{col, "a quote must start a word: put a space before it"}
				}
				i += size
				col++
			}
			col-- // the loop above counted the word's runes; the outer loop counts the next one
			toks = append(toks, token{Text: line[from:i], Col: start, End: col})
		}
	}
	return toks, nil
}

// printable shows a rune in an error message, control characters escaped.
func printable(r rune) string {
	q := fmt.Sprintf("%q", r)
	return q[1 : len(q)-1]
}
