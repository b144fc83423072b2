package domain

import (
	"math"
	"testing"
)

func TestArticleWorkedExample(t *testing.T) {
	// 2×🤩, 2×😀, 2×😐, 2×🙁, 2×😠 → 4/10 = 40%.
	var c Counts
	for v := 1; v <= 5; v++ {
		c.ByValue[v] = 2
	}
	s, ok := c.Score()
	if !ok || s != 0.4 || c.ScorePercent(0) != "40%" {
		t.Fatalf("score = %v %v (%s), want 40%%", s, ok, c.ScorePercent(0))
	}
	if c.Positive() != 4 || c.Neutral() != 4 || c.Negative() != 2 {
		t.Fatalf("classes %d/%d/%d", c.Positive(), c.Neutral(), c.Negative())
	}
}

func TestNoRatingsNoScore(t *testing.T) {
	var c Counts
	if _, ok := c.Score(); ok {
		t.Fatal("no ratings must give no score")
	}
	if got := c.ScorePercent(0); got != "—" {
		t.Fatalf("shown as %q, want —", got)
	}
	if c.MeetsTarget(0) {
		t.Fatal("no ratings cannot meet a target")
	}
}

func TestClassesAndFaces(t *testing.T) {
	want := []struct {
		class Class
		face  string
	}{{ClassNone, ""}, {ClassNegative, "😠"}, {ClassNeutral, "🙁"}, {ClassNeutral, "😐"}, {ClassPositive, "😀"}, {ClassPositive, "🤩"}}
	for v, w := range want {
		if ClassOf(v) != w.class || Face(v) != w.face {
			t.Errorf("value %d: %s %q", v, ClassOf(v), Face(v))
		}
	}
	if ClassOf(6) != ClassNone || Face(-1) != "" {
		t.Error("out of range values have no class or face")
	}
}

func TestTargetAndWilson(t *testing.T) {
	c := Counts{ByValue: [6]int{0, 1, 0, 0, 4, 0}} // 4/5 = 80%
	if !c.MeetsTarget(800) || c.MeetsTarget(801) {
		t.Fatal("80% meets an 80% target, not 80.1%")
	}
	lucky := Counts{ByValue: [6]int{0, 0, 0, 0, 2, 0}}   // 2/2
	steady := Counts{ByValue: [6]int{0, 5, 0, 0, 95, 0}} // 95/100
	if lucky.WilsonLower() >= steady.WilsonLower() {
		t.Fatalf("2/2 (%.3f) should rank below 95/100 (%.3f)", lucky.WilsonLower(), steady.WilsonLower())
	}
	if w := steady.WilsonLower(); math.Abs(w-0.8883) > 0.001 {
		t.Fatalf("wilson(95/100) = %.4f, want 0.8883", w)
	}
}

func TestTallyTeamExcludesBots(t *testing.T) {
	var tally Tally
	tally.Observe(&Outcome{Kind: EvAsk, Decision: DecisionSent, Survey: SurveyChange{Agent: Fin, NewSlot: true}})
	tally.Observe(&Outcome{Kind: EvRate, Decision: DecisionAccepted, Rating: RatingChange{Agent: Fin, New: 5}})
	tally.Observe(&Outcome{Kind: EvClose, Decision: DecisionSent, Survey: SurveyChange{Agent: bob, NewSlot: true}})
	tally.Observe(&Outcome{Kind: EvRate, Decision: DecisionAccepted, Rating: RatingChange{Agent: bob, New: 1}})
	tally.Observe(&Outcome{Kind: EvRate, Decision: DecisionAccepted, Rating: RatingChange{Agent: bob, Old: 1, New: 3}})
	team := tally.Team()
	if team.Rated() != 1 || team.ByValue[3] != 1 || team.Surveys != 1 {
		t.Fatalf("team = %+v", team)
	}
	if fin := tally.Agent(Fin); fin.Positive() != 1 {
		t.Fatalf("fin = %+v", fin)
	}
	if r, ok := tally.Agent(bob).ResponseRate(); !ok || r != 1 {
		t.Fatalf("bob's response rate = %v", r)
	}
}

// RULES.md: a score is rounded half up at the precision shown, the same
// everywhere. 29/200 is 14.5% exactly; float arithmetic made it 14.4999…,
// which the dashboard showed as 14%.
func TestPercentHalfUp(t *testing.T) {
	tests := []struct {
		count, total, decimals int
		want                   string
	}{
		{29, 200, 0, "15%"},
		{29, 200, 1, "14.5%"},
		{29, 200, 2, "14.50%"},
		{1, 8, 0, "13%"}, // 12.5
		{2, 3, 1, "66.7%"},
		{1, 3, 2, "33.33%"},
		{0, 5, 0, "0%"},
		{5, 5, 1, "100.0%"},
		{1, 20000, 2, "0.01%"}, // 0.005 rounds up
		{1, 20001, 2, "0.00%"},
		{3, 0, 0, "—"},
		{1, 3, 99, "33.333333%"}, // decimals are clamped
		{1, 3, -1, "33%"},
	}
	for _, tc := range tests {
		if got := Percent(tc.count, tc.total, tc.decimals); got != tc.want {
			t.Errorf("Percent(%d, %d, %d) = %s, want %s", tc.count, tc.total, tc.decimals, got, tc.want)
		}
	}
	c := Counts{ByValue: [6]int{0, 171, 0, 0, 29, 0}, Surveys: 400}
	if got := c.ScorePercent(0); got != "15%" {
		t.Errorf("29 of 200 positive shows %s, want 15%%", got)
	}
	if got := c.ResponsePercent(1); got != "50.0%" {
		t.Errorf("200 ratings of 400 surveys show %s, want 50.0%%", got)
	}
	if got := (Counts{}).ResponsePercent(0); got != "—" {
		t.Errorf("no surveys show %s, want —", got)
	}
}

// A follow-up candidate is a slot some threshold (or the resolved list)
// shows: whatever the thresholds are, no item of any is missing.
func TestFollowUpCandidate(t *testing.T) {
	for v := 0; v <= 5; v++ {
		for st := StageNone; st <= StageResolved; st++ {
			s := Slot{Value: v, FollowUp: FollowUp{Stage: st}}
			want := false
			for _, th := range FollowUpThresholds {
				want = want || s.QueueEntry().InQueue(th)
			}
			want = v != 0 && (want || st == StageResolved)
			if got := s.FollowUpCandidate(); got != want {
				t.Errorf("value %d, %s: candidate %v, want %v", v, st, got, want)
			}
		}
	}
	if !(&Slot{Value: 2}).FollowUpCandidate() || (&Slot{Value: 3}).FollowUpCandidate() {
		t.Error("🙁 is a candidate (negative+bad), 😐 is not")
	}
}

// A rating counts on the day it was given and its survey on the day it
// was sent, so a short period (today) can hold answers to surveys sent
// before it: 5 ratings of 2 surveys showed 250%. A response rate is at
// most 100% wherever it is shown or sorted on, and says it was capped.
func TestResponseRateIsAtMostAll(t *testing.T) {
	tests := []struct {
		rated, surveys int
		rate           float64
		text           string
		capped         bool
	}{
		{5, 2, 1, "100%", true},
		{2, 2, 1, "100%", false},
		{1, 2, 0.5, "50%", false},
		{3, 0, 0, "—", false}, // no survey in the period: no rate
	}
	for _, tc := range tests {
		c := Counts{ByValue: [6]int{0, 0, 0, 0, 0, tc.rated}, Surveys: tc.surveys}
		rate, ok := c.ResponseRate()
		if ok != (tc.surveys > 0) || rate != tc.rate {
			t.Errorf("%d ratings of %d surveys: rate %v %v, want %v", tc.rated, tc.surveys, rate, ok, tc.rate)
		}
		if got := c.ResponsePercent(0); got != tc.text {
			t.Errorf("%d ratings of %d surveys show %s, want %s", tc.rated, tc.surveys, got, tc.text)
		}
		if got := c.ResponseCapped(); got != tc.capped {
			t.Errorf("%d ratings of %d surveys: capped %v, want %v", tc.rated, tc.surveys, got, tc.capped)
		}
	}
}
