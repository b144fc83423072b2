package store

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// countersView is everything a counters-only reader answers.
type countersView struct {
	Seq      uint64
	Latest   time.Time
	Settings domain.Settings
	Team     domain.Counts
	Open     int
	LB       Leaderboard
	Filtered []Leaderboard // by everyFilter
	Series   []SeriesPoint
	FSeries  []SeriesPoint // email only
	Roster   []Teammate
	Names    []Name
}

func lookAtCounters(t *testing.T, s *Store) countersView {
	t.Helper()
	v := countersView{Seq: s.Seq(), Latest: s.Latest(), Settings: s.Settings(), Team: s.TeamAllTime(), Open: s.OpenFollowUps(), Names: s.Names()}
	var err [4]error
	v.LB, err[0] = s.Leaderboard(Period{})
	for _, f := range everyFilter() {
		lb, err := s.LeaderboardOf(Period{}, f)
		if err != nil {
			t.Fatal(err)
		}
		v.Filtered = append(v.Filtered, lb)
	}
	if len(v.LB.Teammates) > 0 {
		v.Series, err[1] = s.Series(v.LB.Teammates[0].Agent, Period{}, domain.Filter{}, domain.ByWeek)
		v.FSeries, err[2] = s.Series(v.LB.Teammates[0].Agent, Period{}, emailOnly(), domain.ByWeek)
	}
	v.Roster, err[3] = s.Teammates()
	for _, e := range err {
		if e != nil {
			t.Fatal(e)
		}
	}
	return v
}

func openCounters(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, ReadOnly: true, CountersOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func writeRandom(t *testing.T, s *Store, g *randomStream, n int) {
	t.Helper()
	var evs []domain.Event
	for range n {
		ev, _ := g.next()
		evs = append(evs, ev)
	}
	for i := 0; i < len(evs); i += 100 {
		if _, err := s.ApplyBatch(evs[i:min(i+100, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCountersOnlyReadsTheSummaryAsTheStore(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	g := newRandomStream(7)
	writeRandom(t, s, g, 3000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	whole, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want := lookAtCounters(t, whole)
	whole.Close()
	if want.LB.Team.Rated() == 0 || len(want.Filtered[1].Teammates) == 0 || len(want.Series) == 0 || len(want.FSeries) == 0 {
		t.Fatalf("the stream is too thin to test: %+v", want.LB.Team)
	}

	c := openCounters(t, dir)
	if !c.summary {
		t.Fatal("a store a writer closed cleanly was not read from its summary")
	}
	if got := lookAtCounters(t, c); !reflect.DeepEqual(got, want) {
		t.Fatalf("the summary answers differently:\ngot  %+v\nwant %+v", got.LB, want.LB)
	}
}

func TestStaleOrDamagedSummaryIsNotRead(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	g := newRandomStream(8)
	writeRandom(t, s, g, 1500)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, summaryName)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// A writer that was killed (here: never closed) leaves its memtable
	// log and no new summary; the old one, put back, no longer matches.
	s = openDir(t, dir)
	writeRandom(t, s, g, 500)
	s.writeMu.Lock()
	if err := s.db.Sync(); err != nil {
		t.Fatal(err)
	}
	s.writeMu.Unlock()
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	killedSeq := s.Seq()
	s.closeFeeds()
	s.cancel()
	s.wg.Wait()
	if err := s.db.Close(); err != nil { // Badger's own close, without csat's summary
		t.Fatal(err)
	}
	c := openCounters(t, dir)
	if c.summary || c.Seq() != killedSeq {
		t.Fatalf("a stale summary was read: summary %v, seq %d, want %d", c.summary, c.Seq(), killedSeq)
	}
	c.Close()

	// A flipped bit in the summary: the whole store is read instead.
	s = openDir(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x10
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c = openCounters(t, dir)
	if c.summary || c.Seq() != killedSeq {
		t.Fatalf("a damaged summary was read: summary %v, seq %d, want %d", c.summary, c.Seq(), killedSeq)
	}
}

func emailOnly() domain.Filter {
	ch := domain.ChannelEmail
	return domain.Filter{Channel: &ch}
}

// OpenSummary answers as the whole store from a current summary, and
// without one (a writer has the store open) says so instead of opening
// the tables: the dashboard then opens the store as before.
func TestOpenSummaryOpensOnlyACurrentSummary(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	writeRandom(t, s, newRandomStream(9), 1500)
	want := lookAtCounters(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := OpenSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := lookAtCounters(t, c)
	c.Close()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the summary answers differently:\ngot  %+v\nwant %+v", got.LB, want.LB)
	}
	w := openDir(t, dir)
	defer w.Close()
	if c, err := OpenSummary(dir); !errors.Is(err, ErrNoSummary) {
		c.Close()
		t.Fatalf("OpenSummary with a writer on the store: %v, want ErrNoSummary", err)
	}
	if _, err := OpenSummary(filepath.Join(dir, "none")); err == nil {
		t.Fatal("OpenSummary of a directory that does not exist succeeded")
	}
}
