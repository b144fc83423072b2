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
	if !ok || s != 0.4 || FormatScore(s, ok) != "40%" {
		t.Fatalf("score = %v %v (%s), want 40%%", s, ok, FormatScore(s, ok))
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
	if got := FormatScore(c.Score()); got != "—" {
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
