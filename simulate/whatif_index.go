package simulate

import (
	"time"

	"github.com/csat-app/csat/domain"
)

// A DecisionWindow reads a what-if window through a store's index of
// decisions (store.Store.WhatIfWindow). It calls decided, in time order,
// with each logged event at or after since whose outcome can read a
// setting (domain.EventKind.ReadsSettings): the event (kind, time,
// conversation), its outcome as logged reduced to its decision, failed
// rules and a rating's old value, its conversation as it started (id,
// origin, audience, helpdesk), and whether a late part rebuilt that
// conversation. It returns the events to replay, in log order: the
// workspace events and every event of the conversations decided returned
// true for, and of the newest ones (for which it calls decided for none),
// so that the replay ends at the newest conversation event; and release,
// which ends the reading. The events are a WindowEvents, spelled out so
// that a store's method is a DecisionWindow as it stands.
type DecisionWindow func(since time.Time, decided func(ev *domain.Event, o *domain.Outcome, c *domain.Conversation, late bool) (replay bool)) (events func(yield func(ev domain.Event, last, late bool) error) error, release func(), err error)

// WhatIfOfDecisions is WhatIf over a store's index of decisions, with the
// same report but for Events and Redecided. A conversation that reads
// none of the overrides decides under them as it did, as WhatIf's replay
// finds; here its decisions are counted as logged, on both sides, and its
// events are not read. The others are replayed as WhatIf replays them: a
// conversation that reads an override, a helpdesk's (decided by the rules
// in both replays, and counted apart), one a late part rebuilt (counted
// with its parts in place), and the newest one.
func WhatIfOfDecisions(window DecisionWindow, overrides []Override, since time.Time) (WhatIfReport, error) {
	readers := whatIfRun{rep: WhatIfReport{Overrides: overrides}}
	logged := newSurveyTally()
	src, release, err := window(since, func(ev *domain.Event, o *domain.Outcome, c *domain.Conversation, late bool) bool {
		if late || c.Helpdesk != "" || readers.reads(c) {
			return true
		}
		countWhatIf(&logged, ev.Kind, o, true)
		return false
	})
	if err != nil {
		return WhatIfReport{Since: since, Overrides: overrides}, err
	}
	defer release()
	rep, err := whatIf(src, overrides, since, false)
	if err == nil {
		rep.Actual.add(&logged)
		rep.WhatIf.add(&logged)
	}
	return rep, err
}

// add adds u's counts to t.
func (t *SurveyTally) add(u *SurveyTally) {
	t.Closes += u.Closes
	t.Asks += u.Asks
	t.Sent += u.Sent
	t.Skipped += u.Skipped
	for c, n := range u.SkippedBy {
		t.SkippedBy[c] += n
	}
	t.Ratings += u.Ratings
	t.RefusedRatings += u.RefusedRatings
	t.RefusedChanges += u.RefusedChanges
}
