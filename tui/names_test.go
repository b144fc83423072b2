package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// An Intercom workspace: teammates keyed by admin id, shown by their names
// in any script, with ratings whose sends Intercom did not report.
func TestIntercomNamesOnTheDashboard(t *testing.T) {
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := testNow.Add(-48 * time.Hour)
	var evs []domain.Event
	for i, r := range []struct {
		admin string
		value int
	}{{"5017005", 1}, {"5017005", 5}, {"5017001", 5}, {"5017001", 4}, {"5017001", 5}} {
		conv, cust := "c"+itoa(i), domain.User("contact-"+itoa(i))
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: conv, Actor: cust, By: "intercom"},
			domain.Event{Kind: domain.EvObserve, At: at, Conv: conv, Actor: cust, Agent: domain.Teammate(r.admin), Value: r.value, Text: "remark " + itoa(i)})
	}
	evs = append(evs,
		domain.Event{Kind: domain.EvName, At: at, Actor: domain.Teammate("5017005"), Text: "山田 太郎"},
		domain.Event{Kind: domain.EvName, At: at, Actor: domain.Teammate("5017001"), Text: "Chloé Dubois"},
		domain.Event{Kind: domain.EvRole, At: at, By: "ada", Role: domain.RoleAdmin})
	if _, err := st.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.contains("山田 太郎", "Chloé Dubois")
	d.lacks("5017005", "5017001")
	// Both rows keep their columns: the score ends at the same cell.
	col := map[string]int{}
	for _, line := range strings.Split(d.view(), "\n") {
		for _, name := range []string{"山田 太郎", "Chloé Dubois"} {
			if _, seen := col[name]; seen {
				continue // the detail line names the cursor's row again
			}
			if i := strings.Index(line, name); i >= 0 {
				rest := line[i+len(name):]
				col[name] = ansi.StringWidth(line[:i+len(name)]) + ansi.StringWidth(rest[:strings.Index(rest, "%")])
			}
		}
	}
	if len(col) != 2 || col["山田 太郎"] != col["Chloé Dubois"] {
		t.Fatalf("score columns %v:\n%s", col, d.view())
	}
	d.keys("2") // follow-ups: the 1 for 山田 太郎, in the list and its detail
	d.contains("山田 太郎", "remark 0", "terrible for 山田 太郎")
	d.lacks("5017005")
	// A filter finds a teammate by the name shown, as on the leaderboard.
	d.keys("3", "/", "Chloé", "enter")
	d.contains("remark 2", "remark 3", "remark 4")
	d.lacks("remark 1")
	d.keys("esc", "esc")
	d.keys("1", "down")
	d.contains("surveys —")
}

// Customers keyed by Intercom contact id are listed by their names, as
// their conversations show them: every list (follow-ups, happy comments,
// conversations, a teammate's page) showed the contact id.
func TestCustomerNamesInEveryList(t *testing.T) {
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := testNow.Add(-48 * time.Hour)
	var evs []domain.Event
	for i, r := range []struct {
		contact, name string
		value         int
	}{{"6643703ffae7834d1792fd30", "José Ñúñez", 1}, {"6643703ffae7834d1792fd31", "李小龙", 5}} {
		conv, cust := "c"+itoa(i), domain.User(r.contact)
		evs = append(evs,
			domain.Event{Kind: domain.EvStart, At: at, Conv: conv, Actor: cust, By: "intercom"},
			domain.Event{Kind: domain.EvObserve, At: at, Conv: conv, Actor: cust, Agent: domain.Teammate("5017001"), Value: r.value, Text: "remark " + itoa(i)},
			domain.Event{Kind: domain.EvName, At: at, Actor: cust, Text: r.name})
	}
	evs = append(evs, domain.Event{Kind: domain.EvRole, At: at, By: "ada", Role: domain.RoleAdmin},
		domain.Event{Kind: domain.EvName, At: at, Actor: domain.Teammate("5017001"), Text: "Chloé Dubois"})
	if _, err := st.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	d := drive(t, newTestModel(t, st, "ada"), 100, 30)
	d.keys("4") // the ratings column names the teammate too
	d.contains("Chloé Dubois 😠", "Chloé Dubois 🤩")
	d.lacks("5017001")
	for _, tab := range [][]string{{"2"}, {"3"}, {"4"}, {"1", "enter"}} {
		d.keys(tab...)
		switch tab[0] {
		case "2":
			d.contains("José Ñúñez")
		case "3":
			d.contains("李小龙")
		default:
			d.contains("José Ñúñez", "李小龙")
		}
		d.lacks("6643703ffae")
	}
}
