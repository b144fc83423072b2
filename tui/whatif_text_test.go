package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/store"
)

// A skip counts under each rule it fails, so the rules' rows of the
// preview need not add up to the change in sent: turning direct outbound
// off skips a sent survey (sent 1 → 0) and adds direct_outbound_off to a
// close already skipped as too short (direct_outbound_off 0 → 2). The
// preview shows the skips themselves too, which move as sent does, and
// says that a skip can fail several rules.
func TestWhatIfPreviewReconciles(t *testing.T) {
	st, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	apply := func(ev domain.Event) {
		t.Helper()
		ev.At, at = at, at.Add(time.Minute)
		if _, err := st.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	long := strings.Repeat("x", 200)
	alice, bob := domain.User("alice"), domain.Teammate("bob")
	apply(domain.Event{Kind: domain.EvClock})
	for conv, text := range map[string]string{"sent": long, "short": "ok"} {
		apply(domain.Event{Kind: domain.EvStart, Conv: conv, Actor: alice, Origin: domain.OriginDirect, Agent: bob})
		apply(domain.Event{Kind: domain.EvSay, Conv: conv, Actor: bob, Text: text})
		apply(domain.Event{Kind: domain.EvSay, Conv: conv, Actor: alice, Text: text})
		apply(domain.Event{Kind: domain.EvClose, Conv: conv, Actor: bob})
	}
	proposed := st.Settings()
	if err := proposed.Set(domain.SettingKey{Scope: "users", Name: "direct-outbound"}, "off"); err != nil {
		t.Fatal(err)
	}
	w, err := StoreWhatIf(st)(t.Context(), proposed, whatIfSpan)
	if err != nil {
		t.Fatal(err)
	}
	if w.Actual.Sent != 1 || w.Would.Sent != 0 || w.Would.SkippedBy[domain.CodeDirectOutboundOff] != 2 {
		t.Fatalf("the what-if counts sent %d → %d, direct_outbound_off %d; want 1 → 0 and 2", w.Actual.Sent, w.Would.Sent, w.Would.SkippedBy[domain.CodeDirectOutboundOff])
	}
	if w.Actual.Sent+w.Actual.Skipped != w.Would.Sent+w.Would.Skipped {
		t.Fatalf("sent and skipped add up to %d before and %d after", w.Actual.Sent+w.Actual.Skipped, w.Would.Sent+w.Would.Skipped)
	}
	golden.RequireEqual(t, []byte(whatIfText(w)))
}
