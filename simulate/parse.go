package simulate

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	// opener opens a direct conversation whose start line names no teammate;
	// zero in scripts, where by is required.
	opener domain.Actor
}

// ParseStart reads the words after a start line's conversation id,
// "CUSTOMER [ORIGIN] [by TEAMMATE] [channel CHANNEL]", as a script does, for
// conversation conv. opener, when not zero, opens a direct conversation that
// names no teammate (the simulator's own teammate).
func ParseStart(conv, args string, opener domain.Actor) (domain.Event, error) {
	toks, lerr := lexLine("start " + conv + " " + args)
	if lerr != nil {
		return domain.Event{}, errors.New(lerr.Msg)
	}
	p := &lineParser{toks: toks, st: &parseState{profile: domain.ProfileIntercom}, opener: opener}
	cmd, perr := p.command()
	if perr != nil {
		return domain.Event{}, errors.New(perr.Msg)
	}
	return cmd.Event, nil
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
