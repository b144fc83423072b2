package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/store"
)

// notifications makes n distinct signed conversation.rating.added
// notifications, each a new conversation of a few parts with a rating.
func notifications(b testing.TB, n int, secret []byte) (bodies [][]byte, sigs []string) {
	tmpl, err := os.ReadFile("../intercom/testdata/notification_rating.json")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		body := bytes.ReplaceAll(tmpl, []byte(`"1295"`), []byte(fmt.Sprintf(`"b%d"`, i)))
		body = bytes.Replace(body, []byte("notif_ccd8a4d0"), []byte(fmt.Sprintf("notif_%08d", i)), 1)
		bodies = append(bodies, body)
		sigs = append(sigs, intercom.Sign(secret, body))
	}
	return bodies, sigs
}

// BenchmarkWebhookIngest posts signed notifications to a real server on
// loopback, from 16 concurrent senders, against a store on disk that
// fsyncs every commit before the acknowledgement. It reports throughput
// and the latency percentiles, then reopens the store and checks that
// every acknowledged notification is there.
func BenchmarkWebhookIngest(b *testing.B) {
	dir := b.TempDir()
	secret := []byte("s3cret")
	st, err := store.Open(store.Options{Dir: dir, SyncWrites: os.Getenv("CSAT_BENCH_NOSYNC") == ""})
	if err != nil {
		b.Fatal(err)
	}
	u, _ := ParseUsers("users", []byte("ann admin "+keyA+"\n"))
	ready := make(chan Info, 1)
	srv, err := New(Config{Store: st, DataDir: dir, SSHAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Users: u,
		WebhookSecret: secret, APIToken: "t", Logger: log.New(io.Discard, "", 0), Ready: func(i Info) { ready <- i }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	info := <-ready
	url := "http://" + info.HTTP + "/webhooks/intercom"
	bodies, sigs := notifications(b, b.N, secret)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	const senders = 16
	lat := make([]time.Duration, b.N)
	var next int64 = -1
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < senders; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				next++
				i := next
				mu.Unlock()
				if i >= int64(b.N) {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
				req.Header.Set("X-Hub-Signature", sigs[i])
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
						err = fmt.Errorf("%d %s", resp.StatusCode, body)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	if len(failures) > 0 {
		b.Fatalf("%d failed, first: %s", len(failures), failures[0])
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "notif/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	// Every acknowledged notification is durable: reopen and count.
	st2, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer st2.Close()
	for _, i := range []int{0, b.N / 2, b.N - 1} {
		if _, ok := st2.Conversation(fmt.Sprintf("b%d", i)); !ok {
			b.Fatalf("acknowledged notification %d is not in the reopened store", i)
		}
	}
	n := 0
	if err := st2.EachConversation(func(domain.Conversation, time.Time) error { n++; return nil }); err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("%d notifications acknowledged, %d conversations in the reopened store", b.N, n)
	}
}
