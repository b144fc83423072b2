package intercom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/intercom/intercomtest"
	"github.com/csat-app/csat/store"
)

// waits records the pauses a sync asks for instead of sleeping them.
type waits struct {
	mu sync.Mutex
	ds []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.ds = append(w.ds, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) list() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.ds...)
}

func syncOptions(f *intercomtest.Server, w *waits, log *bytes.Buffer) intercom.SyncOptions {
	var mu sync.Mutex
	return intercom.SyncOptions{
		BaseURL: f.URL, Token: f.Token, Wait: w.wait, Jitter: func() float64 { return 0.5 },
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(log, format+"\n", args...)
		},
	}
}

func newIngester(t *testing.T, st *store.Store) *intercom.Ingester {
	t.Helper()
	in, err := intercom.NewIngester(st)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// dump is every conversation of the store, as JSON lines, in id order.
func dump(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	err := st.EachConversation(func(c domain.Conversation, updated time.Time) error {
		line, err := json.Marshal(struct {
			C domain.Conversation
			U time.Time
		}{c, updated})
		b.Write(line)
		b.WriteByte('\n')
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSyncReadsEveryPageThroughFaults: three pages of 150, a 429 on the
// second search (the wait follows X-RateLimit-Reset), a 502 on one
// conversation (retried after a jittered backoff), and a conversation of
// the first page that a customer answers while the second page is read:
// the store ends with every conversation and that late reply.
func TestSyncReadsEveryPageThroughFaults(t *testing.T) {
	f := intercomtest.New(t, 320)
	f.BeforeSearch = func(n int) int {
		switch n {
		case 2:
			f.Update("5003", "Sorry, it is failing again", intercomtest.Epoch+400*3600)
			return http.StatusTooManyRequests
		}
		return 0
	}
	f.BeforeGet = func(n int, id string) int {
		if n == 200 {
			return http.StatusBadGateway
		}
		return 0
	}
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	var w waits
	var log bytes.Buffer
	var seen []intercom.SyncProgress
	opt := syncOptions(f, &w, &log)
	opt.Progress = func(p intercom.SyncProgress) { seen = append(seen, p) }
	rep, err := intercom.Sync(context.Background(), newIngester(t, st), opt)
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, log.String())
	}
	if !rep.Done || rep.Pages != 3 || rep.Conversations != 321 || rep.Admins != 3 || rep.Teams != 2 || rep.Retries != 2 || len(rep.Malformed) != 0 {
		t.Fatalf("report: %+v", rep)
	}
	if len(seen) != 3 || seen[2].Done != 321 || seen[2].Total != 321 {
		t.Fatalf("progress: %+v", seen)
	}
	ds := w.list()
	if len(ds) != 2 || ds[0] < 1500*time.Millisecond || ds[1] < 500*time.Millisecond || ds[1] > time.Second {
		t.Fatalf("waits %v: want the 429's reset (about 3 s) then half to one backoff second", ds)
	}
	for _, r := range f.SearchRequests() {
		if !strings.HasSuffix(r, "per_page=150") {
			t.Fatalf("search request %q: want per_page 150", r)
		}
	}
	all := dump(t, st)
	if n := strings.Count(all, "\n"); n != 320 {
		t.Fatalf("%d conversations in the store, want 320", n)
	}
	late, ok := st.Conversation("5003")
	if !ok || late.Messages != 4 {
		t.Fatalf("conversation 5003 after its late reply: %+v", late)
	}
	lb, err := st.Leaderboard(store.Period{})
	if err != nil {
		t.Fatal(err)
	}
	if got := lb.Team.Rated(); got != 107 {
		t.Fatalf("team ratings %d, want 107 (every third of 320)", got)
	}

	// A rerun starts from the first run's end, less the overlap, and
	// writes nothing new.
	rep2, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Applied != 0 || rep2.Resumed || !rep2.Since.Equal(rep.Until) {
		t.Fatalf("rerun: %+v (first run until %v)", rep2, rep.Until)
	}
	if dump(t, st) != all {
		t.Fatal("a rerun changed the store")
	}
}

// TestSyncRefusedTokenWritesNothing: a wrong token is a clear error
// before anything is written.
func TestSyncRefusedTokenWritesNothing(t *testing.T) {
	f := intercomtest.New(t, 3)
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	var w waits
	var log bytes.Buffer
	opt := syncOptions(f, &w, &log)
	opt.Token = "not-the-token"
	_, err := intercom.Sync(context.Background(), newIngester(t, st), opt)
	if !errors.Is(err, intercom.ErrUnauthorized) || !strings.Contains(err.Error(), "GET /admins: 401 Unauthorized: Intercom refused the access token: unauthorized Access Token Invalid") {
		t.Fatalf("err = %v", err)
	}
	if st.Seq() != 0 {
		t.Fatalf("%d events written after a refused token", st.Seq())
	}
	if strings.Contains(err.Error(), "not-the-token") || strings.Contains(log.String(), "not-the-token") {
		t.Fatal("the token appears in the error or the log")
	}
}

// TestSyncInterruptedContinuesWhereItStopped: a run cancelled while the
// second page is read keeps the first page and its position; the rerun
// asks for the second page, not the first, and the store then equals one
// synced without interruption.
func TestSyncInterruptedContinuesWhereItStopped(t *testing.T) {
	f := intercomtest.New(t, 400)
	var w waits
	var log bytes.Buffer

	whole := openStore(t, store.Options{InMemory: true})
	defer whole.Close()
	if _, err := intercom.Sync(context.Background(), newIngester(t, whole), syncOptions(f, &w, &log)); err != nil {
		t.Fatal(err)
	}
	afterWhole := len(f.SearchRequests())

	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	gets := f.Gets()
	f.BeforeGet = func(n int, id string) int {
		if n == gets+150+20 { // the 20th conversation of the second page
			cancel()
		}
		return 0
	}
	rep, err := intercom.Sync(ctx, newIngester(t, st), syncOptions(f, &w, &log))
	if !errors.Is(err, context.Canceled) || rep.Pages != 1 || rep.Done {
		t.Fatalf("interrupted run: %v %+v", err, rep)
	}
	if n := strings.Count(dump(t, st), "\n"); n != 150 {
		t.Fatalf("%d conversations kept from the interrupted run, want the first page's 150", n)
	}
	f.BeforeGet = nil
	rep, err = intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil || !rep.Resumed || rep.Pages != 2 || !rep.Done {
		t.Fatalf("rerun: %v %+v", err, rep)
	}
	reqs := f.SearchRequests()[afterWhole:]
	if len(reqs) != 4 || !strings.HasPrefix(reqs[0], "POST /conversations/search after= ") || reqs[1] == reqs[0] || reqs[2] != reqs[1] {
		t.Fatalf("search requests of the two runs:\n%s", strings.Join(reqs, "\n"))
	}
	if got, want := dump(t, st), dump(t, whole); got != want {
		t.Fatalf("interrupted then resumed differs from one run:\n%s\nwant\n%s", got[:min(len(got), 2000)], want[:min(len(want), 2000)])
	}
}

// TestSyncTokenStaysOutOfTheDataDirectory: after a sync into a store on
// disk, no file of the data directory and no log line holds the token.
func TestSyncTokenStaysOutOfTheDataDirectory(t *testing.T) {
	f := intercomtest.New(t, 40)
	dir := t.TempDir()
	st := openStore(t, store.Options{Dir: dir})
	var w waits
	var log bytes.Buffer
	f.BeforeGet = func(n int, id string) int {
		if n == 3 {
			return http.StatusInternalServerError
		}
		return 0
	}
	if _, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "retrying") {
		t.Fatalf("the log shows no retry:\n%s", log.String())
	}
	if strings.Contains(log.String(), f.Token) {
		t.Fatal("the log holds the token")
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte(f.Token)) || bytes.Contains(b, []byte("Bearer")) {
			t.Errorf("%s holds the token", path)
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("walking %s: %v (%d files)", dir, err, files)
	}
}

func TestCheckBaseURLSendsTheTokenOnlyToIntercom(t *testing.T) {
	for _, ok := range []string{"https://api.intercom.io", "https://api.eu.intercom.io", "https://api.au.intercom.io", "http://127.0.0.1:8080", "http://[::1]:9"} {
		if _, err := intercom.CheckBaseURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://api.intercom.io", "https://api.intercom.io.evil.example", "https://example.com", "ftp://127.0.0.1"} {
		if _, err := intercom.CheckBaseURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestSyncWaitsWhenTheWindowIsSpent: an answer with X-RateLimit-Remaining
// 0 makes the next request wait for X-RateLimit-Reset, with no 429 needed.
func TestSyncWaitsWhenTheWindowIsSpent(t *testing.T) {
	f := intercomtest.New(t, 3)
	f.SpentAt = 1 // GET /admins
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	var w waits
	var log bytes.Buffer
	rep, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil || rep.Retries != 0 || rep.Conversations != 3 {
		t.Fatalf("%v %+v", err, rep)
	}
	if ds := w.list(); len(ds) != 1 || ds[0] < 3*time.Second || ds[0] > 5*time.Second {
		t.Fatalf("waits %v: want one of about 5 s, before the second request", ds)
	}
	if !strings.Contains(log.String(), "rate limit reached; waiting") {
		t.Fatalf("log:\n%s", log.String())
	}
}

// BenchmarkSync syncs CSAT_BENCH_SYNC (default 3,000) conversations from
// the local Intercom-compatible server into an in-memory store, once
// whatever b.N: the client's own cost (search, one GET per conversation,
// four at a time, import), with no network latency.
//
//	go test ./intercom/ -run '^$' -bench Sync -benchtime 1x
func BenchmarkSync(b *testing.B) {
	n := 3000
	if v, err := strconv.Atoi(os.Getenv("CSAT_BENCH_SYNC")); err == nil && v > 0 {
		n = v
	}
	f := intercomtest.New(b, n)
	st := openStore(b, store.Options{InMemory: true})
	defer st.Close()
	in, err := intercom.NewIngester(st)
	if err != nil {
		b.Fatal(err)
	}
	var w waits
	var log bytes.Buffer
	b.ResetTimer()
	start := time.Now()
	rep, err := intercom.Sync(context.Background(), in, syncOptions(f, &w, &log))
	took := time.Since(start)
	if err != nil || rep.Conversations != n {
		b.Fatalf("%v %+v", err, rep)
	}
	b.ReportMetric(float64(n)/took.Seconds(), "conversations/s")
	b.ReportMetric(float64(rep.Applied), "events")
}

// TestSyncRefusesATimeTheStoreCannotHold: a conversation whose reply
// Intercom dates 2300 (past the store's times, and past this machine's
// clock) is reported as malformed, named with its time, and the store
// holds nothing of it; the others sync.
func TestSyncRefusesATimeTheStoreCannotHold(t *testing.T) {
	f := intercomtest.New(t, 3)
	f.Update("5001", "Writing from the future", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	var w waits
	var log bytes.Buffer
	rep, err := intercom.Sync(context.Background(), newIngester(t, st), syncOptions(f, &w, &log))
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, log.String())
	}
	if len(rep.Malformed) != 1 || !strings.Contains(rep.Malformed[0].What+": "+rep.Malformed[0].Reason, "conversation 5001") ||
		!strings.Contains(rep.Malformed[0].Reason, "2300-01-01T00:00:0") {
		t.Fatalf("malformed %+v", rep.Malformed)
	}
	if _, ok := st.Conversation("5001"); ok {
		t.Fatal("the store holds the conversation of 2300")
	}
	for _, id := range []string{"5000", "5002"} {
		if _, ok := st.Conversation(id); !ok {
			t.Fatalf("conversation %s did not sync", id)
		}
	}
}
