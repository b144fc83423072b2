package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// harness applies events at a moving clock and fails the test on errors.
type harness struct {
	t   *testing.T
	ws  *Workspace
	now time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{t: t, ws: NewWorkspace(), now: t0}
}

func (h *harness) do(ev Event) Outcome {
	h.t.Helper()
	if ev.At.IsZero() {
		ev.At = h.now
	}
	o, err := h.ws.Apply(ev)
	if err != nil {
		h.t.Fatalf("apply %s: %v", ev.Kind, err)
	}
	return o
}

func (h *harness) wait(d time.Duration) { h.now = h.now.Add(d) }

func (h *harness) start(conv string, customer Actor, origin Origin, by Actor) {
	h.t.Helper()
	h.do(Event{Kind: EvStart, Conv: conv, Actor: customer, Origin: origin, Agent: by})
}

func (h *harness) say(conv string, a Actor, text string) Outcome {
	h.t.Helper()
	return h.do(Event{Kind: EvSay, Conv: conv, Actor: a, Text: text})
}

func (h *harness) set(key, value string) {
	h.t.Helper()
	k, err := ParseSettingKey(key)
	if err != nil {
		h.t.Fatal(err)
	}
	h.do(Event{Kind: EvSet, Setting: k, Text: value})
}

func (h *harness) close(conv string, by Actor) Outcome {
	h.t.Helper()
	return h.do(Event{Kind: EvClose, Conv: conv, Actor: by})
}

func (h *harness) rate(conv string, customer Actor, v int) Outcome {
	h.t.Helper()
	return h.do(Event{Kind: EvRate, Conv: conv, Actor: customer, Value: v})
}

var (
	alice = User("alice")
	bob   = Teammate("bob")
	carol = Teammate("carol")
	long  = strings.Repeat("x", 200)
)

// qualifying sets up a conversation that passes every close rule: 400 chars,
// one customer, a teammate reply just now.
func (h *harness) qualifying(conv string, origin Origin) {
	h.t.Helper()
	var by Actor
	if origin == OriginDirect {
		by = bob
		h.start(conv, alice, origin, by)
		h.say(conv, bob, long)
		h.say(conv, alice, long)
		return
	}
	h.start(conv, alice, origin, by)
	h.say(conv, alice, long)
	h.say(conv, bob, long)
}

func codes(o Outcome) string {
	var s []string
	for _, c := range o.Reasons() {
		s = append(s, c.Code.String())
	}
	return strings.Join(s, ",")
}

func TestCloseRules(t *testing.T) {
	tests := []struct {
		name    string
		profile Profile
		setup   func(h *harness)
		closer  Actor
		want    string // failed codes, "" when sent
	}{
		{"qualifying inbound sends", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginInbound) }, bob, ""},
		{"csat off", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginInbound); h.set("users.csat", "off") }, bob, "disabled"},
		{"leads setting does not touch users", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginInbound); h.set("leads.csat", "off") }, bob, ""},
		{"no teammate reply, short", ProfileIntercom, func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, "help")
		}, bob, "no_teammate_reply,too_short"},
		{"bot reply is not a teammate reply", ProfileIntercom, func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, long)
			h.say("c", Fin, long)
		}, bob, "no_teammate_reply,too_short"},
		{"exactly 250 is too short", ProfileIntercom, func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, strings.Repeat("a", 150))
			h.say("c", bob, strings.Repeat("😀", 100))
		}, bob, "too_short"},
		{"251 code points pass", ProfileIntercom, func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, strings.Repeat("a", 151))
			h.say("c", bob, strings.Repeat("😀", 100))
		}, bob, ""},
		{"notes do not count", ProfileIntercom, func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, "hi")
			h.say("c", bob, "hello")
			h.do(Event{Kind: EvNote, Conv: "c", Actor: bob, Text: long + long})
		}, bob, "too_short"},
		{"exactly seven days is fresh", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginInbound); h.wait(StaleAfter) }, bob, ""},
		{"seven days and a second is stale", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginInbound); h.wait(StaleAfter + time.Second) }, bob, "stale"},
		{"group", ProfileIntercom, func(h *harness) {
			h.qualifying("c", OriginInbound)
			h.do(Event{Kind: EvAdd, Conv: "c", Actor: User("dan")})
		}, bob, "group"},
		{"user and lead of one name are two customers", ProfileIntercom, func(h *harness) {
			h.qualifying("c", OriginInbound)
			h.say("c", Lead("alice"), "me too")
		}, bob, "group"},
		{"direct outbound off", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginDirect); h.set("users.direct-outbound", "off") }, bob, "direct_outbound_off"},
		{"direct outbound on sends", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginDirect) }, bob, ""},
		{"workflow outbound off by default", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginWorkflow) }, bob, "workflow_outbound_off"},
		{"api with workflow outbound on", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginAPI); h.set("users.workflow-outbound", "on") }, bob, ""},
		{"custom-bot is a workflow under intercom", ProfileIntercom, func(h *harness) { h.qualifying("c", OriginCustomBot) }, bob, "workflow_outbound_off"},
		{"closed by bot reports only that", ProfileIntercom, func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, "hi")
		}, Workflow, "closed_by_bot"},
		{"operator: qualifying inbound sends", ProfileOperator, func(h *harness) { h.qualifying("c", OriginInbound) }, bob, ""},
		{"operator: visitor-message is customer started", ProfileOperator, func(h *harness) { h.qualifying("c", OriginVisitorMessage) }, bob, ""},
		{"operator: message is not customer started", ProfileOperator, func(h *harness) { h.qualifying("c", OriginMessage) }, bob, "not_customer_started"},
		{"operator: direct ignores the outbound toggle", ProfileOperator, func(h *harness) { h.qualifying("c", OriginDirect); h.set("users.direct-outbound", "off") }, bob, "not_customer_started"},
		{"operator: once per conversation", ProfileOperator, func(h *harness) {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			h.do(Event{Kind: EvReopen, Conv: "c", Actor: bob})
		}, bob, "already_requested"},
		{"operator: fin closing", ProfileOperator, func(h *harness) { h.qualifying("c", OriginInbound) }, Fin, "closed_by_bot"},
		{"every failed rule is reported", ProfileOperator, func(h *harness) {
			h.set("users.csat", "off")
			h.start("c", alice, OriginAPI, Actor{})
			h.do(Event{Kind: EvAdd, Conv: "c", Actor: User("dan")})
			h.wait(8 * 24 * time.Hour)
		}, bob, "disabled,no_teammate_reply,too_short,stale,group,not_customer_started"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.ws.Settings.Profile = tt.profile
			tt.setup(h)
			o := h.close("c", tt.closer)
			if got := codes(o); got != tt.want {
				t.Fatalf("reasons = %q, want %q", got, tt.want)
			}
			wantDecision := DecisionSent
			if tt.want != "" {
				wantDecision = DecisionSkipped
			}
			if o.Decision != wantDecision {
				t.Fatalf("decision = %s, want %s", o.Decision, wantDecision)
			}
			if o.Decision == DecisionSent && o.To != bob {
				t.Fatalf("sent to %v, want bob", o.To)
			}
		})
	}
}

func TestCloseDetails(t *testing.T) {
	h := newHarness(t)
	h.start("c", alice, OriginInbound, Actor{})
	h.say("c", alice, strings.Repeat("a", 112))
	h.say("c", bob, strings.Repeat("b", 100))
	h.wait(8*24*time.Hour + 2*time.Hour)
	o := h.close("c", bob)
	var got []string
	for _, c := range o.Reasons() {
		got = append(got, c.Code.String()+": "+c.Detail())
	}
	want := "too_short: 212/250 chars; stale: 8d 2h since last reply"
	if strings.Join(got, "; ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "; "), want)
	}
	if n := len(o.Checks()); n != 5 {
		t.Fatalf("intercom inbound close checks %d rules, want 5", n)
	}
}

func TestSurveyGoesToLastTeammateWhoSpoke(t *testing.T) {
	h := newHarness(t)
	h.start("c", alice, OriginInbound, Actor{})
	h.say("c", alice, long)
	h.say("c", bob, long)
	h.say("c", carol, "taking over")
	h.do(Event{Kind: EvNote, Conv: "c", Actor: bob, Text: "notes do not count"})
	h.say("c", Fin, "bots do not count")
	if o := h.close("c", bob); o.To != carol {
		t.Fatalf("sent to %v, want carol", o.To)
	}
}

func TestOneSlotPerAgentAndWindowsRestart(t *testing.T) {
	h := newHarness(t)
	h.set("users.change-window", "24")
	h.qualifying("c", OriginInbound)
	first := h.close("c", bob)
	if !first.Survey.NewSlot {
		t.Fatal("first request should open a slot")
	}
	if o := h.rate("c", alice, 2); o.Decision != DecisionAccepted {
		t.Fatalf("rate: %v", codes(o))
	}
	h.wait(25 * time.Hour)
	if o := h.rate("c", alice, 4); !o.Has(CodeChangeWindowClosed) {
		t.Fatalf("change after 25h with a 24h window: %s", codes(o))
	}
	h.say("c", alice, "one more thing")
	h.say("c", bob, "sure")
	second := h.close("c", bob)
	if second.Decision != DecisionSent || second.Survey.NewSlot {
		t.Fatalf("re-close: %s newSlot=%v, want sent into the same slot", second.Decision, second.Survey.NewSlot)
	}
	o := h.rate("c", alice, 4)
	if o.Decision != DecisionAccepted || o.Rating.Old != 2 || o.Rating.New != 4 {
		t.Fatalf("change after re-close: %s %+v", codes(o), o.Rating)
	}
	if n := len(h.ws.Conversations["c"].Slots); n != 1 {
		t.Fatalf("%d slots, want 1", n)
	}
	// A different teammate gets a slot of their own.
	h.say("c", alice, "and another")
	h.say("c", carol, "carol here")
	if o := h.close("c", carol); !o.Survey.NewSlot || o.To != carol {
		t.Fatalf("carol's request: %+v", o.Survey)
	}
	if o := h.do(Event{Kind: EvRate, Conv: "c", Actor: alice, Value: 5, Agent: bob}); o.Rating.Agent != bob || o.Rating.New != 5 {
		t.Fatalf("rate for bob: %+v", o.Rating)
	}
	if v := h.ws.Conversations["c"].Slot(carol).Value; v != 0 {
		t.Fatalf("carol's slot = %d, want unrated", v)
	}
}

func TestRatingRules(t *testing.T) {
	tests := []struct {
		name   string
		window string // users.rating-window
		change string // users.change-window
		steps  func(h *harness) Outcome
		want   string
	}{
		{"no request", "off", "off", func(h *harness) Outcome {
			h.start("c", alice, OriginInbound, Actor{})
			return h.rate("c", alice, 5)
		}, "no_request"},
		{"invalid value still checked without request", "off", "off", func(h *harness) Outcome {
			h.start("c", alice, OriginInbound, Actor{})
			return h.rate("c", alice, 7)
		}, "no_request,invalid_rating"},
		{"invalid value", "off", "off", func(h *harness) Outcome {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			return h.rate("c", alice, 0)
		}, "invalid_rating"},
		{"exactly N hours is inside", "48", "off", func(h *harness) Outcome {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			h.wait(48 * time.Hour)
			return h.rate("c", alice, 5)
		}, ""},
		{"rating window closed", "48", "off", func(h *harness) Outcome {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			h.wait(48*time.Hour + time.Second)
			return h.rate("c", alice, 5)
		}, "rating_window_closed"},
		{"change window alone never blocks a first rating", "off", "1", func(h *harness) Outcome {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			h.wait(100 * time.Hour)
			return h.rate("c", alice, 5)
		}, ""},
		{"same value is a change and is locked by a comment", "off", "off", func(h *harness) Outcome {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			h.rate("c", alice, 5)
			h.do(Event{Kind: EvComment, Conv: "c", Actor: alice, Text: "great"})
			return h.rate("c", alice, 5)
		}, "locked_by_comment"},
		{"every failed rule of a change", "off", "1", func(h *harness) Outcome {
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			h.rate("c", alice, 5)
			h.do(Event{Kind: EvComment, Conv: "c", Actor: alice, Text: "great"})
			h.wait(2 * time.Hour)
			return h.rate("c", alice, 9)
		}, "invalid_rating,change_window_closed,locked_by_comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.set("users.rating-window", tt.window)
			h.set("users.change-window", tt.change)
			o := tt.steps(h)
			if got := codes(o); got != tt.want {
				t.Fatalf("reasons = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRefusedChangeKeepsRating(t *testing.T) {
	h := newHarness(t)
	h.qualifying("c", OriginInbound)
	h.close("c", bob)
	h.rate("c", alice, 5)
	h.do(Event{Kind: EvComment, Conv: "c", Actor: alice, Text: "Quick and clear, thank you!"})
	o := h.rate("c", alice, 1)
	if o.Decision != DecisionRefused || !o.Has(CodeLockedByComment) {
		t.Fatalf("change after comment: %s %s", o.Decision, codes(o))
	}
	if v := h.ws.Conversations["c"].Slot(bob).Value; v != 5 {
		t.Fatalf("stored rating = %d, want 5", v)
	}
	if o := h.do(Event{Kind: EvComment, Conv: "c", Actor: alice, Text: "again"}); !o.Has(CodeLockedByComment) {
		t.Fatalf("second comment: %s", codes(o))
	}
}

func TestCommentNeedsRating(t *testing.T) {
	h := newHarness(t)
	h.qualifying("c", OriginInbound)
	h.close("c", bob)
	if o := h.do(Event{Kind: EvComment, Conv: "c", Actor: alice, Text: "hm"}); codes(o) != "comment_without_rating" {
		t.Fatalf("got %s", codes(o))
	}
}

func TestOperatorHasNoWindowsOrWorkflows(t *testing.T) {
	h := newHarness(t)
	h.set("workspace.profile", "operator")
	h.set("users.rating-window", "1")
	h.set("users.change-window", "1")
	h.qualifying("c", OriginInbound)
	if o := h.close("c", bob); o.Decision != DecisionSent {
		t.Fatalf("close: %s", codes(o))
	}
	h.wait(1000 * time.Hour)
	if o := h.rate("c", alice, 3); o.Decision != DecisionAccepted {
		t.Fatalf("late first rating: %s", codes(o))
	}
	if o := h.rate("c", alice, 4); o.Decision != DecisionAccepted {
		t.Fatalf("late change: %s", codes(o))
	}
	if o := h.do(Event{Kind: EvAsk, Conv: "c"}); codes(o) != "not_supported" {
		t.Fatalf("ask: %s", codes(o))
	}
}

func TestWorkflowAsk(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness)
		want  string
		to    Actor
	}{
		{"workflow message with no customer reply", func(h *harness) {
			h.start("c", alice, OriginWorkflow, Actor{})
			h.say("c", Workflow, "Hi! How was your onboarding?")
		}, "", Workflow},
		{"fin answered", func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, "?")
			h.say("c", Fin, "!")
		}, "", Fin},
		{"teammate wins over bots", func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", bob, "hi")
			h.say("c", Fin, "!")
		}, "", bob},
		{"no agent message", func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", alice, "?")
		}, "no_agent_message", Actor{}},
		{"direct without follow-up", func(h *harness) {
			h.start("c", alice, OriginDirect, bob)
			h.say("c", bob, "Opening message")
		}, "outbound_no_followup", Actor{}},
		{"direct with a follow-up", func(h *harness) {
			h.start("c", alice, OriginDirect, bob)
			h.say("c", bob, "Opening message")
			h.say("c", alice, "reply")
		}, "", bob},
		{"group", func(h *harness) {
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", bob, "hi")
			h.do(Event{Kind: EvAdd, Conv: "c", Actor: Lead("x")})
		}, "group", Actor{}},
		{"ask skips length, staleness and on/off", func(h *harness) {
			h.set("users.csat", "off")
			h.start("c", alice, OriginInbound, Actor{})
			h.say("c", bob, "hi")
			h.wait(30 * 24 * time.Hour)
		}, "", bob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.setup(h)
			o := h.do(Event{Kind: EvAsk, Conv: "c"})
			if got := codes(o); got != tt.want {
				t.Fatalf("reasons = %q, want %q", got, tt.want)
			}
			if o.To != tt.to {
				t.Fatalf("to = %v, want %v", o.To, tt.to)
			}
		})
	}
}

func TestSnoozeWakesAndNeverSends(t *testing.T) {
	h := newHarness(t)
	h.qualifying("c", OriginInbound)
	o := h.do(Event{Kind: EvSnooze, Conv: "c", Actor: bob, Until: h.now.Add(time.Hour)})
	if o.Decided() || h.ws.Conversations["c"].Requested {
		t.Fatal("snoozing decided something")
	}
	c := h.ws.Conversations["c"]
	if c.StateAt(h.now) != StateSnoozed || c.StateAt(h.now.Add(time.Hour)) != StateOpen {
		t.Fatal("snooze should end exactly at its end time")
	}
	if o := h.say("c", alice, "back"); !o.Reopened || c.State != StateOpen {
		t.Fatal("a customer message wakes a snoozed conversation")
	}
	h.close("c", bob)
	if o := h.say("c", alice, "still broken"); !o.Reopened {
		t.Fatal("a customer message reopens a closed conversation")
	}
}

func TestErrorsChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.qualifying("c", OriginInbound)
	h.close("c", bob)
	before := *h.ws.Conversations["c"]
	now := h.now
	bad := []struct {
		ev   Event
		want error
	}{
		{Event{Kind: EvClose, Conv: "c", Actor: bob}, ErrState},
		{Event{Kind: EvSnooze, Conv: "c", Actor: bob, Until: now.Add(time.Hour)}, ErrState},
		{Event{Kind: EvSay, Conv: "nope", Actor: bob}, ErrUnknownConversation},
		{Event{Kind: EvRate, Conv: "c", Actor: User("zed"), Value: 5}, ErrNotInConversation},
		{Event{Kind: EvSay, Conv: "c", Actor: alice, At: now.Add(-time.Second)}, ErrLate},
		{Event{Kind: EvStart, Conv: "c", Actor: alice}, ErrConversationExists},
		{Event{Kind: EvStart, Conv: "d", Actor: alice, Origin: OriginDirect}, ErrActor},
		{Event{Kind: EvStart, Conv: "d", Actor: alice, Agent: bob}, ErrActor},
		{Event{Kind: EvNote, Conv: "c", Actor: alice}, ErrActor},
		{Event{Kind: EvSet, Setting: SettingKey{"users", "rating-window"}, Text: "8761"}, ErrInvalid},
		{Event{Kind: EvSet, Setting: SettingKey{"users", "csat"}, Text: "off", By: "bob"}, ErrNotAdmin},
	}
	for _, b := range bad {
		if b.ev.At.IsZero() {
			b.ev.At = now
		}
		if _, err := h.ws.Apply(b.ev); !errors.Is(err, b.want) {
			t.Errorf("%s: err = %v, want %v", b.ev.Kind, err, b.want)
		}
	}
	after := *h.ws.Conversations["c"]
	if after.State != before.State || after.Chars != before.Chars || len(after.Customers) != len(before.Customers) || after.UpdatedAt != now {
		t.Fatal("a refused event changed the state")
	}
	if h.ws.Settings != DefaultSettings() {
		t.Fatal("a refused setting changed the settings")
	}
}

func TestFollowUpQueue(t *testing.T) {
	h := newHarness(t)
	var tally Tally
	do := func(ev Event) Outcome {
		o := h.do(ev)
		tally.Observe(&o)
		return o
	}
	do(Event{Kind: EvStart, Conv: "c", Actor: alice})
	do(Event{Kind: EvSay, Conv: "c", Actor: alice, Text: long})
	do(Event{Kind: EvSay, Conv: "c", Actor: bob, Text: long})
	do(Event{Kind: EvClose, Conv: "c", Actor: bob})
	do(Event{Kind: EvRate, Conv: "c", Actor: alice, Value: 2})
	if n := tally.Queue.Open(FollowUpNegative); n != 0 {
		t.Fatalf("🙁 under 'negative': %d open, want 0", n)
	}
	if n := tally.Queue.Open(FollowUpNegativeBad); n != 1 {
		t.Fatalf("🙁 under 'negative+bad': %d open, want 1", n)
	}
	if _, err := h.ws.Apply(Event{Kind: EvFollowUp, At: h.now, Conv: "c", Agent: bob, Stage: StageClaimed, By: "lead"}); !errors.Is(err, ErrState) {
		t.Fatalf("claiming an item outside the queue: %v", err)
	}
	do(Event{Kind: EvRate, Conv: "c", Actor: alice, Value: 1})
	do(Event{Kind: EvFollowUp, Conv: "c", Agent: bob, Stage: StageClaimed, By: "lead"})
	do(Event{Kind: EvRate, Conv: "c", Actor: alice, Value: 4})
	slot := h.ws.Conversations["c"].Slot(bob)
	if !slot.Raised() {
		t.Fatal("raised rating not noticed")
	}
	if n := tally.Queue.Open(FollowUpNegative); n != 1 {
		t.Fatalf("started item should stay until resolved: %d open", n)
	}
	do(Event{Kind: EvFollowUp, Conv: "c", Agent: bob, Stage: StageResolved, By: "lead", Text: "called her"})
	if n := tally.Queue.Open(FollowUpNegativeBad); n != 0 {
		t.Fatalf("resolved item still open: %d", n)
	}
	if _, err := h.ws.Apply(Event{Kind: EvFollowUp, At: h.now, Conv: "c", Agent: bob, Stage: StageClaimed}); !errors.Is(err, ErrState) {
		t.Fatalf("moving back: %v", err)
	}
}

func TestRoles(t *testing.T) {
	h := newHarness(t)
	h.do(Event{Kind: EvRole, By: "ann", Role: RoleAdmin})
	h.do(Event{Kind: EvRole, By: "bob", Role: RoleTeammate})
	k := SettingKey{"workspace", "hide-scores"}
	if _, err := h.ws.Apply(Event{Kind: EvSet, Setting: k, Text: "on", By: "bob"}); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("teammate changed a setting: %v", err)
	}
	h.do(Event{Kind: EvSet, Setting: k, Text: "on", By: "ann"})
	if h.ws.Settings.RatingVisibleTo(RoleTeammate) || !h.ws.Settings.RatingVisibleTo(RoleAdmin) {
		t.Fatal("hide-scores: admins see ratings, teammates do not")
	}
	if _, err := h.ws.Apply(Event{Kind: EvRole, By: "team"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("reserved name accepted: %v", err)
	}
}

// A state part its conversation is not in a state for is refused in a
// script and kept with no effect in a helpdesk's conversation, where it
// still moves the conversation's latest event; bad input is refused in both.
func TestStatePartWithNoEffectNow(t *testing.T) {
	bob, ann := Teammate("bob"), User("ann")
	cases := []struct {
		name  string
		setup []EventKind // applied a minute apart after the start
		part  Event
		bad   bool // refused in a helpdesk's conversation too
	}{
		{"reopen of an open conversation", nil, Event{Kind: EvReopen, Actor: bob}, false},
		{"close of a closed one", []EventKind{EvClose}, Event{Kind: EvClose, Actor: bob}, false},
		{"snooze of a closed one", []EventKind{EvClose}, Event{Kind: EvSnooze, Actor: bob, Until: t0.Add(time.Hour)}, false},
		{"close by a customer", []EventKind{EvClose}, Event{Kind: EvClose, Actor: ann}, true},
		{"snooze ending before it starts", []EventKind{EvClose}, Event{Kind: EvSnooze, Actor: bob, Until: t0}, true},
	}
	for _, tc := range cases {
		for _, helpdesk := range []string{"", "intercom"} {
			w := NewWorkspace()
			at := t0
			if _, err := w.Apply(Event{Kind: EvStart, At: at, Conv: "c", Actor: ann, By: helpdesk}); err != nil {
				t.Fatal(err)
			}
			for _, k := range tc.setup {
				at = at.Add(time.Minute)
				if _, err := w.Apply(Event{Kind: k, At: at, Conv: "c", Actor: bob}); err != nil {
					t.Fatal(err)
				}
			}
			before := *w.Conversations["c"]
			ev := tc.part
			ev.Conv, ev.At = "c", at.Add(time.Minute)
			o, err := w.Apply(ev)
			after := w.Conversations["c"]
			switch {
			case helpdesk == "" || tc.bad:
				if err == nil || (!tc.bad && !errors.Is(err, ErrState)) {
					t.Errorf("%s (helpdesk %q): %+v, %v; want refused", tc.name, helpdesk, o, err)
				}
				if after.UpdatedAt != before.UpdatedAt {
					t.Errorf("%s (helpdesk %q): a refused part moved the latest event", tc.name, helpdesk)
				}
			default:
				if err != nil || !o.NoEffect || o.Decided() {
					t.Errorf("%s: %+v, %v; want kept with no effect", tc.name, o, err)
				}
				if after.State != before.State || after.ClosedAt != before.ClosedAt || !after.UpdatedAt.Equal(ev.At) {
					t.Errorf("%s: state %v closed %v updated %v, was %v %v", tc.name, after.State, after.ClosedAt, after.UpdatedAt, before.State, before.ClosedAt)
				}
			}
		}
	}
}
