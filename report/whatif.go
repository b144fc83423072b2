package report

import (
	"strconv"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// WhatIf is `csat simulate whatif --format json`: what happened beside what
// the same events would have done under the overrides.
type WhatIf struct {
	Since     *time.Time `json:"since"` // null for the whole history
	Until     time.Time  `json:"until"` // the time of the newest conversation event
	Overrides []string   `json:"overrides"`
	Events    int        `json:"events"` // events replayed: the workspace's and those of the conversations read (simulate.WhatIfReport.Events)
	Actual    Surveys    `json:"actual"`
	WhatIf    Surveys    `json:"whatif"`
	// NowSent and NowSkipped count the closes and asks in the window whose
	// decision flips.
	NowSent    int `json:"now_sent"`
	NowSkipped int `json:"now_skipped"`
	// Inapplicable counts events of the window the overrides make impossible, left out.
	Inapplicable int `json:"inapplicable"`
	// Helpdesk is the conversations a helpdesk (Intercom) decided, which
	// Actual and WhatIf leave out: null when there are none in the window.
	Helpdesk *HelpdeskWhatIf `json:"helpdesk"`
}

// HelpdeskWhatIf sets the rules' decisions under the recorded settings
// (decided) beside theirs under the overrides, in a helpdesk's
// conversations: decided against decided, never what the helpdesk observed.
type HelpdeskWhatIf struct {
	Conversations int     `json:"conversations"`
	Decided       Surveys `json:"decided"`
	WhatIf        Surveys `json:"whatif"`
	NowSent       int     `json:"now_sent"`
	NowSkipped    int     `json:"now_skipped"`
}

// Surveys counts the decisions of the closes and asks in a what-if window.
type Surveys struct {
	Closes  int `json:"closes"`
	Asks    int `json:"asks"`
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"`
	// SkippedBy counts each failed rule of the skipped ones by reason code.
	SkippedBy ReasonCounts `json:"skipped_by"`
	Ratings   int          `json:"ratings"` // first ratings accepted
	// RefusedRatings counts first ratings refused (the rating window had
	// closed), RefusedChanges changed ratings and comments refused.
	RefusedRatings int `json:"refused_ratings"`
	RefusedChanges int `json:"refused_changes"`
}

// ReasonCounts counts reason codes; on the wire an object keyed by the
// codes' words in RULES.md order, {"disabled": 3, "too_short": 1}, and {}
// when there are none.
type ReasonCounts map[domain.Code]int

// MarshalJSON writes the codes present in RULES.md order.
func (r ReasonCounts) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for _, c := range domain.AllCodes() {
		if r[c] == 0 {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, c.String())
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(r[c]), 10)
	}
	return append(b, '}'), nil
}

// NewWhatIf is the contract's view of a what-if replay.
func NewWhatIf(rep simulate.WhatIfReport) WhatIf {
	out := WhatIf{
		Until: rep.Until, Overrides: make([]string, 0, len(rep.Overrides)), Events: rep.Events,
		Actual: newSurveys(rep.Actual), WhatIf: newSurveys(rep.WhatIf),
		NowSent: rep.NowSent, NowSkipped: rep.NowSkipped, Inapplicable: rep.Inapplicable,
	}
	if !rep.Since.IsZero() {
		since := rep.Since
		out.Since = &since
	}
	for _, o := range rep.Overrides {
		out.Overrides = append(out.Overrides, o.String())
	}
	if h := rep.Helpdesk; h.Conversations > 0 {
		out.Helpdesk = &HelpdeskWhatIf{Conversations: h.Conversations, Decided: newSurveys(h.Current), WhatIf: newSurveys(h.WhatIf),
			NowSent: h.NowSent, NowSkipped: h.NowSkipped}
	}
	return out
}

func newSurveys(t simulate.SurveyTally) Surveys {
	return Surveys{
		Closes: t.Closes, Asks: t.Asks, Sent: t.Sent, Skipped: t.Skipped,
		SkippedBy: ReasonCounts(t.SkippedBy), Ratings: t.Ratings,
		RefusedRatings: t.RefusedRatings, RefusedChanges: t.RefusedChanges,
	}
}
