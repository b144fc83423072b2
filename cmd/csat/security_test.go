package main

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/store"
)

// plainDecimal is a number a spreadsheet cell may begin with + or - for.
var plainDecimal = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// FuzzReportTable: whatever an agent is called, no line of the report
// table holds ESC or another control character, and the CSV report never
// begins a cell with a formula.
func FuzzReportTable(f *testing.F) {
	for _, s := range []string{"\x1b]0;pwned\x07eve", "\x1b[2J\x1b[Hfake", "=1+1", "\u202eeve", "caf\xe9 \x9b2J", "山田 太郎"} {
		f.Add(s)
	}
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name string) {
		row := store.AgentRow{Agent: domain.Teammate(name), Counts: domain.Counts{Surveys: 2, ByValue: [6]int{0, 1, 0, 0, 0, 1}}}
		lb := store.Leaderboard{Period: store.Period{From: day, To: day.AddDate(0, 0, 1)}, Team: row.Counts, Teammates: []store.AgentRow{row}, Bots: []store.AgentRow{row}}
		var table, sheet bytes.Buffer
		if err := writeReportTable(&table, report.NewLeaderboard(lb, 800)); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(table.String(), "\n") {
			if !utf8.ValidString(line) || strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }) {
				t.Fatalf("report line %d: %q", i+1, line)
			}
		}
		if err := writeReportCSV(&sheet, report.NewLeaderboard(lb, 800)); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&sheet).ReadAll()
		if err != nil {
			t.Fatalf("CSV report does not read back: %v", err)
		}
		for _, row := range rows[1:] {
			// A cell may begin with + or - only as a plain decimal, of any
			// length (a fuzzed 500-digit "+000666…" is one; +Inf is not).
			if cell := row[0]; cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainDecimal.MatchString(cell) {
				t.Fatalf("CSV report cell begins a formula: %q", cell)
			}
		}
	})
}
