package simulate_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

var loadTestEnd = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// recorder is a Loader over simulate.Memory that hashes and checks every
// event it is given, and remembers the batch sizes.
type recorder struct {
	simulate.Loader
	mem     *simulate.Memory
	h       hash.Hash
	events  int
	batches []int
	last    time.Time
	order   error // the first event out of time order
}

func newRecorder() *recorder {
	m := simulate.NewMemory()
	return &recorder{Loader: simulate.OneByOne(m), mem: m, h: sha256.New()}
}

func (r *recorder) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	for _, ev := range evs {
		fmt.Fprintf(r.h, "%+v\n", ev)
		if ev.At.Before(r.last) && r.order == nil {
			r.order = fmt.Errorf("event %d at %s is before %s", r.events, ev.At, r.last)
		}
		r.last = ev.At
		r.events++
	}
	r.batches = append(r.batches, len(evs))
	return r.Loader.ApplyBatch(evs)
}

// stopAfter ends a live load, as Ctrl-C does, once the recorder holds n
// events: a test of the live trickle then waits for events, not for time.
type stopAfter struct {
	*recorder
	n    int
	stop func()
}

func (s stopAfter) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	outs, err := s.recorder.ApplyBatch(evs)
	if s.events >= s.n {
		s.stop()
	}
	return outs, err
}

func (r *recorder) sum() string { return hex.EncodeToString(r.h.Sum(nil)) }

func load(t *testing.T, cfg simulate.LoadConfig) (*recorder, simulate.LoadSummary) {
	t.Helper()
	r := newRecorder()
	sum, err := simulate.Load(context.Background(), r, cfg, nil)
	if err != nil {
		t.Fatalf("Load(%+v): %v", cfg, err)
	}
	if r.order != nil {
		t.Fatal(r.order)
	}
	return r, sum
}

func TestLoadSameSeedSameStream(t *testing.T) {
	cfg := simulate.LoadConfig{Teammates: 8, Conversations: 300, Days: 20, Seed: 42, End: loadTestEnd, BatchSize: 700}
	a, sumA := load(t, cfg)
	b, sumB := load(t, cfg)
	if a.sum() != b.sum() || a.events != b.events {
		t.Fatalf("same seed, different streams: %s (%d events) vs %s (%d)", a.sum(), a.events, b.sum(), b.events)
	}
	if fmt.Sprint(sumA) != fmt.Sprint(sumB) {
		t.Fatalf("same seed, different summaries:\n%+v\n%+v", sumA, sumB)
	}
	// The batch size changes how events are committed, never which.
	cfg.BatchSize = 0
	c, _ := load(t, cfg)
	if c.sum() != a.sum() {
		t.Fatal("the batch size changed the stream")
	}
	cfg.Seed = 43
	d, _ := load(t, cfg)
	if d.sum() == a.sum() {
		t.Fatal("another seed gave the same stream")
	}
}

func TestLoadSpansDaysAndEndsAtEnd(t *testing.T) {
	cfg := simulate.LoadConfig{Teammates: 5, Conversations: 500, Days: 30, Seed: 7, End: loadTestEnd, BatchSize: 1000}
	var first time.Time
	r := newRecorder()
	wrapped := &firstSeen{recorder: r, first: &first}
	sum, err := simulate.Load(context.Background(), wrapped, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Equal(cfg.Begin()) {
		t.Errorf("first event at %s, want the start %s", first, cfg.Begin())
	}
	if !r.last.Equal(cfg.End) || !r.mem.Now().Equal(cfg.End) {
		t.Errorf("last event at %s, clock %s; want both at End %s", r.last, r.mem.Now(), cfg.End)
	}
	if sum.Events != r.events {
		t.Errorf("summary says %d events, the backend got %d", sum.Events, r.events)
	}
	for i, n := range r.batches[:len(r.batches)-1] {
		if n != 1000 {
			t.Errorf("batch %d has %d events, want 1000", i, n)
		}
	}
	if sum.Conversations != 500 {
		t.Errorf("conversations = %d, want 500", sum.Conversations)
	}
	// Starts follow business hours: far more on weekday afternoons than at night.
	day, night := 0, 0
	for i := 0; i < 500; i++ {
		c, ok := r.mem.Conversation(fmt.Sprintf("s7-%d", i))
		if !ok {
			t.Fatalf("conversation s7-%d missing", i)
		}
		if h := c.StartedAt.Hour(); h >= 9 && h < 17 {
			day++
		} else if h < 5 {
			night++
		}
	}
	if day < 4*night {
		t.Errorf("starts by hour: %d in 9-17h, %d in 0-5h; want a business-hours peak", day, night)
	}
}

type firstSeen struct {
	*recorder
	first *time.Time
}

func (f *firstSeen) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	if f.first.IsZero() && len(evs) > 0 {
		*f.first = evs[0].At
	}
	return f.recorder.ApplyBatch(evs)
}

func TestLoadExercisesTheRules(t *testing.T) {
	r, sum := load(t, simulate.LoadConfig{Teammates: 10, Conversations: 400, Days: 45, Seed: 3, End: loadTestEnd})
	if sum.Sent < 100 {
		t.Errorf("only %d surveys sent", sum.Sent)
	}
	for _, code := range []domain.Code{domain.CodeTooShort, domain.CodeStale, domain.CodeGroup, domain.CodeNoTeammateReply,
		domain.CodeClosedByBot, domain.CodeWorkflowOutboundOff} {
		if sum.Skipped[code] == 0 {
			t.Errorf("no survey skipped with %s; skipped: %v", code, sum.Skipped)
		}
	}
	for v := 1; v <= 5; v++ {
		if sum.RatingsByFace[v] == 0 {
			t.Errorf("no %s rating: %v", domain.Face(v), sum.RatingsByFace)
		}
	}
	if sum.Comments == 0 || sum.Changed == 0 || sum.FollowUps == 0 || sum.Asks == 0 {
		t.Errorf("comments %d, changed ratings %d, follow-up steps %d, asks %d: want some of each", sum.Comments, sum.Changed, sum.FollowUps, sum.Asks)
	}
	if r.mem.OpenFollowUps() == 0 {
		t.Error("no open follow-up item: no negative remark to follow up")
	}
	if r.mem.AllTime(domain.Fin).Rated()+r.mem.AllTime(domain.Workflow).Rated() == 0 {
		t.Error("no rating for a bot agent")
	}
	ws := r.mem.Workspace()
	admins := 0
	for _, role := range ws.Roles {
		if role == domain.RoleAdmin {
			admins++
		}
	}
	if len(ws.Roles) != 10 || admins != 2 {
		t.Errorf("roles: %d registered, %d admins; want 10 and 2", len(ws.Roles), admins)
	}
	if !ws.Settings.Users.WorkflowOutbound || ws.Settings.Users.ChangeWindowHours != 72 {
		t.Errorf("the history's setting changes did not land: %+v", ws.Settings.Users)
	}
	var origins, channels, leads, reopened, snoozed int
	seenOrigin := map[domain.Origin]bool{}
	for id, c := range ws.Conversations {
		_ = id
		seenOrigin[c.Origin] = true
		if c.Channel == domain.ChannelEmail {
			channels++
		}
		if c.Audience == domain.AudienceLeads {
			leads++
		}
		for _, s := range c.Slots {
			if s.Requests > 1 {
				reopened++
			}
		}
		if !c.SnoozedUntil.IsZero() {
			snoozed++
		}
	}
	origins = len(seenOrigin)
	if origins < 5 || channels == 0 || leads == 0 || reopened == 0 || snoozed == 0 {
		t.Errorf("origins %d, email conversations %d, lead conversations %d, re-sent requests %d, snoozed %d: want variety",
			origins, channels, leads, reopened, snoozed)
	}
}

// The leaderboard has a story: the best teammate is far ahead of the worst.
func TestLoadTeamHasStarsAndStrugglers(t *testing.T) {
	r, _ := load(t, simulate.LoadConfig{Teammates: 16, Conversations: 3000, Days: 90, Seed: 11, End: loadTestEnd})
	best, worst := 0.0, 1.0
	for role := range r.mem.Workspace().Roles {
		c := r.mem.AllTime(domain.Teammate(role))
		s, ok := c.Score()
		if !ok || c.Rated() < 20 {
			continue
		}
		best, worst = max(best, s), min(worst, s)
	}
	if best < 0.8 || worst > 0.4 {
		t.Errorf("best score %.0f%%, worst %.0f%%: want a star at or above the 80%% target and a struggler under 40%%", best*100, worst*100)
	}
}

func TestLoadBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  simulate.LoadConfig
		want string
	}{
		{simulate.LoadConfig{Teammates: -1, Conversations: 1, Days: 1, End: loadTestEnd}, "teammates -1"},
		{simulate.LoadConfig{Teammates: 3, Conversations: -5, Days: 1, End: loadTestEnd}, "conversations -5"},
		{simulate.LoadConfig{Teammates: 3, Conversations: 5, Days: 0, End: loadTestEnd}, "days 0"},
		{simulate.LoadConfig{Teammates: 3, Conversations: 5, Days: 2}, "end time"},
	} {
		r := newRecorder()
		_, err := simulate.Load(context.Background(), r, tc.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%+v) = %v, want an error naming %q", tc.cfg, err, tc.want)
		}
		if r.events != 0 {
			t.Errorf("Load(%+v) wrote %d events", tc.cfg, r.events)
		}
	}
}

// A history loads beside data of any later date (conversations share no
// clock), but a second load with the same seed would reuse its ids: it is
// refused, naming the id, before anything is written.
func TestLoadBesideLaterDataAndRefusesItsOwnIds(t *testing.T) {
	r := newRecorder()
	later := domain.Event{Kind: domain.EvStart, At: loadTestEnd.AddDate(1, 0, 0), Conv: "newer", Actor: domain.User("zed")}
	if _, err := r.mem.Apply(later); err != nil {
		t.Fatal(err)
	}
	cfg := simulate.LoadConfig{Teammates: 3, Conversations: 10, Days: 5, End: loadTestEnd}
	if _, err := simulate.Load(context.Background(), r, cfg, nil); err != nil {
		t.Fatalf("a history older than the stored data: %v", err)
	}
	written := r.events
	_, err := simulate.Load(context.Background(), r, cfg, nil)
	if err == nil || !strings.Contains(err.Error(), `"s0-0"`) {
		t.Fatalf("err = %v, want one naming the conversation id", err)
	}
	if r.events != written {
		t.Fatalf("%d events written by the refused load", r.events-written)
	}
}

// Two years of history load (there is no earliest date); a short one too.
func TestLoadTwoYears(t *testing.T) {
	r := newRecorder()
	cfg := simulate.LoadConfig{Teammates: 4, Conversations: 60, Days: 730, End: loadTestEnd, Seed: 3}
	sum, err := simulate.Load(context.Background(), r, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Conversations != 60 {
		t.Fatalf("%d conversations, want 60", sum.Conversations)
	}
	first := loadTestEnd
	for _, c := range r.mem.Workspace().Conversations {
		if c.StartedAt.Before(first) {
			first = c.StartedAt
		}
	}
	if first.After(loadTestEnd.AddDate(-1, 0, 0)) || first.Before(cfg.Begin()) {
		t.Fatalf("first conversation %s, want one over a year before %s and not before %s", first, loadTestEnd, cfg.Begin())
	}
}

// Cancelling stops between batches: whole batches are written, never part of one.
func TestLoadCancelWritesWholeBatches(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRecorder()
	calls := 0
	var dones []int
	sum, err := simulate.Load(ctx, r, simulate.LoadConfig{Teammates: 5, Conversations: 2000, Days: 30, Seed: 1, End: loadTestEnd, BatchSize: 500},
		func(done, total int) {
			calls++
			dones = append(dones, done)
			if total < done {
				t.Errorf("progress total %d below done %d", total, done)
			}
			if calls == 3 {
				cancel()
			}
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if r.events != 1500 || sum.Events != 1500 {
		t.Fatalf("backend got %d events, summary says %d; want 3 whole batches of 500", r.events, sum.Events)
	}
	if fmt.Sprint(dones) != "[500 1000 1500]" {
		t.Fatalf("progress calls %v", dones)
	}
}

func TestLoadLiveProducesAtTheRateWithWallClockTimes(t *testing.T) {
	r := newRecorder()
	if _, err := r.mem.Apply(domain.Event{Kind: domain.EvClock, At: loadTestEnd}); err != nil {
		t.Fatal(err)
	}
	clock := loadTestEnd.Add(time.Hour)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	// It runs until 300 events are written, however slow the machine: at
	// 500/s that takes 0.6 s at least, and longer only when ticks come late.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := time.Now()
	if err := simulate.LoadLive(ctx, stopAfter{r, 300, cancel}, simulate.LoadConfig{Teammates: 4, Seed: 9}, 500, now); err != nil {
		t.Fatal(err)
	}
	took := time.Since(started)
	if r.order != nil {
		t.Fatal(r.order)
	}
	if r.events < 300 || took.Seconds() < float64(r.events)/500 {
		t.Fatalf("%d events in %v at 500/s", r.events, took)
	}
	if !r.last.After(loadTestEnd.Add(time.Hour)) || r.last.After(clock) {
		t.Fatalf("last event at %s: want a time from the given clock (now %s)", r.last, clock)
	}
	if r.mem.TeamAllTime().Surveys+r.mem.AllTime(domain.Fin).Surveys == 0 && r.events > 200 {
		t.Error("no survey sent in the live trickle")
	}
}

func TestLoadLiveBadRate(t *testing.T) {
	for _, rate := range []float64{0, -3, 2e6} {
		err := simulate.LoadLive(context.Background(), newRecorder(), simulate.LoadConfig{Teammates: 2}, rate, nil)
		if err == nil || !strings.Contains(err.Error(), "rate") {
			t.Errorf("rate %v: err = %v", rate, err)
		}
	}
}

// discard is a Loader that throws events away, so that a benchmark measures
// the generator alone.
type discard struct {
	simulate.Backend
	outs []domain.Outcome
}

func (d *discard) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	if cap(d.outs) < len(evs) {
		d.outs = make([]domain.Outcome, len(evs))
	}
	return d.outs[:len(evs)], nil
}

// BenchmarkLoad measures, side by side in one run, the generator alone
// (with its shadow workspace and batching, into a Loader that drops the
// events) and a whole load into an on-disk Badger store. One op is 30
// teammates and 20,000 conversations over 90 days (about 140,000 events).
// The store must ingest 100,000 events/s; the generator must not be what
// holds it back.
//
//	go test -run '^$' -bench 'BenchmarkLoad$' -benchtime 3x -count 5 ./simulate
func BenchmarkLoad(b *testing.B) {
	cfg := simulate.LoadConfig{Teammates: 30, Conversations: 20000, Days: 90, Seed: 1, End: loadTestEnd}
	run := func(b *testing.B, open func(b *testing.B) (simulate.Loader, func())) {
		events := 0
		var busy time.Duration
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			dst, done := open(b)
			b.StartTimer()
			start := time.Now()
			sum, err := simulate.Load(context.Background(), dst, cfg, nil)
			busy += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			events += sum.Events
			b.StopTimer()
			done()
			b.StartTimer()
		}
		b.ReportMetric(float64(events)/busy.Seconds(), "events/s")
	}
	b.Run("generator", func(b *testing.B) {
		run(b, func(*testing.B) (simulate.Loader, func()) {
			return &discard{Backend: simulate.NewMemory()}, func() {}
		})
	})
	b.Run("store", func(b *testing.B) {
		run(b, func(b *testing.B) (simulate.Loader, func()) {
			st, err := store.Open(store.Options{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			return st, func() { st.Close() }
		})
	})
}

// A live run restarted at the same instant (a killed run restarted at once)
// must not reuse the first run's conversation ids.
func TestLoadLiveRestartDoesNotReuseIds(t *testing.T) {
	r := newRecorder()
	if _, err := r.mem.Apply(domain.Event{Kind: domain.EvClock, At: loadTestEnd}); err != nil {
		t.Fatal(err)
	}
	frozen := loadTestEnd.Add(time.Hour)
	for run := 0; run < 2; run++ {
		// Both runs start at the same wall-clock instant; time then moves on.
		clock := frozen
		now := func() time.Time { t := clock; clock = clock.Add(time.Millisecond); return t }
		ctx, cancel := context.WithCancel(context.Background())
		err := simulate.LoadLive(ctx, stopAfter{r, 90 * (run + 1), cancel}, simulate.LoadConfig{Teammates: 3, Seed: 4}, 300, now)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
	}
}
