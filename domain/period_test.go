package domain

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 4, 0, 0, time.UTC) // a Wednesday
	for _, c := range []struct {
		name, from, to string // to is exclusive; from "" is open
		prevFrom       string // "" when there is none
	}{
		{"today", "2026-12-02", "2026-12-03", "2026-12-01"},
		{"7d", "2026-11-26", "2026-12-03", "2026-11-19"},
		{"30d", "2026-11-03", "2026-12-03", "2026-10-04"},
		{"90d", "2026-09-04", "2026-12-03", "2026-06-06"},
		{"this-week", "2026-11-30", "2026-12-03", "2026-11-27"},
		{"this-month", "2026-12-01", "2026-12-03", "2026-11-29"},
		{"last-month", "2026-11-01", "2026-12-01", "2026-10-02"},
		{"all", "", "2026-12-03", ""},
		{"2026-02-27..2026-03-02", "2026-02-27", "2026-03-03", "2026-02-23"},
		{"2026-03-01..2026-03-01", "2026-03-01", "2026-03-02", "2026-02-28"},
	} {
		p, err := ParsePeriod(c.name, now)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.from != "" && !p.From.Equal(day(c.from)) || c.from == "" && !p.From.IsZero() || !p.To.Equal(day(c.to)) {
			t.Errorf("%s: %s..%s, want %s..%s", c.name, p.From, p.To, c.from, c.to)
		}
		prev, ok := p.Previous()
		switch {
		case c.prevFrom == "" && ok:
			t.Errorf("%s: a previous period %v", c.name, prev)
		case c.prevFrom != "" && (!ok || !prev.From.Equal(day(c.prevFrom)) || !prev.To.Equal(p.From) || prev.Days() != p.Days()):
			t.Errorf("%s: previous %s..%s (%d days), want from %s, %d days", c.name, prev.From, prev.To, prev.Days(), c.prevFrom, p.Days())
		}
	}
	// Sunday is the last day of its week.
	if p, _ := ParsePeriod("this-week", day("2026-12-06")); !p.From.Equal(day("2026-11-30")) {
		t.Errorf("this-week on a Sunday starts %s", p.From)
	}
	// January's last month is the December before.
	if p, _ := ParsePeriod("last-month", day("2027-01-15")); !p.From.Equal(day("2026-12-01")) || !p.To.Equal(day("2027-01-01")) {
		t.Errorf("last-month in January: %s..%s", p.From, p.To)
	}
	for _, bad := range []string{"12d", "", "2026-03-02..2026-03-01", "2026-13-01..2026-13-02", "..", "week"} {
		if _, err := ParsePeriod(bad, now); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := ParsePeriod("12d", now); !strings.Contains(err.Error(), `"12d"`) {
		t.Errorf("error does not name the value: %v", err)
	}
}

func TestCompare(t *testing.T) {
	c := func(pos, neg int) Counts { return Counts{ByValue: [6]int{0, neg, 0, 0, pos, 0}} }
	for _, x := range []struct {
		cur, prev     Counts
		text, arrow   string
		ratingsChange int
	}{
		{c(9, 1), c(8, 2), "▲ +10 pts", "▲", 0},
		{c(2, 1), c(3, 0), "▼ −33.3 pts", "▼", 0},
		{c(1, 1), c(2, 2), "=", "", -2},
		{c(1, 0), Counts{}, "—", "", 1},
		{Counts{}, c(0, 1), "—", "", -1},
	} {
		d := Compare(x.cur, x.prev)
		if d.ScoreText() != x.text || d.Arrow() != x.arrow || d.Ratings != x.ratingsChange {
			t.Errorf("%v vs %v: %q %q %d, want %q %q %d", x.cur, x.prev, d.ScoreText(), d.Arrow(), d.Ratings, x.text, x.arrow, x.ratingsChange)
		}
	}
}

func TestFilterMatches(t *testing.T) {
	f, err := ParseFilter("email", "", "outbound")
	if err != nil {
		t.Fatal(err)
	}
	for s := Segment(0); s < NumSegments; s++ {
		want := s&SegEmail != 0 && s&SegOutbound != 0
		if f.Matches(s) != want {
			t.Errorf("%s: matches %v", s, !want)
		}
		if !(Filter{}).Matches(s) {
			t.Errorf("the open filter refuses %s", s)
		}
	}
	if f.String() != "channel=email origin=outbound" {
		t.Errorf("String %q", f.String())
	}
	for _, bad := range [][3]string{{"sms", "", ""}, {"", "visitors", ""}, {"", "", "direct"}} {
		if _, err := ParseFilter(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	for o, out := range map[Origin]bool{OriginInbound: false, OriginVisitorMessage: false, OriginDirect: true,
		OriginWorkflow: true, OriginAPI: true, OriginMessage: true, OriginCustomBot: true} {
		c := Conversation{Origin: o, Channel: ChannelEmail, Audience: AudienceLeads}
		if got := SegmentOf(&c); got&SegOutbound != 0 != out || got&SegEmail == 0 || got&SegLeads == 0 {
			t.Errorf("%s: segment %s", o, got)
		}
	}
}

func TestTeamEvents(t *testing.T) {
	w := NewWorkspace()
	apply := func(ev Event) error { ev.Kind = EvTeam; _, err := w.Apply(ev); return err }
	for _, ev := range []Event{
		{Conv: "billing", Text: "Billing & Accounts 💳"},
		{Conv: "billing", Agent: Teammate("bob")},
		{Conv: "billing", Agent: Teammate("alice")},
		{Conv: "billing", Agent: Teammate("alice")}, // twice is once
		{Conv: "vip", Agent: Teammate("alice")},
		{Conv: "vip", Agent: Teammate("carol")},
		{Conv: "vip", Agent: Teammate("carol"), Value: TeamLeave},
	} {
		if err := apply(ev); err != nil {
			t.Fatalf("%+v: %v", ev, err)
		}
	}
	got := SortedTeams(w.Teams)
	if len(got) != 2 || got[0].Name != "Billing & Accounts 💳" || strings.Join(got[0].Members, ",") != "alice,bob" ||
		got[1].Name != "vip" || strings.Join(got[1].Members, ",") != "alice" || !got[0].Has("bob") || got[1].Has("bob") {
		t.Fatalf("teams %+v", got)
	}
	for _, bad := range []Event{
		{Conv: "has space"},
		{Conv: "x", Text: "esc \x1b[31m"},
		{Conv: "x", Agent: User("u1")},
		{Conv: "x", Agent: Teammate("a"), Value: 7},
		{Conv: "x", Text: strings.Repeat("é", 150)},
	} {
		if err := apply(bad); err == nil {
			t.Errorf("%+v: accepted", bad)
		}
	}
	if len(w.Teams) != 2 {
		t.Errorf("a refused event changed the teams: %v", w.Teams)
	}
}

// A period's days count past time.Duration's 292 years: all of the
// store's times (1678-01-01 to 2261-12-31) are 213,301 days, and a period
// from 1678 to 2026 (127,439) read 106,751.
func TestPeriodDaysAtTheEdgesOfTime(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"1678-01-01", "2261-12-31", 213301},
		{"1678-01-01", "2026-12-01", 127439},
		{"2000-02-28", "2000-03-01", 3}, // a leap day
		{"2100-02-28", "2100-03-01", 2}, // no leap day
	}
	for _, tc := range tests {
		p, err := CustomPeriod(tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Days(); got != tc.want {
			t.Errorf("%s..%s: %d days, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}
