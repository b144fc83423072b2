package domain

import "strconv"

// ScoreCell is the score change in a narrow column, rounded as ScoreText
// rounds it: "▲4.5", "▼12", "=" for none, "—" when either period has no
// ratings.
func (d Delta) ScoreCell() string {
	if !d.ScoreOK {
		return "—"
	}
	r := d.points()
	if r == 0 {
		return "="
	}
	arrow := "▲"
	if r < 0 {
		arrow, r = "▼", -r
	}
	return arrow + trimTenth(r)
}

// RatingsText is the change in the number of ratings: "+12", "−3", "0".
func (d Delta) RatingsText() string {
	switch {
	case d.Ratings > 0:
		return "+" + strconv.Itoa(d.Ratings)
	case d.Ratings < 0:
		return "−" + strconv.Itoa(-d.Ratings)
	}
	return "0"
}
