package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares v's indented JSON with testdata/NAME.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
	}
}

var day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// The leaderboard as csat report --format json and /api/report give it.
// 29 positive of 200 is 14.5%, shown 15% (half up), never 14%.
func TestLeaderboardContract(t *testing.T) {
	lb := store.Leaderboard{
		Period: store.Period{From: day, To: day.AddDate(0, 0, 7)},
		Team:   domain.Counts{ByValue: [6]int{0, 100, 40, 31, 20, 9}, Surveys: 400},
		Teammates: []store.AgentRow{
			{Agent: domain.Teammate("Chloé Dubois"), Counts: domain.Counts{ByValue: [6]int{0, 100, 40, 31, 20, 9}, Surveys: 400}},
			{Agent: domain.Teammate("山田 太郎")},
		},
	}
	got := NewLeaderboard(lb, 800)
	if got.Teammates[0].Score != "15%" || got.Team.ResponseRate != "50%" || got.Days != 7 || got.To != "2026-03-08" {
		t.Errorf("29/200: %+v", got.Teammates[0])
	}
	golden(t, "leaderboard", got)
	empty := NewLeaderboard(store.Leaderboard{Period: lb.Period}, 800)
	b, _ := json.Marshal(empty)
	if !strings.Contains(string(b), `"teammates":[]`) || !strings.Contains(string(b), `"bots":[]`) || !strings.Contains(string(b), `"score_value":null`) {
		t.Errorf("an empty leaderboard has [] lists and a null score: %s", b)
	}
	var back Leaderboard
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, empty) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func contractConversation() domain.Conversation {
	at := day.Add(9 * time.Hour)
	return domain.Conversation{
		ID: "c1", Customers: []domain.Actor{domain.User("ann")}, Audience: domain.AudienceUsers, Origin: domain.OriginInbound,
		Channel: domain.ChannelEmail, StartedAt: at, ClosedAt: at.Add(time.Hour), Chars: 268, Messages: 2, Team: "5017691",
		Slots: []domain.Slot{
			{Agent: domain.Teammate("bob"), Requests: 2, FirstRequestAt: at, LastRequestAt: at, Value: 1, FirstRatedAt: at.Add(2 * time.Hour),
				LastChangedAt: at.Add(3 * time.Hour), Comment: `=HYPERLINK("x")`, Commented: true, FollowUp: domain.FollowUp{Stage: domain.StageClaimed}},
			{Agent: domain.Fin, Requests: 1, FirstRequestAt: at},
		},
	}
}

// The export rows, as csat export and /api/export/* give them, in JSON and CSV.
func TestExportContract(t *testing.T) {
	c := contractConversation()
	rows := Ratings(&c, keyName)
	golden(t, "ratings", rows)
	conv := NewConversationRow(&c, c.ClosedAt, c.ClosedAt.Add(time.Hour))
	golden(t, "conversation", conv)
	wantHeader := "conversation,agent,agent_kind,customer,value,class,comment,first_rated,last_changed,first_requested,requests,followup,agent_name,customer_name,team,team_name"
	if got := strings.Join(CSVHeader(rows[0]), ","); got != wantHeader {
		t.Errorf("ratings header %s", got)
	}
	if got := strings.Join(CSVRecord(rows[1]), ","); got != "c1,fin,bot,user:ann,,none,,,,2026-03-02T09:00:00Z,1,open,fin,ann,5017691,5017691" {
		t.Errorf("unrated slot %s", got)
	}
	if got := strings.Join(CSVHeader(conv), ","); got != "conversation,customer,audience,origin,channel,state,started,updated,closed,chars,messages,customers,slots,rated,team,team_name" {
		t.Errorf("conversations header %s", got)
	}
}

// /api/state spells settings as the CLI does, and they read back exactly.
func TestStateContract(t *testing.T) {
	st := domain.DefaultSettings()
	st.Profile = domain.ProfileOperator
	st.TargetPermille = 855
	st.Users.ChangeWindowHours = 72
	s := State{Now: day, Latest: day.Add(-time.Hour), Seq: 42, Dir: "/data", Settings: NewSettings(st)}
	golden(t, "state", s)
	back, err := s.Settings.Domain()
	if err != nil || back != st {
		t.Errorf("settings read back as %+v, %v", back, err)
	}
	if _, err := (Settings{"users.csat": "maybe"}).Domain(); err == nil || !strings.Contains(err.Error(), "maybe") {
		t.Errorf("a bad value names itself: %v", err)
	}
}

// whatif --format json: overrides as the CLI spells them, reasons in RULES.md order.
func TestWhatIfContract(t *testing.T) {
	rep := simulate.WhatIfReport{
		Until: day, Events: 12, Overrides: []simulate.Override{{Key: domain.SettingKey{Scope: "users", Name: "csat"}, Value: "off"}},
		Actual:     simulate.SurveyTally{Closes: 4, Sent: 3, Skipped: 1, SkippedBy: simulate.ReasonCounts{domain.CodeTooShort: 1}, Ratings: 2},
		WhatIf:     simulate.SurveyTally{Closes: 4, Sent: 1, Skipped: 3, SkippedBy: simulate.ReasonCounts{domain.CodeTooShort: 1, domain.CodeWorkflowOutboundOff: 1, domain.CodeDisabled: 3}, Ratings: 1, RefusedChanges: 1},
		NowSkipped: 2,
		Helpdesk: simulate.HelpdeskWhatIf{Conversations: 2,
			Current:    simulate.SurveyTally{Closes: 2, Sent: 1, Skipped: 1, SkippedBy: simulate.ReasonCounts{domain.CodeTooShort: 1}},
			WhatIf:     simulate.SurveyTally{Closes: 2, Skipped: 2, SkippedBy: simulate.ReasonCounts{domain.CodeTooShort: 1, domain.CodeDisabled: 2}},
			NowSkipped: 1},
	}
	golden(t, "whatif", NewWhatIf(rep))
	b, _ := json.Marshal(NewWhatIf(rep))
	if want := `"skipped_by":{"disabled":3,"workflow_outbound_off":1,"too_short":1}`; !strings.Contains(string(b), want) {
		t.Errorf("reasons not in RULES.md order: %s lacks %s", b, want)
	}
	b, _ = json.Marshal(NewWhatIf(simulate.WhatIfReport{}))
	if !strings.Contains(string(b), `"overrides":[]`) || !strings.Contains(string(b), `"skipped_by":{}`) || !strings.Contains(string(b), `"since":null`) ||
		!strings.Contains(string(b), `"helpdesk":null`) {
		t.Errorf("nothing changed: %s", b)
	}
}

func TestCheckContract(t *testing.T) {
	a := NewCheckAnswer(7, []store.Difference{{Key: "conversation c1", Stored: "x", Replayed: ""}})
	golden(t, "check", a)
	if d := a.Store(); len(d) != 1 || d[0].Key != "conversation c1" || d[0].Stored != "x" {
		t.Errorf("back to the store's differences: %+v", d)
	}
	b, _ := json.Marshal(NewCheckAnswer(7, nil))
	if string(b) != `{"seq":7,"differences":[]}` {
		t.Errorf("no differences: %s", b)
	}
}

// WriteArray and ReadArray carry rows one at a time, [] when there are none.
func TestArrays(t *testing.T) {
	c := contractConversation()
	var buf bytes.Buffer
	rows := Ratings(&c, keyName)
	err := WriteArray(&buf, func(fn func(RatingRow) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var whole []RatingRow
	if err := json.Unmarshal(buf.Bytes(), &whole); err != nil || len(whole) != 2 {
		t.Fatalf("not one JSON array: %v\n%s", err, buf.String())
	}
	var got []RatingRow
	if err := ReadArray(&buf, func(r RatingRow) error { got = append(got, r); return nil }); err != nil || !reflect.DeepEqual(got, whole) {
		t.Errorf("read back %+v, %v", got, err)
	}
	buf.Reset()
	WriteArray(&buf, func(func(RatingRow) error) error { return nil })
	if strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no rows: %q", buf.String())
	}
	if err := ReadArray(strings.NewReader(`[{"conversation":"c1"}`), func(RatingRow) error { return nil }); err == nil {
		t.Error("a cut array is an error")
	}
	if err := ReadArray(strings.NewReader(`{"error":"x"}`), func(RatingRow) error { return nil }); err == nil {
		t.Error("an object is not an array")
	}
}

// keyName shows an identity by its key, as a store without names does.
func keyName(a domain.Actor) string { return domain.DisplayName(a, "") }

func TestObservedContract(t *testing.T) {
	c := intercom.Comparison{Observed: 3, Agree: 1, Skipped: 2, SkippedBy: map[string]int{"too_short": 2},
		Diverging: []intercom.Divergence{{Conv: "215468", Agent: domain.Actor{Kind: domain.KindTeammate, Name: "5017005"}, Value: 5, Rules: "skipped: too_short (212/250 chars)"}}}
	name := func(a domain.Actor) string { return map[string]string{"5017005": "山田 太郎"}[a.Name] }
	golden(t, "observed", NewObserved(&c, name))
	b, _ := json.Marshal(NewObserved(&intercom.Comparison{}, name))
	if !strings.Contains(string(b), `"skipped_by":{}`) || !strings.Contains(string(b), `"diverging":[]`) {
		t.Errorf("empty comparison: %s", b)
	}
}

// The days of a report span past time.Duration's 292 years: "all" of a
// store with a rating of 1678 said 106751 days to 2026-12-02.
func TestLeaderboardDaysAtTheEdgesOfTime(t *testing.T) {
	p := store.Period{From: time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
	lb := NewLeaderboard(store.Leaderboard{Period: p}, 800)
	if lb.From != "1678-01-01" || lb.To != "2026-12-02" || lb.Days != 127440 {
		t.Errorf("from %s to %s, %d days; want 1678-01-01 to 2026-12-02, 127440 days", lb.From, lb.To, lb.Days)
	}
}
