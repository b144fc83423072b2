package simulate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/csat-app/csat/domain"
)

// Script is a parsed scenario. It is never changed by a run, so the same
// script can be run against several backends (in memory first, then a store).
type Script struct {
	Name     string
	Commands []Command
}

// Command is one line of a script.
type Command struct {
	Line int
	Verb string
	// Event is the event the command applies; the runner fills in At and Until.
	// Unused by clock, wait and expect.
	Event domain.Event
	// Span is the length of a wait or a snooze.
	Span time.Duration
	// Clock is the time a clock command sets.
	Clock time.Time
	// Expect is set for expect commands.
	Expect *Expectation
	// Profile is the rule profile the script has chosen by this line (before
	// any --profile override), so tools can tell which profile a line tests.
	Profile domain.Profile
	// Display is the command as the human trace shows it.
	Display string
	cols    columns
}

// columns locate a command's parts, to point a run-time error at the right word.
type columns struct{ verb, conv, actor, value int }

// SetsProfile reports whether the command chooses the rule profile, which a
// --profile override replaces.
func (c *Command) SetsProfile() bool {
	return c.Event.Kind == domain.EvSet && c.Event.Setting == profileKey
}

var profileKey = domain.SettingKey{Scope: "workspace", Name: "profile"}

// Verbs lists the script verbs in the order SCENARIOS.md gives them.
var Verbs = []string{"clock", "wait", "profile", "set", "start", "say", "note", "add", "snooze", "close", "reopen", "ask", "rate", "comment", "expect"}

// ScriptError is a mistake in a script: a malformed line, or a command the
// workspace cannot apply. Col is 0 when the error is about the whole line.
type ScriptError struct {
	File string
	Line int
	Col  int
	Msg  string
	// Err is the domain error behind a run-time error, for errors.Is.
	Err error
}

// Error gives FILE:LINE:COL: message (FILE:LINE: when no column applies).
func (e *ScriptError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap returns the domain error, if any.
func (e *ScriptError) Unwrap() error { return e.Err }

// ErrorList holds every error found in a script, one per line of its message.
type ErrorList []*ScriptError

// Error gives one error a line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// maxErrors bounds how many errors Parse reports: past that, the rest is noise.
const maxErrors = 10

// Parse reads a script. name is used in error messages (usually the file
// name). On any error it returns an [ErrorList] and no script: nothing of a
// malformed script is ever run.
func Parse(name string, src []byte) (*Script, error) {
	s := &Script{Name: name}
	var errs ErrorList
	st := parseState{profile: domain.ProfileIntercom}
	rest := src
	for line := 1; len(rest) > 0 && len(errs) < maxErrors; line++ {
		// Lines end at \n only, so a line number is what an editor shows (a
		// lone \r is left to the lexer, which treats it as a space).
		raw := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			raw, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		text := string(raw)
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		toks, lerr := lexLine(text)
		if lerr != nil {
			errs = append(errs, &ScriptError{File: name, Line: line, Col: lerr.Col, Msg: lerr.Msg})
			continue
		}
		if len(toks) == 0 {
			continue
		}
		p := &lineParser{toks: toks, st: &st}
		cmd, perr := p.command()
		if perr != nil {
			errs = append(errs, &ScriptError{File: name, Line: line, Col: perr.Col, Msg: perr.Msg})
			continue
		}
		cmd.Line = line
		s.Commands = append(s.Commands, cmd)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

// parseState is what a line's meaning depends on from the lines before it.
type parseState struct {
	profile     domain.Profile
	surveyCmd   bool // a close or ask came before
	responseCmd bool // a rate or comment came before
}

type lineParser struct {
	toks []token
	i    int
	st   *parseState
}

func errAt(col int, format string, args ...any) *lexError {
	return &lexError{Col: col, Msg: fmt.Sprintf(format, args...)}
}

// endCol is where a missing word would go: just after the last one.
func (p *lineParser) endCol() int { return p.toks[len(p.toks)-1].End + 2 }

func (p *lineParser) more() bool { return p.i < len(p.toks) }

func (p *lineParser) peek() token { return p.toks[p.i] }

// word takes the next word; what names it in the error when it is missing.
func (p *lineParser) word(what string) (token, *lexError) {
	if !p.more() {
		return token{}, errAt(p.endCol(), "missing %s", what)
	}
	t := p.toks[p.i]
	if t.Quoted {
		return t, errAt(t.Col, "%s is a word, not quoted text", what)
	}
	p.i++
	return t, nil
}

// text takes the next quoted text.
func (p *lineParser) text(what string) (token, *lexError) {
	if !p.more() {
		return token{}, errAt(p.endCol(), "missing %s (in double quotes)", what)
	}
	t := p.toks[p.i]
	if !t.Quoted {
		return t, errAt(t.Col, "%s must be in double quotes, e.g. \"%s\"", what, t.Text)
	}
	p.i++
	return t, nil
}

// done rejects anything left on the line.
func (p *lineParser) done() *lexError {
	if p.more() {
		t := p.peek()
		return errAt(t.Col, "unexpected %s at the end of the command", quoteTok(t))
	}
	return nil
}

func quoteTok(t token) string {
	if t.Quoted {
		return "text"
	}
	return strconv.Quote(t.Text)
}

func (p *lineParser) conv() (token, *lexError) {
	t, err := p.word("conversation id")
	if err != nil {
		return t, err
	}
	if !domain.ValidName(t.Text) {
		return t, errAt(t.Col, "invalid conversation id %q: ids are [A-Za-z0-9_.-]+", t.Text)
	}
	return t, nil
}

// actor reads an actor and checks it is of the kind the verb takes.
func (p *lineParser) actor(what string, ok func(domain.Actor) bool, want string) (domain.Actor, token, *lexError) {
	t, err := p.word(what)
	if err != nil {
		return domain.Actor{}, t, err
	}
	a, aerr := domain.ParseActor(t.Text)
	if aerr != nil {
		return a, t, errAt(t.Col, "%v", aerr)
	}
	if ok != nil && !ok(a) {
		return a, t, errAt(t.Col, "%s %q must be %s", what, t.Text, want)
	}
	return a, t, nil
}

func anyActor(domain.Actor) bool { return true }

func isCustomer(a domain.Actor) bool { return a.IsCustomer() }

func isTeammate(a domain.Actor) bool { return a.IsTeammate() }

func isAgent(a domain.Actor) bool { return a.IsAgent() }

const (
	wantCustomer = "a customer: user:NAME or lead:NAME"
	wantTeammate = "a teammate: NAME or teammate:NAME"
	wantAgent    = "a teammate, workflow or fin"
)

// duration reads a positive Go duration, with days allowed in front: 7d, 7d1s, 2h30m.
func (p *lineParser) duration(verb string) (time.Duration, token, *lexError) {
	t, err := p.word("duration")
	if err != nil {
		return 0, t, err
	}
	d, derr := ParseSpan(t.Text)
	if derr != nil {
		return 0, t, errAt(t.Col, "%v", derr)
	}
	if d <= 0 {
		return 0, t, errAt(t.Col, "%s needs a positive duration, not %s", verb, t.Text)
	}
	return d, t, nil
}

// ParseSpan reads a duration as scripts write it: a Go duration, optionally
// preceded by whole days ("7d", "7d1s", "2h30m", "90s").
func ParseSpan(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("bad duration %q: want e.g. 90s, 15m, 2h30m, 7d or 7d1s", s)
	}
	body, neg := strings.CutPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(body, 'd'); i >= 0 {
		n, err := strconv.ParseInt(body[:i], 10, 64)
		if err != nil || n < 0 || i == 0 || body[0] == '+' {
			return bad()
		}
		if n > int64(1<<63-1)/int64(24*time.Hour) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		days, body = n, body[i+1:]
	} else if body == "" {
		return bad()
	}
	var rest time.Duration
	if body != "" {
		if body[0] == '-' || body[0] == '+' {
			return bad()
		}
		var err error
		if rest, err = time.ParseDuration(body); err != nil {
			return bad()
		}
	}
	d := time.Duration(days) * 24 * time.Hour
	if d+rest < d {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	d += rest
	if neg {
		d = -d
	}
	return d, nil
}

func (p *lineParser) command() (Command, *lexError) {
	vt := p.toks[0]
	p.i = 1
	if vt.Quoted {
		return Command{}, errAt(vt.Col, "a command starts with a verb, not quoted text")
	}
	cmd := Command{Verb: vt.Text, cols: columns{verb: vt.Col}}
	var err *lexError
	switch vt.Text {
	case "clock":
		err = p.clock(&cmd)
	case "wait":
		var t token
		cmd.Span, t, err = p.duration("wait")
		cmd.cols.value = t.Col
		cmd.Event.Kind = domain.EvClock
	case "profile":
		err = p.profile(&cmd)
	case "set":
		err = p.set(&cmd)
	case "start":
		err = p.start(&cmd)
	case "say", "note", "add", "snooze", "close", "reopen", "ask":
		err = p.convEvent(&cmd)
	case "rate", "comment":
		err = p.response(&cmd)
	case "expect":
		err = p.expect(&cmd)
	default:
		return cmd, errAt(vt.Col, "unknown verb %q: want one of %s", vt.Text, strings.Join(Verbs, ", "))
	}
	if err == nil {
		err = p.done()
	}
	if err != nil {
		return cmd, err
	}
	cmd.Profile = p.st.profile
	cmd.Display = p.display(&cmd)
	return cmd, nil
}

func (p *lineParser) clock(cmd *Command) *lexError {
	t, err := p.word("time")
	if err != nil {
		return err
	}
	at, perr := time.Parse(time.RFC3339, t.Text)
	if perr != nil {
		return errAt(t.Col, "bad time %q: want RFC 3339, e.g. 2026-03-02T09:00:00Z", t.Text)
	}
	cmd.Clock, cmd.cols.value = at.UTC(), t.Col
	cmd.Event.Kind = domain.EvClock
	return nil
}

func (p *lineParser) profile(cmd *Command) *lexError {
	t, err := p.word("profile")
	if err != nil {
		return err
	}
	prof, perr := domain.ParseProfile(t.Text)
	if perr != nil {
		return errAt(t.Col, "%v", perr)
	}
	p.st.profile = prof
	cmd.cols.value = t.Col
	cmd.Event = domain.Event{Kind: domain.EvSet, Setting: profileKey, Text: t.Text}
	return nil
}

func (p *lineParser) set(cmd *Command) *lexError {
	scope, err := p.word("scope (users, leads or workspace)")
	if err != nil {
		return err
	}
	name, err := p.word("setting name")
	if err != nil {
		return err
	}
	value, err := p.word("value")
	if err != nil {
		return err
	}
	key, kerr := domain.ParseSettingKey(scope.Text + "." + name.Text)
	if kerr != nil {
		col := name.Col
		if scope.Text != "users" && scope.Text != "leads" && scope.Text != "workspace" {
			col = scope.Col
		}
		return errAt(col, "%v", kerr)
	}
	// Validate against a scratch copy: the rules own the ranges (hours 1..8760, …).
	scratch := domain.DefaultSettings()
	if serr := scratch.Set(key, value.Text); serr != nil {
		return errAt(value.Col, "%v", serr)
	}
	if key == profileKey {
		p.st.profile = scratch.Profile
	}
	cmd.cols.value = value.Col
	cmd.Event = domain.Event{Kind: domain.EvSet, Setting: key, Text: value.Text}
	return nil
}

func (p *lineParser) start(cmd *Command) *lexError {
	ct, err := p.conv()
	if err != nil {
		return err
	}
	customer, at, err := p.actor("customer", isCustomer, wantCustomer)
	if err != nil {
		return err
	}
	ev := domain.Event{Kind: domain.EvStart, Conv: ct.Text, Actor: customer}
	var originTok, byTok, channelTok *token
	for p.more() {
		t, err := p.word("origin, by TEAMMATE or channel")
		if err != nil {
			return err
		}
		switch t.Text {
		case "by":
			if byTok != nil {
				return errAt(t.Col, "by is given twice")
			}
			byTok = &t
			if ev.Agent, _, err = p.actor("opening teammate", isTeammate, wantTeammate); err != nil {
				return err
			}
		case "channel":
			if channelTok != nil {
				return errAt(t.Col, "channel is given twice")
			}
			channelTok = &t
			ch, err := p.word("channel (messenger or email)")
			if err != nil {
				return err
			}
			c, cerr := domain.ParseChannel(ch.Text)
			if cerr != nil {
				return errAt(ch.Col, "%v", cerr)
			}
			ev.Channel = c
		default:
			if originTok != nil {
				return errAt(t.Col, "unexpected %q: the origin is %s already", t.Text, originTok.Text)
			}
			o, oerr := domain.ParseOrigin(t.Text)
			if oerr != nil {
				return errAt(t.Col, "%v", oerr)
			}
			originTok, ev.Origin = &t, o
		}
	}
	switch {
	case ev.Origin == domain.OriginDirect && byTok == nil:
		return errAt(originTok.Col, "a direct conversation needs the teammate who opens it: add by NAME")
	case ev.Origin != domain.OriginDirect && byTok != nil:
		return errAt(byTok.Col, "only a direct conversation is opened by a teammate; this one is %s", ev.Origin)
	}
	cmd.cols.conv, cmd.cols.actor = ct.Col, at.Col
	cmd.Event = ev
	return nil
}

// convEvent reads the verbs shaped VERB CONV [ACTOR] [TEXT|DURATION].
func (p *lineParser) convEvent(cmd *Command) *lexError {
	ct, err := p.conv()
	if err != nil {
		return err
	}
	cmd.cols.conv = ct.Col
	ev := domain.Event{Conv: ct.Text}
	var at token
	switch cmd.Verb {
	case "say":
		ev.Kind = domain.EvSay
		if ev.Actor, at, err = p.actor("speaker", anyActor, ""); err != nil {
			return err
		}
		t, err := p.text("message")
		if err != nil {
			return err
		}
		ev.Text = t.Text
	case "note":
		ev.Kind = domain.EvNote
		if ev.Actor, at, err = p.actor("note author", isTeammate, wantTeammate); err != nil {
			return err
		}
		t, err := p.text("note")
		if err != nil {
			return err
		}
		ev.Text = t.Text
	case "add":
		ev.Kind = domain.EvAdd
		if ev.Actor, at, err = p.actor("customer", isCustomer, wantCustomer); err != nil {
			return err
		}
	case "snooze":
		ev.Kind = domain.EvSnooze
		if ev.Actor, at, err = p.actor("snoozing agent", isAgent, wantAgent); err != nil {
			return err
		}
		var dt token
		if cmd.Span, dt, err = p.duration("snooze"); err != nil {
			return err
		}
		cmd.cols.value = dt.Col
	case "close":
		ev.Kind = domain.EvClose
		if ev.Actor, at, err = p.actor("closing agent", isAgent, wantAgent); err != nil {
			return err
		}
		p.st.surveyCmd = true
	case "reopen":
		ev.Kind = domain.EvReopen
		if ev.Actor, at, err = p.actor("actor", anyActor, ""); err != nil {
			return err
		}
	case "ask":
		ev.Kind = domain.EvAsk
		p.st.surveyCmd = true
	}
	cmd.cols.actor = at.Col
	cmd.Event = ev
	return nil
}

// response reads rate CONV CUSTOMER VALUE [for AGENT] and comment CONV CUSTOMER "text" [for AGENT].
func (p *lineParser) response(cmd *Command) *lexError {
	ct, err := p.conv()
	if err != nil {
		return err
	}
	customer, at, err := p.actor("customer", isCustomer, wantCustomer)
	if err != nil {
		return err
	}
	ev := domain.Event{Conv: ct.Text, Actor: customer}
	if cmd.Verb == "rate" {
		ev.Kind = domain.EvRate
		vt, err := p.word("rating (1 to 5)")
		if err != nil {
			return err
		}
		v, verr := parseWhole(vt.Text)
		if verr != nil {
			return errAt(vt.Col, "rating %q: %v", vt.Text, verr)
		}
		ev.Value, cmd.cols.value = v, vt.Col
	} else {
		ev.Kind = domain.EvComment
		t, err := p.text("comment")
		if err != nil {
			return err
		}
		ev.Text = t.Text
	}
	if p.more() {
		ft, _ := p.word("for")
		if ft.Text != "for" {
			return errAt(ft.Col, "unexpected %s: only for AGENT may follow", quoteTok(ft))
		}
		if ev.Agent, _, err = p.actor("rated agent", isAgent, wantAgent); err != nil {
			return err
		}
	}
	p.st.responseCmd = true
	cmd.cols.conv, cmd.cols.actor = ct.Col, at.Col
	cmd.Event = ev
	return nil
}

// parseWhole reads a whole number; its range is the rules' business.
func parseWhole(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("out of range")
		}
		return 0, fmt.Errorf("want a whole number")
	}
	return v, nil
}

func (p *lineParser) display(cmd *Command) string {
	var b strings.Builder
	for i, t := range p.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		if cmd.Verb == "close" && i == 2 {
			b.WriteString("by ")
		}
		if t.Quoted {
			b.WriteString(strconv.Quote(shorten(t.Text, 40)))
		} else {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// shorten keeps long texts readable in a one-line trace.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
