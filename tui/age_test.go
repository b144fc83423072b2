package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// An age fits its column (four characters) whatever past time
// the store holds (from 1678): time.Duration ends at 292 years, so a
// rating of 1678 read 106751d, cut to "106…" in its column, and a time of
// a script's future read "now".
func TestAgeAtTheEdgesOfTime(t *testing.T) {
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	east := time.FixedZone("+14", 14*3600)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), "348y"},
		{time.Date(2261, 12, 31, 23, 0, 0, 0, time.UTC), "+235y"},
		{now.Add(-999 * 24 * time.Hour), "999d"},
		{now.Add(-1000 * 24 * time.Hour), "2y"},
		{now.Add(-47 * time.Hour), "47h"},
		{now.Add(-3 * time.Hour).In(east), "3h"}, // the same instant in another zone
		{now.Add(-59 * time.Second), "now"},
		{now.Add(5 * time.Minute), "now"}, // a clock a little ahead
		{now.Add(2 * time.Hour), "+2h"},
		{time.Time{}, "—"},
	}
	for _, tc := range tests {
		if got := age(now, tc.t); got != tc.want {
			t.Errorf("age of %v at %v = %q, want %q", tc.t, now, got, tc.want)
		}
	}
	leap := time.Date(2000, 3, 1, 9, 30, 0, 0, time.UTC)
	if got := age(leap, time.Date(2000, 2, 29, 23, 30, 0, 0, east)); got != "24h" {
		t.Errorf("a leap day's 23:30 at +14 seen on Mar 1 09:30 UTC: %q, want 24h", got)
	}
}

// A period across years names both years: 1678-01-01..2261-12-31 read
// "Jan 1 – Dec 31 2261".
func TestSpanTextAcrossYears(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		from, to string // to excluded
		year     bool
		want     string
	}{
		{"1678-01-01", "2262-01-01", true, "Jan 1 1678 – Dec 31 2261"},
		{"2025-12-07", "2026-01-06", false, "Dec 7 2025 – Jan 5 2026"},
		{"2026-02-09", "2026-03-11", false, "Feb 9 – Mar 10"},
		{"2000-02-01", "2000-03-01", true, "Feb 1 – Feb 29 2000"},
		{"2261-12-31", "2262-01-01", true, "Dec 31 2261"},
	}
	for _, tc := range tests {
		if got := spanText(store.Period{From: day(tc.from), To: day(tc.to)}, tc.year); got != tc.want {
			t.Errorf("%s..%s: %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

// The score chart's dates are right over any span the store holds: its
// labels added days as a time.Duration, which overflows past 292 years,
// and over more than a year they name the year.
func TestScoreChartLabelsOverCenturies(t *testing.T) {
	from := time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	const days = 213301 // 1678-01-01 to 2262-01-01
	ch := scoreChart(NewTheme(plainRenderer()), 100, 12, from, days, 800)
	v := ch.View()
	if !strings.Contains(v, "Jan 1678") || !strings.Contains(v, "Jan 1973") { // its first and middle labels
		t.Errorf("labels of 1678..2261:\n%s", v)
	}
	ch = scoreChart(NewTheme(plainRenderer()), 100, 12, time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC), 30, 800)
	if v := ch.View(); !strings.Contains(v, "Feb 9") || strings.Contains(v, "2026") {
		t.Errorf("labels of 30 days from Feb 9 2026:\n%s", v)
	}
}

// A conversation's stream names the year of parts not of this year: a
// conversation of 2000-02-29 read "Feb 29 09:30", as if of this year.
func TestStreamNamesTheYearOfOldParts(t *testing.T) {
	m := newTestModel(t, fixtureStore(t), "ada") // its clock: testNow
	say := func(at time.Time) []store.Part {
		return []store.Part{{Event: domain.Event{Kind: domain.EvSay, Conv: "c1", At: at, Actor: domain.Actor{Name: "bob"}, Text: "hello"}}}
	}
	old := strings.Join(renderStream(m.c, say(time.Date(2000, 2, 29, 9, 30, 0, 0, time.UTC)), true, 80), "\n")
	if !strings.Contains(old, "Feb 29 2000 09:30") || !strings.Contains(old, "hello") {
		t.Errorf("a part of 2000-02-29:\n%s", old)
	}
	now := strings.Join(renderStream(m.c, say(testNow.Add(-time.Hour)), true, 80), "\n")
	if strings.Contains(now, itoa(testNow.Year())) || !strings.Contains(now, testNow.Add(-time.Hour).Format("Jan 2 15:04")) {
		t.Errorf("a part of this year:\n%s", now)
	}
}

// A conversation's stream wraps a message at the view's width also where
// it has no space to break at: Japanese or Chinese text, a long link. Word
// wrapping alone left such a line whole, and the view cut it at its edge
// with …, so the rest of the message could not be read.
func TestStreamWrapsTextWithoutSpaces(t *testing.T) {
	m := newTestModel(t, fixtureStore(t), "ada")
	for _, text := range []string{
		strings.Repeat("山田さんの対応は遅かったです。", 4),
		"see https://example.com/" + strings.Repeat("a1b2c3d4", 12) + " for the log",
	} {
		parts := []store.Part{{Event: domain.Event{Kind: domain.EvSay, Conv: "c1", At: testNow.Add(-time.Hour), Actor: domain.User("bob"), Text: text}}}
		const width = 60
		lines := renderStream(m.c, parts, true, width)
		var shown strings.Builder
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("a line of %d cells, over %d: %q", w, width, l)
			}
			shown.WriteString(strings.TrimSpace(ansi.Strip(l)[min(len(ansi.Strip(l)), 13):]))
		}
		if want := strings.ReplaceAll(text, " ", ""); !strings.HasSuffix(strings.ReplaceAll(shown.String(), " ", ""), want) {
			t.Errorf("the stream shows\n%s\nwant all of %q", strings.Join(lines, "\n"), text)
		}
	}
}
