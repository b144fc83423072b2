package tui

import (
	"context"
	"errors"
	"io"
	"log"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// Options configure one dashboard.
type Options struct {
	// Store is the workspace the dashboard reads and writes through; required.
	// A *store.Store, or anything that answers like one (a proxy).
	Store Source
	// Viewer names the teammate looking at the dashboard; their role comes
	// from the store's roster (unknown names are teammates).
	Viewer string
	// Renderer builds the styles; nil means the local terminal's.
	Renderer *lipgloss.Renderer
	// Clock gives "now" for periods, ages and "updated 2s ago"; nil means
	// store.Now, the wall clock.
	Clock func() time.Time
	// Logger receives diagnostics; nil discards them (never the screen).
	Logger *log.Logger
	// WhatIf replays recent conversations under other settings; nil means
	// the what-if replay of Store's event log.
	WhatIf WhatIfFunc
	// StoreName is shown in the status bar; defaults to the store's directory.
	StoreName string
	// Live subscribes to the store's change feed (on unless NoLive).
	NoLive bool
	// Tick is the status-bar refresh interval; 0 means one second, <0 none (goldens).
	Tick time.Duration
	// FileAccess lets the dashboard write files where its user asks (the
	// simulator's save): set by the local dashboard only, never by a server
	// whose sessions belong to other people.
	FileAccess bool
	// Scenarios keeps simulator sessions saved by name; nil means Store.
	Scenarios ScenarioKeeper
	// Context, when it ends, ends Run (the terminal closed, a SIGTERM);
	// nil: only the user quits.
	Context context.Context
	// Open, when set, opens the whole store as the dashboard's first
	// command; until it lands Store only answers the leaderboard and the
	// state views draw with (opening.go), and Run returns Open's error.
	Open func() (Source, error)
}

// Model is the root of the dashboard: it owns the frame (tabs, filter,
// help, status bar) and routes everything else to the active tab.
type Model struct {
	c        *common
	views    []view
	active   int
	width    int
	height   int
	ready    bool
	help     help.Model
	full     bool
	filter   textinput.Model
	filterOn bool
	// searchDue: the filter changed while the tab's search was running;
	// the tab searches for the filter's text once that one lands.
	searchDue bool

	feed       <-chan store.Change
	cancel     context.CancelFunc
	lastUpdate time.Time
	pending    bool
	live       bool
	storeName  string
	tick       time.Duration

	flash    string
	flashErr bool
	flashAt  time.Time
	flashN   uint64 // the newest flash shown (flashMsg.n)

	// held are keys typed while the tab shown was loading; they run, in
	// order, once it has landed.
	held []tea.KeyMsg

	open    func() (Source, error) // opens the whole store (opening.go)
	opening *openingSource
	failed  error // why the whole store could not be opened
}

// maxHeld bounds the keys kept while a tab loads (a stuck read must not
// grow memory; ctrl+c always quits).
const maxHeld = 64

// Tab indexes, in the order of the tab bar.
const (
	TabLeaderboard = iota
	TabFollowUps
	TabAchievements
	TabConversations
	TabSimulator
	TabSettings
)

// New builds the dashboard. It reads nothing yet beyond the viewer's role:
// each tab loads when it is first shown.
func New(opts Options) (*Model, error) {
	src := opts.Store
	if src == nil {
		return nil, errors.New("tui: no store to show")
	}
	var opening *openingSource
	if opts.Open != nil {
		opening = newOpeningSource(src)
		src = opening
	}
	clock := opts.Clock
	if clock == nil {
		clock = store.Now
	}
	whatIf := opts.WhatIf
	if whatIf == nil {
		whatIf = StoreWhatIf(src)
	}
	logger := opts.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	life, endLife := context.WithCancel(context.Background())
	c := &common{
		life: life, endLife: endLife,
		theme:  NewTheme(opts.Renderer),
		keys:   DefaultKeyMap(),
		src:    newShownSource(src),
		viewer: opts.Viewer,
		clock:  clock,
		log:    logger,
		whatIf: whatIf,

		fileAccess: opts.FileAccess,
		scenarios:  opts.Scenarios,
	}
	if saver, ok := src.(ScenarioKeeper); ok && c.scenarios == nil {
		c.scenarios = saver
	}
	if tms, err := src.Teammates(); err == nil {
		for _, t := range tms {
			if t.Name == opts.Viewer {
				c.role = t.Role
			}
		}
	} else {
		logger.Printf("roster: %v", err)
	}
	m := &Model{c: c, help: help.New(), storeName: opts.StoreName, tick: opts.Tick, live: !opts.NoLive, open: opts.Open, opening: opening}
	if m.tick == 0 {
		m.tick = time.Second
	}
	if m.storeName == "" {
		m.storeName = src.Dir()
		if m.storeName == "" {
			m.storeName = "in-memory"
		}
	}
	m.help.Styles.ShortKey = c.theme.Accent
	m.help.Styles.FullKey = c.theme.Accent
	m.help.Styles.ShortDesc = c.theme.Muted
	m.help.Styles.FullDesc = c.theme.Muted
	m.help.Styles.ShortSeparator = c.theme.Muted
	m.help.Styles.FullSeparator = c.theme.Muted
	m.filter = newInput("filter: ", "")
	m.views = []view{
		TabLeaderboard:   newLeaderboard(c, TabLeaderboard),
		TabFollowUps:     newFollowUps(c, TabFollowUps),
		TabAchievements:  newAchievements(c, TabAchievements),
		TabConversations: newConversations(c, TabConversations),
		TabSimulator:     newSimulator(c, TabSimulator),
		TabSettings:      newSettings(c, TabSettings),
	}
	m.lastUpdate = clock()
	return m, nil
}

// Init starts the live feed and the status-bar clock.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.open != nil {
		cmds = append(cmds, openStore(m.open)) // the feed starts once the store is open
	} else {
		cmds = append(cmds, m.subscribe())
	}
	if m.tick > 0 {
		cmds = append(cmds, tickEvery(m.tick))
	}
	cmds = append(cmds, m.views[m.active].Reload())
	return tea.Batch(cmds...)
}

// Close stops the live feed and waits for reads still running; later
// ones do nothing, so the store may be closed after it. Run calls it at exit.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	if m.opening != nil {
		m.opening.settle(nil, errDashboardClosed) // reads waiting for it end
	}
	m.c.endLife() // a search still reading stops
	m.c.reads.close()
}

func tickEvery(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles the frame's messages and keys, then passes the rest to the active tab.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height, m.ready = msg.Width, msg.Height, true
		m.layout()
		return m, nil
	case loadedMsg:
		if msg.tab < 0 || msg.tab >= len(m.views) {
			return m, nil
		}
		_, cmd := m.views[msg.tab].Update(msg)
		return m, tea.Batch(cmd, m.release())
	case storeOpenedMsg:
		return m, m.opened(msg)
	case changeMsg:
		return m, m.changed(msg)
	case reloadMsg:
		m.pending = false
		for i, v := range m.views {
			if i != m.active {
				v.markStale()
			}
		}
		m.lastUpdate = m.c.clock()
		return m, tea.Batch(m.readRole(), m.views[m.active].Reload())
	case roleMsg:
		if msg.found {
			m.c.role = msg.role
		}
		return m, nil
	case tickMsg:
		return m, tickEvery(m.tick)
	case flashMsg:
		if msg.n >= m.flashN {
			m.flash, m.flashErr, m.flashAt, m.flashN = msg.text, msg.err, m.c.clock(), msg.n
		}
		if msg.err {
			m.c.log.Printf("error: %s", msg.text)
		}
		return m, nil
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, m.toActive(msg)
}

// key routes one key: held while the tab loads, split when several arrive
// at once, then the frame's keys, then the tab's.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if keyIs(msg, m.c.keys.ForceQuit) {
		return tea.Quit
	}
	if m.views[m.active].busy() && !m.filterTyping(msg) {
		if m.quitsNow(msg) {
			return tea.Quit
		}
		if len(m.held) < maxHeld {
			m.held = append(m.held, msg)
		}
		return nil
	}
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.filterOn && !capturing(m.views[m.active]) {
		// Keys typed quickly arrive together ("/q"); each is a key of its
		// own, and one may open a field that takes the rest.
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Batch(cmds...)
	}
	if cmd, done := m.frameKey(msg); done {
		return cmd
	}
	return m.toActive(msg)
}

// quitsNow is q typed while the tab waits for the store's first open,
// which can take many seconds: no field has focus, and no key held before
// it may open one q is text for. During an ordinary read q waits like any
// key, so that a script gets what a slow read would give.
func (m *Model) quitsNow(msg tea.KeyMsg) bool {
	return keyIs(msg, m.c.keys.Quit) && m.opening != nil && m.opening.pending() &&
		len(m.held) == 0 && !m.filterOn && !capturing(m.views[m.active])
}

// release runs the search typed while the tab shown was loading, then
// the keys held meanwhile.
func (m *Model) release() tea.Cmd {
	var cmds []tea.Cmd
	if m.searchDue && !m.views[m.active].busy() {
		m.searchDue = false
		cmds = append(cmds, setFilter(m.views[m.active], m.filter.Value()))
	}
	for len(m.held) > 0 && !m.views[m.active].busy() {
		k := m.held[0]
		m.held = m.held[1:]
		cmds = append(cmds, m.key(k))
	}
	return tea.Batch(cmds...)
}

// frameKey handles the keys the frame owns; a text field with focus comes first.
func (m *Model) frameKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k := m.c.keys
	if m.filterOn {
		return m.filterKey(msg), true
	}
	if capturing(m.views[m.active]) {
		return nil, false
	}
	switch {
	case keyIs(msg, k.Quit):
		return tea.Quit, true
	case keyIs(msg, k.Cancel) && m.full:
		m.full = false
		m.layout()
		return nil, true
	case keyIs(msg, k.Help):
		m.full = !m.full
		m.layout()
		return nil, true
	case keyIs(msg, k.Filter):
		m.filterOn = true
		m.layout()
		return m.filter.Focus(), true
	case keyIs(msg, k.Cancel) && m.filter.Value() != "" && !nested(m.views[m.active]):
		m.filter.SetValue("")
		cmd := m.applyFilter("")
		m.layout()
		return cmd, true
	case keyIs(msg, k.NextTab):
		return m.switchTo((m.active + 1) % len(m.views)), true
	case keyIs(msg, k.PrevTab):
		return m.switchTo((m.active + len(m.views) - 1) % len(m.views)), true
	case keyIs(msg, k.Tab):
		return m.switchTo(k.tabIndex(msg)), true
	}
	return nil, false
}

// switchTo shows tab i (see the Tab constants), reading it again when stale.
func (m *Model) switchTo(i int) tea.Cmd {
	if i < 0 || i >= len(m.views) || i == m.active {
		return nil
	}
	leave := setFilter(m.views[m.active], "")
	m.active, m.searchDue = i, false
	cmd := setFilter(m.views[i], m.filter.Value())
	if cmd == nil && m.views[i].stale() {
		cmd = m.views[i].Reload()
	}
	m.layout()
	return tea.Batch(leave, cmd)
}

// readRole re-reads the viewer's role: an admin may have changed it.
func (m *Model) readRole() tea.Cmd {
	src, viewer, reads := m.c.src, m.c.viewer, &m.c.reads
	return func() tea.Msg {
		if !reads.enter() {
			return nil
		}
		defer reads.leave()
		tms, err := src.Teammates()
		if err != nil {
			return roleMsg{}
		}
		for _, t := range tms {
			if t.Name == viewer {
				return roleMsg{role: t.Role, found: true}
			}
		}
		return roleMsg{}
	}
}

func (m *Model) toActive(msg tea.Msg) tea.Cmd {
	_, cmd := m.views[m.active].Update(msg)
	return cmd
}

// chrome is the number of lines the frame takes around the active view.
func (m *Model) chrome() int {
	if m.full {
		return m.frameLines() + lipgloss.Height(m.shownHelp())
	}
	return m.frameLines() + 1 // the short help
}

// frameLines counts the frame's lines but the help: the tab bar with its
// rule, the status bar, and the filter when it shows.
func (m *Model) frameLines() int {
	if m.filterOn || m.filter.Value() != "" {
		return 4
	}
	return 3
}

// shownHelp is as much of the full help as leaves the view one line: on a
// short terminal the legend goes first and the keys, which come last,
// stay. (A frame taller than the terminal lost its tab bar instead.)
func (m *Model) shownHelp() string {
	lines := strings.Split(m.fullHelp(), "\n")
	room := max(m.height-m.frameLines()-1, 1)
	if len(lines) > room {
		lines = lines[len(lines)-room:]
	}
	return strings.Join(lines, "\n")
}

// fullHelp is what ? shows: what the view's columns and marks mean, when
// it says, wrapped to the width, then every key.
func (m *Model) fullHelp() string {
	keys := m.help.FullHelpView(m.views[m.active].FullHelp())
	e, ok := m.views[m.active].(explainer)
	if !ok {
		return keys
	}
	var b strings.Builder
	for _, l := range e.Legend() {
		b.WriteString(m.c.theme.Muted.Render(ansi.Wordwrap(l, max(m.width-1, 10), " ")) + "\n")
	}
	return b.String() + keys
}

func (m *Model) layout() {
	if !m.ready {
		return
	}
	m.help.Width = m.width
	m.filter.Width = max(m.width-12, 10)
	h := max(m.height-m.chrome(), 1)
	for _, v := range m.views {
		v.SetSize(m.width, h)
	}
}

// View draws the frame around the active tab.
func (m *Model) View() string {
	if !m.ready {
		return "loading…"
	}
	t := m.c.theme
	var b strings.Builder
	b.WriteString(m.tabBar())
	b.WriteByte('\n')
	b.WriteString(t.Muted.Render(strings.Repeat("─", m.width)))
	b.WriteByte('\n')
	b.WriteString(block(m.views[m.active].View(), m.width, max(m.height-m.chrome(), 1)))
	b.WriteByte('\n')
	if m.filterOn || m.filter.Value() != "" {
		b.WriteString(fit(m.filter.View(), m.width))
		b.WriteByte('\n')
	}
	if m.full {
		b.WriteString(m.shownHelp())
	} else {
		b.WriteString(fit(m.help.ShortHelpView(m.views[m.active].ShortHelp()), m.width))
	}
	b.WriteByte('\n')
	b.WriteString(m.statusBar())
	return trimPadding(b.String())
}

// trimPadding drops the blanks that pad each line to the width. A line
// that fills the width is drawn without erasing the rest of it, and where
// a terminal lays text out narrower than we count (tmux joins letters
// around a zero-width joiner), the last frame's cells stayed at its end;
// a shorter line is drawn with an erase to its end.
func trimPadding(frame string) string {
	lines := strings.Split(frame, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) tabBar() string {
	t := m.c.theme
	var parts []string
	for i, v := range m.views {
		name := itoa(i+1) + " " + v.TabName()
		if i == m.active {
			parts = append(parts, t.TabActive.Render(name))
		} else {
			parts = append(parts, t.TabInactive.Render(name))
		}
	}
	bar := lipgloss.JoinHorizontal(lipgloss.Top, parts...)
	if lipgloss.Width(bar) > m.width {
		// Narrow terminals: only the active tab's name is spelt out.
		parts = parts[:0]
		for i, v := range m.views {
			if i == m.active {
				parts = append(parts, t.TabActive.Render(itoa(i+1)+" "+v.TabName()))
			} else {
				parts = append(parts, t.TabInactive.Render(itoa(i+1)+" "+firstWord(v.TabName())))
			}
		}
		bar = lipgloss.JoinHorizontal(lipgloss.Top, parts...)
	}
	return fit(bar, m.width)
}

func firstWord(s string) string {
	r := []rune(s)
	if len(r) > 4 {
		return string(r[:4])
	}
	return s
}

// Active is the index of the tab shown.
func (m *Model) Active() int { return m.active }

// Role is the viewer's role as the store knows it.
func (m *Model) Role() domain.Role { return m.c.role }

// Run shows the dashboard on the local terminal until the user quits.
func Run(opts Options) error {
	m, err := New(opts)
	if err != nil {
		return err
	}
	defer m.Close()
	progOpts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithMouseCellMotion()}
	if opts.Context != nil {
		progOpts = append(progOpts, tea.WithContext(opts.Context))
	}
	_, err = tea.NewProgram(m, progOpts...).Run()
	if opts.Context != nil && opts.Context.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil // ended from outside, as asked
	}
	if err == nil {
		err = m.failed
	}
	return err
}
