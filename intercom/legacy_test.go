package intercom

import (
	"reflect"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// A store an older csat wrote keeps Intercom teammates under sanitized
// names, its marks naming their admin ids ("admin/991267391=Mo.Farah").
// Whatever an import brings for those admins (their parts, the rating of
// them, their display names) lands on the old keys: one slot and one row
// per teammate, shown by the name Intercom gives; other admins keep their
// ids. The summary lists the old keys.
func TestLegacyTeammateKeysJoinTheOldRows(t *testing.T) {
	sink := newMemSink()
	legacy := domain.MarkEvent(markSource, []string{"admin/991267391=Mo.Farah", "admin/7=7", "admin/8=bad key!"}, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if _, err := sink.ApplyBatch([]domain.Event{legacy}); err != nil {
		t.Fatal(err)
	}
	rep, bad := importFile(t, sink, "testdata/export_v1.jsonl")
	if len(bad) > 0 {
		t.Fatalf("malformed: %v", bad)
	}
	if want := []string{"Mo.Farah (admin 991267391)"}; !reflect.DeepEqual(rep.Legacy, want) {
		t.Errorf("legacy keys %q, want %q", rep.Legacy, want)
	}
	mo, ciaran := domain.Teammate("Mo.Farah"), domain.Teammate("991267390")
	if c := sink.ws.Conversations["2001"]; c.Slot(mo) == nil || c.Slot(domain.Teammate("991267391")) != nil || c.LastTeammate != "Mo.Farah" {
		t.Fatalf("conversation 2001: slots %+v, last teammate %q", c.Slots, c.LastTeammate)
	}
	if c := sink.ws.Conversations["2002"]; c.Slot(ciaran) == nil {
		t.Fatalf("conversation 2002: slots %+v", c.Slots)
	}
	names := map[domain.Actor]string{}
	for _, ev := range sink.log {
		if ev.Kind == domain.EvName {
			names[ev.Actor] = ev.Text
		}
	}
	if names[mo] != "Mo Farah" || names[domain.Teammate("991267391")] != "" || names[ciaran] != "Ciaran Lee" {
		t.Fatalf("names %v", names)
	}
	if again, _ := importFile(t, sink, "testdata/export_v1.jsonl"); again.Applied != 0 {
		t.Fatalf("the second import wrote %d events", again.Applied)
	}
}

// The same through a webhook: the rating of an admin an older csat keyed
// by name goes to that key's slot.
func TestLegacyTeammateKeysByWebhook(t *testing.T) {
	sink := newMemSink()
	legacy := domain.MarkEvent(markSource, []string{"admin/991267390=Ciaran.Lee"}, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if _, err := sink.ApplyBatch([]domain.Event{legacy}); err != nil {
		t.Fatal(err)
	}
	srv := newWebhook(t, sink)
	body := fixture(t, "notification_rating.json")
	if code, a := post(t, srv.URL, body, Sign(secret, body)); code != 200 || a.Status != "ok" {
		t.Fatalf("%d %+v", code, a)
	}
	c := sink.ws.Conversations["1295"]
	if s := c.Slot(domain.Teammate("Ciaran.Lee")); s == nil || s.Value != 5 || c.Slot(domain.Teammate("991267390")) != nil {
		t.Fatalf("slots %+v", c.Slots)
	}
}
