package tui

import "github.com/charmbracelet/lipgloss"

// Theme holds every style of the dashboard, built from one renderer so that
// a remote session's colour profile and background are honoured.
type Theme struct {
	Renderer    *lipgloss.Renderer
	App         lipgloss.Style
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	TabBar      lipgloss.Style
	Header      lipgloss.Style
	Selected    lipgloss.Style
	Muted       lipgloss.Style
	Good        lipgloss.Style
	Neutral     lipgloss.Style
	Bad         lipgloss.Style
	Warn        lipgloss.Style
	Accent      lipgloss.Style
	Error       lipgloss.Style
	Status      lipgloss.Style
	StatusKey   lipgloss.Style
	StatusLive  lipgloss.Style
	Box         lipgloss.Style
	Title       lipgloss.Style
}

// NewTheme builds the styles from r. Adaptive colours read well on light
// and dark terminals; with NO_COLOR the renderer drops colours and the
// layout still carries the meaning (markers, ✓/✗, the ▸ cursor).
func NewTheme(r *lipgloss.Renderer) Theme {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	fg := lipgloss.AdaptiveColor{Light: "#1f2328", Dark: "#e6edf3"}
	muted := lipgloss.AdaptiveColor{Light: "#6e7781", Dark: "#8b949e"}
	accent := lipgloss.AdaptiveColor{Light: "#6f42c1", Dark: "#bc8cff"}
	good := lipgloss.AdaptiveColor{Light: "#1a7f37", Dark: "#3fb950"}
	neutral := lipgloss.AdaptiveColor{Light: "#9a6700", Dark: "#d29922"}
	bad := lipgloss.AdaptiveColor{Light: "#cf222e", Dark: "#f85149"}
	selBg := lipgloss.AdaptiveColor{Light: "#ddf4ff", Dark: "#1f3a5f"}
	barBg := lipgloss.AdaptiveColor{Light: "#eaeef2", Dark: "#21262d"}
	s := r.NewStyle
	return Theme{
		Renderer:    r,
		App:         s().Foreground(fg),
		TabActive:   s().Bold(true).Foreground(accent).Underline(true).Padding(0, 1),
		TabInactive: s().Foreground(muted).Padding(0, 1),
		TabBar:      s(),
		Header:      s().Bold(true).Foreground(muted),
		Selected:    s().Background(selBg).Bold(true),
		Muted:       s().Foreground(muted),
		Good:        s().Foreground(good),
		Neutral:     s().Foreground(neutral),
		Bad:         s().Foreground(bad),
		Warn:        s().Foreground(neutral).Bold(true),
		Accent:      s().Foreground(accent),
		Error:       s().Foreground(bad).Bold(true),
		Status:      s().Foreground(fg).Background(barBg),
		StatusKey:   s().Foreground(accent).Background(barBg).Bold(true),
		StatusLive:  s().Foreground(good).Background(barBg),
		Box:         s().Border(lipgloss.NormalBorder()).BorderForeground(muted).Padding(0, 1),
		Title:       s().Bold(true).Foreground(accent),
	}
}
