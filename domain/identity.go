package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Identities. An Actor's Name is its stable key: the name a script uses, or
// the id a helpdesk gives (an Intercom admin or contact id). A helpdesk
// identity's display name is an EvName event, kept apart from the key, so a
// rename shows the new name on all history and a name learned after a
// rating fills in that rating's row. A script's name serves as both.

// MaxDisplayName bounds a display name, in code points.
const MaxDisplayName = 200

// validateName checks an EvName: who is named, and a name. The name is kept
// as the helpdesk sent it, control characters and all; what shows it
// (screens, spreadsheets) defuses it, as it does every text from outside.
func validateName(ev Event) error {
	switch {
	case ev.Actor.IsZero():
		return fail(ErrActor, "a name is for a teammate, bot agent or customer")
	case !utf8.ValidString(ev.Text):
		return fail(ErrInvalid, "display name is not valid UTF-8")
	case strings.TrimSpace(ev.Text) == "":
		return fail(ErrInvalid, "display name of %s is empty", ev.Actor)
	case utf8.RuneCountInString(ev.Text) > MaxDisplayName:
		return fail(ErrInvalid, "display name of %s is over %d characters", ev.Actor, MaxDisplayName)
	case ev.By != "" && (!utf8.ValidString(ev.By) || len(ev.By) > MaxDisplayName || strings.IndexFunc(ev.By, unicode.IsSpace) >= 0 || !strings.Contains(ev.By, "@")):
		return fail(ErrInvalid, "email of %s: %q", ev.Actor, ev.By)
	}
	return nil
}

// NameSupersedes reports whether a display name seen at next replaces the
// one held, seen at held: the newest seen wins whatever order the helpdesk
// delivered them in, and at equal times the later delivered, so a rename
// typed twice in one second keeps the second.
func NameSupersedes(held, next time.Time) bool { return !next.Before(held) }

// DisplayName is how an identity is shown: its display name when one is
// known, else its key (a script's name, or the helpdesk id until a name is
// seen).
func DisplayName(a Actor, display string) string {
	if display != "" {
		return display
	}
	return a.Name
}
