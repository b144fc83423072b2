package domain

import "testing"

// The narrow cells round as ScoreText does: the arrow and the figure agree
// with the wide text.
func TestDeltaCells(t *testing.T) {
	c := func(pos, neg int) Counts { return Counts{ByValue: [6]int{0, neg, 0, 0, pos, 0}} }
	for _, x := range []struct {
		cur, prev     Counts
		score, rating string
	}{
		{c(9, 1), c(8, 2), "▲10", "0"},
		{c(2, 1), c(3, 0), "▼33.3", "0"},
		{c(1, 1), c(2, 2), "=", "−2"},
		{c(1, 0), Counts{}, "—", "+1"},
		{c(999, 1), c(1000, 1), "=", "−1"}, // −0.005 points rounds to none
	} {
		d := Compare(x.cur, x.prev)
		if d.ScoreCell() != x.score || d.RatingsText() != x.rating {
			t.Errorf("%v vs %v: %q %q, want %q %q", x.cur, x.prev, d.ScoreCell(), d.RatingsText(), x.score, x.rating)
		}
	}
}
