package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// helpdeskStore holds an admin and only Intercom's conversations: two
// long ones a teammate closed, which the rules would send a survey on,
// and a short one they would skip.
func helpdeskStore(t *testing.T) *store.Store {
	t.Helper()
	st := emptyStore(t)
	at := testNow.Add(-48 * time.Hour)
	apply := func(ev domain.Event) {
		t.Helper()
		at = at.Add(time.Minute)
		ev.At = at
		if _, err := st.Apply(ev); err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
	}
	apply(domain.Event{Kind: domain.EvRole, By: "ada", Role: domain.RoleAdmin})
	long := strings.Repeat("Chloé répond 山田 ", 20)
	for _, c := range []struct {
		id, text string
	}{{"4001", long}, {"4002", long}, {"4003", "merci"}} {
		apply(domain.Event{Kind: domain.EvStart, Conv: c.id, Actor: domain.User("c-" + c.id), By: "intercom"})
		apply(domain.Event{Kind: domain.EvSay, Conv: c.id, Actor: domain.Teammate("5017001"), Text: c.text})
		apply(domain.Event{Kind: domain.EvClose, Conv: c.id, Actor: domain.Teammate("5017001")})
	}
	return st
}

// On Intercom's data the settings preview shows the rules' decisions in
// Intercom's conversations, wrapped whole at 80x24.
func TestSettingsPreviewShowsIntercomConversations(t *testing.T) {
	d := drive(t, newTestModel(t, helpdeskStore(t), "ada"), 80, 24)
	d.keys("6", "home", "enter") // users: ask for rating off
	// The change figures stay whole on their line, wherever it wraps.
	view := d.view()
	for _, want := range []string{"Intercom's 3 conversations,", "as the rules decide", "sent\u00a02\u00a0→\u00a00,", "skipped\u00a01\u00a0→\u00a03"} {
		if !strings.Contains(view, want) {
			t.Errorf("the screen lacks %q:\n%s", want, view)
		}
	}
	for _, l := range strings.Split(view, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Fatalf("a line of %d columns: %q", n, l)
		}
	}
	d.keys("enter") // back on: nothing pending, no preview
	d.lacks("Intercom's 3 conversations")
}
