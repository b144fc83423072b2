package domain

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRedactKeepsLengthAndEmptiness(t *testing.T) {
	for _, s := range []string{"", "a", "Chloé Dubois", "山田 太郎 😀", "bad \xff\xfe bytes", "\x1b]0;title\a", strings.Repeat("x", 5000)} {
		r := Redact(s)
		if utf8.RuneCountInString(r) != utf8.RuneCountInString(s) {
			t.Errorf("Redact(%q) has %d code points, want %d", s, utf8.RuneCountInString(r), utf8.RuneCountInString(s))
		}
		if (r == "") != (s == "") || Redact(r) != r || !IsRedacted(r) {
			t.Errorf("Redact(%q) = %q: emptiness or idempotence lost", s, r)
		}
		if s != "" && strings.ContainsAny(r, "aCé山😀\x1b\xff") {
			t.Errorf("Redact(%q) = %q keeps text", s, r)
		}
	}
}

// TestRedactedHistoryDecidesTheSame replays one history twice, the second
// time with every conversation text redacted: every outcome, and every
// conversation's state but its texts, must be the same. The history sits
// on the too_short threshold (exactly 251 code points once the last
// message lands) and uses remarks and follow-up notes.
func TestRedactedHistoryDecidesTheSame(t *testing.T) {
	ann, bob := Teammate("ann"), User("c1")
	hist := []Event{
		{Kind: EvSet, Setting: SettingKey{Scope: "workspace", Name: "followup"}, Text: "negative"},
		{Kind: EvStart, Conv: "k1", Actor: bob},
		{Kind: EvSay, Conv: "k1", Actor: bob, Text: strings.Repeat("é", 120) + " 😀"},
		{Kind: EvSay, Conv: "k1", Actor: ann, Text: "Hi Chloé Dubois, \xff here: " + strings.Repeat("n", 104)},
		{Kind: EvNote, Conv: "k1", Actor: ann, Text: "internal: she is angry"},
		{Kind: EvClose, Conv: "k1", Actor: ann},
		{Kind: EvRate, Conv: "k1", Actor: bob, Value: 1},
		{Kind: EvComment, Conv: "k1", Actor: bob, Text: "=HYPERLINK(\"x\") terrible"},
		{Kind: EvFollowUp, Conv: "k1", Agent: ann, Stage: StageClaimed, By: "lead", Text: "call her at +33 6 12"},
		{Kind: EvFollowUp, Conv: "k1", Agent: ann, Stage: StageResolved, By: "lead"},
		{Kind: EvStart, Conv: "k2", Actor: bob},
		{Kind: EvObserve, Conv: "k2", Actor: bob, Agent: ann, Value: 5, Text: "great"},
	}
	var used int
	for _, ev := range hist[2:4] {
		used += utf8.RuneCountInString(ev.Text)
	}
	if used != MinChars+1 {
		t.Fatalf("the history has %d code points of messages; it should sit just over %d", used, MinChars)
	}
	run := func(redact bool) ([]Outcome, *Workspace) {
		ws := NewWorkspace()
		ws.Roles = map[string]Role{"lead": RoleAdmin}
		var outs []Outcome
		for i, ev := range hist {
			ev.At = t0.Add(time.Duration(i) * time.Minute)
			if redact && ev.Conv != "" {
				ev.Text = Redact(ev.Text)
			}
			o, err := ws.Apply(ev)
			if err != nil {
				t.Fatalf("event %d (%s): %v", i, ev.Kind, err)
			}
			outs = append(outs, o)
		}
		return outs, ws
	}
	plain, pws := run(false)
	red, rws := run(true)
	if !reflect.DeepEqual(plain, red) {
		t.Fatalf("outcomes differ after redaction:\nplain    %+v\nredacted %+v", plain, red)
	}
	for id, pc := range pws.Conversations {
		rc := *rws.Conversations[id]
		want := cloneForRedaction(*pc)
		if !reflect.DeepEqual(want, rc) {
			t.Errorf("conversation %s after redaction:\n got %+v\nwant %+v", id, rc, want)
		}
	}
}

// cloneForRedaction is c with its texts as a redacted replay leaves them.
func cloneForRedaction(c Conversation) Conversation {
	c.Slots = append([]Slot(nil), c.Slots...)
	for i := range c.Slots {
		c.Slots[i].Comment = Redact(c.Slots[i].Comment)
		c.Slots[i].FollowUp.Note = Redact(c.Slots[i].FollowUp.Note)
	}
	return c
}
