package domain

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzSettingsSet: any key and value is either refused with an error that
// names the key, leaving the settings as they were, or read back as set.
func FuzzSettingsSet(f *testing.F) {
	for _, k := range AllSettingKeys() {
		f.Add(k.String(), "on")
	}
	f.Add("users.rating-window", "8761")
	f.Add("workspace.target", "66.7%")
	f.Add("leads.survey-app", "inbox:x")
	f.Fuzz(func(t *testing.T, key, value string) {
		k, err := ParseSettingKey(key)
		if err != nil {
			return
		}
		s := DefaultSettings()
		if err := s.Set(k, value); err != nil {
			if s != DefaultSettings() {
				t.Fatalf("refused %s=%q but changed the settings", key, value)
			}
			if !strings.Contains(err.Error(), k.String()) && !strings.Contains(err.Error(), k.Scope) {
				t.Fatalf("error %q does not name %s", err, k)
			}
			return
		}
		again := DefaultSettings()
		if err := again.Set(k, s.Get(k)); err != nil || again.Get(k) != s.Get(k) {
			t.Fatalf("%s=%q reads back as %q, which does not set again: %v", key, value, s.Get(k), err)
		}
	})
}

// FuzzApply drives the engine with arbitrary event streams: it must never
// panic, and a refused event (a late one among them) must leave its
// conversation as it was.
func FuzzApply(f *testing.F) {
	f.Add([]byte{1, 0, 0, 2, 0, 1, 6, 0, 2, 9, 0, 0, 5, 10, 0, 0})
	f.Add([]byte{1, 1, 3, 2, 1, 2, 8, 1, 0, 9, 1, 0, 7, 12, 1, 1})
	actors := []Actor{alice, Lead("v"), bob, carol, Workflow, Fin, {}}
	f.Fuzz(func(t *testing.T, data []byte) {
		ws := NewWorkspace()
		now := t0
		for len(data) >= 4 {
			b := data[:4]
			data = data[4:]
			ev := Event{
				Kind:   EventKind(b[0] % 14),
				Conv:   string(rune('a' + b[1]%3)),
				Actor:  actors[int(b[2])%len(actors)],
				Agent:  actors[int(b[3])%len(actors)],
				Origin: Origin(b[1] % 8),
				Value:  int(b[3]%7) - 1,
				Text:   strings.Repeat("x", int(b[2])*2),
				At:     now.Add(time.Duration(int(b[3])-64) * time.Hour),
				Until:  now.Add(time.Duration(b[2]) * time.Hour),
				Stage:  FollowStage(b[2] % 5),
			}
			if ev.Kind == EvSet {
				keys := AllSettingKeys()
				ev.Setting, ev.Text = keys[int(b[2])%len(keys)], []string{"on", "off", "24", "operator"}[b[3]%4]
			}
			// A copy deep enough that Apply cannot change it through a slice.
			var before *Conversation
			if c := ws.Conversations[ev.Conv]; c != nil {
				copied := *c
				copied.Customers, copied.Slots = slices.Clone(c.Customers), slices.Clone(c.Slots)
				before = &copied
			}
			if _, err := ws.Apply(ev); err != nil {
				if after := ws.Conversations[ev.Conv]; !reflect.DeepEqual(after, before) {
					t.Fatalf("refused %s (%v) changed its conversation:\n%+v\nto\n%+v", ev.Kind, err, before, after)
				}
				continue
			}
			if ev.At.After(now) {
				now = ev.At
			}
		}
	})
}
