package intercom

import (
	"sort"
	"strings"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
)

// Divergence is an observed rating where this project's rules would have
// decided otherwise than Intercom did.
type Divergence struct {
	Conv  string
	Agent domain.Actor
	Value int
	// Rules says what the rules decided: "skipped: too_short (212/250 chars)",
	// "sent to bob", or "no close or ask".
	Rules string
}

// Comparison sets the ratings Intercom observed beside what the rules decided
// on the same conversation parts. Its wire form is report.Observed.
type Comparison struct {
	Observed   int            // observed ratings (slots)
	Agree      int            // the rules sent a survey to the same agent
	Skipped    int            // the rules sent none
	OtherAgent int            // the rules asked on behalf of someone else
	NoDecision int            // no close or ask to decide on
	SkippedBy  map[string]int // reason code → observed ratings it would have blocked
	RulesOnly  int            // Intercom conversations where the rules sent and no rating was observed
	Diverging  []Divergence
	decided    map[string]*convLog
}

type convLog struct {
	sentTo   map[domain.Actor]bool
	lastSkip *domain.Outcome // the latest close or ask that sent nothing
	decided  bool
	intercom bool
	observed bool
}

// observedRating is one observed slot: a changed rating is still one slot.
type observedRating struct {
	conv  string
	agent domain.Actor
	value int
}

// CompareObserved replays a log through the rules, leaving the observed
// ratings out, and compares each observed rating with what the rules
// decided in its conversation. The replay is lenient: events the rules
// refuse are passed over, as the comparison is about decisions, not the log.
func CompareObserved(events func(yield func(domain.Event) error) error) (Comparison, error) {
	cmp := Comparison{SkippedBy: map[string]int{}, decided: map[string]*convLog{}}
	var observed []observedRating
	seen := map[observedRating]int{}
	isObserve := func(ev domain.Event) bool { return ev.Kind == domain.EvObserve }
	src := asDecided(events)
	late, err := domain.LateConversations(src)
	if err != nil {
		return Comparison{}, err
	}
	delete(late, "") // events of no conversation are never late
	lateParts := map[string][]domain.Event{}
	mem, err := simulate.Replay(src, simulate.ReplayOptions{Lenient: true, Skip: isObserve, Late: late}, func(st *simulate.ReplayStep) error {
		ev := st.Event
		switch {
		case late[ev.Conv] && simulate.IsReplayedPart(ev):
			// decided below, once every part is in its place
			lateParts[ev.Conv] = append(lateParts[ev.Conv], ev)
		case ev.Kind == domain.EvObserve && ev.Value == 0:
			return nil // a request without an answer: no rating to compare
		case ev.Kind == domain.EvObserve:
			key := observedRating{conv: ev.Conv, agent: ev.Agent}
			if i, ok := seen[key]; ok {
				observed[i].value = ev.Value
			} else {
				seen[key] = len(observed)
				observed = append(observed, observedRating{ev.Conv, ev.Agent, ev.Value})
			}
			cmp.logOf(ev.Conv).observed = true
		case ev.Kind == domain.EvMark && ev.By == markSource:
			for _, k := range ev.Keys {
				if conv, ok := strings.CutPrefix(k, "conv/"); ok {
					cmp.logOf(conv).intercom = true
				}
			}
		case st.Err == nil && (ev.Kind == domain.EvClose || ev.Kind == domain.EvAsk):
			cmp.logOf(ev.Conv).decide(st.Outcome)
		}
		return nil
	})
	if err != nil {
		return Comparison{}, err
	}
	for conv, parts := range lateParts {
		cmp.decideInPlace(mem.Workspace(), conv, parts)
	}
	for _, ob := range observed {
		cmp.compare(ob)
	}
	sort.SliceStable(cmp.Diverging, func(i, j int) bool {
		a, b := cmp.Diverging[i], cmp.Diverging[j]
		if a.Conv != b.Conv {
			return a.Conv < b.Conv
		}
		return a.Agent.String() < b.Agent.String()
	})
	for _, l := range cmp.decided {
		if l.intercom && !l.observed && len(l.sentTo) > 0 {
			cmp.RulesOnly++
		}
	}
	return cmp, nil
}

// asDecided clears the helpdesk of each conversation's start, so the
// replay asks the rules what the helpdesk decided.
func asDecided(events func(yield func(domain.Event) error) error) func(yield func(domain.Event) error) error {
	return func(yield func(domain.Event) error) error {
		return events(func(ev domain.Event) error {
			if ev.Kind == domain.EvStart {
				ev.By = ""
			}
			return yield(ev)
		})
	}
}

// decideInPlace decides a conversation that had late parts as if its parts
// had arrived in order: they are applied afresh in time order (equal times
// in log order, as the store places a late part), each judged at its own
// time under the settings in force then, and its closes and asks are
// decided in that order. A replay in log order would have decided a close
// before the reply that came ahead of it arrived.
func (cmp *Comparison) decideInPlace(ws *domain.Workspace, conv string, parts []domain.Event) {
	outs, errs := ws.Rebuild(conv, parts)
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return parts[order[a]].At.Before(parts[order[b]].At) })
	l := cmp.logOf(conv)
	for _, i := range order {
		if k := parts[i].Kind; errs[i] == nil && (k == domain.EvClose || k == domain.EvAsk) {
			l.decide(outs[i])
		}
	}
}

func (cmp *Comparison) logOf(conv string) *convLog {
	l := cmp.decided[conv]
	if l == nil {
		l = &convLog{sentTo: map[domain.Actor]bool{}}
		cmp.decided[conv] = l
	}
	return l
}

func (l *convLog) decide(o domain.Outcome) {
	l.decided = true
	if o.Decision == domain.DecisionSent {
		l.sentTo[o.To] = true
	} else {
		l.lastSkip = &o
	}
}

// compare sets one observed rating beside what the rules decided.
func (cmp *Comparison) compare(ob observedRating) {
	cmp.Observed++
	l := cmp.logOf(ob.conv)
	d := Divergence{Conv: ob.conv, Agent: ob.agent, Value: ob.value}
	switch {
	case l.sentTo[ob.agent]:
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
		for _, c := range l.lastSkip.Reasons() {
			cmp.SkippedBy[c.Code.String()]++
		}
		d.Rules = simulate.Describe(l.lastSkip)
	default:
		cmp.NoDecision++
		d.Rules = "no close or ask"
	}
	cmp.Diverging = append(cmp.Diverging, d)
}
