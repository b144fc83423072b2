package intercom

import (
	"sort"
	"strings"

	"github.com/csat-app/csat/domain"
)

// Divergence is an observed rating where this project's rules would have
// decided otherwise than Intercom did.
type Divergence struct {
	Conv  string       `json:"conversation"`
	Agent domain.Actor `json:"agent"`
	Value int          `json:"value"`
	// Rules says what the rules decided: "skipped: too_short (212/250 chars)",
	// "sent to bob", or "no close or ask".
	Rules string `json:"rules"`
}

// Comparison sets the ratings Intercom observed beside what the rules decided
// on the same conversation parts.
type Comparison struct {
	Observed   int            `json:"observed"`    // observed ratings (slots)
	Agree      int            `json:"agree"`       // the rules sent a survey to the same agent
	Skipped    int            `json:"skipped"`     // the rules sent none
	OtherAgent int            `json:"other_agent"` // the rules asked on behalf of someone else
	NoDecision int            `json:"no_decision"` // no close or ask to decide on
	SkippedBy  map[string]int `json:"skipped_by"`  // reason code → observed ratings it would have blocked
	RulesOnly  int            `json:"rules_only"`  // Intercom conversations where the rules sent and no rating was observed
	Diverging  []Divergence   `json:"diverging"`
	decided    map[string]*convLog
}

type convLog struct {
	sentTo   map[domain.Actor]bool
	lastSkip []domain.Check
	decided  bool
	intercom bool
	observed bool
}

// CompareObserved replays a log through the rules, leaving the observed
// ratings out, and compares each observed rating with what the rules
// decided in its conversation. Events the rules refuse in this replay are
// passed over: the comparison is about decisions, not about the log.
func CompareObserved(events func(yield func(domain.Event) error) error) (Comparison, error) {
	ws := domain.NewWorkspace(domain.Epoch)
	cmp := Comparison{SkippedBy: map[string]int{}, decided: map[string]*convLog{}}
	logOf := func(conv string) *convLog {
		l := cmp.decided[conv]
		if l == nil {
			l = &convLog{sentTo: map[domain.Actor]bool{}}
			cmp.decided[conv] = l
		}
		return l
	}
	type obs struct {
		conv  string
		agent domain.Actor
		value int
	}
	var observed []obs
	seen := map[obs]int{}
	err := events(func(ev domain.Event) error {
		switch {
		case ev.Kind == domain.EvObserve && ev.Value == 0:
			return nil // a request without an answer: no rating to compare
		case ev.Kind == domain.EvObserve:
			key := obs{conv: ev.Conv, agent: ev.Agent}
			if i, ok := seen[key]; ok {
				observed[i].value = ev.Value // a changed rating is still one slot
			} else {
				seen[key] = len(observed)
				observed = append(observed, obs{ev.Conv, ev.Agent, ev.Value})
			}
			logOf(ev.Conv).observed = true
			return nil
		case ev.Kind == domain.EvClock && ev.By == markSource:
			_, keys, _ := ev.MarkKeys()
			for _, k := range keys {
				if conv, ok := strings.CutPrefix(k, "conv/"); ok {
					logOf(conv).intercom = true
				}
			}
		}
		if ev.Kind == domain.EvStart {
			ev.By = "" // this replay asks the rules what the helpdesk decided
		}
		if ev.At.Before(ws.Now) {
			ev.At = ws.Now
		}
		o, err := ws.Apply(ev)
		if err != nil || (ev.Kind != domain.EvClose && ev.Kind != domain.EvAsk) {
			return nil
		}
		l := logOf(ev.Conv)
		l.decided = true
		if o.Decision == domain.DecisionSent {
			l.sentTo[o.To] = true
		} else {
			l.lastSkip = append(l.lastSkip[:0], o.Reasons()...)
		}
		return nil
	})
	if err != nil {
		return Comparison{}, err
	}
	for _, ob := range observed {
		cmp.judge(ob.conv, ob.agent, ob.value)
	}
	for _, l := range cmp.decided {
		if l.intercom && !l.observed && len(l.sentTo) > 0 {
			cmp.RulesOnly++
		}
	}
	return cmp, nil
}

// judge sets one observed rating beside what the rules decided in its
// conversation.
func (cmp *Comparison) judge(conv string, agent domain.Actor, value int) {
	cmp.Observed++
	l := cmp.decided[conv] // present: the observation logged it
	d := Divergence{Conv: conv, Agent: agent, Value: value}
	switch {
	case l.sentTo[agent]:
		cmp.Agree++
		return
	case len(l.sentTo) > 0:
		cmp.OtherAgent++
		var to []string
		for a := range l.sentTo {
			to = append(to, a.String())
		}
		sort.Strings(to)
		d.Rules = "sent to " + strings.Join(to, ", ")
	case l.decided:
		cmp.Skipped++
		var parts []string
		for _, c := range l.lastSkip {
			cmp.SkippedBy[c.Code.String()]++
			parts = append(parts, c.Code.String()+" ("+c.Detail()+")")
		}
		d.Rules = "skipped: " + strings.Join(parts, ", ")
	default:
		cmp.NoDecision++
		d.Rules = "no close or ask"
	}
	cmp.Diverging = append(cmp.Diverging, d)
}
