package report

import (
	"maps"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
)

// Observed is `csat simulate whatif --against observed --format json`: the
// ratings Intercom observed beside what the rules decide on the same
// conversation parts.
type Observed struct {
	Observed   int `json:"observed"`    // observed ratings (slots)
	Agree      int `json:"agree"`       // the rules sent a survey to the same agent
	Skipped    int `json:"skipped"`     // the rules sent none
	OtherAgent int `json:"other_agent"` // the rules asked on behalf of someone else
	NoDecision int `json:"no_decision"` // no close or ask to decide on
	// SkippedBy counts the observed ratings each reason code would have
	// blocked, keyed by the codes' words; {} when there are none.
	SkippedBy map[string]int `json:"skipped_by"`
	// RulesOnly counts Intercom conversations where the rules sent a
	// survey and no rating was observed.
	RulesOnly int                  `json:"rules_only"`
	Diverging []ObservedDivergence `json:"diverging"`
}

// ObservedDivergence is an observed rating the rules would have decided
// otherwise.
type ObservedDivergence struct {
	Conversation string `json:"conversation"`
	Agent        string `json:"agent"`      // the display name
	AgentID      string `json:"agent_id"`   // the stable key
	AgentKind    string `json:"agent_kind"` // teammate or bot
	Value        int    `json:"value"`
	// Rules says what the rules decided: "skipped: too_short (212/250
	// chars)", "sent to bob", or "no close or ask".
	Rules string `json:"rules"`
}

// NewObserved is the wire form of c; name gives an identity's display name.
func NewObserved(c *intercom.Comparison, name func(domain.Actor) string) Observed {
	o := Observed{
		Observed: c.Observed, Agree: c.Agree, Skipped: c.Skipped, OtherAgent: c.OtherAgent,
		NoDecision: c.NoDecision, RulesOnly: c.RulesOnly,
		SkippedBy: map[string]int{}, Diverging: make([]ObservedDivergence, 0, len(c.Diverging)),
	}
	maps.Copy(o.SkippedBy, c.SkippedBy)
	for _, d := range c.Diverging {
		o.Diverging = append(o.Diverging, ObservedDivergence{
			Conversation: d.Conv, Agent: name(d.Agent), AgentID: d.Agent.String(), AgentKind: agentKind(d.Agent),
			Value: d.Value, Rules: d.Rules,
		})
	}
	return o
}
