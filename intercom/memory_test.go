package intercom_test

// Memory and start-up of the ingester against the real store: the Intercom
// bookkeeping must not grow the heap with every notification, and a new
// Ingester must not replay the log.

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/store"
)

// distinctNotifications makes n verified-body notifications, each a new
// conversation (start, opening message, 3 parts, observed rating).
func distinctNotifications(tb testing.TB, n int) [][]byte {
	tb.Helper()
	tmpl, err := os.ReadFile("testdata/notification_rating.json")
	if err != nil {
		tb.Fatal(err)
	}
	bodies := make([][]byte, n)
	for i := range bodies {
		b := bytes.ReplaceAll(tmpl, []byte(`"1295"`), []byte(fmt.Sprintf(`"m%d"`, i)))
		bodies[i] = bytes.Replace(b, []byte("notif_ccd8a4d0"), []byte(fmt.Sprintf("notif_%08d", i)), 1)
	}
	return bodies
}

func ingestAll(tb testing.TB, wh *intercom.Webhook, bodies [][]byte) {
	tb.Helper()
	for i, b := range bodies {
		if a, code := wh.Ingest(b); code != http.StatusOK || a.Status != "ok" {
			tb.Fatalf("notification %d: %d %+v", i, code, a)
		}
	}
}

// liveHeap is the heap in use after two full collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// retainedByIngester ingests bodies through a new Ingester on st and
// returns the heap that Ingester (and its webhook) keeps alive: the live
// heap with it, minus the live heap once it is dropped. The store's own
// memory is alive in both readings.
func retainedByIngester(tb testing.TB, st *store.Store, bodies [][]byte) int64 {
	tb.Helper()
	wh := webhookOn(tb, st)
	ingestAll(tb, wh, bodies)
	with := liveHeap()
	runtime.KeepAlive(wh)
	wh = nil
	without := liveHeap()
	return int64(with) - int64(without)
}

func benchNotifications() int {
	if n, err := strconv.Atoi(os.Getenv("CSAT_BENCH_NOTIFICATIONS")); err == nil && n > 0 {
		return n
	}
	return 30000
}

// TestIngesterHeapDoesNotGrowWithNotifications: 2,000 distinct
// notifications leave the ingester holding almost nothing (the seen-set it
// kept in memory before the store's mark index held 0.87 MB here).
func TestIngesterHeapDoesNotGrowWithNotifications(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 2,000 notifications")
	}
	st := openStore(t, store.Options{InMemory: true})
	defer st.Close()
	const n = 2000
	kept := retainedByIngester(t, st, distinctNotifications(t, n))
	t.Logf("the ingester keeps %d bytes after %d notifications", kept, n)
	if kept > 256<<10 {
		t.Fatalf("the ingester keeps %d bytes after %d notifications (%d per notification)", kept, n, kept/n)
	}
}

// BenchmarkIngesterHeap posts CSAT_BENCH_NOTIFICATIONS (default 30,000)
// distinct notifications through Webhook.Ingest on an in-memory store, once
// whatever b.N, and reports the heap the Ingester keeps alive afterwards.
//
//	go test ./intercom/ -run '^$' -bench IngesterHeap -benchtime 1x -count 3
func BenchmarkIngesterHeap(b *testing.B) {
	n := benchNotifications()
	bodies := distinctNotifications(b, n)
	st := openStore(b, store.Options{InMemory: true})
	defer st.Close()
	b.ResetTimer()
	kept := retainedByIngester(b, st, bodies)
	b.ReportMetric(float64(kept)/float64(n), "ingester-B/notif")
	b.ReportMetric(float64(kept)/(1<<20), "ingester-MB")
}

// BenchmarkNewIngester times a new Ingester on a store on disk that holds
// CSAT_BENCH_NOTIFICATIONS (default 30,000) ingested notifications: what
// `csat serve` and `csat import` pay at start, and the heap the new
// Ingester holds.
//
// A fixed -benchtime builds the store once:
//
//	go test ./intercom/ -run '^$' -bench NewIngester -benchtime 200x -count 5
func BenchmarkNewIngester(b *testing.B) {
	n := benchNotifications()
	dir := b.TempDir()
	st := openStore(b, store.Options{Dir: dir})
	start := time.Now()
	ingestAll(b, webhookOn(b, st), distinctNotifications(b, n))
	b.Logf("%d notifications, %d events ingested in %v", n, st.Seq(), time.Since(start))
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	st = openStore(b, store.Options{Dir: dir})
	defer st.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := intercom.NewIngester(st); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	before := liveHeap()
	in, err := intercom.NewIngester(st)
	if err != nil {
		b.Fatal(err)
	}
	after := liveHeap()
	runtime.KeepAlive(in)
	b.ReportMetric((float64(after)-float64(before))/(1<<20), "ingester-MB")
}
