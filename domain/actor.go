package domain

import (
	"fmt"
	"strings"
)

// Kind says what sort of participant an Actor is.
type Kind uint8

// Participant kinds. Users and leads are customers; workflow and fin are bot agents.
const (
	KindNone Kind = iota
	KindUser
	KindLead
	KindTeammate
	KindWorkflow
	KindFin
)

// Actor is anyone who acts in a conversation. It is comparable, so it can key maps.
type Actor struct {
	Kind Kind
	Name string
}

// Bot agents have fixed identities.
var (
	Workflow = Actor{Kind: KindWorkflow, Name: "workflow"}
	Fin      = Actor{Kind: KindFin, Name: "fin"}
)

// Teammate returns the teammate actor with that name.
func Teammate(name string) Actor { return Actor{Kind: KindTeammate, Name: name} }

// User returns the user (signed-in customer) with that name.
func User(name string) Actor { return Actor{Kind: KindUser, Name: name} }

// Lead returns the lead (anonymous customer) with that name.
func Lead(name string) Actor { return Actor{Kind: KindLead, Name: name} }

// IsCustomer reports whether a is a user or a lead.
func (a Actor) IsCustomer() bool { return a.Kind == KindUser || a.Kind == KindLead }

// IsTeammate reports whether a is a human support agent.
func (a Actor) IsTeammate() bool { return a.Kind == KindTeammate }

// IsBot reports whether a is a bot agent (workflow or fin).
func (a Actor) IsBot() bool { return a.Kind == KindWorkflow || a.Kind == KindFin }

// IsAgent reports whether a can be rated: a teammate or a bot agent.
func (a Actor) IsAgent() bool { return a.IsTeammate() || a.IsBot() }

// IsZero reports whether a names nobody.
func (a Actor) IsZero() bool { return a.Kind == KindNone }

// String gives the script spelling: user:NAME, lead:NAME, NAME, workflow, fin.
func (a Actor) String() string {
	switch a.Kind {
	case KindUser:
		return "user:" + a.Name
	case KindLead:
		return "lead:" + a.Name
	case KindTeammate:
		return a.Name
	case KindWorkflow, KindFin:
		return a.Name
	}
	return ""
}

// ReservedNames cannot name a teammate: they stand for the team row and the bot agents.
var ReservedNames = []string{"team", "workflow", "fin"}

// ValidName reports whether s is a legal actor or conversation name: [A-Za-z0-9_.-]+.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// ParseActor reads the script spelling of an actor.
func ParseActor(s string) (Actor, error) {
	switch s {
	case "workflow":
		return Workflow, nil
	case "fin":
		return Fin, nil
	case "team":
		return Actor{}, fmt.Errorf("%q is reserved for the team row and cannot name a teammate", s)
	}
	prefix, name, found := strings.Cut(s, ":")
	if !found {
		if !ValidName(s) {
			return Actor{}, fmt.Errorf("invalid actor %q: names are [A-Za-z0-9_.-]+", s)
		}
		return Teammate(s), nil
	}
	if !ValidName(name) {
		return Actor{}, fmt.Errorf("invalid actor %q: names are [A-Za-z0-9_.-]+", s)
	}
	switch prefix {
	case "user":
		return User(name), nil
	case "lead":
		return Lead(name), nil
	case "teammate":
		for _, r := range ReservedNames {
			if name == r {
				return Actor{}, fmt.Errorf("%q is reserved and cannot name a teammate", name)
			}
		}
		return Teammate(name), nil
	}
	return Actor{}, fmt.Errorf("invalid actor %q: use user:NAME, lead:NAME, teammate:NAME, NAME, workflow or fin", s)
}

// Role is a teammate's permission level.
type Role uint8

// Roles. Only admins change settings and always see ratings.
const (
	RoleTeammate Role = iota
	RoleAdmin
)

func (r Role) String() string {
	if r == RoleAdmin {
		return "admin"
	}
	return "teammate"
}

// ParseRole reads "admin" or "teammate".
func ParseRole(s string) (Role, error) {
	switch s {
	case "admin":
		return RoleAdmin, nil
	case "teammate":
		return RoleTeammate, nil
	}
	return 0, fmt.Errorf("invalid role %q: want admin or teammate", s)
}
