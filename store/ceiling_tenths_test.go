//go:build linux

package store

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dgraph-io/ristretto/v2/z"
)

// tenths times a run by tenth of its events: wall clock, the process's
// CPU and the machine's load average, sampled after each commit.
type tenths struct {
	start   time.Time
	cpu0    time.Duration
	samples []tenthSample
	lastAvg time.Time
}

type tenthSample struct {
	events int
	wall   time.Duration
	cpu    time.Duration
	load1  float64 // NaN between readings of /proc/loadavg
}

func startTenths() *tenths {
	t := &tenths{start: time.Now(), cpu0: processCPU()}
	t.samples = append(t.samples, tenthSample{load1: loadAverage()})
	return t
}

// mark records that events events are done.
func (t *tenths) mark(events int) {
	s := tenthSample{events: events, wall: time.Since(t.start), cpu: processCPU() - t.cpu0, load1: math.NaN()}
	if time.Since(t.lastAvg) > 10*time.Second {
		s.load1, t.lastAvg = loadAverage(), time.Now()
	}
	t.samples = append(t.samples, s)
}

// write prints each tenth's events/s, CPU µs an event and mean load
// average, and the whole run's; with CSAT_CEILING_STEP=N, also each N
// events' (to compare a run over part of a stream with one over all).
func (t *tenths) write(w io.Writer, name string) {
	last := t.samples[len(t.samples)-1]
	fmt.Fprintf(w, "%s: %d events in %v, CPU %v: %.0f events/s, %.2f CPU µs an event\n", name, last.events,
		last.wall.Round(time.Millisecond), last.cpu.Round(time.Millisecond),
		float64(last.events)/last.wall.Seconds(), float64(last.cpu.Microseconds())/float64(last.events))
	var edges []int
	for k := 1; k <= 10; k++ {
		edges = append(edges, last.events*k/10)
	}
	t.writeSpans(w, name+" by tenth", edges)
	if step, _ := strconv.Atoi(os.Getenv("CSAT_CEILING_STEP")); step > 0 {
		edges = edges[:0]
		for e := step; e < last.events+step; e += step {
			edges = append(edges, min(e, last.events))
		}
		t.writeSpans(w, fmt.Sprintf("%s by %d events", name, step), edges)
	}
}

// writeSpans prints the figures of the spans of events that end at edges.
func (t *tenths) writeSpans(w io.Writer, name string, edges []int) {
	var rates, cpus, loads []string
	from := t.samples[0]
	i := 0
	for _, edge := range edges {
		sum, n := 0.0, 0
		for ; i < len(t.samples)-1 && t.samples[i].events < edge; i++ {
			if l := t.samples[i].load1; !math.IsNaN(l) {
				sum, n = sum+l, n+1
			}
		}
		to := t.samples[i]
		ev := float64(to.events - from.events)
		rate, cpu, load := "-", "-", "-" // no commit ended in this span
		if ev > 0 {
			rate = fmt.Sprintf("%.0f", ev/(to.wall-from.wall).Seconds())
			cpu = fmt.Sprintf("%.1f", float64((to.cpu-from.cpu).Microseconds())/ev)
		}
		if n > 0 {
			load = fmt.Sprintf("%.2f", sum/float64(n))
		}
		rates, cpus, loads = append(rates, rate), append(cpus, cpu), append(loads, load)
		from = to
	}
	fmt.Fprintf(w, "%s: events/s %s\n", name, strings.Join(rates, " "))
	fmt.Fprintf(w, "%s: CPU µs an event %s\n", name, strings.Join(cpus, " "))
	fmt.Fprintf(w, "%s: load average %s\n", name, strings.Join(loads, " "))
}

// loadAverage is the machine's one-minute load average, NaN if unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(strings.Fields(string(b) + " x")[0], 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// writeProcess prints the process's peak resident set and the bytes it
// had written to disk (Linux), and dir's size.
func writeProcess(w io.Writer, name, dir string) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	written := "?"
	if b, err := os.ReadFile("/proc/self/io"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "write_bytes: "); ok {
				written = v
			}
		}
	}
	var size int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	fmt.Fprintf(w, "%s: peak RSS %d MiB, written %s bytes, directory %d MiB\n", name, ru.Maxrss>>10, written, size>>20)
}

// limitLikeLoad sets the soft memory limit `csat simulate load` runs
// under (cmd/csat/memlimit.go: 176 MiB for the heap and Badger's mapped
// table buffers together), until the returned func; with
// CSAT_CEILING_MEMLIMIT=0, none (the collector's cost under the limit is
// a large part of a load's CPU).
func limitLikeLoad() func() {
	const budget, floor = 176 << 20, 32 << 20
	if os.Getenv("CSAT_CEILING_MEMLIMIT") == "0" {
		return func() {}
	}
	set := func(int64) { debug.SetMemoryLimit(max(budget-z.NumAllocBytes(), floor)) }
	z.WatchMapped(set)
	set(0)
	return func() {
		z.WatchMapped(nil)
		debug.SetMemoryLimit(math.MaxInt64)
	}
}
