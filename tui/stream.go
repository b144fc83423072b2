package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/store"
)

// streamData is one read of a conversation's parts.
type streamData struct {
	conv  string
	parts []store.Part
}

// convStream is one conversation opened from a list: any tab that lists
// conversations opens them in one, and esc (Back) returns to the list.
// It has its own load generation, so a read of the list never drops it.
type convStream struct {
	base
	open    string // "" when closed
	opening bool   // not read yet: show the end once it is
	parts   []store.Part
	lines   []string
	scroll  list
}

func newConvStream(c *common, tab int) *convStream {
	return &convStream{base: newBase(c, tab)}
}

func (s *convStream) isOpen() bool { return s.open != "" }

func (s *convStream) SetSize(w, h int) {
	s.width, s.height = w, h
	s.scroll.setHeight(max(h-1, 1))
	s.render()
}

// show opens a conversation; its stream comes as a command.
func (s *convStream) show(id string) tea.Cmd {
	s.open, s.parts, s.lines, s.opening = id, nil, nil, true
	s.scroll = list{height: max(s.height-1, 1)}
	return s.Reload()
}

// Reload re-reads the open conversation; nil when none is open.
func (s *convStream) Reload() tea.Cmd {
	if s.open == "" {
		return nil
	}
	src, id := s.c.src, s.open
	return s.fetch(func() (any, error) {
		parts, err := src.Stream(id)
		return streamData{conv: id, parts: parts}, err
	})
}

// update takes the stream's messages and keys; it reports whether msg was one.
func (s *convStream) update(msg tea.Msg) bool {
	if msg, ok := msg.(loadedMsg); ok {
		if msg.from != &s.base {
			return false
		}
		d, _ := msg.data.(streamData)
		if s.accept(msg, "stream "+d.conv) && d.conv == s.open {
			opening := s.opening
			s.opening, s.parts = false, d.parts
			s.render()
			if opening {
				// Open at the end: the newest parts matter most.
				s.scroll.cursor = len(s.lines) - 1
				s.scroll.clamp()
			}
		}
		return true
	}
	if !s.isOpen() {
		return false
	}
	if msg, ok := msg.(tea.KeyMsg); ok && keyIs(msg, s.c.keys.Back) {
		s.open = ""
		return true
	}
	s.scroll.update(s.c.keys, msg)
	return true
}

func (s *convStream) ratingsVisible() bool {
	return s.c.src.Settings().RatingVisibleTo(s.c.role)
}

// ShortHelp is the help line while a conversation is open.
func (s *convStream) ShortHelp() []key.Binding {
	k := s.c.keys
	return []key.Binding{k.Up, k.Down, k.Back, k.NextTab, k.Help, k.Quit}
}

func (s *convStream) status() string {
	return "conversation " + s.open + " · " + counted(len(s.parts), "part", "parts")
}

func (s *convStream) View() string {
	t := s.c.theme
	title := "  " + s.open + " · esc back"
	if !s.ratingsVisible() {
		title += " · ratings hidden from teammates by the workspace setting"
	}
	var b strings.Builder
	b.WriteString(t.Title.Render(fit(title, s.width)))
	if s.err != nil && len(s.parts) == 0 {
		b.WriteString("\n" + t.Error.Render("  cannot read "+s.open+": "+s.err.Error()))
	}
	from, to := s.scroll.offset, min(s.scroll.offset+s.scroll.height, len(s.lines))
	for i := from; i < to; i++ {
		b.WriteString("\n" + s.lines[i])
	}
	return b.String()
}

// render turns the parts into wrapped, styled lines once per load or resize.
func (s *convStream) render() {
	if s.open == "" || s.width == 0 || s.opening && s.parts == nil {
		return
	}
	s.lines = renderStream(s.c, s.parts, s.ratingsVisible(), s.width)
	s.scroll.setLen(len(s.lines))
}
