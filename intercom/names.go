package intercom

import (
	"strings"

	"github.com/csat-app/csat/domain"
)

// Names turns Intercom people into domain actors and keeps the choice
// stable: an admin once named keeps that teammate name for good, because
// ratings name their teammate by id only.
type Names struct {
	admins map[string]string // admin id → teammate name
	owners map[string]string // teammate name → admin id
}

// NewNames returns an empty directory.
func NewNames() *Names {
	return &Names{admins: map[string]string{}, owners: map[string]string{}}
}

// Learn fixes the teammate name of an admin from its display name, unless
// the admin has one already. It returns the name and whether it is new.
func (n *Names) Learn(id, display string) (string, bool) {
	if name, ok := n.admins[id]; ok {
		return name, false
	}
	name := Sanitize(display)
	if name == "" || isReserved(name) || strings.HasPrefix(name, "admin-") {
		name = "admin-" + Sanitize(id)
	}
	if owner, taken := n.owners[name]; taken && owner != id {
		name = name + "-" + Sanitize(id) // two admins called "Sam"
	}
	n.Remember(id, name)
	return name, true
}

// Remember records a known mapping, e.g. one replayed from the event log.
func (n *Names) Remember(id, name string) {
	n.admins[id] = name
	n.owners[name] = id
}

// Admin returns the teammate for an admin id: its learned name, else admin-<id>.
func (n *Names) Admin(id string) domain.Actor {
	if name, ok := n.admins[id]; ok {
		return domain.Teammate(name)
	}
	return domain.Teammate("admin-" + Sanitize(id))
}

// Sanitize maps any text onto the domain's name alphabet [A-Za-z0-9_.-]:
// runs of other characters become one dot, and dots at either end go.
// "Ciaran Lee" → "Ciaran.Lee"; "José" → "Jos".
func Sanitize(s string) string {
	var b strings.Builder
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' {
			b.WriteByte(c)
			dot = c == '.'
			continue
		}
		if !dot && b.Len() > 0 {
			b.WriteByte('.')
			dot = true
		}
	}
	out := strings.Trim(b.String(), ".")
	if len(out) > 64 {
		out = strings.Trim(out[:64], ".")
	}
	return out
}

func isReserved(name string) bool {
	for _, r := range domain.ReservedNames {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	return false
}

// customer maps a contact to user:<id> or lead:<id>. The role comes from the
// reference's type or role; a bare "contact" is looked up in roles (learned
// from the conversation's authors) and is a user when nothing says otherwise.
func customer(r *Ref, roles map[string]string) (domain.Actor, bool) {
	if r == nil || r.ID == "" {
		return domain.Actor{}, false
	}
	id := Sanitize(string(r.ID))
	if id == "" {
		return domain.Actor{}, false
	}
	role := r.Type
	if role != "user" && role != "lead" {
		role = r.Role
	}
	if role != "user" && role != "lead" {
		role = roles[string(r.ID)]
	}
	if role == "lead" {
		return domain.Lead(id), true
	}
	return domain.User(id), true
}

// isCustomerType reports whether an author or reference type names a contact.
func isCustomerType(t string) bool { return t == "user" || t == "lead" || t == "contact" }

// bot maps a bot author: Fin by name, any other bot or team to workflow.
func bot(r *Ref) domain.Actor {
	if n := strings.ToLower(strings.TrimSpace(r.Name)); n == "fin" || strings.HasPrefix(n, "fin ") {
		return domain.Fin
	}
	return domain.Workflow
}
