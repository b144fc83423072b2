package domain

import (
	"slices"
	"testing"
	"time"
)

// A slot's window state is the rate rules asked ahead of time: for each
// state the next rate is accepted exactly when the window says open, and a
// refusal names the window's reason.
func TestSlotWindow(t *testing.T) {
	closedAt := t0.Add(48 * time.Hour) // the close happens at t0 in every case
	tests := []struct {
		name           string
		profile        string
		rating, change string
		rated, comment bool
		wait           time.Duration
		want           SlotWindow
	}{
		{"no windows", "intercom", "off", "off", false, false, 1000 * time.Hour, SlotWindow{State: WindowOpen}},
		{"rating window open", "intercom", "48", "off", false, false, 48 * time.Hour, SlotWindow{WindowOpenUntil, closedAt}},
		{"rating window closed", "intercom", "48", "off", false, false, 48*time.Hour + time.Second, SlotWindow{WindowRatingClosed, closedAt}},
		{"change window open", "intercom", "off", "48", true, false, time.Hour, SlotWindow{WindowOpenUntil, closedAt}},
		{"change window closed, no comment", "intercom", "off", "48", true, false, 49 * time.Hour, SlotWindow{WindowChangeClosed, closedAt}},
		{"change window alone never closes a first rating", "intercom", "off", "1", false, false, 5 * time.Hour, SlotWindow{State: WindowOpen}},
		{"locked by a comment", "intercom", "off", "off", true, true, time.Hour, SlotWindow{State: WindowLockedComment}},
		{"a comment locks before the window", "intercom", "off", "48", true, true, 49 * time.Hour, SlotWindow{State: WindowLockedComment}},
		{"operator has no windows", "operator", "48", "48", true, false, 100 * time.Hour, SlotWindow{State: WindowOpen}},
		{"operator keeps the comment lock", "operator", "off", "off", true, true, time.Hour, SlotWindow{State: WindowLockedComment}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.set("users.rating-window", tc.rating)
			h.set("users.change-window", tc.change)
			h.qualifying("c", OriginInbound)
			h.close("c", bob)
			if tc.rated {
				h.rate("c", alice, 1)
			}
			if tc.comment {
				h.do(Event{Kind: EvComment, Conv: "c", Actor: alice, Text: "slow"})
			}
			h.set("workspace.profile", tc.profile)
			h.wait(tc.wait)
			c := h.ws.Conversations["c"]
			got := h.ws.Window(c, c.Newest(), h.now)
			if got != tc.want {
				t.Fatalf("window = %v until %v, want %v until %v", got.State, got.Until, tc.want.State, tc.want.Until)
			}
			o := h.rate("c", alice, 3)
			if accepted := o.Decision == DecisionAccepted; accepted != got.Open() {
				t.Fatalf("open %v, but the rate was %s (%s)", got.Open(), o.Decision, codes(o))
			}
			var failed []Code
			for _, r := range o.Reasons() {
				failed = append(failed, r.Code)
			}
			if !got.Open() && !slices.Contains(failed, got.Reason()) {
				t.Fatalf("refused for %v, want %s among them", failed, got.Reason())
			}
			if got.Open() && got.Reason() != 0 {
				t.Fatalf("an open window has reason %s", got.Reason())
			}
		})
	}
}
