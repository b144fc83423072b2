package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// conversations is the conversation list, most recently updated first,
// read from the store a page at a time; the filter searches the store.
type conversations struct {
	base
	pages  pager[store.ConversationSummary]
	search string // the text the list was searched for; "": every conversation
	// stopRead stops the last page read, which a newer one replaces: a
	// search for a rare text reads the whole list.
	stopRead context.CancelFunc

	stream *convStream // the conversation opened from the list
}

func newConversations(c *common, tab int) *conversations {
	return &conversations{base: newBase(c, tab), stream: newConvStream(c, tab)}
}

func (v *conversations) TabName() string { return "Conversations" }

// Search lists the conversations of the store that match text.
func (v *conversations) Search(text string) tea.Cmd {
	if text == v.search && v.base.loaded {
		return nil
	}
	v.filter, v.search = text, text
	return v.readPage(readFirst) // the window stays on screen until the page replaces it
}

func (v *conversations) SetSize(w, h int) {
	v.width, v.height = w, h
	v.list.setHeight(max(h-1, 1))
	v.stream.SetSize(w, h)
}

func (v *conversations) StatusText() string {
	if v.err != nil {
		return "conversations: " + v.err.Error()
	}
	if v.stream.isOpen() {
		return v.stream.status()
	}
	if v.loading && v.search != "" {
		// A search that matches little reads much of the store.
		return "searching “" + v.search + "”…"
	}
	what := "conversations"
	if v.search != "" {
		what = "conversations with “" + v.search + "”"
	}
	return v.pages.where(v.list.cursor, 0, what) + " · most recent first"
}

func (v *conversations) ShortHelp() []key.Binding {
	k := v.c.keys
	if v.stream.isOpen() {
		return v.stream.ShortHelp()
	}
	return []key.Binding{k.Enter, k.Up, k.Down, k.Filter, k.NextTab, k.Help, k.Quit}
}

func (v *conversations) FullHelp() [][]key.Binding {
	k := v.c.keys
	return [][]key.Binding{{k.Enter, k.Back}, k.listKeys(), k.frameKeys()}
}

// ratingsVisible asks the domain whether this viewer may see ratings in the stream.
func (v *conversations) ratingsVisible() bool {
	return v.c.src.Settings().RatingVisibleTo(v.c.role)
}

func (v *conversations) nested() bool { return v.stream.isOpen() }

func (v *conversations) busy() bool { return v.loading || v.stream.busy() }

// Reload reads the window again and, when one is open, the conversation's stream.
func (v *conversations) Reload() tea.Cmd {
	return tea.Batch(v.readPage(readReload), v.stream.Reload())
}

// readPage reads the page r asks for, as a command.
func (v *conversations) readPage(r pageRead) tea.Cmd {
	src, q, text := v.c.src, v.pages.query(r), v.search
	if v.stopRead != nil {
		v.stopRead()
	}
	ctx, stop := context.WithCancel(v.c.life)
	v.stopRead = stop
	return v.fetch(func() (any, error) {
		defer stop()
		pg, err := src.SearchConversations(ctx, text, q)
		return pageMsg[store.ConversationSummary]{read: r, page: pg}, err
	})
}

func (v *conversations) loaded(msg loadedMsg) {
	if v.accept(msg, "conversations") && msg.err == nil {
		if m, ok := msg.data.(pageMsg[store.ConversationSummary]); ok {
			v.pages.take(m, &v.list)
		}
	}
}

func (v *conversations) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := v.c.keys
	if v.stream.update(msg) {
		return v, nil
	}
	if msg, ok := msg.(loadedMsg); ok {
		v.loaded(msg)
		return v, nil
	}
	if cmd, ok := pagerKey(&v.base, &v.pages, msg, v.readPage); ok {
		return v, cmd
	}
	if msg, ok := msg.(tea.KeyMsg); ok && keyIs(msg, k.Enter) && len(v.pages.items) > 0 {
		return v, v.stream.show(v.pages.items[v.list.cursor].ID)
	}
	return v, nil
}

func (v *conversations) View() string {
	if v.stream.isOpen() {
		return v.stream.View()
	}
	t := v.c.theme
	now := v.c.clock()
	visible := v.ratingsVisible()
	from, to := v.list.visible()
	rows := make([][]string, 0, to-from)
	for i := from; i < to; i++ {
		s := v.pages.items[i]
		rows = append(rows, []string{v.cursorMark(i), safetext.CutMiddle(s.ID, 15), v.c.person(s.Customer), s.Origin.String(), s.State.String(),
			age(now, s.UpdatedAt), itoa(s.Chars), slotSummary(s.Slots, visible, v.c.shown, v.width-convFixedWidth)})
	}
	g := grid{theme: t, cols: convColumns, width: v.width, rowStyle: v.rowStyle(from, nil)}
	var b strings.Builder
	b.WriteString(g.render(rows))
	if row, ok := v.placeholder(len(v.pages.items), "cannot read conversations", v.emptyText()); ok {
		b.WriteString("\n" + row)
	}
	return b.String()
}

func (v *conversations) emptyText() string {
	if v.search != "" {
		return "no conversation has “" + v.search + "” in its id, customer, teammates or comments"
	}
	return "no conversations"
}

// convColumns are the list's columns; the ratings take the rest.
var convColumns = []column{
	{width: 2}, {title: "id", width: 16, padRight: 1}, {title: "customer", width: 16, padRight: 1}, {title: "origin", width: 10, padRight: 1},
	{title: "state", width: 9, padRight: 1}, {title: "updated", width: 8, padRight: 1}, {title: "chars", width: 7, padRight: 1}, {title: "ratings"},
}

// convFixedWidth is the width of the list's columns before the ratings.
const convFixedWidth = 2 + 16 + 16 + 10 + 9 + 8 + 7

// slotSummary lists each rated agent, by the name shown, with its face,
// or hides the faces. When they overflow width, the names are cut alike
// so that every face still shows.
func slotSummary(slots []domain.Slot, visible bool, shown func(domain.Actor) string, width int) string {
	names, marks := make([]string, len(slots)), make([]string, len(slots))
	for i, s := range slots {
		names[i] = shown(s.Agent)
		switch {
		case !visible:
		case s.Value == 0:
			marks[i] = " …"
		default:
			marks[i] = " " + domain.Face(s.Value)
		}
	}
	join := func() string {
		parts := make([]string, len(names))
		for i := range names {
			parts[i] = names[i] + marks[i]
		}
		return strings.Join(parts, ", ")
	}
	if all := join(); ansi.StringWidth(all) <= width || len(slots) == 0 {
		return all
	}
	each := (width - 2*(len(slots)-1)) / len(slots)
	for i := range names {
		names[i] = clip(names[i], each-ansi.StringWidth(marks[i]))
	}
	return join()
}

// streamLayout is how a stream shows its parts' times, and the width of
// that column: the day and time, and the year too when the conversation is
// not of now's year (the store holds conversations from 1678 to 2261).
func streamLayout(parts []store.Part, now time.Time) (layout string, pad int) {
	for _, p := range parts {
		if p.Event.At.Year() != now.Year() {
			return "Jan 2 2006 15:04", 18
		}
	}
	return "Jan 2 15:04", 13
}

// wrapStreamText makes text safe and wraps it at spaces into lines of at
// most width cells. A word longer than a line (a link, or text of a script
// written without spaces) is broken too, not left whole to be cut off at
// the view's edge; Wordwrap may end a line in a hyphen one cell past its
// limit, hence the cell it is given less.
func wrapStreamText(text string, width int) []string {
	limit := max(width-1, 10)
	return strings.Split(ansi.Hardwrap(ansi.Wordwrap(safetext.Text(text), limit, " "), limit+1, true), "\n")
}

// renderStream draws a conversation's parts; the simulator uses it too.
func renderStream(c *common, parts []store.Part, ratingsVisible bool, width int) []string {
	t := c.theme
	var lines []string
	layout, pad := streamLayout(parts, c.clock())
	add := func(when, text string, style func(...string) string) {
		for i, l := range wrapStreamText(text, width-pad) {
			if i > 0 {
				when = "" // the time on the first line only
			}
			lines = append(lines, t.Muted.Render(fit(when, pad))+style(l))
		}
	}
	plain := func(s ...string) string { return strings.Join(s, "") }
	who := c.person
	for _, p := range parts {
		ev, o := p.Event, p.Outcome
		when := ev.At.Format(layout)
		switch ev.Kind {
		case domain.EvStart:
			s := "started by " + who(ev.Actor) + " · " + ev.Origin.String() + " · " + ev.Channel.String()
			if !ev.Agent.IsZero() {
				s += " · opened by " + c.shown(ev.Agent)
			}
			add(when, s, t.Muted.Render)
		case domain.EvSay:
			add(when, who(ev.Actor)+": "+ev.Text, plain)
		case domain.EvNote:
			add(when, "[note] "+who(ev.Actor)+": "+ev.Text, t.Warn.Render)
		case domain.EvAdd:
			add(when, who(ev.Actor)+" joined", t.Muted.Render)
		case domain.EvSnooze:
			add(when, "snoozed by "+who(ev.Actor)+" until "+ev.Until.Format(layout), t.Muted.Render)
		case domain.EvReopen:
			add(when, "reopened by "+who(ev.Actor), t.Muted.Render)
		case domain.EvClose, domain.EvAsk:
			head := "closed by " + who(ev.Actor)
			if ev.Kind == domain.EvAsk {
				head = "workflow asks for a rating"
			}
			if o.Decision == domain.DecisionNone { // a helpdesk decides this conversation's surveys
				add(when, head, t.Muted.Render)
			} else {
				add(when, head+" → "+decisionText(&o), decisionStyle(t, &o))
			}
		case domain.EvRate:
			if !ratingsVisible {
				continue
			}
			if o.Decision == domain.DecisionAccepted {
				add(when, who(ev.Actor)+" rated "+domain.Face(ev.Value)+" "+domain.FaceName(ev.Value)+" for "+c.shown(o.Rating.Agent), t.Accent.Render)
			} else {
				add(when, who(ev.Actor)+" rating "+itoa(ev.Value)+" "+simulate.Describe(&o), t.Bad.Render)
			}
		case domain.EvComment:
			if !ratingsVisible {
				continue
			}
			if o.Decision == domain.DecisionAccepted {
				add(when, who(ev.Actor)+" remarks: “"+ev.Text+"”", t.Accent.Render)
			} else {
				add(when, who(ev.Actor)+" comment "+simulate.Describe(&o), t.Bad.Render)
			}
		case domain.EvObserve: // a rating observed in Intercom
			if ratingsVisible {
				add(when, observedText(c, ev), t.Accent.Render)
			}
		case domain.EvFollowUp:
			s := "[follow-up] " + ev.Stage.String() + " by " + ev.By
			if ev.Text != "" {
				s += ": " + ev.Text
			}
			add(when, s, t.Warn.Render)
		}
	}
	if len(lines) == 0 {
		lines = append(lines, t.Muted.Render("  nothing here yet"))
	}
	return lines
}

// observedText says what a helpdesk reported: a rating, or a survey sent.
func observedText(c *common, ev domain.Event) string {
	if ev.Value == 0 {
		return "survey sent for " + c.shown(ev.Agent) + " (observed in Intercom)"
	}
	s := c.person(ev.Actor) + " rated " + domain.Face(ev.Value) + " " + domain.FaceName(ev.Value) + " for " + c.shown(ev.Agent) + " (observed in Intercom)"
	if ev.Text != "" {
		s += ": “" + ev.Text + "”"
	}
	return s
}

// decisionText says what a close or ask decided, with every failed rule.
func decisionText(o *domain.Outcome) string { return "survey " + simulate.Describe(o) }

func decisionStyle(t Theme, o *domain.Outcome) func(...string) string {
	if o.Decision == domain.DecisionSent || o.Decision == domain.DecisionAccepted {
		return t.Good.Render
	}
	return t.Bad.Render
}
