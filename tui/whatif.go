package tui

import (
	"context"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// EventLog is a workspace's settings, event log and the time of its newest
// event; *store.Store satisfies it.
type EventLog interface {
	Latest() time.Time
	Settings() domain.Settings
	// WhatIfWindow reads the window since through the store's index of
	// decisions: all a what-if of it needs (simulate.DecisionWindow).
	WhatIfWindow(since time.Time, decided func(ev *domain.Event, o *domain.Outcome, c *domain.Conversation, late bool) bool) (events func(yield func(ev domain.Event, last, late bool) error) error, release func(), err error)
}

// StoreWhatIf previews settings with the what-if replay of the store's log:
// the pending values become overrides, the window ends at the newest event,
// and only the window's conversations that read the overrides are read.
func StoreWhatIf(st EventLog) WhatIfFunc {
	return func(ctx context.Context, proposed domain.Settings, span time.Duration) (WhatIf, error) {
		overrides := simulate.OverridesBetween(st.Settings(), proposed)
		since := st.Latest().Add(-span)
		rep, err := simulate.WhatIfOfDecisions(simulate.Stoppable(ctx, st.WhatIfWindow, nil), overrides, since)
		if err != nil {
			return WhatIf{}, err
		}
		w := WhatIf{
			Actual: whatIfCounts(rep.Actual),
			Would:  whatIfCounts(rep.WhatIf),
		}
		if h := rep.Helpdesk; h.Conversations > 0 {
			w.Helpdesk = &HelpdeskWhatIf{Conversations: h.Conversations,
				Decided: Decisions{Sent: h.Current.Sent, Skipped: h.Current.Skipped}, Would: Decisions{Sent: h.WhatIf.Sent, Skipped: h.WhatIf.Skipped}}
		}
		return w, nil
	}
}

func whatIfCounts(t simulate.SurveyTally) WhatIfCounts {
	return WhatIfCounts{Sent: t.Sent, Skipped: t.Skipped, SkippedBy: t.SkippedBy, RefusedRatings: t.RefusedRatings, RefusedChanges: t.RefusedChanges}
}

// HelpdeskWhatIf is the rules' decisions in a helpdesk's conversations
// under the saved settings and under the pending ones: decided against
// decided, never what the helpdesk itself sent (a fact, not a rule).
type HelpdeskWhatIf struct {
	Conversations  int
	Decided, Would Decisions
}

// Decisions counts the surveys sent and skipped by the closes and asks.
type Decisions struct{ Sent, Skipped int }

// helpdeskText is the preview's line on a helpdesk's conversations, ""
// when there are none. A change ("sent 2 → 0") is never wrapped apart.
func helpdeskText(h *HelpdeskWhatIf) string {
	if h == nil {
		return ""
	}
	const nbsp = "\u00a0"
	change := func(what string, a, b int) string { return what + nbsp + itoa(a) + nbsp + "→" + nbsp + itoa(b) }
	return "Intercom's " + itoa(h.Conversations) + " conversations, as the rules decide: " +
		change("sent", h.Decided.Sent, h.Would.Sent) + ", " + change("skipped", h.Decided.Skipped, h.Would.Skipped) + "\n"
}
