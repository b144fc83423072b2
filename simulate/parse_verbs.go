package simulate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/csat-app/csat/domain"
)

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
	case ev.Origin == domain.OriginDirect && byTok == nil && !p.opener.IsZero():
		ev.Agent = p.opener
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
