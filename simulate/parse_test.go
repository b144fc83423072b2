package simulate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// long is a conversation long enough (260 chars) to be surveyed.
var long = `say c1 user:ann "` + strings.Repeat("a", 200) + `"` + "\n" + `say c1 bob "` + strings.Repeat("b", 60) + `"` + "\n"

// runSource parses and runs src in memory, returning the first error.
func runSource(src string) (*Memory, error) {
	m := NewMemory()
	s, err := Parse("t.csat", []byte(src))
	if err != nil {
		return m, err
	}
	_, err = Run(s, m, Options{})
	return m, err
}

func TestScriptErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // the whole first line of the error, or its start followed by "…"
	}{
		{"unknown verb", "shout c1 bob", `t.csat:1:1: unknown verb "shout": want one of clock, wait…`},
		{"unknown conversation", "start c1 user:ann\nsay c9 bob \"hi\"", `t.csat:2:5: unknown conversation: "c9"`},
		{"unknown conversation in expect", "expect rating c9 bob 5", `t.csat:1:15: unknown conversation: "c9"`},
		{"unknown code", "start c1 user:ann\nclose c1 bob\nexpect skipped too_long", `t.csat:3:16: unknown reason code "too_long"…`},
		{"unknown setting", "set users csatt on", `t.csat:1:11: unknown setting "csatt" for users…`},
		{"unknown scope", "set teams csat on", `t.csat:1:5: unknown settings scope "teams"…`},
		{"bad setting value", "set users csat yes", `t.csat:1:16: users.csat: invalid value "yes": want on or off`},
		{"bad target", "set workspace target 120%", `t.csat:1:22: workspace.target: invalid value "120%"…`},
		{"bad duration", "wait 5x", `t.csat:1:6: bad duration "5x": want e.g. 90s, 15m, 2h30m, 7d or 7d1s`},
		{"bad days", "wait 1.5d", `t.csat:1:6: bad duration "1.5d"…`},
		{"bad escape", `say c1 bob "a\nb"`, `t.csat:1:14: bad escape \n in text: only \" and \\ are allowed`},
		{"unterminated text", `say c1 bob "hello`, `t.csat:1:12: unterminated text: a closing " is missing`},
		{"text not quoted", `say c1 bob hello`, `t.csat:1:12: message must be in double quotes, e.g. "hello"`},
		{"fractional rating", "rate c1 user:ann 3.5", `t.csat:1:18: rating "3.5": want a whole number`},
		{"rating out of int range", "rate c1 user:ann 99999999999999999999", `t.csat:1:18: rating "99999999999999999999": out of range`},
		{"hours 0", "set users rating-window 0", `t.csat:1:25: users.rating-window: invalid hours "0": want a whole number from 1 to 8760, or off`},
		{"hours 8761", "set leads change-window 8761", `t.csat:1:25: leads.change-window: invalid hours "8761"…`},
		{"clock back", "clock 2026-03-02T09:00:00Z\nstart c1 user:ann\nclock 2026-03-01T09:00:00Z", `t.csat:3:7: clock moved back: 2026-03-01T09:00:00Z is before 2026-03-02T09:00:00Z`},
		{"bad time", "clock tomorrow", `t.csat:1:7: bad time "tomorrow": want RFC 3339…`},
		{"zero wait", "wait 0s", `t.csat:1:6: wait needs a positive duration, not 0s`},
		{"negative wait", "wait -5m", `t.csat:1:6: wait needs a positive duration, not -5m`},
		{"zero snooze", "start c1 user:ann\nsnooze c1 bob 0m", `t.csat:2:15: snooze needs a positive duration, not 0m`},
		{"close of a closed conversation", "start c1 user:ann\nclose c1 bob\nclose c1 bob", `t.csat:3:7: not in a state for that: c1 is already closed`},
		{"reopen of an open conversation", "start c1 user:ann\nreopen c1 bob", `t.csat:2:8: not in a state for that: c1 is already open`},
		{"snooze of a closed conversation", "start c1 user:ann\nclose c1 bob\nsnooze c1 bob 1h", `t.csat:3:8: not in a state for that: c1 is closed and cannot be snoozed`},
		{"rate by a stranger", "start c1 user:ann\n" + long + "close c1 bob\nrate c1 user:zed 5", `t.csat:5:9: customer not in the conversation: user:zed is not in c1`},
		{"comment by a stranger", "start c1 user:ann\ncomment c1 lead:ann \"hi\"", `t.csat:2:12: customer not in the conversation: lead:ann is not in c1`},
		{"expect sent with no close", "start c1 user:ann\nexpect sent", `t.csat:2:8: expect sent: no close or ask came before it`},
		{"expect refused with no rate", "start c1 user:ann\nclose c1 bob\nexpect refused no_request", `t.csat:3:8: expect refused: no rate or comment came before it`},
		{"reserved team", `say c1 team "hi"`, `t.csat:1:8: "team" is reserved for the team row and cannot name a teammate`},
		{"reserved teammate:fin", "start c1 user:ann direct by teammate:fin", `t.csat:1:29: "fin" is reserved and cannot name a teammate`},
		{"reserved teammate:workflow", "close c1 teammate:workflow", `t.csat:1:10: "workflow" is reserved and cannot name a teammate`},
		{"reserved teammate:team", "note c1 teammate:team \"x\"", `t.csat:1:9: "team" is reserved and cannot name a teammate`},
		{"bot writes a note", "note c1 fin \"x\"", `t.csat:1:9: note author "fin" must be a teammate: NAME or teammate:NAME`},
		{"teammate rates", "rate c1 bob 5", `t.csat:1:9: customer "bob" must be a customer: user:NAME or lead:NAME`},
		{"direct without by", "start c1 user:ann direct", `t.csat:1:19: a direct conversation needs the teammate who opens it: add by NAME`},
		{"by without direct", "start c1 user:ann by bob", `t.csat:1:19: only a direct conversation is opened by a teammate; this one is inbound`},
		{"unknown origin", "start c1 user:ann phone", `t.csat:1:19: unknown origin "phone"…`},
		{"unknown channel", "start c1 user:ann channel sms", `t.csat:1:27: unknown channel "sms"…`},
		{"unknown profile", "profile legacy", `t.csat:1:9: unknown profile "legacy": want intercom or operator`},
		{"conversation exists", "start c1 user:ann\nstart c1 user:ann", `t.csat:2:7: conversation already started: "c1" (conversation ids must be new to the workspace: rename c1 in the script)`},
		{"bad conversation id", "start c/1 user:ann", `t.csat:1:7: invalid conversation id "c/1"…`},
		{"missing argument", "say c1 bob", `t.csat:1:12: missing message (in double quotes)`},
		{"trailing word", "ask c1 now", `t.csat:1:8: unexpected "now" at the end of the command`},
		{"bad score", "start c1 user:ann\nclose c1 bob\nexpect score bob 40.%", `t.csat:3:18: bad score "40.%"…`},
		{"bad expected rating", "start c1 user:ann\nexpect rating c1 bob 6", `t.csat:2:22: expected rating "6": want 1 to 5, or none`},
		{"unknown expectation", "expect happiness", `t.csat:1:8: unknown expectation "happiness"…`},
		{"quote inside a word", `say c1 bob x"y"`, `t.csat:1:13: a quote must start a word: put a space before it`},
		{"invalid UTF-8", "say c1 bob \"\xff\"", `t.csat:1:13: invalid UTF-8 in text`},
		{"columns count characters", "say c1 user:ann \"😀😀\" extra", `t.csat:1:22: unexpected "extra" at the end of the command`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runSource(tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			first, _, _ := strings.Cut(err.Error(), "\n")
			if want, prefix := strings.CutSuffix(tc.want, "…"); prefix {
				if !strings.HasPrefix(first, want) {
					t.Errorf("got  %s\nwant %s…", first, want)
				}
			} else if first != tc.want {
				t.Errorf("got  %s\nwant %s", first, tc.want)
			}
		})
	}
}

// A malformed script runs nothing, and every bad line is reported.
func TestParseReportsEveryBadLine(t *testing.T) {
	s, err := Parse("t.csat", []byte("start c1 user:ann\nwait 0s\nfrob\nclose c1 bob\nwait x\n"))
	if s != nil {
		t.Error("a malformed script must not be returned")
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
	for i, line := range []int{2, 3, 5} {
		if list[i].Line != line {
			t.Errorf("error %d on line %d, want %d", i, list[i].Line, line)
		}
	}
}

// A command the workspace refuses changes nothing; earlier lines stay applied.
func TestRunErrorChangesNothingForItsLine(t *testing.T) {
	m, err := runSource("start c1 user:ann\n" + long + "close c1 bob\nrate c1 user:zed 5\n")
	var se *ScriptError
	if !errors.As(err, &se) || !errors.Is(err, domain.ErrNotInConversation) || se.Line != 5 {
		t.Fatalf("want a script error on line 5 wrapping ErrNotInConversation, got %v", err)
	}
	c, _ := m.Conversation("c1")
	if len(c.Slots) != 1 || c.Slots[0].Value != 0 || c.State != domain.StateClosed {
		t.Errorf("state after the refused line: %+v", c)
	}
	if n := m.AllTime(domain.Teammate("bob")).Rated(); n != 0 {
		t.Errorf("bob has %d ratings", n)
	}
}

func TestParseSpan(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90s": 90 * time.Second, "15m": 15 * time.Minute, "2h30m": 150 * time.Minute,
		"7d": 7 * 24 * time.Hour, "7d1s": 7*24*time.Hour + time.Second, "1d12h": 36 * time.Hour,
		"-5m": -5 * time.Minute, "0d": 0,
	} {
		got, err := ParseSpan(in)
		if err != nil || got != want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "7", "7days", "1.5d", "+1d", "1d-1h", "1d2d", "--5m", "99999999999d", "7d 1s"} {
		if _, err := ParseSpan(in); err == nil {
			t.Errorf("ParseSpan(%q) accepted", in)
		}
	}
}

func TestLexer(t *testing.T) {
	toks, err := lexLine(`say c1 user:ann "He said \"hi\" \\o/ 😀 # not a comment" # a comment`)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 4 {
		t.Fatalf("got %d tokens: %+v", len(toks), toks)
	}
	if got, want := toks[3].Text, `He said "hi" \o/ 😀 # not a comment`; got != want || !toks[3].Quoted || toks[3].Col != 17 {
		t.Errorf("text token %+v, want %q at column 17", toks[3], want)
	}
	if toks, _ := lexLine("   # only a comment"); len(toks) != 0 {
		t.Errorf("comment line gave %+v", toks)
	}
}

func TestRoundedPercent(t *testing.T) {
	c := func(pos, neg int) domain.Counts { return domain.Counts{ByValue: [6]int{0, neg, 0, 0, pos, 0}} }
	tests := []struct {
		counts   domain.Counts
		decimals int
		want     string
	}{
		{c(4, 6), 0, "40%"},
		{c(2, 1), 1, "66.7%"},
		{c(2, 1), 0, "67%"},
		{c(1, 7), 0, "13%"},      // 12.5 rounds half up
		{c(29, 171), 1, "14.5%"}, // 14.5 exactly, never 14.4999…
		{c(29, 171), 0, "15%"},
		{c(1, 2), 2, "33.33%"},
	}
	for _, tc := range tests {
		v, ok := domain.PercentOf(tc.counts.Positive(), tc.counts.Rated(), tc.decimals)
		if got := domain.FormatScaledPercent(v, tc.decimals); !ok || got != tc.want {
			t.Errorf("%v to %d decimals = %s, want %s", tc.counts.ByValue, tc.decimals, got, tc.want)
		}
	}
	if _, ok := domain.PercentOf(0, 0, 0); ok {
		t.Error("no ratings must give no score")
	}
}

// The simulator's start prompt goes through the script's own start parser;
// only a direct conversation's missing opener is filled in.
func TestParseStart(t *testing.T) {
	dev := domain.Teammate("dev")
	ev, err := ParseStart("c1", "lead:zoe direct channel email", dev)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Event{Kind: domain.EvStart, Conv: "c1", Actor: domain.Lead("zoe"), Origin: domain.OriginDirect, Agent: dev, Channel: domain.ChannelEmail}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("got %+v, want %+v", ev, want)
	}
	if ev, err := ParseStart("c2", "user:ann direct by maria", dev); err != nil || ev.Agent != domain.Teammate("maria") {
		t.Errorf("by maria: got %+v, %v", ev, err)
	}
	for args, want := range map[string]string{
		"bob":                     `customer "bob" must be a customer`,
		"user:ann direct":         "a direct conversation needs the teammate who opens it",
		"user:ann inbound by dev": "only a direct conversation is opened by a teammate",
		"user:ann channel fax":    "fax",
	} {
		_, err := ParseStart("c3", args, domain.Actor{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", args, err, want)
		}
	}
}
