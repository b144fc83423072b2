package domain

import (
	"slices"
	"sort"
	"time"
)

// SettingChange is one settings change and the time it takes effect.
type SettingChange struct {
	At    time.Time
	Key   SettingKey
	Value string
}

// SettingsHistory keeps the settings changes in time order, so that an
// event is judged under the settings in force at its own time, whatever
// the order events arrive in. Its zero value holds no change. A copy
// shares nothing a later change writes: every change builds new slices.
type SettingsHistory struct {
	changes []SettingChange // by time; equal times in the order recorded
	eras    []settingsEra   // eras[0] is the base, in force before any change
}

type settingsEra struct {
	from     time.Time
	settings Settings
}

// Len is the number of recorded changes.
func (h *SettingsHistory) Len() int { return len(h.changes) }

// Add records c, whose value is checked first; current is the settings
// panel as it stands, the base of the history at its first change. It
// returns the settings in force after the latest change. A change earlier
// than others is placed at its time: later changes of the same key still
// win from their own time on.
func (h *SettingsHistory) Add(c SettingChange, current Settings) (Settings, error) {
	base := current
	if len(h.eras) > 0 {
		base = h.eras[0].settings
	}
	probe := base
	if err := probe.Set(c.Key, c.Value); err != nil {
		return current, err
	}
	i := sort.Search(len(h.changes), func(i int) bool { return h.changes[i].At.After(c.At) })
	changes := slices.Insert(slices.Clip(h.changes), i, c)
	eras := make([]settingsEra, 0, len(changes)+1)
	eras = append(eras, settingsEra{settings: base})
	for _, ch := range changes {
		s := eras[len(eras)-1].settings
		_ = s.Set(ch.Key, ch.Value) // checked when recorded
		eras = append(eras, settingsEra{from: ch.At, settings: s})
	}
	h.changes, h.eras = changes, eras
	return eras[len(eras)-1].settings, nil
}

// at returns the settings in force at t, or nil while nothing was
// recorded. They are shared: the caller must not change them.
func (h *SettingsHistory) at(t time.Time) *Settings {
	if len(h.eras) == 0 {
		return nil
	}
	// The newest era first: most events are judged now.
	if last := &h.eras[len(h.eras)-1]; !t.Before(last.from) {
		return &last.settings
	}
	i := sort.Search(len(h.eras)-1, func(i int) bool { return h.eras[i+1].from.After(t) })
	return &h.eras[i].settings
}

// Rebuild applies a conversation's parts afresh, in time order (equal
// times in the order given), each judged at its own time under the
// settings in force then, and replaces the conversation's state with the
// result: how a late part is put in its place. outs and errs are indexed
// like parts. A part that cannot apply at its place (in a script's
// conversation, a second close once a late close is placed before it;
// a helpdesk's is kept with no effect) changes nothing and gets its error;
// it may apply once the parts it waits for arrive, and the conversation's
// UpdatedAt is that of its latest part, applied or not. Parts of another
// conversation are refused. On a refused part the other parts still apply.
func (w *Workspace) Rebuild(conv string, parts []Event) (outs []Outcome, errs []error) {
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return parts[order[a]].At.Before(parts[order[b]].At) })
	delete(w.Conversations, conv)
	outs = make([]Outcome, len(parts))
	errs = make([]error, len(parts))
	var latest time.Time
	for _, i := range order {
		ev := parts[i]
		if ev.PartOf() != conv {
			errs[i] = fail(ErrInvalid, "a %s is not a part of %s", ev.Kind, conv)
			continue
		}
		latest = ev.At
		outs[i], errs[i] = w.Apply(ev)
	}
	// A part waiting for others still counts as the latest: anything
	// before it must rebuild, so that it gets its chance in its place.
	if c := w.Conversations[conv]; c != nil && latest.After(c.UpdatedAt) {
		c.UpdatedAt = latest
	}
	return outs, errs
}

// MaxAhead is how far past the receiving machine's clock an event's time
// may be. A time further ahead would decide nothing yet: it is refused as
// bad input, so that one typo cannot move anything.
const MaxAhead = 10 * time.Minute

// CheckArrival refuses an event time more than [MaxAhead] after clock, the
// receiving machine's clock (the caller reads it: domain has none).
func CheckArrival(at, clock time.Time) error {
	if ahead := at.Sub(clock); ahead > MaxAhead {
		return fail(ErrFuture, "%s is %s after the receiving clock (%s); at most %s ahead is accepted",
			at.UTC().Format(time.RFC3339), FormatSpan(ahead.Truncate(time.Second)), clock.UTC().Format(time.RFC3339), FormatSpan(MaxAhead))
	}
	return nil
}
