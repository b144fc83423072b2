package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/csat-app/csat/report"
)

// The report's table cuts a very long name in the middle (its start and
// its end stay, with …), so that one name does not push every row past
// the terminal's width; wide scripts keep their columns. CSV and JSON
// keep names whole.
func TestReportTableCutsAVeryLongName(t *testing.T) {
	const long = "Bartholomew Maximilian Fitzgerald-Worthington the Third of the Very Long Names Department"
	lb := report.Leaderboard{From: "2026-11-03", To: "2026-12-02", Days: 30, Target: "80%",
		Team: report.AgentRow{Agent: "team", Kind: "team", Score: "—", ResponseRate: "—"},
		Teammates: []report.AgentRow{
			{Agent: long, Kind: "teammate", Score: "0%", Ratings: 1, Negative: 1, ResponseRate: "—"},
			{Agent: "山田 太郎", Kind: "teammate", Score: "100%", Ratings: 1, Positive: 1, ResponseRate: "—"},
			// Cut where a wide character straddles the kept end: it is
			// dropped, not kept half a cell past the column.
			{Agent: "東京本社 カスタマーサポート部 第二課 山田 太郎", Kind: "teammate", Score: "50%", Ratings: 2, Positive: 1, ResponseRate: "—"},
		}}
	var b bytes.Buffer
	if err := writeReportTable(&b, lb); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	var kindAt []int
	for _, l := range lines {
		if ansi.StringWidth(l) > 140 {
			t.Errorf("a line of %d cells:\n%s", ansi.StringWidth(l), l)
		}
		if i := strings.Index(l, "teammate"); i >= 0 {
			kindAt = append(kindAt, ansi.StringWidth(l[:i]))
		}
	}
	out := b.String()
	if !strings.Contains(out, "Bartholomew Maximil…") || !strings.Contains(out, "Names Department") {
		t.Errorf("the long name is not cut in its middle:\n%s", out)
	}
	if !strings.Contains(out, "東京本社 カスタマー…部 第二課 山田 太郎") {
		t.Errorf("the long wide name is not cut in its middle:\n%s", out)
	}
	if len(kindAt) != 3 || kindAt[0] != reportNameWidth+2 || kindAt[1] != kindAt[0] || kindAt[2] != kindAt[0] {
		t.Errorf("KIND at cells %v, want each at %d:\n%s", kindAt, reportNameWidth+2, out)
	}
}
