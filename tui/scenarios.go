package tui

import (
	"os"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// scenarioShelf lists the scenarios saved in the store, opened from the
// simulator (L); the chosen one's script shows under the list. Over SSH it
// is how a session's saved work is seen again; the local dashboard can
// also write one to a file.
type scenarioShelf struct {
	base
	open  bool
	items []store.Scenario // shown copies (shown.go)
}

func newScenarioShelf(c *common, tab int) *scenarioShelf {
	return &scenarioShelf{base: newBase(c, tab)}
}

// show opens the shelf and reads the list again: another session may have
// saved one since.
func (s *scenarioShelf) show() tea.Cmd {
	s.open = true
	src := s.c.src
	return s.fetch(func() (any, error) { return src.Scenarios() })
}

// loaded takes the shelf's read; it reports whether msg was one.
func (s *scenarioShelf) loaded(msg loadedMsg) bool {
	if msg.from != &s.base {
		return false
	}
	if s.accept(msg, "scenarios") {
		s.items, _ = msg.data.([]store.Scenario)
		s.list.setLen(len(s.items))
	}
	return true
}

func (s *scenarioShelf) selected() (store.Scenario, bool) {
	if len(s.items) == 0 {
		return store.Scenario{}, false
	}
	return s.items[s.list.cursor], true
}

func (s *scenarioShelf) SetSize(w, h int) {
	s.width, s.height = w, h
	s.list.setHeight(max(min(8, h/3), 1))
}

func (s *scenarioShelf) status() string {
	if s.err != nil {
		return "scenarios: " + s.err.Error()
	}
	return itoa(len(s.items)) + " saved scenarios · enter loads one into the sandbox"
}

func (s *scenarioShelf) keys() []key.Binding {
	k := s.c.keys
	keys := []key.Binding{k.LoadScenario}
	if s.c.fileAccess {
		keys = append(keys, k.WriteFile)
	}
	return append(keys, k.Up, k.Down, k.Back)
}

// scenarioColumns are the shelf's columns, as csat simulate scenarios list has them.
var scenarioColumns = []column{
	{width: 2}, {title: "name", width: 26, padRight: 1}, {title: "by", width: 18, padRight: 1},
	{title: "saved", width: 18, padRight: 1}, {title: "lines", width: 6, right: true},
}

func (s *scenarioShelf) View() string {
	t := s.c.theme
	from, to := s.list.visible()
	rows := make([][]string, 0, to-from)
	for i := from; i < to; i++ {
		sc := s.items[i]
		by := sc.By
		if by == "" {
			by = "—"
		}
		rows = append(rows, []string{s.cursorMark(i), sc.Name, by, sc.SavedAt.UTC().Format("2006-01-02 15:04"), itoa(strings.Count(sc.Script, "\n"))})
	}
	g := grid{theme: t, cols: scenarioColumns, rowStyle: s.rowStyle(from, nil)}
	lines := strings.Split(g.render(rows), "\n")
	empty := "no scenarios saved yet (S saves the sandbox as one)"
	if s.c.fileAccess {
		empty = "no scenarios saved yet (S here writes a file; the simulator of csat serve saves them)"
	}
	if row, ok := s.placeholder(len(s.items), "cannot read scenarios", empty); ok {
		lines = append(lines, row)
	}
	sc, ok := s.selected()
	if ok && !s.c.fileAccess {
		// A session of csat serve writes no file; the store's host can.
		lines = append(lines, t.Muted.Render(fit("  a file of it, where the store is: csat simulate scenarios show "+shellArg(sc.Name)+" > FILE", s.width)))
	}
	if ok {
		lines = append(lines, "", t.Title.Render(" "+sc.Name))
		for _, l := range strings.Split(strings.TrimSuffix(sc.Script, "\n"), "\n") {
			lines = append(lines, fit(" "+l, s.width))
		}
	}
	if len(lines) > s.height {
		lines = lines[:s.height]
	}
	return block(strings.Join(lines, "\n"), s.width, s.height)
}

// shelfKey runs one key while the shelf is open.
func (v *simulator) shelfKey(msg tea.KeyMsg) tea.Cmd {
	k, s := v.c.keys, v.shelf
	if s.list.update(k, msg) {
		return nil
	}
	sc, ok := s.selected()
	switch {
	case keyIs(msg, k.Back):
		s.open = false
	case keyIs(msg, k.LoadScenario) && ok:
		return v.loadScenario(sc)
	case keyIs(msg, k.WriteFile) && !v.c.fileAccess:
		return flash("writing a file is for the local dashboard only (see the hint under the list)")
	case keyIs(msg, k.WriteFile) && ok:
		return v.ask(actWriteFile, sc.Name+".csat")
	}
	return nil
}

// writeScenario writes the chosen scenario, as stored, to path: the bytes
// csat simulate scenarios show prints into a file. It runs as a command;
// a dashboard without file access never gets this far.
func (v *simulator) writeScenario(path string) tea.Cmd {
	sc, ok := v.shelf.selected()
	if !ok || !v.c.fileAccess || v.c.scenarios == nil {
		return flashErr(errorf("this dashboard writes no files"))
	}
	if path == "" {
		path = sc.Name + ".csat"
	}
	keeper, reads, name := v.c.scenarios, &v.c.reads, sc.Name
	return func() tea.Msg {
		if !reads.enter() {
			return nil
		}
		defer reads.leave()
		stored, found, err := keeper.Scenario(name)
		if err == nil && !found {
			err = errorf("scenario %s is no longer in the store", name)
		}
		if err == nil {
			err = os.WriteFile(path, []byte(stored.Script), 0o666)
		}
		if err != nil {
			return flashErr(err)()
		}
		return flash("wrote scenario " + name + " · replay with: csat simulate run " + shellArg(path))()
	}
}

// loadScenario replaces the sandbox with a replay of sc's script, so a
// saved session can be taken up again where it stopped.
func (v *simulator) loadScenario(sc store.Scenario) tea.Cmd {
	script, err := simulate.Parse(sc.Name, []byte(sc.Script))
	if err != nil {
		return flashErr(err)
	}
	rec := &recordingMemory{Memory: simulate.NewMemory()}
	res, err := simulate.Run(script, rec, simulate.Options{})
	if err != nil {
		return flashErr(err)
	}
	v.mem, v.steps = rec.Memory, rec.steps
	v.convs, v.cur, v.decided = nil, 0, 0
	for i, st := range v.steps {
		if st.Event.Kind == domain.EvStart {
			v.convs = append(v.convs, st.Event.Conv)
		}
		if st.Outcome.Decided() {
			v.decided = i + 1
		}
	}
	v.made, v.cur = len(v.convs), max(len(v.convs)-1, 0)
	v.other = v.otherProfile()
	v.shelf.open = false
	text := "loaded scenario " + sc.Name + ": " + counted(len(v.steps), "step", "steps")
	if n := len(res.Failures); n > 0 {
		text += " · " + itoa(n) + " of its expectations no longer hold"
	}
	return flash(text)
}

// recordingMemory keeps each event a replay applies as a simulator step.
type recordingMemory struct {
	*simulate.Memory
	steps []simulate.SessionStep
}

func (r *recordingMemory) Apply(ev domain.Event) (domain.Outcome, error) {
	o, err := r.Memory.Apply(ev)
	if err == nil {
		r.steps = append(r.steps, simulate.SessionStep{Event: ev, Outcome: o})
	}
	return o, err
}
