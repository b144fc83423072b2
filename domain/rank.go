package domain

// MinRatingsToRank is how many ratings an agent needs in a period to be
// ranked on the leaderboard; with fewer it is shown but flagged (decided:
// below five, one rating moves the score by 20 points or more).
const MinRatingsToRank = 5

// Ranked reports whether c has enough ratings to be ranked.
func (c Counts) Ranked() bool { return c.Rated() >= MinRatingsToRank }
