package domain

import (
	"fmt"
	"strings"
	"time"
)

// Period is a half-open interval [From, To) of whole UTC days. A zero From
// means "from the first event"; a zero To "to the end of the clock's day".
type Period struct {
	From, To time.Time
}

// PeriodNames are the named periods, in the order a dashboard cycles them.
var PeriodNames = []string{"today", "7d", "30d", "90d", "this-week", "this-month", "last-month", "all"}

// ParsePeriod reads a period relative to now, in UTC days: today, 7d,
// 30d, 90d (ending with now's day), this-week (from Monday), this-month
// (from the 1st; both end with now's day), last-month (the whole calendar
// month before now's), all (From zero), or a custom FROM..TO of two
// YYYY-MM-DD days, both included.
func ParsePeriod(name string, now time.Time) (Period, error) {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	end := today.AddDate(0, 0, 1)
	switch name {
	case "today":
		return Period{From: today, To: end}, nil
	case "7d":
		return Period{From: end.AddDate(0, 0, -7), To: end}, nil
	case "30d":
		return Period{From: end.AddDate(0, 0, -30), To: end}, nil
	case "90d":
		return Period{From: end.AddDate(0, 0, -90), To: end}, nil
	case "this-week":
		back := (int(today.Weekday()) + 6) % 7 // days since Monday
		return Period{From: today.AddDate(0, 0, -back), To: end}, nil
	case "this-month":
		return Period{From: today.AddDate(0, 0, 1-today.Day()), To: end}, nil
	case "last-month":
		first := today.AddDate(0, 0, 1-today.Day())
		return Period{From: first.AddDate(0, -1, 0), To: first}, nil
	case "all":
		return Period{To: end}, nil
	}
	if from, to, ok := strings.Cut(name, ".."); ok {
		return CustomPeriod(from, to)
	}
	return Period{}, fmt.Errorf("unknown period %q: want %s, or FROM..TO (YYYY-MM-DD, both included)", name, strings.Join(PeriodNames, ", "))
}

// CustomPeriod is the period of the days from through to, both included
// (YYYY-MM-DD, UTC).
func CustomPeriod(from, to string) (Period, error) {
	f, err := time.Parse(time.DateOnly, strings.TrimSpace(from))
	if err != nil {
		return Period{}, fmt.Errorf("from %q: want a day like 2026-03-01", from)
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(to))
	if err != nil {
		return Period{}, fmt.Errorf("to %q: want a day like 2026-03-31", to)
	}
	if t.Before(f) {
		return Period{}, fmt.Errorf("to %s is before from %s", to, from)
	}
	return Period{From: f, To: t.AddDate(0, 0, 1)}, nil
}

// Days is the number of days in a period with both ends set. It counts
// in Unix seconds: a time.Duration ends at 292 years, and the store holds
// times from 1678 to 2261.
func (p Period) Days() int {
	if p.From.IsZero() || !p.To.After(p.From) {
		return 0
	}
	const day = 24 * 60 * 60
	return int((p.To.Unix() - p.From.Unix() + day/2) / day)
}

// Previous is the period of the same length that ends where p starts, to
// compare with; ok is false when p has no start (all) or no length.
func (p Period) Previous() (prev Period, ok bool) {
	n := p.Days()
	if n == 0 {
		return Period{}, false
	}
	return Period{From: p.From.AddDate(0, 0, -n), To: p.From}, true
}

// Delta compares counts with those of the previous period: the change of
// the score in percentage points (ok false unless both have ratings) and
// of the number of ratings.
type Delta struct {
	Score   float64 // points: +4.5 means 4.5 points better
	ScoreOK bool
	Ratings int
}

// Compare is the change from prev to cur.
func Compare(cur, prev Counts) Delta {
	d := Delta{Ratings: cur.Rated() - prev.Rated()}
	a, okA := cur.Score()
	b, okB := prev.Score()
	if okA && okB {
		d.Score, d.ScoreOK = (a-b)*100, true
	}
	return d
}

// points is the score change rounded to a tenth of a point, as shown.
func (d Delta) points() float64 {
	return float64(int64(d.Score*10+copySign(0.5, d.Score))) / 10
}

// Arrow is ▲ for a rise, ▼ for a fall, "" for none (as rounded) or no comparison.
func (d Delta) Arrow() string {
	switch r := d.points(); {
	case !d.ScoreOK || r == 0:
		return ""
	case r > 0:
		return "▲"
	}
	return "▼"
}

// ScoreText is the score change as shown: "▲ +4.5 pts", "▼ −2 pts", "=" for
// none, "—" when either period has no ratings. Rounded to a tenth of a point.
func (d Delta) ScoreText() string {
	if !d.ScoreOK {
		return "—"
	}
	switch r := d.points(); {
	case r == 0:
		return "="
	case r > 0:
		return fmt.Sprintf("▲ +%s pts", trimTenth(r))
	default:
		return fmt.Sprintf("▼ −%s pts", trimTenth(-r))
	}
}

func copySign(v, sign float64) float64 {
	if sign < 0 {
		return -v
	}
	return v
}

func trimTenth(v float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") }

// Bucket is the step of a series: a day, an ISO week (from Monday) or a
// calendar month, in UTC.
type Bucket uint8

// Buckets.
const (
	ByDay Bucket = iota
	ByWeek
	ByMonth
)

func (b Bucket) String() string {
	switch b {
	case ByWeek:
		return "week"
	case ByMonth:
		return "month"
	}
	return "day"
}

// ParseBucket reads day, week or month.
func ParseBucket(s string) (Bucket, error) {
	switch s {
	case "day":
		return ByDay, nil
	case "week":
		return ByWeek, nil
	case "month":
		return ByMonth, nil
	}
	return 0, fmt.Errorf("unknown step %q: want day, week or month", s)
}

// Start is the first day of the bucket t falls in.
func (b Bucket) Start(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch b {
	case ByWeek:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case ByMonth:
		return d.AddDate(0, 0, 1-d.Day())
	}
	return d
}

// Next is the first day of the bucket after the one starting at start.
func (b Bucket) Next(start time.Time) time.Time {
	switch b {
	case ByWeek:
		return start.AddDate(0, 0, 7)
	case ByMonth:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}
