package simulate

import (
	"os"
	"path/filepath"
	"testing"
)

// benchScripts loads every kept scenario once.
func benchScripts(b *testing.B) (srcs map[string][]byte, lines int) {
	b.Helper()
	names, _ := filepath.Glob("testdata/scenarios/*.csat")
	srcs = map[string][]byte{}
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		srcs[n] = src
		s, err := Parse(n, src)
		if err != nil {
			b.Fatal(err)
		}
		lines += len(s.Commands)
	}
	return srcs, lines
}

// BenchmarkParse parses every kept scenario; commands/s is the figure to quote.
func BenchmarkParse(b *testing.B) {
	srcs, lines := benchScripts(b)
	b.ResetTimer()
	for b.Loop() {
		for n, src := range srcs {
			if _, err := Parse(n, src); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "commands/s")
}

// BenchmarkRun runs every kept scenario in memory, without a trace.
func BenchmarkRun(b *testing.B) {
	srcs, lines := benchScripts(b)
	var scripts []*Script
	for n, src := range srcs {
		s, _ := Parse(n, src)
		scripts = append(scripts, s)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, s := range scripts {
			if _, err := Run(s, NewMemory(), Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "commands/s")
}
