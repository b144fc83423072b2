package tui

// The leaderboard's custom period: a FROM..TO typed in a prompt, read by
// domain's period parser, its error shown in full until it parses.

import (
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
)

// periodPrompt is the custom period's text field.
type periodPrompt struct {
	open  bool
	input textinput.Model
	err   string // why the last text typed is not a period
}

// periodName is the period the board reads: the custom one when typed,
// else the named one p cycles.
func (v *leaderboard) periodName() string {
	if v.custom != "" {
		return v.custom
	}
	return periods[v.period]
}

// Capturing: while the prompt is open it takes every key, q included.
func (v *leaderboard) Capturing() bool { return v.prompt.open }

// openPrompt starts the custom period's prompt, the board's period as its
// placeholder: typing starts afresh (a prefilled value took the typed
// period after it), and enter on nothing typed keeps the period.
func (v *leaderboard) openPrompt() tea.Cmd {
	v.prompt = periodPrompt{open: true, input: newInput("from..to: ", "2026-02-01..2026-02-28")}
	v.prompt.input.Width = max(v.width-14, 10)
	if p := v.data.Period; p.To.After(p.From) {
		v.prompt.input.Placeholder = (p.From.Format("2006-01-02") + ".." + p.To.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	v.list.setHeight(v.listHeight())
	return v.prompt.input.Focus()
}

// promptKey edits the prompt: enter reads the period (a custom FROM..TO or
// a named one) and reloads, esc closes, the rest is text.
func (v *leaderboard) promptKey(msg tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	switch {
	case keyIs(msg, k.Cancel):
		v.prompt.open = false
	case keyIs(msg, k.Apply):
		text := strings.TrimSpace(v.prompt.input.Value())
		if text == "" {
			text = v.prompt.input.Placeholder
		}
		if _, err := domain.ParsePeriod(text, v.c.clock()); err != nil {
			v.prompt.err = err.Error()
			v.list.setHeight(v.listHeight())
			return nil
		}
		v.prompt.open = false
		v.custom = text
		if i := periodIndex(text); i >= 0 {
			v.period, v.custom = i, ""
		}
		v.list.setHeight(v.listHeight())
		return v.Reload()
	default:
		var cmd tea.Cmd
		v.prompt.input, cmd = v.prompt.input.Update(msg)
		return cmd
	}
	v.list.setHeight(v.listHeight())
	return nil
}

// periodIndex is a named period's place among those p cycles, or -1.
func periodIndex(name string) int {
	for i, p := range periods {
		if p == name {
			return i
		}
	}
	return -1
}

// promptView is the prompt, what it takes and, after a refused enter, why
// in full, wrapped to the width.
func (v *leaderboard) promptView() string {
	if !v.prompt.open {
		return ""
	}
	t := v.c.theme
	var b strings.Builder
	b.WriteString(fit("  "+v.prompt.input.View(), v.width) + "\n")
	hint := "FROM..TO as YYYY-MM-DD, both days included, or a named period (" + strings.Join(periods, ", ") + ") · enter apply · esc cancel"
	b.WriteString(t.Muted.Render(indented(hint, v.width)) + "\n")
	if v.prompt.err != "" {
		b.WriteString(t.Error.Render(indented("✗ "+safetext.Line(v.prompt.err), v.width)) + "\n")
	}
	return b.String()
}

// indented wraps text to width, each line two cells in, nothing cut.
func indented(text string, width int) string {
	lines := strings.Split(ansi.Wrap(text, max(width-2, 10), " "), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}

// promptHeight is the lines promptView takes.
func (v *leaderboard) promptHeight() int {
	if !v.prompt.open {
		return 0
	}
	return strings.Count(v.promptView(), "\n")
}
