package domain

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Team is a group of teammates (an Intercom team, or one made with csat
// teams add). Reports count a team as the sum of its members: a teammate
// in two teams counts in both team rows, and once in the workspace row.
type Team struct {
	ID      string   // [A-Za-z0-9_.-]+, stable
	Name    string   // display name, any text; the id when none was given
	Members []string // teammate names, sorted, distinct
}

// Has reports whether the teammate is a member.
func (t *Team) Has(teammate string) bool {
	_, ok := slices.BinarySearch(t.Members, teammate)
	return ok
}

// Team events: an EvTeam names the team Conv (Text, when not empty) and,
// when Agent is a teammate, adds it to the team, or removes it when Value
// is TeamLeave.
const (
	TeamJoin  = 0
	TeamLeave = 1
)

// maxTeamName bounds a display name, in bytes.
const maxTeamName = 200

func (w *Workspace) team(ev Event) error {
	switch {
	case !ValidName(ev.Conv):
		return fail(ErrInvalid, "team id %q: ids are [A-Za-z0-9_.-]+", ev.Conv)
	case !utf8.ValidString(ev.Text) || len(ev.Text) > maxTeamName || strings.ContainsFunc(ev.Text, isControl):
		return fail(ErrInvalid, "team name %q: want up to %d bytes of printable text", ev.Text, maxTeamName)
	case ev.Agent != (Actor{}) && !ev.Agent.IsTeammate():
		return fail(ErrActor, "only teammates are members of a team, not %q", ev.Agent)
	case ev.Value != TeamJoin && ev.Value != TeamLeave:
		return fail(ErrInvalid, "team membership %d: want join or leave", ev.Value)
	}
	if w.Teams == nil {
		w.Teams = map[string]*Team{}
	}
	t := w.Teams[ev.Conv]
	if t == nil {
		t = &Team{ID: ev.Conv, Name: ev.Conv}
	} else {
		x := *t
		x.Members = slices.Clone(t.Members)
		t = &x // a store's batch shares the published teams until it commits
	}
	if ev.Text != "" {
		t.Name = ev.Text
	}
	if ev.Agent.IsTeammate() {
		i, found := slices.BinarySearch(t.Members, ev.Agent.Name)
		switch {
		case ev.Value == TeamJoin && !found:
			t.Members = slices.Insert(t.Members, i, ev.Agent.Name)
		case ev.Value == TeamLeave && found:
			t.Members = slices.Delete(t.Members, i, i+1)
		}
	}
	w.Teams[ev.Conv] = t
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }

// SortedTeams returns the teams ordered by display name, then id.
func SortedTeams(teams map[string]*Team) []Team {
	out := make([]Team, 0, len(teams))
	for _, t := range teams {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Team) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// NewTeammateRole is the role a teammate added to the roster gets: admin
// when asked, and when the roster is empty, so that a new workspace has
// someone who can change its settings.
func NewTeammateRole(roster map[string]Role, admin bool) Role {
	if admin || len(roster) == 0 {
		return RoleAdmin
	}
	return RoleTeammate
}
