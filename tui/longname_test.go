package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// A very long name (Intercom allows any) is cut where it is shown, never
// what follows it: the leaderboard's * (too few ratings to rank), the face
// of its rating in the conversation list, and the period and score on the
// teammate's page were cut away with the end of the name.
func TestLongNameLeavesWhatFollowsIt(t *testing.T) {
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const long = "Bartholomew Maximilian Fitzgerald-Worthington the Third of the Very Long Names Department"
	at := testNow.Add(-48 * time.Hour)
	cust := domain.User("contact-1")
	evs := []domain.Event{
		{Kind: domain.EvStart, At: at, Conv: "c1", Actor: cust, By: "intercom"},
		{Kind: domain.EvObserve, At: at, Conv: "c1", Actor: cust, Agent: domain.Teammate("5017005"), Value: 1, Text: "slow"},
		{Kind: domain.EvName, At: at, Actor: domain.Teammate("5017005"), Text: long},
		{Kind: domain.EvRole, At: at, By: "ada", Role: domain.RoleAdmin},
	}
	if _, err := st.ApplyBatch(evs); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{100, 30}, {80, 24}} {
		d := drive(t, newTestModel(t, st, "ada"), size[0], size[1])
		if line := lineWith(d.view(), "Bartholomew"); !strings.Contains(line, "… *") {
			t.Errorf("%dx%d leaderboard row lost its * :\n%s", size[0], size[1], line)
		}
		d.keys("enter")
		if line := lineWith(d.view(), "Bartholomew"); !strings.Contains(line, "· score 0%") || !strings.Contains(line, "…") {
			t.Errorf("%dx%d teammate page title lost its score:\n%s", size[0], size[1], line)
		}
		d.keys("esc", "4")
		if line := lineWith(d.view(), "c1 "); !strings.Contains(line, "Barth") || !strings.HasSuffix(line, "… 😠") {
			t.Errorf("%dx%d conversation row lost its face:\n%s", size[0], size[1], line)
		}
	}
}

// lineWith is the first line of view holding s.
func lineWith(view, s string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// The settings panel's header names its columns where they start: "value"
// stood two cells left of the values.
func TestSettingsHeaderAlignsWithItsColumns(t *testing.T) {
	d := drive(t, newTestModel(t, fixtureStore(t), "ada"), 100, 30)
	d.keys("6")
	header, row := lineWith(d.view(), "audit trail"), lineWith(d.view(), "survey app")
	h, r := strings.Index(header, "value"), strings.Index(row, "builtin")
	if h < 0 || r < 0 || ansi.StringWidth(header[:h]) != ansi.StringWidth(row[:r]) {
		t.Errorf("header and row:\n%s\n%s", header, row)
	}
	if s := strings.Index(header, "setting"); s != strings.Index(row, "survey") {
		t.Errorf("setting column:\n%s\n%s", header, row)
	}
}
