package main

import (
	"fmt"
	"strings"
	"time"
)

// tenthRates times each tenth of a load, so that its summary shows whether
// ingest slows as the store grows. Tenths are of the generator's running
// estimate of the total, exact at the end. Beside the wall-clock rate it
// gives the process's CPU time per event in each tenth, where the system
// says it: on a machine shared with other work the wall clock measures
// the others too, the CPU time only the load. A continued load times
// only what it writes: from is the events its stream had committed, and
// the clocks start again when the load reports them (before its first
// batch); the tenths before show "-".
type tenthRates struct {
	from     int
	resumed  bool
	start    time.Time
	at       []time.Time
	done     []int
	cpu      func() (time.Duration, bool) // the process's CPU time (processCPU)
	cpuStart time.Duration
	cpuAt    []time.Duration
	cpuOK    bool
}

func newTenthRates() *tenthRates { return newTenthRatesWith(processCPU) }

func newTenthRatesWith(cpu func() (time.Duration, bool)) *tenthRates {
	r := &tenthRates{start: time.Now(), cpu: cpu}
	r.cpuStart, r.cpuOK = cpu()
	return r
}

// observe is a progress callback; then, when not nil, passes the call on.
func (r *tenthRates) observe(then func(done, total int)) func(done, total int) {
	return func(done, total int) {
		if r.from > 0 && done == r.from && !r.resumed {
			r.resumed = true
			r.start = time.Now()
			r.cpuStart, r.cpuOK = r.cpu()
		}
		for total > 0 && len(r.at) < 10 && done*10 >= total*(len(r.at)+1) {
			r.at = append(r.at, time.Now())
			r.done = append(r.done, done)
			c, ok := r.cpu()
			r.cpuAt = append(r.cpuAt, c)
			r.cpuOK = r.cpuOK && ok
		}
		if then != nil {
			then(done, total)
		}
	}
}

// String lists the events per second of each tenth, and the CPU time per
// event when known; "" before a whole run.
func (r *tenthRates) String() string {
	if len(r.at) < 10 {
		return ""
	}
	rates := make([]string, len(r.at))
	cpus := make([]string, len(r.at))
	from, was, cpuFrom := r.start, r.from, r.cpuStart
	for i, t := range r.at {
		// One batch can cross several tenths: the events count in the last.
		rates[i], cpus[i] = "-", "-"
		if s := t.Sub(from).Seconds(); s > 0 && r.done[i] > was {
			n := float64(r.done[i] - was)
			rates[i] = fmt.Sprintf("%.0f", n/s)
			cpus[i] = fmt.Sprintf("%.1f", float64((r.cpuAt[i]-cpuFrom).Microseconds())/n)
			from, was, cpuFrom = t, r.done[i], r.cpuAt[i]
		}
	}
	s := "; by tenth: " + strings.Join(rates, " ")
	if r.cpuOK {
		s += "; CPU µs per event by tenth: " + strings.Join(cpus, " ")
	}
	return s
}
