package tui

// What ? says of the leaderboard's columns and marks, and the mark of the
// sort column in its header.

// Legend explains every column and mark of the board, for ?.
func (v *leaderboard) Legend() []string {
	return []string{
		"score: positive (🤩 😀) ÷ rated · rated: ratings in the period · pos neu neg: by class (narrow screens leave pos neu out " +
			"while Δ shows) · mix: the shares as a bar · resp: share of surveys answered · trend: the score over the period",
		"wilson (w ranks by it): the score's 95% Wilson lower bound, which weighs few ratings down · ✓ meets the target · " +
			"▲ ▼ by a rank: moved since the last read · * too few ratings to rank (· for a rank) · ▼ by a title: the sort column (▲ reversed)",
		"Δscore Δrated: the change in points and in ratings against the period before, of the same length (named above): " +
			"▲ better, ▼ worse, = same, — no ratings in one; all time has none",
		"t team: its members, its sum on top · c a o: channel, audience, origin (named above; a teammate's page follows them) · " +
			"T team trend: score per week, ∘∘ the period before, ╌╌ the target · P: a FROM..TO period",
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

// Legend explains the conversation list's columns, for ?: a survey sent
// and not answered shows as …, which read like a cut name.
func (v *conversations) Legend() []string {
	if v.stream.isOpen() {
		return nil
	}
	return []string{"ratings: each agent a survey was sent for, with the face given (… sent, not rated yet) · " +
		"chars: the length the rules count (too_short) · updated: since the last change · enter opens the conversation"}
}
