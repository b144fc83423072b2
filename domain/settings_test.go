package domain

import (
	"strings"
	"testing"
)

func TestSettingsRoundTrip(t *testing.T) {
	values := map[string]string{
		"csat": "off", "direct-outbound": "off", "workflow-outbound": "on",
		"rating-window": "48", "change-window": "8760", "survey-app": "messenger:nps-pro",
		"hide-scores": "on", "target": "66.7%", "followup": "negative+bad", "profile": "operator",
	}
	s := DefaultSettings()
	for _, k := range AllSettingKeys() {
		if err := s.Set(k, values[k.Name]); err != nil {
			t.Fatalf("set %s: %v", k, err)
		}
		if got := s.Get(k); got != values[k.Name] {
			t.Errorf("%s: got %q after setting %q", k, got, values[k.Name])
		}
	}
}

func TestSettingsRefuseBadValues(t *testing.T) {
	bad := []struct{ key, value, wantInErr string }{
		{"users.rating-window", "0", "1 to 8760"},
		{"users.rating-window", "8761", "1 to 8760"},
		{"leads.change-window", "2.5", "2.5"},
		{"users.csat", "yes", "on or off"},
		{"workspace.target", "101", "0 to 100"},
		{"workspace.target", "nAn", "0 to 100"},
		{"workspace.target", "-inf%", "0 to 100"},
		{"workspace.followup", "bad", "negative+bad"},
		{"users.survey-app", "inbox:triage", "Inbox app"},
		{"workspace.profile", "zendesk", "intercom or operator"},
	}
	for _, b := range bad {
		s := DefaultSettings()
		k, err := ParseSettingKey(b.key)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Set(k, b.value)
		if err == nil || !strings.Contains(err.Error(), b.wantInErr) || !strings.Contains(err.Error(), b.key) {
			t.Errorf("%s=%s: err = %v, want it to name the key and say %q", b.key, b.value, err, b.wantInErr)
		}
		if s != DefaultSettings() {
			t.Errorf("%s=%s changed the settings", b.key, b.value)
		}
	}
	for _, k := range []string{"users", "team.csat", "users.nope"} {
		if _, err := ParseSettingKey(k); err == nil {
			t.Errorf("key %q accepted", k)
		}
	}
}

func TestParseActor(t *testing.T) {
	good := map[string]Actor{"user:alice": User("alice"), "lead:v-1": Lead("v-1"), "bob": bob, "teammate:bob": bob, "workflow": Workflow, "fin": Fin}
	for s, want := range good {
		if got, err := ParseActor(s); err != nil || got != want {
			t.Errorf("%q: %v %v", s, got, err)
		}
		if got, _ := ParseActor(want.String()); got != want {
			t.Errorf("round trip of %q", s)
		}
	}
	for _, s := range []string{"team", "teammate:fin", "user:", "x:y", "a b", ""} {
		if _, err := ParseActor(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
