package tui

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

// Source is what the dashboard reads from and writes through; *store.Store
// satisfies it. Keeping it narrow keeps the views honest about what they use.
type Source interface {
	EventLog
	Apply(ev domain.Event) (domain.Outcome, error)
	Leaderboard(p store.Period) (store.Leaderboard, error)
	// LeaderboardOf is the leaderboard of the conversations a filter matches.
	LeaderboardOf(p store.Period, f domain.Filter) (store.Leaderboard, error)
	// GroupSeries is agents' summed counts per day, week or month: a team's trend.
	GroupSeries(agents []domain.Actor, p store.Period, f domain.Filter, by domain.Bucket) ([]store.SeriesPoint, error)
	FollowUps(f store.FollowUpFilter) ([]store.FollowUpItem, error)
	FollowUpPage(f store.FollowUpFilter, q store.PageQuery) (store.Page[store.FollowUpItem], error)
	OpenFollowUps() int
	Achievements(limit int) ([]store.Achievement, error)
	Conversations(limit int) ([]store.ConversationSummary, error)
	// SearchConversations stops when ctx ends, returning ctx.Err().
	SearchConversations(ctx context.Context, text string, q store.PageQuery) (store.Page[store.ConversationSummary], error)
	AchievementPage(q store.PageQuery) (store.Page[store.Achievement], error)
	AgentRatingsOf(agent domain.Actor, p store.Period, f domain.Filter, q store.PageQuery) (store.Page[store.AgentRating], error)
	Stream(conv string) ([]store.Part, error)
	Audit(limit int) ([]store.AuditEntry, error)
	Teammates() ([]store.Teammate, error)
	Scenarios() ([]store.Scenario, error)
	Subscribe(ctx context.Context) <-chan store.Change
	Dir() string
}

// namer is a Source that keeps display names (the store does).
type namer interface {
	DisplayName(a domain.Actor) string
}

// shown is how an identity is displayed: its display name when the source
// keeps one, else its key (a script's name).
func (c *common) shown(a domain.Actor) string {
	if n, ok := c.src.(namer); ok {
		return n.DisplayName(a)
	}
	return a.Name
}

// person is how a participant is displayed in a conversation: its display
// name when one is known, else its script spelling (user:alice, bob).
func (c *common) person(a domain.Actor) string {
	if n := c.shown(a); n != a.Name {
		return n
	}
	return a.String()
}

// common is what every view shares with the root.
type common struct {
	theme  Theme
	keys   *KeyMap
	src    Source
	viewer string
	role   domain.Role
	clock  func() time.Time
	log    *log.Logger
	whatIf WhatIfFunc
	reads  gate
	// life ends when the dashboard closes: reads that can stop early (a
	// search) stop then, so that closing does not wait for them.
	life    context.Context
	endLife context.CancelFunc

	fileAccess bool           // may write files (the local dashboard only)
	scenarios  ScenarioKeeper // nil: sessions cannot be kept by name
}

// gate keeps reads off a closed store: a read still running when the
// dashboard closes finishes first, and later ones do nothing.
type gate struct {
	mu     sync.RWMutex
	closed bool
}

// enter reports whether a read may run; leave must follow when it may.
func (g *gate) enter() bool {
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return false
	}
	return true
}

func (g *gate) leave() { g.mu.RUnlock() }

func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// view is one tab: a Bubble Tea model that also describes its keys, takes
// its size from the root, names its tab and says what the status bar shows.
// Every view embeds base, which brings the stale and busy marks.
type view interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
	TabName() string
	StatusText() string
	// Reload starts a read of what the view shows, as a command; nil when
	// the view reads nothing.
	Reload() tea.Cmd
	markStale()
	stale() bool
	busy() bool
}

// capturer is a view with a text field or prompt: while Capturing, the
// root passes it every key (q included).
type capturer interface{ Capturing() bool }

// filterable is a view whose rows the frame's / filter narrows.
type filterable interface{ SetFilter(text string) }

// nester is a view that can show something opened from its list (a
// conversation, an agent's page); while it does, esc goes back to the list
// before it clears the filter.
type nester interface{ nested() bool }

func nested(v view) bool {
	n, ok := v.(nester)
	return ok && n.nested()
}

func capturing(v view) bool {
	c, ok := v.(capturer)
	return ok && c.Capturing()
}

func setFilter(v view, text string) tea.Cmd {
	if f, ok := v.(searcher); ok {
		return f.Search(text)
	}
	if f, ok := v.(filterable); ok {
		f.SetFilter(text)
	}
	return nil
}

// explainer is a view that says, under ?, what its columns and marks mean.
type explainer interface {
	Legend() []string
}

// searcher is a view whose filter searches the store, as a command,
// instead of narrowing the rows it holds.
type searcher interface {
	Search(text string) tea.Cmd
}

// Messages of the root.
type (
	changeMsg struct {
		change store.Change
		ok     bool
	}
	reloadMsg struct{}
	tickMsg   time.Time
	// roleMsg is the viewer's role as the roster says after a change.
	roleMsg struct {
		role  domain.Role
		found bool
	}
	// flashMsg puts a short message in the status bar; err marks it as an
	// error. n orders flashes by when they were made: commands of one
	// batch run at once, so the flashes of keys typed during a load may
	// arrive in any order, and the last key's must be the one left shown.
	flashMsg struct {
		n    uint64
		text string
		err  bool
	}
)

// flashes numbers flashes as they are made.
var flashes atomic.Uint64

// flash and flashErr texts often quote ids and typed text: they are made
// safe to show here, once for every view.
func flash(text string) tea.Cmd {
	msg := flashMsg{n: flashes.Add(1), text: safetext.Line(text)}
	return func() tea.Msg { return msg }
}

func flashErr(err error) tea.Cmd {
	msg := flashMsg{n: flashes.Add(1), text: safetext.Line(err.Error()), err: true}
	return func() tea.Msg { return msg }
}

// list is a cursor over n rows with a scrolling window of height rows.
type list struct {
	cursor, offset, n, height int
}

func (l *list) setLen(n int) {
	l.n = n
	l.clamp()
}

func (l *list) setHeight(h int) {
	l.height = max(h, 1)
	l.clamp()
}

func (l *list) move(d int) {
	l.cursor += d
	l.clamp()
}

func (l *list) clamp() {
	if l.cursor >= l.n {
		l.cursor = l.n - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.height {
		l.offset = l.cursor - l.height + 1
	}
	if l.offset > l.n-l.height {
		l.offset = max(l.n-l.height, 0)
	}
}

// visible returns the [from, to) range of rows to render: only those.
func (l *list) visible() (int, int) {
	return l.offset, min(l.offset+l.height, l.n)
}

// update moves the cursor for the list keys and the mouse wheel; it reports
// whether msg was one of them.
func (l *list) update(k *KeyMap, msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			l.move(-3)
			return true
		case tea.MouseButtonWheelDown:
			l.move(3)
			return true
		}
	case tea.KeyMsg:
		switch {
		case keyIs(msg, k.Up):
			l.move(-1)
		case keyIs(msg, k.Down):
			l.move(1)
		case keyIs(msg, k.PageUp):
			l.move(-l.height)
		case keyIs(msg, k.PageDown):
			l.move(l.height)
		case keyIs(msg, k.Home):
			l.cursor = 0
			l.clamp()
		case keyIs(msg, k.End):
			l.cursor = l.n - 1
			l.clamp()
		default:
			return false
		}
		return true
	}
	return false
}

// fit cuts s to width cells (adding …) and pads it to exactly width.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// clip cuts s to at most width cells, marking the cut with …, so that
// what follows it shows.
func clip(s string, width int) string {
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, max(width, 1), "…")
}

// fitLeft right-aligns s in width cells.
func fitLeft(s string, width int) string {
	if ansi.StringWidth(s) > width {
		return ansi.Truncate(s, width, "…")
	}
	return strings.Repeat(" ", width-ansi.StringWidth(s)) + s
}

// block pads or cuts text to exactly height lines of width cells, so that a
// view always fills its box and the frame never jumps.
func block(text string, width, height int) string {
	lines := strings.Split(text, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = fit(l, width)
	}
	return strings.Join(lines, "\n")
}

// age prints how long ago t was, compactly: 5m, 3h, 2d, 26y; a time
// ahead of now by more than a clock's drift (a script's) as +2h. It counts
// in Unix seconds: a time.Duration ends at 292 years, and the store holds
// times from 1678.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	ahead := t.Unix() - now.Unix()
	if ahead > 0 {
		if ahead < int64(10*time.Minute/time.Second) {
			return "now"
		}
		return "+" + span(ahead)
	}
	return span(-ahead)
}

// span is a number of seconds in its largest unit up to years.
func span(secs int64) string {
	const minute, hour = 60, 3600
	switch days := secs / day; {
	case secs < minute:
		return "now"
	case secs < hour:
		return strconv.FormatInt(secs/minute, 10) + "m"
	case secs < 48*hour:
		return strconv.FormatInt(secs/hour, 10) + "h"
	case days < 1000:
		return strconv.FormatInt(days, 10) + "d"
	default:
		return strconv.FormatInt(days*400/146097, 10) + "y" // 146097 days in 400 years
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// matches is the filter test: every word of filter appears in one of fields.
func matches(filter string, fields ...string) bool {
	if filter == "" {
		return true
	}
	hay := strings.ToLower(strings.Join(fields, " "))
	for _, w := range strings.Fields(strings.ToLower(filter)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// keyIs reports whether msg matches one of the bindings.
func keyIs(msg tea.KeyMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// newInput is a one-line text field with a steady cursor (a blinking one
// would make every frame differ).
// sizeInput fits a text field's line to width: its prompt, which may
// change, the text and the cursor.
func sizeInput(ti *textinput.Model, width int) {
	ti.Width = max(width-ansi.StringWidth(ti.Prompt)-2, 10)
}

func newInput(prompt, placeholder string) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.Placeholder = placeholder
	ti.CharLimit = 500
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}

// eventTime stamps a change made from the dashboard: the dashboard's clock.
func (c *common) eventTime() time.Time { return c.clock() }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// shellArg quotes a path for the command line a message suggests, so the
// line can be pasted as it reads: a name with spaces or quotes in it.
func shellArg(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./-+=:,@%", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// counted is n with its noun, singular for one: "1 rating", "3 ratings".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}
