package simulate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// The replay judges each event at its own time (a log of 2025 replays as
// written), pins settings (their logged changes are left out), passes over
// refusals when lenient and leaves skipped events out while still showing
// them.
func TestReplay(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	long := strings.Repeat("x", 300)
	evs := []domain.Event{
		{Kind: domain.EvStart, Conv: "c1", Actor: domain.User("ann"), At: t0},
		{Kind: domain.EvSay, Conv: "c1", Actor: domain.User("ann"), Text: long, At: t0},
		{Kind: domain.EvSay, Conv: "c1", Actor: domain.Teammate("bob"), Text: long, At: t0.Add(time.Minute)},
		{Kind: domain.EvSet, Setting: domain.SettingKey{Scope: "users", Name: "csat"}, Text: "off", At: t0.Add(2 * time.Minute)},
		{Kind: domain.EvClose, Conv: "c1", Actor: domain.Teammate("bob"), At: t0.Add(3 * time.Minute)},
		{Kind: domain.EvObserve, Conv: "c1", Actor: domain.User("ann"), Agent: domain.Teammate("bob"), Value: 5, At: t0.Add(4 * time.Minute)},
		{Kind: domain.EvClose, Conv: "ghost", Actor: domain.Teammate("bob"), At: t0.Add(5 * time.Minute)},
	}
	var got []string
	on := func(st *ReplayStep) error {
		switch {
		case st.Skipped:
			got = append(got, "skipped")
		case st.Pinned:
			got = append(got, "pinned")
		case st.Err != nil:
			got = append(got, "refused")
		case st.Outcome.Decided():
			got = append(got, Describe(&st.Outcome))
		default:
			got = append(got, "-")
		}
		return nil
	}
	opt := ReplayOptions{Overrides: []Override{{Key: domain.SettingKey{Scope: "users", Name: "csat"}, Value: "on"}},
		Lenient: true, Skip: func(ev domain.Event) bool { return ev.Kind == domain.EvObserve }}
	m, err := Replay(EventSlice(evs), opt, on)
	if err != nil {
		t.Fatal(err)
	}
	if want := "-,-,-,pinned,sent to bob,skipped,refused"; strings.Join(got, ",") != want {
		t.Errorf("steps %s, want %s", strings.Join(got, ","), want)
	}
	if !m.Now().Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("clock %v, want the last applied event's", m.Now())
	}
	// Strict, the unknown conversation ends the replay, naming the event;
	// without the pin the logged csat off skips the survey.
	got = nil
	_, err = Replay(EventSlice(evs), ReplayOptions{Skip: opt.Skip}, on)
	if !errors.Is(err, domain.ErrUnknownConversation) || !strings.Contains(err.Error(), "event 7 (close ghost") {
		t.Errorf("strict replay: %v", err)
	}
	if len(got) != 6 || !strings.HasPrefix(got[4], "skipped: disabled") {
		t.Errorf("strict steps %q", got)
	}
	if _, err := NewReplayer(ReplayOptions{Overrides: []Override{{Key: domain.SettingKey{Scope: "users", Name: "csat"}, Value: "maybe"}}}); err == nil {
		t.Error("a bad override is refused before the replay")
	}
}

// ReplayInto commits in batches, hands on every outcome the destination
// decided with its position, and names the batch that failed.
func TestReplayInto(t *testing.T) {
	h := scriptedHistory()
	dst := &collect{Loader: OneByOne(NewMemory())}
	var seen []int
	var outcomes []domain.Outcome
	err := ReplayInto(EventSlice(h.evs), dst, func(n int, o *domain.Outcome) error {
		seen, outcomes = append(seen, n), append(outcomes, *o)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dst.evs) != len(h.evs) {
		t.Errorf("%d events replayed, want %d", len(dst.evs), len(h.evs))
	}
	for i, n := range seen {
		if n != i+1 {
			t.Fatalf("outcome %d has position %d", i+1, n)
		}
	}
	if len(seen) != len(h.evs) || !reflect.DeepEqual(outcomes, dst.outcomes) {
		t.Errorf("%d outcomes handed on, want the %d the destination decided", len(seen), len(dst.outcomes))
	}
	bad := append(append([]domain.Event{}, h.evs...), domain.Event{Kind: domain.EvClose, Conv: "ghost", Actor: domain.Teammate("bob")})
	err = ReplayInto(EventSlice(bad), OneByOne(NewMemory()), nil)
	if !errors.Is(err, domain.ErrUnknownConversation) || !strings.Contains(err.Error(), "replaying the log up to event") {
		t.Errorf("err = %v", err)
	}
	stop := errors.New("stop")
	calls := 0
	err = ReplayInto(EventSlice(h.evs), OneByOne(NewMemory()), func(int, *domain.Outcome) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("a refusing callback: err %v after %d calls, want stop after 1", err, calls)
	}
}
