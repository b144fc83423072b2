package tui

import (
	"context"
	"reflect"
	"sync"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/safetext"
	"github.com/csat-app/csat/store"
)

// shownSource is the one place where text from the store becomes text for
// the screen: every string it hands the views has been through safetext
// (Line for rows and cells, Text for a conversation's stream, whose line
// breaks the view wraps), so no view can print a customer's escape
// sequence, whatever it renders and however it is restructured. The store
// keeps the text as it came; this is a copy.
//
// Events is not wrapped: the what-if replay reads it, and a replay needs
// the text as stored; it shows counts only.
//
// Views pass ids they were shown back in (open a conversation, move a
// follow-up on): shownSource maps a changed id back to the one stored, and
// refuses an id that two stored ones share on screen rather than guess.
type shownSource struct {
	Source
	mu  sync.Mutex
	raw map[string]string // shown text → stored text, for text that changed
}

// ambiguous marks a shown text that more than one stored text became.
const ambiguous = "\x00ambiguous"

// maxRemembered bounds the map of changed texts; beyond it, ids shown
// changed stop resolving (an action on one fails) instead of memory growing.
const maxRemembered = 1 << 14

func newShownSource(src Source) *shownSource {
	return &shownSource{Source: src, raw: map[string]string{}}
}

func (s *shownSource) Settings() domain.Settings { return shownCopy(s, s.Source.Settings(), false) }

func (s *shownSource) Leaderboard(p store.Period) (store.Leaderboard, error) {
	lb, err := s.Source.Leaderboard(p)
	return shownCopy(s, lb, false), shownErr(err)
}

func (s *shownSource) FollowUps(f store.FollowUpFilter) ([]store.FollowUpItem, error) {
	f.Agent.Name = s.stored(f.Agent.Name)
	items, err := s.Source.FollowUps(f)
	return shownCopy(s, items, false), shownErr(err)
}

func (s *shownSource) FollowUpPage(f store.FollowUpFilter, q store.PageQuery) (store.Page[store.FollowUpItem], error) {
	f.Agent.Name = s.stored(f.Agent.Name)
	page, err := s.Source.FollowUpPage(f, q)
	return shownCopy(s, page, false), shownErr(err)
}

func (s *shownSource) Achievements(limit int) ([]store.Achievement, error) {
	items, err := s.Source.Achievements(limit)
	return shownCopy(s, items, false), shownErr(err)
}

func (s *shownSource) Conversations(limit int) ([]store.ConversationSummary, error) {
	items, err := s.Source.Conversations(limit)
	return shownCopy(s, items, false), shownErr(err)
}

func (s *shownSource) SearchConversations(ctx context.Context, text string, q store.PageQuery) (store.Page[store.ConversationSummary], error) {
	page, err := s.Source.SearchConversations(ctx, text, q)
	return shownCopy(s, page, false), shownErr(err)
}

func (s *shownSource) AchievementPage(q store.PageQuery) (store.Page[store.Achievement], error) {
	page, err := s.Source.AchievementPage(q)
	return shownCopy(s, page, false), shownErr(err)
}

func (s *shownSource) LeaderboardOf(p store.Period, f domain.Filter) (store.Leaderboard, error) {
	lb, err := s.Source.LeaderboardOf(p, f)
	return shownCopy(s, lb, false), shownErr(err)
}

// GroupSeries takes the agents as shown (a team's members) back to their keys.
func (s *shownSource) GroupSeries(agents []domain.Actor, p store.Period, f domain.Filter, by domain.Bucket) ([]store.SeriesPoint, error) {
	keys := make([]domain.Actor, len(agents))
	for i, a := range agents {
		keys[i] = domain.Actor{Kind: a.Kind, Name: s.stored(a.Name)}
	}
	points, err := s.Source.GroupSeries(keys, p, f, by)
	return points, shownErr(err)
}

func (s *shownSource) AgentRatingsOf(agent domain.Actor, p store.Period, f domain.Filter, q store.PageQuery) (store.Page[store.AgentRating], error) {
	agent.Name = s.stored(agent.Name)
	page, err := s.Source.AgentRatingsOf(agent, p, f, q)
	return shownCopy(s, page, false), shownErr(err)
}

func (s *shownSource) Stream(conv string) ([]store.Part, error) {
	parts, err := s.Source.Stream(s.stored(conv))
	return shownCopy(s, parts, true), shownErr(err)
}

func (s *shownSource) Audit(limit int) ([]store.AuditEntry, error) {
	items, err := s.Source.Audit(limit)
	return shownCopy(s, items, false), shownErr(err)
}

func (s *shownSource) Teammates() ([]store.Teammate, error) {
	items, err := s.Source.Teammates()
	return shownCopy(s, items, false), shownErr(err)
}

// Scenarios shows each script as a multi-line text and who saved it on one
// line; a file of a scenario is written from the keeper's copy, as stored.
func (s *shownSource) Scenarios() ([]store.Scenario, error) {
	list, err := s.Source.Scenarios()
	shown := make([]store.Scenario, len(list))
	for i, sc := range list {
		sc.Script = shownCopy(s, sc.Script, true)
		sc.By = shownCopy(s, sc.By, false)
		shown[i] = sc
	}
	return shown, shownErr(err)
}

// Apply takes an event a view built from what it was shown: the ids in it
// go back to the stored ones; typed text is the viewer's own and goes as is.
func (s *shownSource) Apply(ev domain.Event) (domain.Outcome, error) {
	ev.Conv = s.stored(ev.Conv)
	ev.Agent.Name = s.stored(ev.Agent.Name)
	ev.Actor.Name = s.stored(ev.Actor.Name)
	o, err := s.Source.Apply(ev)
	return o, shownErr(err)
}

// stored is the stored text that was shown as shown.
func (s *shownSource) stored(shown string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if raw, ok := s.raw[shown]; ok && raw != ambiguous {
		return raw
	}
	return shown
}

// remember notes that raw was shown as shown, or that shown now stands for
// two stored texts.
func (s *shownSource) remember(raw, shown string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if have, ok := s.raw[shown]; ok {
		if have != raw {
			s.raw[shown] = ambiguous
		}
		return
	}
	if len(s.raw) < maxRemembered {
		s.raw[shown] = raw
	}
}

// shownCopy returns v with every exported string in it, however deep,
// made safe to show; slices, maps and pointers are copied before anything
// changes, so the store's values are never touched. Values that need no
// change are returned as they are, without copying.
func shownCopy[T any](s *shownSource, v T, multiline bool) T {
	stored := v
	rv := reflect.ValueOf(&v).Elem()
	if needsShowing(rv) {
		show := safetext.Line
		if multiline {
			show = safetext.Text
		}
		showValue(rv, func(raw string) string {
			shown := show(raw)
			s.remember(raw, shown)
			return shown
		})
	}
	s.markCollisions(reflect.ValueOf(&stored).Elem())
	return v
}

// needsShowing reports whether any exported string under v would change.
func needsShowing(v reflect.Value) bool {
	found := false
	walk(v, func(f reflect.Value) { found = found || !safetext.Safe(f.String()) })
	return found
}

// markCollisions looks at the stored texts under v that are shown as they
// are: one that a changed text is also shown as makes that shown text
// ambiguous.
func (s *shownSource) markCollisions(v reflect.Value) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.raw) == 0 {
		return
	}
	walk(v, func(f reflect.Value) {
		text := f.String()
		if have, ok := s.raw[text]; ok && have != text && safetext.Safe(text) {
			s.raw[text] = ambiguous
		}
	})
}

// textTypes caches holdsText: a leaderboard's daily counts are thousands
// of integers, not worth a look each.
var textTypes sync.Map // reflect.Type → bool

// holdsText reports whether a value of t can hold an exported string.
func holdsText(t reflect.Type) bool {
	if known, ok := textTypes.Load(t); ok {
		return known.(bool)
	}
	textTypes.Store(t, true) // until known: a type that refers to itself is looked into
	has := false
	switch t.Kind() {
	case reflect.String:
		has = true
	case reflect.Struct:
		for i := 0; i < t.NumField() && !has; i++ {
			has = t.Field(i).IsExported() && holdsText(t.Field(i).Type)
		}
	case reflect.Slice, reflect.Array, reflect.Pointer:
		has = holdsText(t.Elem())
	case reflect.Map:
		has = holdsText(t.Key()) || holdsText(t.Elem())
	}
	textTypes.Store(t, has)
	return has
}

// walk calls fn with every settable string under v.
func walk(v reflect.Value, fn func(reflect.Value)) {
	if !holdsText(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			fn(v)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			walk(v.Field(i), fn)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), fn)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(iter.Key())
			walk(k, fn)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			walk(e, fn)
		}
	}
}

// showValue rewrites the strings under v with show, copying what v shares.
func showValue(v reflect.Value, show func(string) string) {
	if !holdsText(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if text := v.String(); !safetext.Safe(text) {
				v.SetString(show(text))
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			showValue(v.Field(i), show)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			showValue(v.Index(i), show)
		}
	case reflect.Slice:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := 0; i < c.Len(); i++ {
			showValue(c.Index(i), show)
		}
	case reflect.Pointer:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		v.Set(c)
		showValue(c.Elem(), show)
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(iter.Key())
			showValue(k, show)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			showValue(e, show)
			c.SetMapIndex(k, e)
		}
		v.Set(c)
	}
}

// shownErr is err with a message safe to show; errors.Is and As still see err.
func shownErr(err error) error {
	if err == nil || safetext.Safe(err.Error()) {
		return err
	}
	return shownError{err}
}

type shownError struct{ err error }

func (e shownError) Error() string { return safetext.Line(e.err.Error()) }
func (e shownError) Unwrap() error { return e.err }

// DisplayName shows an identity's display name through safetext, when the
// source keeps names (the store does); else its key.
func (s *shownSource) DisplayName(a domain.Actor) string {
	if n, ok := s.Source.(namer); ok {
		return safetext.Line(n.DisplayName(a))
	}
	return safetext.Line(a.Name)
}
