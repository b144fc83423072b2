package intercom_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/intercom/intercomtest"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/store"
)

func teamsText(st *store.Store) string {
	var b strings.Builder
	for _, t := range st.Teams() {
		fmt.Fprintf(&b, "%s %q %s\n", t.ID, t.Name, strings.Join(t.Members, ","))
	}
	return b.String()
}

// TestSyncWritesTeams: a sync records Intercom's teams with their display
// names and members from both sides of the directory (a team's admin_ids,
// an admin's team_ids); a rerun writes nothing; a member Intercom drops
// leaves; a teammate in two teams counts in both rows and once in the
// workspace row.
func TestSyncWritesTeams(t *testing.T) {
	f := intercomtest.New(t, 30)
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	var w waits
	var log bytes.Buffer
	rep, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, log.String())
	}
	want := "814866 \"Billing 💳[31m\" 991267390,991267392\n814865 \"Support — Europe\" 991267390,991267391\n" // teammates are keyed by admin id
	if got := teamsText(st); got != want || rep.TeamChanges != 6 {
		t.Fatalf("teams after the sync (%d changes):\n%s\nwant\n%s", rep.TeamChanges, got, want)
	}
	lb, err := st.Leaderboard(store.Period{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]domain.Counts{}
	for _, r := range lb.Teammates {
		rows[r.Agent.Name] = r.Counts
	}
	var billing, support domain.Counts
	billing.Add(rows["991267390"])
	billing.Add(rows["991267392"])
	support.Add(rows["991267390"])
	support.Add(rows["991267391"])
	if len(lb.Teams) != 2 || lb.Teams[0].Counts != billing || lb.Teams[1].Counts != support || billing.Rated() == 0 {
		t.Fatalf("team rows %+v, want billing %+v and support %+v", lb.Teams, billing, support)
	}
	if lb.Team.Rated() >= billing.Rated()+support.Rated() {
		t.Fatalf("the workspace row %+v counts Chloé twice (teams %+v, %+v)", lb.Team, billing, support)
	}

	rep, err = intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil || rep.TeamChanges != 0 {
		t.Fatalf("rerun: %d team changes, %v", rep.TeamChanges, err)
	}

	// 山田 太郎 leaves Support, on both sides of the directory.
	teams := intercomtest.DefaultTeams()
	teams[0]["admin_ids"] = []int{991267390}
	teams[0]["name"] = "Support"
	var admins []map[string]any
	for _, a := range intercomtest.Admins {
		b := map[string]any{}
		for k, v := range a {
			b[k] = v
		}
		if b["id"] == "991267391" {
			b["team_ids"] = []int{}
		}
		admins = append(admins, b)
	}
	f.SetDirectory(admins, teams)
	if _, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log)); err != nil {
		t.Fatal(err)
	}
	want = "814866 \"Billing 💳[31m\" 991267390,991267392\n814865 \"Support\" 991267390\n"
	if got := teamsText(st); got != want {
		t.Fatalf("teams after a member left:\n%s\nwant\n%s", got, want)
	}
}

// TestSyncAssignsConversationsToTeams: a synced conversation is on the team
// its team_assignee_id names, and the export rows show that team's display
// name from GET /teams (control characters gone), apart from the
// membership that team rows count.
func TestSyncAssignsConversationsToTeams(t *testing.T) {
	f := intercomtest.New(t, 12)
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	var w waits
	var log bytes.Buffer
	if _, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log)); err != nil {
		t.Fatalf("sync: %v\n%s", err, log.String())
	}
	var got []string
	err := report.EachConversation(st, func(r report.ConversationRow) error {
		got = append(got, r.Conversation+" "+r.Team+" "+r.TeamName)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range got {
		want := fmt.Sprintf("%d 814865 Support — Europe", 5000+i)
		if i%4 == 0 {
			want = fmt.Sprintf("%d 814866 Billing 💳[31m", 5000+i)
		}
		if row != want {
			t.Errorf("row %d: %q, want %q", i, row, want)
		}
	}
	if len(got) != 12 {
		t.Fatalf("%d conversations", len(got))
	}
	rep, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil || rep.Applied != 0 {
		t.Fatalf("rerun wrote %d events, %v", rep.Applied, err)
	}
}
