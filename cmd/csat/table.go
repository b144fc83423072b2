package main

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// writeTable prints rows as columns two spaces apart, padded by the width
// each cell takes on a terminal: text/tabwriter counts runes, so a name in
// CJK script (two cells a character) would push its row out of line.
func writeTable(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// reportNameWidth is the most cells a name takes in the report's table:
// Intercom allows names of any length, and one would push every row past
// the terminal. CSV and JSON keep names whole.
const reportNameWidth = 40
