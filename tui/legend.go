package tui

// What ? says of the leaderboard's columns and marks, and the mark of the
// sort column in its header.

// Legend explains every column and mark of the board, for ?.
func (v *leaderboard) Legend() []string {
	return []string{
		"score: share of ratings that are positive (🤩 😀); rated: ratings that count in the period; pos neu neg: ratings by class; " +
			"mix: the positive, neutral and negative shares as a bar; resp: ratings per survey sent; trend: the score over the period.",
		"wilson (while w ranks by it): the 95% Wilson lower bound of the score, which weighs few ratings down. " +
			"✓: the score meets the happiness target. ▲ ▼: moved up or down the ranking since the last read. " +
			"* after a name: too few ratings to rank (shown with · instead of a rank). ▼ beside a title: the column the rows are sorted by (▲: reversed).",
	}
}

// sortMark marks the title of the column the rows are sorted by: ▼ from
// the top down as the sort reads (highest score first, a to z), ▲ reversed.
func (v *leaderboard) sortMark(title string, by int) string {
	if v.sortBy != by {
		return title
	}
	if v.reverse {
		return title + "▲"
	}
	return title + "▼"
}
