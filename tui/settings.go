package tui

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// WhatIfFunc replays the conversations of the last `since` under settings s
// and counts what would have been sent and skipped, beside what happened;
// it stops with ctx's error when ctx ends.
type WhatIfFunc func(ctx context.Context, s domain.Settings, since time.Duration) (WhatIf, error)

// WhatIf compares what happened with what the pending settings would have done.
type WhatIf struct {
	Actual, Would WhatIfCounts
	// Helpdesk compares the rules' decisions in a helpdesk's (Intercom's)
	// conversations, which Actual and Would leave out; nil when none.
	Helpdesk *HelpdeskWhatIf
}

// WhatIfCounts are the survey decisions of a replay, and the ratings and
// changes (of a rating, or a comment) it refused. Skipped counts the
// closes and asks skipped, SkippedBy each rule they failed: a skip can
// fail several, so its counts can add up to more.
type WhatIfCounts struct {
	Sent, Skipped                  int
	SkippedBy                      map[domain.Code]int
	RefusedRatings, RefusedChanges int
}

// whatIfSpan is how far back the settings preview replays.
const whatIfSpan = 30 * 24 * time.Hour

var settingLabels = map[string]string{
	"csat": "ask for rating", "direct-outbound": "direct outbound", "workflow-outbound": "API/Workflow outbound",
	"rating-window": "rating window, hours", "change-window": "change window, hours", "survey-app": "survey app",
	"hide-scores": "hide scores from teammates", "target": "happiness target", "followup": "follow-up threshold",
	"profile": "rule profile",
}

// cycles are the settings edited by stepping through their values.
var cycles = map[string][]string{
	"csat": {"on", "off"}, "direct-outbound": {"on", "off"}, "workflow-outbound": {"on", "off"}, "hide-scores": {"on", "off"},
	"followup": {"negative", "negative+bad"}, "profile": {"intercom", "operator"},
}

type whatIfMsg struct {
	gen    int
	result WhatIf
	err    error
}

type settingsView struct {
	base
	keys  []domain.SettingKey
	saved domain.Settings
	// pending are edited values not yet saved, by key.
	pending map[domain.SettingKey]string
	audit   []store.AuditEntry
	noAdmin bool // the roster has no admin: say how to become one

	editing  bool
	input    textinput.Model
	inputErr string

	whatIfGen int
	whatIf    *whatIfMsg
}

func newSettings(c *common, tab int) *settingsView {
	return &settingsView{base: newBase(c, tab), keys: domain.AllSettingKeys(), pending: map[domain.SettingKey]string{}, input: newInput("", "")}
}

func (v *settingsView) TabName() string { return "Settings" }
func (v *settingsView) Capturing() bool { return v.editing }

func (v *settingsView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.input.Width = 12
	v.list.setHeight(len(v.keys))
}

func (v *settingsView) admin() bool { return v.c.role == domain.RoleAdmin }

func (v *settingsView) StatusText() string {
	if v.err != nil {
		return "settings: " + v.err.Error()
	}
	if !v.admin() {
		return "read-only: only admins change settings"
	}
	if len(v.pending) > 0 {
		return counted(len(v.pending), "unsaved change", "unsaved changes") + " · ctrl+s saves · u discards"
	}
	return "admin · enter edits"
}

func (v *settingsView) ShortHelp() []key.Binding {
	k := v.c.keys
	if v.editing {
		return []key.Binding{k.Keep, k.Cancel}
	}
	if !v.admin() {
		return []key.Binding{k.Up, k.Down, k.NextTab, k.Help, k.Quit}
	}
	return []key.Binding{k.Edit, k.SaveSettings, k.Discard, k.NextTab, k.Help, k.Quit}
}

func (v *settingsView) FullHelp() [][]key.Binding {
	k := v.c.keys
	return [][]key.Binding{{k.Edit, k.SaveSettings, k.Discard}, {k.Up, k.Down}, k.frameKeys()}
}

// setData is one read of the settings and the audit trail, after the
// changes (if any) that asked for it.
type setData struct {
	saved   domain.Settings
	audit   []store.AuditEntry
	noAdmin bool                // the roster has no admin: say how to become one
	applied []domain.SettingKey // changes the rules took, in panel order
	saveErr error               // the change the rules refused; those after it were not tried
}

func (v *settingsView) Reload() tea.Cmd { return v.applyThenRead(nil) }

// applyThenRead writes evs through the rules, stopping at the first refused,
// then reads the settings and the audit trail, in one command.
func (v *settingsView) applyThenRead(evs []domain.Event) tea.Cmd {
	src := v.c.src
	return v.fetch(func() (any, error) {
		var d setData
		for _, ev := range evs {
			if _, err := src.Apply(ev); err != nil {
				d.saveErr = err
				break
			}
			d.applied = append(d.applied, ev.Setting)
		}
		d.saved = src.Settings()
		var err error
		if d.audit, err = src.Audit(50); err != nil {
			return d, err
		}
		tms, err := src.Teammates()
		d.noAdmin = true
		for _, t := range tms {
			if t.Role == domain.RoleAdmin {
				d.noAdmin = false
			}
		}
		return d, err
	})
}

func (v *settingsView) loaded(msg loadedMsg) tea.Cmd {
	if !v.accept(msg, "audit") {
		return nil
	}
	d, _ := msg.data.(setData)
	v.saved, v.audit, v.noAdmin = d.saved, d.audit, d.noAdmin
	v.list.setLen(len(v.keys))
	for _, k := range d.applied {
		delete(v.pending, k)
	}
	for k, val := range v.pending {
		if v.saved.Get(k) == val {
			delete(v.pending, k)
		}
	}
	switch {
	case d.saveErr != nil:
		return flashErr(d.saveErr)
	case len(d.applied) > 0:
		v.whatIf = nil
		return flash("saved " + counted(len(d.applied), "setting", "settings"))
	}
	return nil
}

func (v *settingsView) value(k domain.SettingKey) string {
	if p, ok := v.pending[k]; ok {
		return p
	}
	return v.saved.Get(k)
}

// proposed is the saved settings with the pending edits, as the domain validates them.
func (v *settingsView) proposed() (domain.Settings, error) {
	s := v.saved
	for _, k := range v.keys {
		if val, ok := v.pending[k]; ok {
			if err := s.Set(k, val); err != nil {
				return s, err
			}
		}
	}
	return s, nil
}

func (v *settingsView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := v.c.keys
	switch msg := msg.(type) {
	case loadedMsg:
		return v, v.loaded(msg)
	case whatIfMsg:
		if msg.gen == v.whatIfGen {
			v.whatIf = &msg
		}
		return v, nil
	case tea.KeyMsg:
		if v.editing {
			return v, v.editKey(msg)
		}
		if v.list.update(k, msg) {
			return v, nil
		}
		if !v.admin() {
			if keyIs(msg, k.Edit, k.SaveSettings, k.Discard) {
				return v, flash("only admins change settings; you are a teammate")
			}
			return v, nil
		}
		switch {
		case keyIs(msg, k.Edit):
			return v, v.edit()
		case keyIs(msg, k.Discard):
			v.pending = map[domain.SettingKey]string{}
			v.whatIf = nil
			v.whatIfGen++
		case keyIs(msg, k.SaveSettings):
			return v, v.save()
		}
	case tea.MouseMsg:
		v.list.update(k, msg)
	}
	return v, nil
}

// edit steps a choice setting or opens the text field for a value.
func (v *settingsView) edit() tea.Cmd {
	key := v.keys[v.list.cursor]
	if vals, ok := cycles[key.Name]; ok {
		cur := v.value(key)
		next := vals[0]
		for i, val := range vals {
			if val == cur {
				next = vals[(i+1)%len(vals)]
			}
		}
		v.setPending(key, next)
		return v.preview()
	}
	// Typing starts afresh, the value shown as the placeholder: a value
	// typed after the one prefilled ("off" then 48) read as "off48".
	v.editing = true
	v.inputErr = ""
	v.input.SetValue("")
	v.input.Placeholder = v.value(key)
	return v.input.Focus()
}

// editKey handles the text field; enter keeps a value only when the domain accepts it.
func (v *settingsView) editKey(msg tea.KeyMsg) tea.Cmd {
	key := v.keys[v.list.cursor]
	switch {
	case keyIs(msg, v.c.keys.Cancel):
		v.editing, v.inputErr = false, ""
		v.input.Blur()
		return nil
	case keyIs(msg, v.c.keys.Keep):
		val := strings.TrimSpace(v.input.Value())
		if val == "" { // nothing typed keeps the value
			val = v.value(key)
		}
		probe := v.saved
		if err := probe.Set(key, val); err != nil {
			v.inputErr = err.Error()
			return nil
		}
		// Keep the spelling the domain prints, so "48h" and "48" are one value.
		v.editing, v.inputErr = false, ""
		v.input.Blur()
		v.setPending(key, probe.Get(key))
		return v.preview()
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	// Validate as the user types, so the error shows before enter.
	probe := v.saved
	if typed := strings.TrimSpace(v.input.Value()); typed == "" {
		v.inputErr = ""
	} else if err := probe.Set(key, typed); err != nil {
		v.inputErr = err.Error()
	} else {
		v.inputErr = ""
	}
	return cmd
}

func (v *settingsView) setPending(k domain.SettingKey, val string) {
	if val == v.saved.Get(k) {
		delete(v.pending, k)
	} else {
		v.pending[k] = val
	}
}

// preview starts the what-if of the pending settings in the background.
func (v *settingsView) preview() tea.Cmd {
	v.whatIfGen++
	v.whatIf = nil
	if len(v.pending) == 0 || v.c.whatIf == nil {
		return nil
	}
	s, err := v.proposed()
	if err != nil {
		return nil
	}
	gen, fn, reads, life := v.whatIfGen, v.c.whatIf, &v.c.reads, v.c.life
	return func() tea.Msg {
		if !reads.enter() {
			return nil
		}
		defer reads.leave()
		r, err := fn(life, s, whatIfSpan) // the dashboard's Close stops it
		return whatIfMsg{gen: gen, result: r, err: err}
	}
}

// save writes every pending change through the rules, in panel order; each
// becomes an audit entry in the store.
func (v *settingsView) save() tea.Cmd {
	if v.editing || len(v.pending) == 0 {
		return nil
	}
	if _, err := v.proposed(); err != nil {
		return flashErr(err)
	}
	var evs []domain.Event
	for _, k := range v.keys {
		if val, ok := v.pending[k]; ok {
			evs = append(evs, domain.Event{Kind: domain.EvSet, Setting: k, Text: val, By: v.c.viewer, At: v.c.eventTime()})
		}
	}
	return v.applyThenRead(evs)
}

const settingsLeftW = 50

func (v *settingsView) View() string {
	t := v.c.theme
	leftW := min(settingsLeftW, v.width)
	rightW := v.width - leftW - 1
	var b strings.Builder
	if !v.admin() {
		b.WriteString(t.Warn.Render(fit(" read-only: only admins change settings", leftW)) + "\n")
	} else {
		b.WriteString(t.Header.Render(fit("  setting", 32)+"value") + "\n") // where the labels and values start
	}
	scope := ""
	for i, k := range v.keys {
		if k.Scope != scope {
			scope = k.Scope
			b.WriteString(t.Title.Render(" "+scope) + "\n")
		}
		cur := "  "
		if i == v.list.cursor {
			cur = "▸ "
		}
		val := v.value(k)
		mark := " "
		if _, ok := v.pending[k]; ok {
			mark = "*"
		}
		line := cur + fit(settingLabels[k.Name], 28) + mark + " "
		if v.editing && i == v.list.cursor {
			line += v.input.View()
		} else {
			line += val
		}
		line = fit(line, leftW)
		if i == v.list.cursor {
			line = t.Selected.Render(line)
		}
		b.WriteString(line + "\n")
		if v.editing && i == v.list.cursor && v.inputErr != "" {
			for _, l := range strings.Split(ansi.Wordwrap("✗ "+v.inputErr, max(leftW-3, 10), " "), "\n") {
				b.WriteString(t.Error.Render(fit("   "+l, leftW)) + "\n")
			}
		}
	}
	return joinColumns(block(b.String(), leftW, v.height), block(v.side(rightW), rightW, v.height), " ")
}

// side shows the what-if of pending changes, then the audit trail.
func (v *settingsView) side(w int) string {
	t := v.c.theme
	var b strings.Builder
	if !v.admin() {
		ask := "You are a teammate: settings are\nshown read-only. Ask an admin."
		if v.noAdmin {
			ask = ansi.Wordwrap("There is no admin yet: to become one, "+becomeAdmin+".", w, " ")
		}
		b.WriteString(t.Muted.Render(ask) + "\n\n")
	}
	if len(v.pending) > 0 {
		b.WriteString(t.Title.Render("what-if, last 30 days") + "\n")
		switch {
		case v.c.whatIf == nil:
			b.WriteString(t.Muted.Render("no what-if available") + "\n")
		case v.whatIf == nil:
			b.WriteString(t.Muted.Render("replaying…") + "\n")
		case v.whatIf.err != nil:
			b.WriteString(t.Error.Render(ansi.Wordwrap(v.whatIf.err.Error(), w, " ")) + "\n")
		default:
			b.WriteString(ansi.Wordwrap(whatIfText(v.whatIf.result), w, " "))
		}
		b.WriteString(t.Accent.Render(ansi.Wordwrap("ctrl+s save · u discard", w, " ")) + "\n\n")
	}
	b.WriteString(t.Title.Render("audit trail") + "\n")
	if len(v.audit) == 0 {
		b.WriteString(t.Muted.Render("no changes yet") + "\n")
	}
	for _, a := range v.audit {
		by := a.By
		if by == "" {
			by = "system"
		}
		b.WriteString(fit(a.At.Format("Jan 2 15:04")+" "+by+" "+a.Key.String()+" "+a.Old+"→"+a.New, w) + "\n")
	}
	return b.String()
}

func whatIfText(r WhatIf) string {
	var b strings.Builder
	b.WriteString("sent     " + itoa(r.Actual.Sent) + " → " + itoa(r.Would.Sent) + "\n")
	b.WriteString("skipped  " + itoa(r.Actual.Skipped) + " → " + itoa(r.Would.Skipped) + "\n")
	codes := map[domain.Code]bool{}
	for c := range r.Actual.SkippedBy {
		codes[c] = true
	}
	for c := range r.Would.SkippedBy {
		codes[c] = true
	}
	var list []domain.Code
	for c := range codes {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	if len(list) > 0 {
		// The rows add up to more than the skips when one fails several.
		b.WriteString("by rule (they overlap):\n")
	}
	for _, c := range list {
		b.WriteString("  " + c.String() + " " + itoa(r.Actual.SkippedBy[c]) + " → " + itoa(r.Would.SkippedBy[c]) + "\n")
	}
	b.WriteString("ratings refused " + itoa(r.Actual.RefusedRatings) + " → " + itoa(r.Would.RefusedRatings) + "\n")
	b.WriteString("changes refused " + itoa(r.Actual.RefusedChanges) + " → " + itoa(r.Would.RefusedChanges) + "\n")
	b.WriteString(helpdeskText(r.Helpdesk))
	return b.String()
}
