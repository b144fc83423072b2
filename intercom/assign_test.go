package intercom_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// teamsFixture holds conversations assigned to teams (2.14 conversation
// schema, team_assignee_id): 4101 to 5017691 (an integer), 4102 to "814"
// (a string), 4103 null, 4104 "0" (none), 4105 a hostile non-id.
const teamsFixture = "testdata/real/teams.json"

// assignedTeams is each conversation's team, "-" for none.
func assignedTeams(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := st.EachConversation(func(c domain.Conversation, _ time.Time) error {
		out[c.ID] = c.Team
		if c.Team == "" {
			out[c.ID] = "-"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var wantTeams = map[string]string{"4101": "5017691", "4102": "814", "4103": "-", "4104": "-", "4105": "-"}

// TestTeamAssigneeThroughImportAndWebhooks: team_assignee_id is the
// conversation's team, by import and by webhooks alike; a team id that is
// no id is left out and reported; the export rows carry the team and its
// display name once the team is known by name.
func TestTeamAssigneeThroughImportAndWebhooks(t *testing.T) {
	imported := openStore(t, store.Options{InMemory: true})
	defer imported.Close()
	rep := importReal(t, imported, teamsFixture)
	var reasons []string
	for _, s := range rep.Skipped {
		reasons = append(reasons, s.What+": "+s.Reason)
	}
	if got := strings.Join(reasons, "\n"); !strings.Contains(got, `team_assignee_id "bad id\x1b[2J": not a team id`) {
		t.Errorf("the hostile team id is not reported: %s", got)
	}
	if got := assignedTeams(t, imported); !equalMaps(got, wantTeams) {
		t.Errorf("imported teams %v, want %v", got, wantTeams)
	}

	hooked := openStore(t, store.Options{InMemory: true})
	defer hooked.Close()
	wh := webhookOn(t, hooked)
	for _, c := range rawConversations(t, teamsFixture) {
		for _, n := range notifications(t, c) {
			deliverTo(t, wh, n)
		}
	}
	if got := assignedTeams(t, hooked); !equalMaps(got, wantTeams) {
		t.Errorf("teams by webhook %v, want %v", got, wantTeams)
	}

	// Named by GET /teams (or csat teams add): the rows show the name.
	if _, err := imported.ApplyBatch([]domain.Event{{Kind: domain.EvTeam, At: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), Conv: "5017691", Text: "Facturación 💶"}}); err != nil {
		t.Fatal(err)
	}
	var rows []string
	err := report.EachRating(imported, func(r report.RatingRow) error {
		rows = append(rows, r.Conversation+" "+r.Team+" "+r.TeamName)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "4101 5017691 Facturación 💶|4102 814 814|4103  |4105  " // 4104 was not rated: no slot
	if got := strings.Join(rows, "|"); got != want {
		t.Errorf("rating rows %q, want %q", got, want)
	}
	if diffs, err := imported.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// A conversation moved to another team, then to none: the newest
// payload's team wins, whatever order the notifications arrive in; a
// retried older one changes nothing, and neither does a redelivery. (One
// order is not covered: "none" delivered before any assignment of a
// conversation never assigned is not written, so an older assignment
// delivered after it wins.)
func TestTeamReassignmentInAnyOrder(t *testing.T) {
	c := rawConversations(t, teamsFixture)[0] // 4101, on 5017691, updated_at B+900
	at := func(team any, updated float64) []byte {
		cp := map[string]any{}
		for k, v := range c {
			cp[k] = v
		}
		cp["team_assignee_id"], cp["updated_at"] = team, updated
		b, err := json.Marshal(map[string]any{"type": "notification_event", "id": "notif_team_" + jsonText(team) + "_" + jsonText(updated),
			"topic": "conversation.admin.assigned", "created_at": updated, "data": map[string]any{"type": "notification_event_data", "item": cp}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	updated := c["updated_at"].(float64)
	first, moved, cleared := at(5017691.0, updated), at("814", updated+600), at(nil, updated+1200)
	for name, order := range map[string][][]byte{
		"in order":       {first, moved, cleared},
		"newest last":    {first, cleared, moved},
		"middle first":   {moved, first, cleared, moved},
		"without clear":  {moved, first},
		"retried oldest": {first, moved, first},
	} {
		st := openStore(t, store.Options{InMemory: true})
		wh := webhookOn(t, st)
		for _, n := range order {
			deliverTo(t, wh, n)
		}
		want := ""
		if name == "without clear" || name == "retried oldest" {
			want = "814"
		}
		got, _ := st.Conversation("4101")
		if got.Team != want {
			t.Errorf("%s: team %q, want %q", name, got.Team, want)
		}
		if a, _ := wh.Ingest(order[len(order)-1]); a.Applied != 0 {
			t.Errorf("%s: a redelivery wrote %d events", name, a.Applied)
		}
		st.Close()
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}
