package tui

import (
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// EventLog is a workspace's settings, event log and the time of its newest
// event; *store.Store satisfies it.
type EventLog interface {
	Latest() time.Time
	Settings() domain.Settings
	// EachEventSince gives, in log order, the workspace events and every
	// event of the conversations touched at or after since: all a what-if
	// of the window since needs.
	EachEventSince(since time.Time) func(yield func(domain.Event) error) error
}

// StoreWhatIf previews settings with the what-if replay of the store's log:
// the pending values become overrides, the window ends at the newest event,
// and only the window's conversations are read.
func StoreWhatIf(st EventLog) WhatIfFunc {
	return func(proposed domain.Settings, span time.Duration) (WhatIf, error) {
		overrides := simulate.OverridesBetween(st.Settings(), proposed)
		since := st.Latest().Add(-span)
		rep, err := simulate.WhatIf(st.EachEventSince(since), overrides, since)
		if err != nil {
			return WhatIf{}, err
		}
		return WhatIf{
			Actual: whatIfCounts(rep.Actual),
			Would:  whatIfCounts(rep.WhatIf),
		}, nil
	}
}

func whatIfCounts(t simulate.SurveyTally) WhatIfCounts {
	return WhatIfCounts{Sent: t.Sent, Skipped: t.SkippedBy, RefusedRatings: t.RefusedRatings, RefusedChanges: t.RefusedChanges}
}
