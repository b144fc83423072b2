package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// simAction is what the simulator's prompt is asking for.
type simAction int

const (
	actNone simAction = iota
	actStart
	actSayCustomer
	actSayTeammate
	actSayBot
	actNote
	actAdd
	actSnooze
	actAdvance
	actComment
	actSave
	actWriteFile
	actRate // waits for one key, 1..5
)

var actPrompts = map[simAction]string{
	actStart:       "start: ",
	actSayCustomer: "customer says: ",
	actSayTeammate: "teammate says: ",
	actSayBot:      "fin says: ",
	actNote:        "note: ",
	actAdd:         "add customer: ",
	actSnooze:      "snooze for: ",
	actAdvance:     "advance clock by: ",
	actComment:     "comment: ",
	actSave:        "save script to: ",
	actWriteFile:   "write scenario to: ",
}

// simStart is where the sandbox clock starts: a Monday morning.
var simStart = simulate.ScriptStart.Add(9 * time.Hour)

// simulator is the trainer's sandbox: an in-memory workspace seeded with the
// store's settings, driven key by key. It never writes an event to the
// store; saving keeps the session as a script (save.go).
type simulator struct {
	base

	mem      *simulate.Memory
	steps    []simulate.SessionStep
	convs    []string
	cur      int
	made     int
	teammate string
	seeded   bool
	// synced is the store's settings as the sandbox last took them: a
	// setting saved in the store later reaches the sandbox (and its
	// script) as a step of its own, one the trainer changed stays theirs.
	synced domain.Settings

	action simAction
	input  textinput.Model

	decided int    // index+1 in steps of the last close/ask/rate/comment; 0 when none
	other   string // what the other profile would have decided

	shelf *scenarioShelf // the saved scenarios, opened with L
}

func newSimulator(c *common, tab int) *simulator {
	name := c.viewer
	if _, err := domain.ParseActor(name); err != nil || !domain.Teammate(name).IsTeammate() || name == "" || strings.Contains(name, ":") {
		name = "you"
	}
	return &simulator{base: newBase(c, tab), teammate: name, input: newInput("", ""), shelf: newScenarioShelf(c, tab)}
}

func (v *simulator) nested() bool { return v.shelf.open }
func (v *simulator) busy() bool   { return v.loading || v.shelf.busy() }

func (v *simulator) TabName() string { return "Simulator" }
func (v *simulator) Capturing() bool { return v.action != actNone }

func (v *simulator) SetSize(w, h int) {
	v.width, v.height = w, h
	sizeInput(&v.input, w)
	v.shelf.SetSize(w, h-1)
}

// Reload seeds the sandbox once from the store's settings (held in
// memory: nothing to read); later it takes only the settings the store
// changed since, as steps of the session.
func (v *simulator) Reload() tea.Cmd {
	v.dirty = false
	if !v.seeded {
		v.seeded = true
		v.reset()
		return nil
	}
	v.takeSettings(v.synced)
	return nil
}

// takeSettings applies in the sandbox each store setting that differs from
// was.
func (v *simulator) takeSettings(was domain.Settings) {
	want := v.c.src.Settings()
	for _, k := range domain.AllSettingKeys() {
		if val := want.Get(k); val != was.Get(k) {
			v.apply(domain.Event{Kind: domain.EvSet, Setting: k, Text: val})
		}
	}
	v.synced = want
}

func (v *simulator) reset() {
	v.mem = simulate.NewMemory()
	v.steps, v.convs, v.cur, v.made, v.decided, v.other = nil, nil, 0, 0, 0, ""
	v.apply(domain.Event{Kind: domain.EvClock, At: simStart})
	v.takeSettings(domain.DefaultSettings())
}

func (v *simulator) StatusText() string {
	if v.shelf.open {
		return v.shelf.status()
	}
	return "sandbox · " + v.mem.Settings().Profile.String() + " · " + v.mem.Now().Format("Mon Jan 2 15:04") + " · acting as " + v.teammate
}

func (v *simulator) ShortHelp() []key.Binding {
	k := v.c.keys
	if v.action == actRate {
		return []key.Binding{k.RateValue, k.Cancel}
	}
	if v.Capturing() {
		return []key.Binding{k.Apply, k.Cancel}
	}
	if v.shelf.open {
		return append(v.shelf.keys(), k.Help)
	}
	return []key.Binding{k.NewConv, k.SayCustomer, k.SayTeammate, k.Close, k.Rate, k.Advance, k.Help}
}

func (v *simulator) FullHelp() [][]key.Binding {
	k := v.c.keys
	if v.shelf.open {
		return [][]key.Binding{v.shelf.keys(), k.listKeys(), k.frameKeys()}
	}
	return [][]key.Binding{
		{k.NewConv, k.NextConv, k.SayCustomer, k.SayTeammate, k.SayBot, k.Note},
		{k.AddCustomer, k.Snooze, k.Close, k.Reopen, k.Ask},
		{k.Rate, k.Comment, k.Advance, k.Profile, k.Save, k.Scenarios},
		k.frameKeys(),
	}
}

// apply runs one event in the sandbox at the sandbox clock and keeps it for the script.
func (v *simulator) apply(ev domain.Event) (domain.Outcome, error) {
	if ev.At.IsZero() {
		ev.At = v.mem.Now()
	}
	o, err := v.mem.Apply(ev)
	if err != nil {
		return o, err
	}
	v.steps = append(v.steps, simulate.SessionStep{Event: ev, Outcome: o})
	if o.Decided() {
		v.decided = len(v.steps)
		v.other = v.otherProfile()
	}
	return o, nil
}

// otherProfile replays the session under the profile not in force and says
// what it would have decided at the last decision.
func (v *simulator) otherProfile() string {
	if v.decided == 0 {
		return ""
	}
	other := domain.ProfileOperator
	if v.mem.Settings().Profile == domain.ProfileOperator {
		other = domain.ProfileIntercom
	}
	evs := make([]domain.Event, v.decided)
	for i, st := range v.steps[:v.decided] {
		evs[i] = st.Event
	}
	var last domain.Outcome
	_, err := simulate.Replay(simulate.EventSlice(evs), simulate.ReplayOptions{Profile: &other}, func(st *simulate.ReplayStep) error {
		last = st.Outcome
		return nil
	})
	if err != nil {
		return "under " + other.String() + ": cannot replay (" + err.Error() + ")"
	}
	return "under " + other.String() + ": " + simulate.Describe(&last)
}

func (v *simulator) conv() (domain.Conversation, bool) {
	if len(v.convs) == 0 {
		return domain.Conversation{}, false
	}
	return v.mem.Conversation(v.convs[v.cur])
}

func (v *simulator) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if msg, ok := msg.(loadedMsg); ok {
		v.shelf.loaded(msg)
		return v, nil
	}
	key, isKey := msg.(tea.KeyMsg)
	switch {
	case v.action == actRate:
		if isKey {
			v.action = actNone
			if keyIs(key, v.c.keys.RateValue) {
				return v, v.rate(int(key.Runes[0] - '0'))
			}
		}
		return v, nil
	case v.Capturing():
		return v, v.promptKey(msg)
	case isKey && v.shelf.open:
		return v, v.shelfKey(key)
	case isKey:
		return v, v.command(key)
	}
	return v, nil
}

// promptKey edits the prompt: enter applies what it asked for, esc drops it.
func (v *simulator) promptKey(msg tea.Msg) tea.Cmd {
	k := v.c.keys
	if key, ok := msg.(tea.KeyMsg); ok {
		switch {
		case keyIs(key, k.Cancel):
			v.action = actNone
			v.input.Blur()
			return nil
		case keyIs(key, k.Apply):
			act := v.action
			v.action = actNone
			v.input.Blur()
			return v.submit(act, strings.TrimSpace(v.input.Value()))
		}
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	return cmd
}

// simPrompt is a key that asks for a text about the conversation shown.
type simPrompt struct {
	key         key.Binding
	act         simAction
	placeholder string
}

func (v *simulator) prompts() []simPrompt {
	k := v.c.keys
	return []simPrompt{
		{k.SayCustomer, actSayCustomer, "what the customer writes"},
		{k.SayTeammate, actSayTeammate, "what " + v.teammate + " writes"},
		{k.SayBot, actSayBot, "what Fin writes (start with workflow: for a Workflow)"},
		{k.Note, actNote, "an internal note"},
		{k.AddCustomer, actAdd, "user:NAME or lead:NAME"},
		{k.Snooze, actSnooze, "1h (e.g. 90m, 2d)"},
		{k.Comment, actComment, "the customer's remark"},
	}
}

// command runs one simulator key outside a prompt.
func (v *simulator) command(msg tea.KeyMsg) tea.Cmd {
	k := v.c.keys
	for _, p := range v.prompts() {
		if keyIs(msg, p.key) {
			if len(v.convs) == 0 {
				return flash("start a conversation first (n)")
			}
			return v.ask(p.act, p.placeholder)
		}
	}
	me := domain.Teammate(v.teammate)
	switch {
	case keyIs(msg, k.NewConv):
		return v.ask(actStart, "user:customer"+itoa(v.made+1)+" [ORIGIN] [by TEAMMATE] [channel email]")
	case keyIs(msg, k.NextConv, k.PrevConv):
		if n := len(v.convs); n > 0 {
			if keyIs(msg, k.NextConv) {
				v.cur = (v.cur + 1) % n
			} else {
				v.cur = (v.cur + n - 1) % n
			}
		}
	case keyIs(msg, k.Advance):
		return v.ask(actAdvance, "1h (e.g. 30m, 8d)")
	case keyIs(msg, k.Save):
		return v.askSave()
	case keyIs(msg, k.Scenarios):
		return v.shelf.show()
	case keyIs(msg, k.Rate):
		if len(v.convs) == 0 {
			return flash("start a conversation first (n)")
		}
		v.action = actRate
	case keyIs(msg, k.Close):
		return v.onConv(func(c domain.Conversation) domain.Event {
			return domain.Event{Kind: domain.EvClose, Conv: c.ID, Actor: me}
		})
	case keyIs(msg, k.Reopen):
		return v.onConv(func(c domain.Conversation) domain.Event {
			return domain.Event{Kind: domain.EvReopen, Conv: c.ID, Actor: me}
		})
	case keyIs(msg, k.Ask):
		return v.onConv(func(c domain.Conversation) domain.Event {
			return domain.Event{Kind: domain.EvAsk, Conv: c.ID}
		})
	case keyIs(msg, k.Profile):
		return v.switchProfile()
	}
	return nil
}

// switchProfile puts the other rule profile in force for the next decisions.
func (v *simulator) switchProfile() tea.Cmd {
	next := domain.ProfileOperator
	if v.mem.Settings().Profile == domain.ProfileOperator {
		next = domain.ProfileIntercom
	}
	if _, err := v.apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "workspace", Name: "profile"}, Text: next.String()}); err != nil {
		return flashErr(err)
	}
	v.other = v.otherProfile()
	return flash("profile " + next.String() + ": the next decisions follow its rules")
}

func (v *simulator) ask(a simAction, placeholder string) tea.Cmd {
	v.action = a
	v.input.Prompt = actPrompts[a]
	sizeInput(&v.input, v.width)
	v.input.Placeholder = placeholder
	v.input.SetValue("")
	return v.input.Focus()
}

func (v *simulator) onConv(build func(domain.Conversation) domain.Event) tea.Cmd {
	c, ok := v.conv()
	if !ok {
		return flash("start a conversation first (n)")
	}
	return v.report(v.apply(build(c)))
}

func (v *simulator) report(o domain.Outcome, err error) tea.Cmd {
	if err != nil {
		return flashErr(err)
	}
	if o.Decided() {
		return flash(o.Kind.String() + " → " + simulate.Describe(&o))
	}
	return nil
}

func (v *simulator) rate(value int) tea.Cmd {
	c, ok := v.conv()
	if !ok {
		return nil
	}
	return v.report(v.apply(domain.Event{Kind: domain.EvRate, Conv: c.ID, Actor: c.Customers[0], Value: value}))
}

// submit applies what the prompt asked for.
func (v *simulator) submit(act simAction, text string) tea.Cmd {
	c, _ := v.conv()
	var customer domain.Actor
	if len(c.Customers) > 0 {
		customer = c.Customers[0]
	}
	me := domain.Teammate(v.teammate)
	switch act {
	case actStart:
		return v.start(text)
	case actSayCustomer:
		return v.report(v.apply(domain.Event{Kind: domain.EvSay, Conv: c.ID, Actor: customer, Text: text}))
	case actSayTeammate:
		return v.report(v.apply(domain.Event{Kind: domain.EvSay, Conv: c.ID, Actor: me, Text: text}))
	case actSayBot:
		bot := domain.Fin
		if rest, ok := strings.CutPrefix(text, "workflow:"); ok {
			bot, text = domain.Workflow, strings.TrimSpace(rest)
		}
		return v.report(v.apply(domain.Event{Kind: domain.EvSay, Conv: c.ID, Actor: bot, Text: text}))
	case actNote:
		return v.report(v.apply(domain.Event{Kind: domain.EvNote, Conv: c.ID, Actor: me, Text: text}))
	case actComment:
		return v.report(v.apply(domain.Event{Kind: domain.EvComment, Conv: c.ID, Actor: customer, Text: text}))
	case actAdd:
		a, err := domain.ParseActor(text)
		if err != nil || !a.IsCustomer() {
			return flashErr(errorf("add: %q is not a customer: want user:NAME or lead:NAME", text))
		}
		return v.report(v.apply(domain.Event{Kind: domain.EvAdd, Conv: c.ID, Actor: a}))
	case actSnooze, actAdvance:
		if text == "" {
			text = "1h"
		}
		d, err := simulate.ParseSpan(text)
		if err != nil || d <= 0 {
			return flashErr(errorf("%q is not a positive duration: want e.g. 90m, 2h30m or 8d", text))
		}
		if act == actSnooze {
			return v.report(v.apply(domain.Event{Kind: domain.EvSnooze, Conv: c.ID, Actor: me, Until: v.mem.Now().Add(d)}))
		}
		return v.report(v.apply(domain.Event{Kind: domain.EvClock, At: v.mem.Now().Add(d)}))
	case actSave:
		return v.save(text)
	case actWriteFile:
		return v.writeScenario(text)
	}
	return nil
}

// start parses "CUSTOMER [ORIGIN] [by TEAMMATE] [channel CHANNEL]", the script's start line.
func (v *simulator) start(text string) tea.Cmd {
	v.made++
	if strings.TrimSpace(text) == "" {
		text = "user:customer" + itoa(v.made)
	}
	ev, err := simulate.ParseStart("c"+itoa(v.made), text, domain.Teammate(v.teammate))
	if err != nil {
		return flashErr(errorf("start: %v", err))
	}
	if _, err := v.apply(ev); err != nil {
		return flashErr(err)
	}
	v.convs = append(v.convs, ev.Conv)
	v.cur = len(v.convs) - 1
	return flash("started " + ev.Conv + " with " + ev.Actor.String())
}

// rulesW is the width of the right-hand panel (conversation and rules).
const rulesW = 40

func (v *simulator) View() string {
	t := v.c.theme
	bottom := 1
	leftW := v.width - rulesW - 1
	h := max(v.height-bottom, 1)
	var left string
	c, ok := v.conv()
	if v.shelf.open {
		return v.shelf.View() + "\n" + v.promptLine()
	}
	if !ok {
		left = t.Muted.Render("  A sandbox seeded with the\n  workspace settings: nothing\n  here reaches the store.\n\n  n  start a conversation\n  ?  every key")
	} else {
		var parts []store.Part
		for _, st := range v.steps {
			if st.Event.Conv == c.ID {
				parts = append(parts, store.Part{Event: st.Event, Outcome: st.Outcome})
			}
		}
		lines := renderStream(v.c, parts, true, leftW)
		if len(lines) > h {
			lines = lines[len(lines)-h:] // the newest parts stay in view
		}
		left = strings.Join(lines, "\n")
	}
	right := v.panel(c, ok)
	out := joinColumns(block(left, leftW, h), block(right, rulesW, h), t.Muted.Render("│"))
	return out + "\n" + v.promptLine()
}

// promptLine is the simulator's last line: the prompt when one asks.
func (v *simulator) promptLine() string {
	t := v.c.theme
	var prompt string
	switch {
	case v.action == actRate:
		prompt = t.Accent.Render("rate: press 1–5 (esc cancels)")
	case v.Capturing():
		prompt = v.input.View()
	default:
		prompt = t.Muted.Render("sandbox: trainers never touch real data")
	}
	return fit(prompt, v.width)
}

// panel shows the conversation's rule state and the last decision, rule by rule.
func (v *simulator) panel(c domain.Conversation, ok bool) string {
	t := v.c.theme
	var b strings.Builder
	now := v.mem.Now()
	b.WriteString(t.Title.Render(" "+v.mem.Settings().Profile.String()+" · "+now.Format("Jan 2 15:04")) + "\n")
	if ok {
		b.WriteString(" " + c.ID + " " + itoa(v.cur+1) + "/" + itoa(len(v.convs)) + " · " + c.StateAt(now).String() + " · " + c.Origin.String() + "\n")
		b.WriteString(" " + itoa(c.Chars) + " chars · last reply " + domain.FormatSpan(now.Sub(c.LastReplyAt).Truncate(time.Minute)) + " ago\n")
		for _, s := range c.Slots {
			r := "unrated"
			if s.Value > 0 {
				r = domain.Face(s.Value) + " " + domain.FaceName(s.Value)
				if s.Commented {
					r += " · commented"
				}
			}
			b.WriteString(" slot " + s.Agent.Name + ": " + r + "\n")
		}
	}
	if v.decided == 0 {
		b.WriteString(t.Muted.Render("\n close, ask or rate to see\n every rule checked"))
		return b.String()
	}
	st := v.steps[v.decided-1]
	o := st.Outcome
	head := st.Event.Kind.String() + " " + st.Event.Conv + " → " + simulate.Describe(&o)
	b.WriteString("\n" + panelLines(head, decisionStyle(v.c.theme, &o)))
	for _, ch := range o.Checks() {
		mark := t.Good.Render("✓")
		if ch.Failed {
			mark = t.Bad.Render("✗")
		}
		b.WriteString(" " + fit(ch.Code.Rule(), 17) + fit(ch.Detail(), rulesW-21) + " " + mark + "\n")
	}
	if v.other != "" {
		b.WriteString(panelLines(v.other, t.Muted.Render))
	}
	return b.String()
}

// panelLines wraps a sentence of the rules panel to its width, the lines
// after the first indented under it: a decision's reason is its point,
// and cut at the panel's edge it was lost.
func panelLines(text string, style func(...string) string) string {
	var b strings.Builder
	for i, l := range strings.Split(ansi.Wrap(text, rulesW-3, " "), "\n") {
		indent := " "
		if i > 0 {
			indent = "   "
		}
		b.WriteString(style(indent+l) + "\n")
	}
	return b.String()
}
