package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
)

// column is one column of a list. Width counts its gap; a width of 0 takes
// what the other columns leave of the table's width.
type column struct {
	title    string
	width    int
	right    bool // right-aligned (numbers)
	padLeft  int  // blank cells before the value
	padRight int  // blank cells after it
}

// grid lays rows out under their column titles with lipgloss/table: fixed
// columns keep their width, a cut value ends in … inside its column, and
// rowStyle (nil for none) styles whole rows (row -1 is the header).
type grid struct {
	theme    Theme
	cols     []column
	width    int // 0: the sum of the columns
	rowStyle func(row int) lipgloss.Style
	noHeader bool
}

func (g grid) render(rows [][]string) string {
	cells := make([]lipgloss.Style, len(g.cols))
	titles := make([]string, len(g.cols))
	for i, c := range g.cols {
		s := g.theme.Renderer.NewStyle().Width(c.width).PaddingLeft(c.padLeft).PaddingRight(c.padRight)
		if c.right {
			s = s.Align(lipgloss.Right)
		}
		cells[i] = s
		titles[i] = c.title
	}
	tb := table.New().
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).BorderRow(false).
		Wrap(false).
		Rows(rows...).
		StyleFunc(func(row, col int) lipgloss.Style {
			if g.rowStyle == nil {
				return cells[col]
			}
			return cells[col].Inherit(g.rowStyle(row))
		})
	// Always with headers: lipgloss v1.1 drops the last row of a table
	// without them (its height is counted one short).
	tb = tb.Headers(titles...)
	if g.width > 0 {
		tb = tb.Width(g.width)
	}
	out := tb.Render()
	if g.noHeader {
		_, out, _ = strings.Cut(out, "\n")
	}
	return out
}
