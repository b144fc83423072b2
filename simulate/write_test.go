package simulate

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// session drives a Memory like the interactive simulator does and keeps
// every step, refusals and skips included.
type session struct {
	t     *testing.T
	m     *Memory
	steps []SessionStep
}

func (s *session) apply(ev domain.Event) domain.Outcome {
	s.t.Helper()
	if ev.At.IsZero() {
		ev.At = s.m.Now()
	}
	o, err := s.m.Apply(ev)
	if err != nil {
		s.t.Fatalf("apply %s: %v", ev.Kind, err)
	}
	s.steps = append(s.steps, SessionStep{Event: ev, Outcome: o})
	return o
}

func TestWriteScriptReplaysWithSameOutcomes(t *testing.T) {
	s := &session{t: t, m: NewMemory()}
	t0 := ScriptStart.Add(9 * time.Hour)
	bob, alice := domain.Teammate("bob"), domain.User("alice")
	long := strings.Repeat("é", 130) + ` with "quotes" and a \ backslash 😀`
	s.apply(domain.Event{Kind: domain.EvClock, At: t0})
	s.apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "users", Name: "change-window"}, Text: "48"})
	s.apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "workspace", Name: "target"}, Text: "66.7%"})
	s.apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "users", Name: "survey-app"}, Text: "messenger:polls"})
	s.apply(domain.Event{Kind: domain.EvStart, Conv: "c1", Actor: alice})
	s.apply(domain.Event{Kind: domain.EvSay, Conv: "c1", Actor: alice, Text: "short"})
	s.apply(domain.Event{Kind: domain.EvSay, Conv: "c1", Actor: bob, Text: "short too"})
	if o := s.apply(domain.Event{Kind: domain.EvClose, Conv: "c1", Actor: bob}); o.Decision != domain.DecisionSkipped {
		t.Fatalf("short close: %v", o.Decision)
	}
	s.apply(domain.Event{Kind: domain.EvSay, Conv: "c1", Actor: alice, Text: long, At: t0.Add(90 * time.Minute)})
	s.apply(domain.Event{Kind: domain.EvNote, Conv: "c1", Actor: bob, Text: "check the export job"})
	s.apply(domain.Event{Kind: domain.EvSay, Conv: "c1", Actor: bob, Text: long})
	s.apply(domain.Event{Kind: domain.EvSnooze, Conv: "c1", Actor: bob, Until: t0.Add(26 * time.Hour)})
	s.apply(domain.Event{Kind: domain.EvClock, At: t0.Add(8*24*time.Hour + time.Second)})
	s.apply(domain.Event{Kind: domain.EvClose, Conv: "c1", Actor: bob}) // stale
	s.apply(domain.Event{Kind: domain.EvReopen, Conv: "c1", Actor: bob})
	s.apply(domain.Event{Kind: domain.EvSay, Conv: "c1", Actor: bob, Text: "Back again."})
	if o := s.apply(domain.Event{Kind: domain.EvClose, Conv: "c1", Actor: bob}); o.Decision != domain.DecisionSent {
		t.Fatalf("close: %v %v", o.Decision, o.Reasons())
	}
	s.apply(domain.Event{Kind: domain.EvRate, Conv: "c1", Actor: alice, Value: 2})
	s.apply(domain.Event{Kind: domain.EvComment, Conv: "c1", Actor: alice, Text: "meh", Agent: bob})
	if o := s.apply(domain.Event{Kind: domain.EvRate, Conv: "c1", Actor: alice, Value: 5}); o.Decision != domain.DecisionRefused {
		t.Fatalf("locked rate: %v", o.Decision)
	}
	s.apply(domain.Event{Kind: domain.EvStart, Conv: "d1", Actor: domain.Lead("x"), Origin: domain.OriginDirect, Agent: bob, Channel: domain.ChannelEmail})
	s.apply(domain.Event{Kind: domain.EvAsk, Conv: "d1"})
	s.apply(domain.Event{Kind: domain.EvAdd, Conv: "d1", Actor: domain.User("y")})
	s.apply(domain.Event{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "workspace", Name: "profile"}, Text: "operator"})
	s.apply(domain.Event{Kind: domain.EvAsk, Conv: "d1"})

	var buf bytes.Buffer
	if err := WriteScript(&buf, s.steps); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"clock 2026-01-01T09:00:00Z\n",
		"set users change-window 48\n",
		"set workspace target 66.7%\n",
		"# users.survey-app = messenger:polls (not scriptable)\n",
		`with \"quotes\" and a \\ backslash 😀"`,
		"wait 1h30m0s\n",
		"expect skipped too_short\n",
		"expect skipped stale\n",
		"expect sent to bob\n",
		"comment c1 user:alice \"meh\" for bob\nexpect accepted\n",
		"expect refused locked_by_comment\n",
		"start d1 lead:x direct by bob channel email\n",
		"profile operator\n",
		"expect skipped not_supported\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("script lacks %q:\n%s", want, text)
		}
	}

	script, err := Parse("session.csat", buf.Bytes())
	if err != nil {
		t.Fatalf("the written script does not parse: %v\n%s", err, text)
	}
	res, err := Run(script, NewMemory(), Options{})
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, text)
	}
	if len(res.Failures) > 0 {
		t.Fatalf("replay disagrees: %v\n%s", res.Failures, text)
	}
	if res.Expectations != 8 {
		t.Errorf("replay checked %d expectations, want 8", res.Expectations)
	}
}

func TestWriteScriptRefusesWhatAScriptCannotHold(t *testing.T) {
	steps := []SessionStep{{Event: domain.Event{Kind: domain.EvStart, Conv: "c1", Actor: domain.User("a"), At: ScriptStart}},
		{Event: domain.Event{Kind: domain.EvSay, Conv: "c1", Actor: domain.User("a"), Text: "two\nlines", At: ScriptStart}}}
	err := WriteScript(&bytes.Buffer{}, steps)
	if err == nil || !strings.Contains(err.Error(), "step 2 (say)") || !strings.Contains(err.Error(), "line break") {
		t.Fatalf("want an error naming step 2's line break, got %v", err)
	}
	back := []SessionStep{{Event: domain.Event{Kind: domain.EvClock, At: ScriptStart.Add(time.Hour)}},
		{Event: domain.Event{Kind: domain.EvClock, At: ScriptStart}}}
	if err := WriteScript(&bytes.Buffer{}, back); err == nil || !strings.Contains(err.Error(), "step 2") {
		t.Fatalf("want an error for time going back, got %v", err)
	}
}

func TestFormatDurationRoundTrips(t *testing.T) {
	for _, d := range []time.Duration{90 * time.Second, 2*time.Hour + 30*time.Minute, 7 * 24 * time.Hour, 7*24*time.Hour + time.Second, 1500 * time.Millisecond} {
		got, err := ParseSpan(FormatDuration(d))
		if err != nil || got != d {
			t.Errorf("FormatDuration(%v) = %q, parses back as %v, %v", d, FormatDuration(d), got, err)
		}
	}
}
