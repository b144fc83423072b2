package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// addTeams gives the fixture two teams (ada in both) and a few email
// conversations in its last week, some from leads, one outbound, so that
// the team, the filters and the period before all have something to show.
func addTeams(t testing.TB, st *store.Store) {
	t.Helper()
	apply := func(ev domain.Event) {
		t.Helper()
		if _, err := st.Apply(ev); err != nil {
			t.Fatalf("%s %s: %v", ev.Kind, ev.Conv, err)
		}
	}
	at := time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)
	for _, m := range []struct{ team, name, member string }{
		{"support", "Support", "ada"}, {"support", "", "bob"}, {"support", "", "tom"},
		{"billing", "Billing & Accounts", "cleo"}, {"billing", "", "dan"}, {"billing", "", "ada"},
	} {
		apply(domain.Event{Kind: domain.EvTeam, Conv: m.team, Text: m.name, Agent: domain.Teammate(m.member), At: at})
	}
	for i, r := range []struct {
		mate   string
		value  int
		cust   domain.Actor
		origin domain.Origin
	}{
		{"bob", 5, domain.User("eve"), domain.OriginInbound},
		{"bob", 4, domain.Lead("lee"), domain.OriginInbound},
		{"cleo", 1, domain.Lead("max"), domain.OriginInbound},
		{"cleo", 5, domain.User("ivy"), domain.OriginInbound},
		{"ada", 2, domain.User("joe"), domain.OriginDirect},
		{"tom", 5, domain.User("kim"), domain.OriginInbound},
	} {
		conv := "mail" + itoa(i+1)
		at = at.Add(5 * time.Hour)
		start := domain.Event{Kind: domain.EvStart, Conv: conv, Actor: r.cust, Channel: domain.ChannelEmail, Origin: r.origin, At: at}
		if r.origin == domain.OriginDirect {
			start.Agent = domain.Teammate(r.mate)
		}
		apply(start)
		apply(domain.Event{Kind: domain.EvSay, Conv: conv, Actor: r.cust, Text: strings.Repeat("The invoice shows the wrong amount for March. ", 4), At: at})
		apply(domain.Event{Kind: domain.EvSay, Conv: conv, Actor: domain.Teammate(r.mate), Text: strings.Repeat("Corrected and sent again, sorry for the trouble. ", 4), At: at.Add(10 * time.Minute)})
		apply(domain.Event{Kind: domain.EvClose, Conv: conv, Actor: domain.Teammate(r.mate), At: at.Add(20 * time.Minute)})
		apply(domain.Event{Kind: domain.EvRate, Conv: conv, Actor: r.cust, Value: r.value, At: at.Add(time.Hour)})
	}
}
