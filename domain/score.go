package domain

import (
	"math"
	"strconv"
	"time"
)

// Class groups rating values for the score.
type Class uint8

// Classes: 😀🤩 positive, 😐🙁 neutral, 😠 negative.
const (
	ClassNone Class = iota
	ClassNegative
	ClassNeutral
	ClassPositive
)

func (c Class) String() string {
	switch c {
	case ClassNegative:
		return "negative"
	case ClassNeutral:
		return "neutral"
	case ClassPositive:
		return "positive"
	}
	return "none"
}

// ClassOf returns the class of a rating value (1..5); ClassNone otherwise.
func ClassOf(v int) Class {
	switch v {
	case 1:
		return ClassNegative
	case 2, 3:
		return ClassNeutral
	case 4, 5:
		return ClassPositive
	}
	return ClassNone
}

var faces = [...]string{"", "😠", "🙁", "😐", "😀", "🤩"}
var faceNames = [...]string{"", "terrible", "bad", "okay", "great", "amazing"}

// Face returns the emoji of a rating value, or "" outside 1..5.
func Face(v int) string {
	if v < 1 || v > 5 {
		return ""
	}
	return faces[v]
}

// FaceName returns the word of a rating value: terrible, bad, okay, great, amazing.
func FaceName(v int) string {
	if v < 1 || v > 5 {
		return ""
	}
	return faceNames[v]
}

// Counts are ratings by value (index 1..5) and the surveys sent.
type Counts struct {
	ByValue [6]int
	Surveys int
	// Inferred counts surveys known only from their answer: a helpdesk
	// reported the rating but not its request, so its unanswered surveys
	// are unknown too, and so is the response rate.
	Inferred int
}

// Add adds o into c.
func (c *Counts) Add(o Counts) {
	for i := range c.ByValue {
		c.ByValue[i] += o.ByValue[i]
	}
	c.Surveys += o.Surveys
	c.Inferred += o.Inferred
}

// Rated is the number of ratings.
func (c Counts) Rated() int {
	return c.ByValue[1] + c.ByValue[2] + c.ByValue[3] + c.ByValue[4] + c.ByValue[5]
}

// Positive counts 😀 and 🤩.
func (c Counts) Positive() int { return c.ByValue[4] + c.ByValue[5] }

// Neutral counts 😐 and 🙁.
func (c Counts) Neutral() int { return c.ByValue[2] + c.ByValue[3] }

// Negative counts 😠.
func (c Counts) Negative() int { return c.ByValue[1] }

// Score is positive ÷ rated; ok is false when nothing was rated (never 0%).
func (c Counts) Score() (score float64, ok bool) {
	n := c.Rated()
	if n == 0 {
		return 0, false
	}
	return float64(c.Positive()) / float64(n), true
}

// ResponseRate is ratings ÷ surveys sent, at most 1; ok is false when none
// was sent, or when some sends are known only from their answers
// (Inferred). A rating counts on the day it was given and its survey on
// the day it was sent, so a short period can hold answers to surveys sent
// before it: more ratings than surveys is every survey answered, as far
// as the period's counts tell (ResponseCapped), never over 100%.
func (c Counts) ResponseRate() (rate float64, ok bool) {
	if c.Surveys == 0 || c.Inferred > 0 {
		return 0, false
	}
	return float64(c.answered()) / float64(c.Surveys), true
}

// answered is the ratings a response rate counts: at most one a survey.
func (c Counts) answered() int { return min(c.Rated(), c.Surveys) }

// ResponseCapped reports whether the period holds more ratings than
// surveys sent, answers to surveys sent before it among them: its
// response rate shows 100%.
func (c Counts) ResponseCapped() bool {
	return c.Surveys > 0 && c.Inferred == 0 && c.Rated() > c.Surveys
}

// MeetsTarget reports whether the score is at or above the target (tenths of a percent).
func (c Counts) MeetsTarget(targetPermille int) bool {
	n := c.Rated()
	return n > 0 && c.Positive()*1000 >= targetPermille*n
}

// WilsonLower is the lower bound of the 95% Wilson interval of the positive
// share: a ranking that does not reward a lucky 2-of-2.
func (c Counts) WilsonLower() float64 {
	n := float64(c.Rated())
	if n == 0 {
		return 0
	}
	const z = 1.959963984540054
	p := float64(c.Positive()) / n
	den := 1 + z*z/n
	centre := p + z*z/(2*n)
	margin := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return (centre - margin) / den
}

// SurveysSent is the number of surveys sent; ok is false when it is
// unknown, because a helpdesk reported answers without their requests.
func (c Counts) SurveysSent() (n int, ok bool) { return c.Surveys, c.Inferred == 0 }

// FormatCount prints a count, or "—" when it is unknown.
func FormatCount(n int, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.Itoa(n)
}

// FormatShare prints a computed share (the Wilson bound, not a ratio of
// counts: those go through [Percent]) as a whole percentage, or "—" when
// there is none.
func FormatShare(score float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.Itoa(int(math.Floor(score*100+0.5))) + "%"
}

// Observe folds an outcome's rating and survey changes into per-agent counts.
func Observe(o *Outcome, counts func(agent Actor) *Counts) {
	o.Counted(func(agent Actor, _ time.Time, delta Counts) { counts(agent).Add(delta) })
}

// Counted is the one place that says how an outcome moves the counters,
// and on which time each move counts: a survey on the time of the request
// that opened its slot, a rating on the time it was first given (a later
// change moves it between classes, never between periods). fn gets at most
// one survey move and one rating move; delta may hold -1s.
func (o *Outcome) Counted(fn func(agent Actor, at time.Time, delta Counts)) {
	if o.Survey.NewSlot && (o.Decision == DecisionSent || o.Kind == EvObserve) {
		d := Counts{Surveys: 1}
		if o.Survey.Inferred {
			d.Inferred = 1
		}
		fn(o.Survey.Agent, o.Survey.At, d)
	}
	if (o.Kind == EvRate || o.Kind == EvObserve) && o.Decision == DecisionAccepted && o.Rating.Changed() {
		var d Counts
		if o.Rating.Old >= 1 && o.Rating.Old <= 5 {
			d.ByValue[o.Rating.Old]--
		}
		if o.Rating.New >= 1 && o.Rating.New <= 5 {
			d.ByValue[o.Rating.New]++
		}
		fn(o.Rating.Agent, o.Rating.FirstRatedAt, d)
	}
}

// Counted calls fn with what the slot adds to its agent's counts as it
// stands, at the same times [Outcome.Counted] uses: the sum of the moves of
// every outcome that built it. Taking a conversation's slots out and the
// rebuilt ones in is how a late part moves the counters.
func (s *Slot) Counted(fn func(agent Actor, at time.Time, delta Counts)) {
	d := Counts{Surveys: 1}
	if s.Inferred {
		d.Inferred = 1
	}
	fn(s.Agent, s.FirstRequestAt, d)
	if s.Value >= 1 && s.Value <= 5 {
		var d Counts
		d.ByValue[s.Value]++
		fn(s.Agent, s.FirstRatedAt, d)
	}
}

// Negate returns c with every count's sign flipped, to take counts out.
func (c Counts) Negate() Counts {
	for i := range c.ByValue {
		c.ByValue[i] = -c.ByValue[i]
	}
	c.Surveys = -c.Surveys
	c.Inferred = -c.Inferred
	return c
}

// Tally keeps all-time counts per agent and the follow-up queue, for
// in-memory workspaces. The store keeps the same counts per day instead.
type Tally struct {
	Agents map[Actor]*Counts
	Queue  QueueTally
}

// Observe folds one outcome in.
func (t *Tally) Observe(o *Outcome) {
	Observe(o, t.counts)
	t.Queue.Move(o.Queue)
}

func (t *Tally) counts(a Actor) *Counts {
	if t.Agents == nil {
		t.Agents = map[Actor]*Counts{}
	}
	c := t.Agents[a]
	if c == nil {
		c = &Counts{}
		t.Agents[a] = c
	}
	return c
}

// Agent returns the counts of one agent.
func (t *Tally) Agent(a Actor) Counts {
	if c := t.Agents[a]; c != nil {
		return *c
	}
	return Counts{}
}

// Team sums the teammates; bot agents are reported on their own rows.
func (t *Tally) Team() Counts {
	var sum Counts
	for a, c := range t.Agents {
		if a.IsTeammate() {
			sum.Add(*c)
		}
	}
	return sum
}

// QueueEntry is a slot as the follow-up queue sees it.
type QueueEntry struct {
	Value int
	Stage FollowStage
}

// InQueue reports whether the entry is an open follow-up item under threshold t:
// work started and not resolved, or not started with a rating at or below t.
func (e QueueEntry) InQueue(t FollowUpThreshold) bool {
	switch e.Stage {
	case StageClaimed, StageContacted:
		return true
	case StageNone:
		return e.Value >= 1 && e.Value <= int(t)
	}
	return false
}

// QueueTally counts queue entries so that the open count under any threshold
// is a sum, and a threshold change needs no rescan.
type QueueTally struct {
	NotStarted [6]int // by rating value
	Started    int    // claimed or contacted
}

// Move applies a queue move.
func (q *QueueTally) Move(m QueueMove) {
	if !m.Moved {
		return
	}
	q.add(m.Before, -1)
	q.add(m.After, +1)
}

func (q *QueueTally) add(e QueueEntry, n int) {
	switch e.Stage {
	case StageNone:
		if e.Value >= 1 && e.Value <= 5 {
			q.NotStarted[e.Value] += n
		}
	case StageClaimed, StageContacted:
		q.Started += n
	}
}

// Open counts open items under threshold t.
func (q QueueTally) Open(t FollowUpThreshold) int {
	n := q.Started
	for v := 1; v <= int(t) && v <= 5; v++ {
		n += q.NotStarted[v]
	}
	return n
}
