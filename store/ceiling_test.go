//go:build linux

package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/simulate"
	badger "github.com/dgraph-io/badger/v4"
)

// BenchmarkIngestCeiling measures what this machine can ingest of the
// realistic load (`csat simulate load --teammates 200 --days 330 --seed 7
// --end 2026-11-30`, $CSAT_CEILING_CONVERSATIONS conversations; it skips
// without them; $CSAT_CEILING_TEAMMATES and $CSAT_CEILING_DAYS change the
// other two), three ways, each reporting events/s, CPU µs an event and
// the load average by tenth of the run, peak RSS and bytes written:
//
//   - rules: the generator and the rules alone, into the in-memory
//     workspace (no Badger);
//   - store: the load through the store as the command runs it (a bulk
//     store, the load pipeline, the command's memory limit); with
//     $CSAT_CEILING_STREAM it records every committed key and value
//     length to that file (ceiling_stream_test.go), and prints the
//     entries an event by family;
//   - bare: a bare Badger WriteBatch on the bulk writer's options writing
//     the recorded stream: the same keys in the same order, one
//     WriteBatch per store commit, with filler values of the same sizes;
//     bare-one: one WriteBatch for the whole stream (Badger's own
//     batching); decode: reading the stream alone, to subtract.
//     $CSAT_CEILING_DROP (families: "p/,u/") leaves those families'
//     entries out, to price a format without them.
//
// Every run but rules is under the command's memory limit, unless
// $CSAT_CEILING_MEMLIMIT is 0. $CSAT_CEILING_PARTIAL=1 replays a copy of
// a stream still being recorded; $CSAT_CEILING_STEP=N also prints the
// figures by N events, to set such a run beside the whole one.
//
// Run each in its own process, so that RSS and CPU are its own, with
// -benchtime 1x; the stores go under $CSAT_CEILING_DIR (default a temp
// directory) and are removed after:
//
//	go test -c -o /tmp/store.test ./store
//	CSAT_CEILING_CONVERSATIONS=280000 CSAT_CEILING_STREAM=/tmp/keys.zst \
//	  /tmp/store.test -test.run '^$' -test.bench 'IngestCeiling/store$' -test.benchtime 1x
//	... -test.bench 'IngestCeiling/bare$' -test.cpuprofile bare.prof
func BenchmarkIngestCeiling(b *testing.B) {
	convs, _ := strconv.Atoi(os.Getenv("CSAT_CEILING_CONVERSATIONS"))
	if convs <= 0 {
		b.Skip("set CSAT_CEILING_CONVERSATIONS (and CSAT_CEILING_STREAM) to run")
	}
	cfg := simulate.LoadConfig{Teammates: envInt("CSAT_CEILING_TEAMMATES", 200), Conversations: convs,
		Days: envInt("CSAT_CEILING_DAYS", 330), Seed: 7, End: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	stream := os.Getenv("CSAT_CEILING_STREAM")
	b.Run("rules", func(b *testing.B) {
		for range b.N {
			t := startTenths()
			if _, err := simulate.Load(context.Background(), simulate.OneByOne(simulate.NewMemory()), cfg,
				func(done, _ int) { t.mark(done) }); err != nil {
				b.Fatal(err)
			}
			t.write(os.Stdout, "rules")
			writeProcess(os.Stdout, "rules", "")
		}
	})
	b.Run("store", func(b *testing.B) {
		for range b.N {
			ceilingStore(b, cfg, stream)
		}
	})
	for _, mode := range []string{"bare", "bare-one", "decode"} {
		b.Run(mode, func(b *testing.B) {
			if stream == "" {
				b.Skip("set CSAT_CEILING_STREAM to a stream the store's run recorded")
			}
			for range b.N {
				ceilingBare(b, stream, mode)
			}
		})
	}
}

func envInt(name string, otherwise int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return otherwise
}

// ceilingDir is a fresh directory for a run's store.
func ceilingDir(b *testing.B, name string) string {
	root := os.Getenv("CSAT_CEILING_DIR")
	if root == "" {
		return b.TempDir()
	}
	dir := filepath.Join(root, name)
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func ceilingStore(b *testing.B, cfg simulate.LoadConfig, stream string) {
	defer limitLikeLoad()()
	dir := ceilingDir(b, "store")
	s, err := Open(Options{Dir: dir, Bulk: true})
	if err != nil {
		b.Fatal(err)
	}
	rec := &keyRecorder{}
	if stream != "" {
		if rec.w, err = createStream(stream); err != nil {
			b.Fatal(err)
		}
	}
	s.onEntry = rec.observe
	t := startTenths()
	if _, err := simulate.Load(context.Background(), loadingStore{s}, cfg, func(done, _ int) { t.mark(done) }); err != nil {
		b.Fatal(err)
	}
	t.write(os.Stdout, "store")
	closing := time.Now()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("store: closed in %v", time.Since(closing).Round(time.Millisecond))
	if err := rec.finish(); err != nil {
		b.Fatal(err)
	}
	writeProcess(os.Stdout, "store", dir)
	b.Logf("store: %d commits, %d batches split (their journal is not in the stream)", rec.commits, rec.stopped)
	rec.counts.write(os.Stdout)
}

// ceilingBare writes the recorded stream with a bare WriteBatch: one a
// store commit (bare), one for all (bare-one), or none (decode).
func ceilingBare(b *testing.B, stream, mode string) {
	defer limitLikeLoad()()
	fill, err := readFillers(stream)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range strings.Split(os.Getenv("CSAT_CEILING_DROP"), ",") {
		if f != "" {
			fill.dropped[f[0]] = true
		}
	}
	dir := ceilingDir(b, mode)
	var db *badger.DB
	if mode != "decode" {
		if db, err = badger.Open(badgerOptions(Options{Dir: dir, Bulk: true}, silentLogger{})); err != nil {
			b.Fatal(err)
		}
	}
	t := startTenths()
	var counts familyCounts // the decode run counts the stream's entries
	mark := func(c *streamCommit, events int) {
		if mode == "decode" && c != nil {
			counts.add(c)
		}
		t.mark(events)
	}
	if err := replayStream(db, stream, fill, mode == "bare", mark); err != nil {
		b.Fatal(err)
	}
	t.write(os.Stdout, mode)
	if db != nil {
		closing := time.Now()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: closed in %v", mode, time.Since(closing).Round(time.Millisecond))
	}
	writeProcess(os.Stdout, mode, dir)
	if mode == "decode" {
		counts.write(os.Stdout)
	}
}

// replayStream writes the stream at path into db with a WriteBatch a
// commit (perCommit) or one for the whole stream, calling mark with the
// commit and the events written with it (a nil commit: the last flush);
// a nil db only reads the stream.
func replayStream(db *badger.DB, path string, fill *fillers, perCommit bool, mark func(c *streamCommit, events int)) error {
	commits, errc := readAhead(path)
	defer func() {
		for range commits { // the reader's goroutine ends
		}
	}()
	var wb *badger.WriteBatch
	events := 0
	for c := range commits {
		if db != nil && (wb == nil || perCommit) {
			wb = db.NewWriteBatch()
		}
		if wb != nil {
			if err := writeCommit(wb, c, fill); err != nil {
				return err
			}
			if perCommit {
				if err := wb.Flush(); err != nil {
					return err
				}
			}
		}
		events += c.events
		mark(c, events)
	}
	if err := <-errc; err != nil {
		return err
	}
	if wb != nil && !perCommit {
		if err := wb.Flush(); err != nil {
			return err
		}
		mark(nil, events)
	}
	return nil
}

func writeCommit(wb *badger.WriteBatch, c *streamCommit, fill *fillers) error {
	for _, e := range c.entries {
		k := c.key(e)
		if fill.dropped[k[0]] {
			continue
		}
		if e.valueLen < 0 {
			if err := wb.Delete(k); err != nil {
				return err
			}
			continue
		}
		if err := wb.Set(k, fill.value(k[0], int(e.valueLen))); err != nil {
			return err
		}
	}
	return nil
}

// readAhead decodes the stream on a goroutine of its own, a few commits
// ahead of the writer, as the load's generator runs ahead of the store.
func readAhead(path string) (<-chan *streamCommit, <-chan error) {
	// A copy of a stream still being recorded ends mid-commit: with
	// CSAT_CEILING_PARTIAL=1 it ends at its last whole commit.
	partial := os.Getenv("CSAT_CEILING_PARTIAL") == "1"
	out, errc := make(chan *streamCommit, 4), make(chan error, 1)
	go func() {
		defer close(out)
		r, err := openStream(path)
		if err != nil {
			errc <- err
			return
		}
		defer r.close()
		for {
			c, err := r.next()
			if errors.Is(err, io.EOF) || partial && errors.Is(err, io.ErrUnexpectedEOF) {
				errc <- nil
				return
			}
			if err != nil {
				errc <- err
				return
			}
			out <- c
		}
	}()
	return out, errc
}

// loadingStore is the store as `csat simulate load` gives it to the load
// (simulate/storeload, which imports store and so cannot be imported
// here): recording progress, one batch ahead.
type loadingStore struct{ *Store }

func (s loadingStore) ApplyLoadBatch(evs []domain.Event, p simulate.LoadProgress) ([]domain.Outcome, error) {
	return s.Store.ApplyLoadBatch(evs, LoadRecord(p))
}

func (s loadingStore) LoadProgress() (simulate.LoadProgress, bool, uint64, error) {
	rec, ok, seq, err := s.Store.LoadRecord()
	return simulate.LoadProgress(rec), ok, seq, err
}

func (s loadingStore) BeginLoadPipeline() (simulate.LoadPipeline, error) {
	p, err := s.Store.BeginLoad()
	if err != nil {
		return nil, err
	}
	return loadingPipeline{p}, nil
}

type loadingPipeline struct{ *LoadPipeline }

func (p loadingPipeline) Apply(outs []domain.Outcome, evs []domain.Event, rec simulate.LoadProgress) ([]domain.Outcome, error) {
	return p.LoadPipeline.ApplyInto(outs, evs, LoadRecord(rec))
}
