package simulate_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/simulate/storeload"
	"github.com/csat-app/csat/store"
)

// recording is a store as csat simulate load writes to it: recording
// the load's progress with each batch, committing the batches one ahead.
type recording = storeload.Destination

// oneAtATime is a recording store without the pipeline: each batch
// committed before the next is applied.
type oneAtATime struct{ simulate.ProgressLoader }

func openStore(t *testing.T, dir string) recording {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir, Bulk: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return recording{Store: st}
}

// logHash hashes every logged event and the load record.
func logHash(t *testing.T, s recording) string {
	t.Helper()
	h := sha256.New()
	if err := s.EachEvent(func(ev domain.Event) error { _, err := fmt.Fprintf(h, "%+v\n", ev); return err }); err != nil {
		t.Fatal(err)
	}
	rec, _, seq, err := s.LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(h, "%+v %d", rec, seq)
	return fmt.Sprintf("%x", h.Sum(nil))
}

var resumeCfg = simulate.LoadConfig{Teammates: 9, Conversations: 1500, Days: 25, Seed: 5, End: loadTestEnd, BatchSize: 400}

// A load stopped after any batch and run again with the same config
// continues its stream after the events committed: stopped at several
// points, the store ends with the log, record and state of one straight
// load, check agrees, and the summary counts the whole history.
func TestLoadContinuesAfterAnInterrupt(t *testing.T) {
	straight := openStore(t, t.TempDir())
	want, err := simulate.Load(context.Background(), straight, resumeCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantLog := logHash(t, straight)
	if rec, ok, _, _ := straight.LoadRecord(); !ok || !rec.Finished || rec.Events != uint64(want.Events) {
		t.Fatalf("straight load's record: %+v", rec)
	}
	unpiped := openStore(t, t.TempDir())
	if sum, err := simulate.Load(context.Background(), oneAtATime{unpiped}, resumeCfg, nil); err != nil || fmt.Sprint(sum) != fmt.Sprint(want) {
		t.Fatalf("one batch at a time: %v, summary %+v, piped %+v", err, sum, want)
	}
	if logHash(t, unpiped) != wantLog || unpiped.TeamAllTime() != straight.TeamAllTime() {
		t.Error("a load one batch at a time differs from one through the pipeline")
	}

	s := openStore(t, t.TempDir())
	var froms []int
	for _, stopAt := range []int{1, 3, 4, 11} { // batches in, counting from the start
		ctx, cancel := context.WithCancel(context.Background())
		from := simulate.ContinuesAfter(s, resumeCfg)
		froms = append(froms, from)
		sum, err := simulate.Load(ctx, s, resumeCfg, func(done, total int) {
			if done >= stopAt*resumeCfg.BatchSize {
				cancel()
			}
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stop at batch %d: %v", stopAt, err)
		}
		if sum.Continued != from || sum.Events != stopAt*resumeCfg.BatchSize {
			t.Fatalf("stop at batch %d: continued after %d (want %d), %d events in the store", stopAt, sum.Continued, from, sum.Events)
		}
	}
	if fmt.Sprint(froms) != "[0 400 1200 1600]" {
		t.Fatalf("continued after %v", froms)
	}
	got, err := simulate.Load(context.Background(), s, resumeCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Continued != 11*resumeCfg.BatchSize || got.SkipTook <= 0 {
		t.Errorf("the last run continued after %d events in %v", got.Continued, got.SkipTook)
	}
	if logHash(t, s) != wantLog {
		t.Error("the continued load's log or record differs from the straight one's")
	}
	assertLikeStraight(t, s, straight, got, want)
}

// assertLikeStraight checks a continued load's store s and summary got
// against a straight load's: the same summary but where it continued,
// the same counts, and a check that finds nothing.
func assertLikeStraight(t *testing.T, s, straight recording, got, want simulate.LoadSummary) {
	t.Helper()
	got.Continued, got.SkipTook = 0, 0
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the continued load's summary differs from the straight one's:\n%+v\n%+v", got, want)
	}
	if diffs, err := s.Check(simulate.ReplayInto); err != nil || len(diffs) > 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
	if a, b := s.TeamAllTime(), straight.TeamAllTime(); a != b {
		t.Errorf("the team's counts: %+v, straight %+v", a, b)
	}
}

// An erasure (csat forget) rebuilds the store from its log: it carries
// the unfinished load's record over, counting the erasure's own record,
// and the load goes on after it, ending with the straight load's
// history and the erasure's record among it.
func TestLoadContinuesAfterAnErasure(t *testing.T) {
	straight := openStore(t, t.TempDir())
	want, err := simulate.Load(context.Background(), straight, resumeCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := simulate.Load(ctx, s, resumeCfg, func(done, _ int) {
		if done >= 3*resumeCfg.BatchSize {
			cancel()
		}
	}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	cancel()
	before := s.Seq()
	erased, err := s.Forget(simulate.ReplayInto, domain.Erasure{Conversation: "s5-0", By: "dpo"})
	if err != nil {
		t.Fatal(err)
	}
	rec, ok, seq, err := s.LoadRecord()
	if err != nil || !ok || rec.Finished || rec.Events != before || rec.Events+rec.Erasures != seq || erased.Events == 0 {
		t.Fatalf("after the erasure of %d events: record %+v (found %v, %v), log of %d", erased.Events, rec, ok, err, seq)
	}
	got, err := simulate.Load(context.Background(), s, resumeCfg, nil)
	if err != nil {
		t.Fatalf("the load after the erasure: %v", err)
	}
	if got.Continued != int(before) {
		t.Errorf("continued after %d events, want %d", got.Continued, before)
	}
	if s.Seq() != straight.Seq()+rec.Erasures {
		t.Errorf("a log of %d events, want the straight load's %d and the erasure's %d", s.Seq(), straight.Seq(), rec.Erasures)
	}
	if rec, _, _, _ := s.LoadRecord(); !rec.Finished || rec.Erasures == 0 {
		t.Errorf("the finished load's record: %+v", rec)
	}
	assertLikeStraight(t, s, straight, got, want)
}

// A store holding other data than an unfinished load of the same flags is
// refused (ErrLoadRefused), naming what differs, and nothing is written.
func TestLoadRefusesToContinueOnOtherData(t *testing.T) {
	interrupted := func(t *testing.T) recording {
		s := openStore(t, t.TempDir())
		ctx, cancel := context.WithCancel(context.Background())
		if _, err := simulate.Load(ctx, s, resumeCfg, func(int, int) { cancel() }); !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		return s
	}
	other := resumeCfg
	other.Days, other.Seed = 26, 6
	later := resumeCfg
	later.End = later.End.Add(time.Hour)
	for _, c := range []struct {
		name    string
		prepare func(t *testing.T) recording
		cfg     simulate.LoadConfig
		want    string
	}{
		{"other flags", interrupted, other, "differ from this one's: days 25 (this load: 26), seed 5 (this load: 6)"},
		{"another end", interrupted, later, "end 2026-06-01T12:00:00Z (this load: 2026-06-01T13:00:00Z)"},
		{"written after", func(t *testing.T) recording {
			s := interrupted(t)
			if _, err := s.Apply(domain.Event{Kind: domain.EvStart, At: loadTestEnd, Conv: "other", Actor: domain.User("u")}); err != nil {
				t.Fatal(err)
			}
			return s
		}, resumeCfg, "committed 400 events, but the store holds 401: other data was written after it"},
		{"written before", func(t *testing.T) recording {
			s := openStore(t, t.TempDir())
			if _, err := s.Apply(domain.Event{Kind: domain.EvStart, At: loadTestEnd, Conv: "other", Actor: domain.User("u")}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if _, err := simulate.Load(ctx, s, resumeCfg, func(int, int) { cancel() }); !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			return s
		}, resumeCfg, "began on a store that held 1 events of other data"},
		{"another stream", func(t *testing.T) recording {
			// As a csat whose generator differs would have written it.
			s := interrupted(t)
			rec, _, seq, _ := s.LoadProgress()
			rec.Events, rec.LastConv, rec.LastAt = seq+1, "elsewhere", loadTestEnd
			ev := domain.Event{Kind: domain.EvStart, At: loadTestEnd, Conv: "elsewhere", Actor: domain.User("u")}
			if _, err := s.ApplyLoadBatch([]domain.Event{ev}, rec); err != nil {
				t.Fatal(err)
			}
			return s
		}, resumeCfg, `event 401 of the stream is start "s5-72" at 2026-05-08T10:38:19Z, but the interrupted load recorded "elsewhere"`},
		{"finished", func(t *testing.T) recording {
			s := openStore(t, t.TempDir())
			if _, err := simulate.Load(context.Background(), s, resumeCfg, nil); err != nil {
				t.Fatal(err)
			}
			return s
		}, resumeCfg, "already ran to its end here"},
		{"same seed beside it", func(t *testing.T) recording {
			s := openStore(t, t.TempDir())
			if _, err := simulate.Load(context.Background(), s, resumeCfg, nil); err != nil {
				t.Fatal(err)
			}
			return s
		}, later, `conversation "s5-0" is already stored`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := c.prepare(t)
			before := logHash(t, s)
			_, err := simulate.Load(context.Background(), s, c.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
			if !errors.Is(err, simulate.ErrLoadRefused) {
				t.Errorf("err = %v: not marked ErrLoadRefused (nothing written: bad input)", err)
			}
			if logHash(t, s) != before {
				t.Fatal("the refused load wrote")
			}
		})
	}
}
