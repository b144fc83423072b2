package intercom

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/csat-app/csat/domain"
)

// directoryTeam is a team of GET /teams: its members are admin_ids.
type directoryTeam struct {
	ID       FlexID   `json:"id"`
	Name     string   `json:"name"`
	AdminIDs []FlexID `json:"admin_ids"`
}

// directoryAdmin is an admin of GET /admins, with the teams it is in.
type directoryAdmin struct {
	Ref
	TeamIDs []FlexID `json:"team_ids"`
}

// teamSink is a sink that knows its teams (the store does), so a sync
// writes only what changed in Intercom's directory.
type teamSink interface {
	Teams() []domain.Team
}

// teamEvents are the events that bring the sink's teams to the directory:
// a team's display name, and its members from both sides of the directory
// (a team's admin_ids and an admin's team_ids). A team the directory
// lists is its truth: members it no longer names leave. Teams made
// elsewhere (csat teams add) are left alone.
func teamEvents(teams []directoryTeam, admins []directoryAdmin, admin func(id string) domain.Actor, have []domain.Team) []domain.Event {
	want := map[string]map[string]bool{}
	names := map[string]string{}
	add := func(team, adminID string) {
		id := teamKey(team)
		if id == "" {
			return
		}
		if want[id] == nil {
			want[id] = map[string]bool{}
		}
		if adminID != "" {
			want[id][admin(adminID).Name] = true
		}
	}
	for _, t := range teams {
		add(string(t.ID), "")
		if id := teamKey(string(t.ID)); id != "" {
			names[id] = displayName(t.Name, id)
		}
		for _, a := range t.AdminIDs {
			add(string(t.ID), string(a))
		}
	}
	for _, a := range admins {
		for _, t := range a.TeamIDs {
			add(string(t), string(a.ID))
		}
	}
	current := map[string]domain.Team{}
	for _, t := range have {
		current[t.ID] = t
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var evs []domain.Event
	for _, id := range ids {
		cur, known := current[id]
		name := names[id]
		switch {
		case name == "" && known:
			name = cur.Name // named only by an admin's team_ids: keep the name it has
		case name == "":
			name = id
		}
		if !known || cur.Name != name {
			evs = append(evs, domain.Event{Kind: domain.EvTeam, Conv: id, Text: name})
		}
		members := make([]string, 0, len(want[id]))
		for m := range want[id] {
			members = append(members, m)
		}
		sort.Strings(members)
		for _, m := range members {
			if !cur.Has(m) {
				evs = append(evs, domain.Event{Kind: domain.EvTeam, Conv: id, Agent: domain.Teammate(m)})
			}
		}
		for _, m := range cur.Members {
			if !want[id][m] {
				evs = append(evs, domain.Event{Kind: domain.EvTeam, Conv: id, Agent: domain.Teammate(m), Value: domain.TeamLeave})
			}
		}
	}
	return evs
}

// teamKey is a team's Intercom id as a store key, "" when it cannot be one.
func teamKey(id string) string {
	if !domain.ValidName(id) {
		return ""
	}
	return id
}

// maxDisplayName bounds a team's display name, in bytes, as the domain does.
const maxDisplayName = 200

// displayName keeps a team's Intercom name as text: control characters
// (terminal escapes among them) go, and it is cut to maxDisplayName bytes
// at a character boundary; an empty one falls back to the id.
func displayName(s, id string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > maxDisplayName {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	if s == "" {
		return id
	}
	return s
}

// syncTeams writes the directory's teams and memberships, when the sink
// knows its teams.
func (in *Ingester) syncTeams(teams []directoryTeam, admins []directoryAdmin) (changes int, err error) {
	ts, ok := in.sink.(teamSink)
	if !ok {
		return 0, nil
	}
	in.Pause(func() {
		evs := teamEvents(teams, admins, in.teammate, ts.Teams())
		if len(evs) == 0 {
			return
		}
		if _, err = in.sink.ApplyBatch(evs); err != nil {
			err = fmt.Errorf("recording the teams: %w", err)
			return
		}
		changes = len(evs)
	})
	return changes, err
}
