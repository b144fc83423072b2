package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// agedAfter is when an untouched follow-up item is highlighted as aged
// (a display choice: three days without an answer is long for an upset customer).
const agedAfter = 72 * time.Hour

// followUps is the queue, oldest first rating first, read from the store
// a page at a time; the filter searches the store.
type followUps struct {
	base
	pages    pager[store.FollowUpItem]
	search   string // the text the queue was searched for; "": every item
	resolved bool

	note  textinput.Model
	stage domain.FollowStage // the step the note is for; StageNone when no prompt

	stream *convStream // the item's conversation, opened with enter
}

func newFollowUps(c *common, tab int) *followUps {
	return &followUps{base: newBase(c, tab), note: newInput("note: ", "what was done (enter saves, esc cancels)"), stream: newConvStream(c, tab)}
}

func (v *followUps) TabName() string { return "Follow-ups" }
func (v *followUps) Capturing() bool { return v.stage != domain.StageNone }

// Search lists the items of the queue that match text.
func (v *followUps) Search(text string) tea.Cmd {
	if text == v.search && v.base.loaded {
		return nil
	}
	v.filter, v.search = text, text
	return v.readPage(readFirst) // the window stays on screen until the page replaces it
}

func (v *followUps) nested() bool { return v.stream.isOpen() }

func (v *followUps) busy() bool { return v.loading || v.stream.busy() }

func (v *followUps) SetSize(w, h int) {
	v.width, v.height = w, h
	v.stream.SetSize(w, h)
	sizeInput(&v.note, v.width)
	v.list.setHeight(v.listHeight())
}

func (v *followUps) listHeight() int { return max(v.height-3, 1) }

func (v *followUps) StatusText() string {
	if v.stream.isOpen() {
		return v.stream.status()
	}
	if v.err != nil {
		return "follow-ups: " + v.err.Error()
	}
	s := itoa(v.c.src.OpenFollowUps()) + " open"
	if v.resolved {
		s += " · resolved shown"
	}
	return s + " · threshold " + v.c.src.Settings().FollowUp.String()
}

func (v *followUps) ShortHelp() []key.Binding {
	k := v.c.keys
	if v.Capturing() {
		return []key.Binding{k.Apply, k.Cancel}
	}
	if v.stream.isOpen() {
		return v.stream.ShortHelp()
	}
	// The filter key is in the full help: the line must fit 80 columns.
	return []key.Binding{k.Enter, k.Claim, k.Contact, k.Resolve, k.ShowResolved, k.Help, k.Quit}
}

func (v *followUps) FullHelp() [][]key.Binding {
	k := v.c.keys
	return [][]key.Binding{{k.Enter, k.Back, k.Claim, k.Contact, k.Resolve, k.ShowResolved}, k.listKeys(), k.frameKeys()}
}

// fuData is one page of the queue, after the step (if any) that asked for it.
type fuData struct {
	page    pageMsg[store.FollowUpItem]
	stepErr error  // the rules refused the step; the queue was not read
	done    string // what the step did, for the status bar
}

func (v *followUps) Reload() tea.Cmd {
	return tea.Batch(v.stepThenRead(nil, "", readReload), v.stream.Reload())
}

func (v *followUps) readPage(r pageRead) tea.Cmd { return v.stepThenRead(nil, "", r) }

// stepThenRead applies ev (when given) and reads the page r asks for, in one command.
func (v *followUps) stepThenRead(ev *domain.Event, done string, r pageRead) tea.Cmd {
	src, q := v.c.src, v.pages.query(r)
	filter := store.FollowUpFilter{IncludeResolved: v.resolved, Text: v.search}
	return v.fetch(func() (any, error) {
		if ev != nil {
			if _, err := src.Apply(*ev); err != nil {
				return fuData{stepErr: err}, nil
			}
		}
		pg, err := src.FollowUpPage(filter, q)
		return fuData{page: pageMsg[store.FollowUpItem]{read: r, page: pg}, done: done}, err
	})
}

func (v *followUps) loaded(msg loadedMsg) tea.Cmd {
	if !v.accept(msg, "follow-ups") {
		return nil
	}
	d, _ := msg.data.(fuData)
	if d.stepErr != nil {
		return flashErr(d.stepErr)
	}
	if msg.err == nil {
		v.pages.take(d.page, &v.list)
		v.list.setHeight(v.listHeight())
	}
	if d.done != "" {
		return flash(d.done)
	}
	return nil
}

func (v *followUps) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := v.c.keys
	if v.stream.update(msg) {
		return v, nil
	}
	if msg, ok := msg.(loadedMsg); ok {
		return v, v.loaded(msg)
	}
	if v.Capturing() {
		if msg, ok := msg.(tea.KeyMsg); ok {
			switch {
			case keyIs(msg, k.Cancel):
				v.stage = domain.StageNone
				v.note.Blur()
				return v, nil
			case keyIs(msg, k.Apply):
				return v, v.submit()
			}
		}
		var cmd tea.Cmd
		v.note, cmd = v.note.Update(msg)
		return v, cmd
	}
	if cmd, ok := pagerKey(&v.base, &v.pages, msg, v.readPage); ok {
		return v, cmd
	}
	if msg, ok := msg.(tea.KeyMsg); ok {
		switch {
		case keyIs(msg, k.Enter) && len(v.pages.items) > 0:
			return v, v.stream.show(v.pages.items[v.list.cursor].Conv)
		case keyIs(msg, k.Claim):
			return v, v.prompt(domain.StageClaimed)
		case keyIs(msg, k.Contact):
			return v, v.prompt(domain.StageContacted)
		case keyIs(msg, k.Resolve):
			return v, v.prompt(domain.StageResolved)
		case keyIs(msg, k.ShowResolved):
			v.resolved = !v.resolved
			return v, v.readPage(readFirst)
		}
	}
	return v, nil
}

func (v *followUps) prompt(stage domain.FollowStage) tea.Cmd {
	if len(v.pages.items) == 0 {
		return flash("no follow-up item selected")
	}
	v.stage = stage
	v.note.Prompt = stage.String() + " · note: "
	sizeInput(&v.note, v.width)
	v.note.SetValue("")
	return v.note.Focus()
}

// submit moves the item through the rules; the domain refuses steps backwards.
func (v *followUps) submit() tea.Cmd {
	it := v.pages.items[v.list.cursor]
	stage := v.stage
	v.stage = domain.StageNone
	v.note.Blur()
	ev := domain.Event{
		Kind: domain.EvFollowUp, Conv: it.Conv, Agent: it.Agent, Stage: stage,
		By: v.c.viewer, Text: strings.TrimSpace(v.note.Value()), At: v.c.eventTime(),
	}
	return v.stepThenRead(&ev, it.Conv+": "+stage.String(), readReload)
}

// fuColumns are the queue's columns; the comment takes the rest.
var fuColumns = []column{
	{width: 2}, {width: 3}, {title: "age", width: 5, padRight: 1}, {title: "stage", width: 16, padRight: 1},
	{title: "agent", width: 12, padRight: 1}, {title: "customer", width: 16, padRight: 1}, {title: "comment"},
}

func (v *followUps) View() string {
	if v.stream.isOpen() {
		return v.stream.View()
	}
	t := v.c.theme
	now := v.c.clock()
	from, to := v.list.visible()
	rows := make([][]string, 0, to-from)
	for i := from; i < to; i++ {
		it := v.pages.items[i]
		stage := it.FollowUp.Stage.String()
		if it.FollowUp.Stage != domain.StageNone && it.FollowUp.By != "" {
			stage += " " + it.FollowUp.By
		}
		ageCell := age(now, it.RatedAt)
		if it.FollowUp.Stage == domain.StageNone && now.Sub(it.RatedAt) > agedAfter {
			ageCell = t.Warn.Render(ageCell)
		}
		comment := it.Comment
		if comment == "" {
			comment = "(no comment)"
		}
		if it.Raised {
			comment = "↑ now " + domain.Face(it.Value) + " · " + comment
		}
		rows = append(rows, []string{v.cursorMark(i), domain.Face(it.Value), ageCell, stage, v.c.shown(it.Agent), v.c.person(it.Customer), comment})
	}
	// Two cells stay free on the right, so a cut comment does not touch the edge.
	g := grid{theme: t, cols: fuColumns, width: v.width - 2, rowStyle: v.rowStyle(from, func(i int) (lipgloss.Style, bool) {
		return t.Muted, v.pages.items[i].FollowUp.Stage == domain.StageResolved
	})}
	var b strings.Builder
	b.WriteString(g.render(rows))
	b.WriteByte('\n')
	if row, ok := v.placeholder(len(v.pages.items), "cannot read the follow-up queue", v.unlessFiltered("nothing to follow up")); ok {
		b.WriteString(row)
		b.WriteByte('\n')
	}
	for i := to - from; i < v.listHeight(); i++ {
		b.WriteByte('\n')
	}
	b.WriteString(v.detail(now))
	return b.String()
}

// detail shows the selected item in full: comment, note, and whether the
// customer can still change the rating.
func (v *followUps) detail(now time.Time) string {
	t := v.c.theme
	if v.Capturing() {
		return t.Accent.Render(fit("  "+v.pages.items[v.list.cursor].Conv+" → "+v.stage.String(), v.width)) + "\n" + v.note.View()
	}
	if len(v.pages.items) == 0 {
		return ""
	}
	it := v.pages.items[v.list.cursor]
	line1 := "  " + it.Conv + " · " + domain.FaceName(it.Value) + " for " + v.c.shown(it.Agent) + " · " + windowText(it.Window, now)
	line2 := "  "
	if it.Raised {
		line2 += "raised since work started · "
	}
	if it.FollowUp.Note != "" {
		line2 += "note: " + it.FollowUp.Note
	} else {
		line2 += "no note yet"
	}
	return t.Muted.Render(fit(line1, v.width)) + "\n" + t.Muted.Render(fit(line2, v.width))
}

// windowText says whether the customer can still change the rating, and why not.
func windowText(w domain.SlotWindow, now time.Time) string {
	at := w.Until.Format("Jan 2 15:04")
	switch w.State {
	case domain.WindowOpen:
		return "the customer can still change the rating"
	case domain.WindowOpenUntil:
		return "the customer can change the rating until " + at + " (" + domain.FormatSpan(w.Until.Sub(now).Truncate(time.Minute)) + " left)"
	case domain.WindowChangeClosed:
		return "change window closed " + at
	case domain.WindowRatingClosed:
		return "rating window closed " + at
	}
	return "rating locked by a comment"
}
