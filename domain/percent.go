package domain

import "strconv"

// MaxPercentDecimals bounds the precision of a percentage: past that, the
// scaled integer arithmetic would overflow before the digits mean anything.
const MaxPercentDecimals = 6

// PercentOf is count ÷ total in percent, scaled by 10^decimals and rounded
// half up (29/200 at 1 decimal is 145, at 0 decimals 15). It is integer
// arithmetic so that 14.5% never reads as 14.4999…; ok is false when total
// is 0 (no share, never 0%). decimals is clamped to 0..MaxPercentDecimals.
func PercentOf(count, total, decimals int) (scaled int64, ok bool) {
	if total <= 0 {
		return 0, false
	}
	scale := int64(100 * pow10(clampDecimals(decimals)))
	n := int64(total)
	return (2*int64(count)*scale + n) / (2 * n), true
}

// Percent shows count ÷ total rounded half up at decimals places: "15%",
// "14.5%", or "—" when total is 0. Every score and rate on every screen,
// report, export and API goes through it, so they all show the same figure.
func Percent(count, total, decimals int) string {
	v, ok := PercentOf(count, total, decimals)
	if !ok {
		return "—"
	}
	return FormatScaledPercent(v, decimals)
}

// FormatScaledPercent shows a PercentOf value: 145 at 1 decimal is "14.5%".
func FormatScaledPercent(scaled int64, decimals int) string {
	decimals = clampDecimals(decimals)
	if decimals == 0 {
		return strconv.FormatInt(scaled, 10) + "%"
	}
	p := int64(pow10(decimals))
	frac := strconv.FormatInt(scaled%p, 10)
	for len(frac) < decimals {
		frac = "0" + frac
	}
	return strconv.FormatInt(scaled/p, 10) + "." + frac + "%"
}

// ScorePercent is the score shown at decimals places, "—" with no ratings.
func (c Counts) ScorePercent(decimals int) string { return Percent(c.Positive(), c.Rated(), decimals) }

// ResponsePercent is the response rate shown at decimals places, "—" when no
// survey was sent or some sends are known only from their answers
// (Counts.Inferred: the unanswered ones are unknown).
func (c Counts) ResponsePercent(decimals int) string {
	if c.Inferred > 0 {
		return "—"
	}
	return Percent(c.answered(), c.Surveys, decimals) // at most 100% (ResponseRate)
}

func clampDecimals(d int) int { return min(max(d, 0), MaxPercentDecimals) }

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}
