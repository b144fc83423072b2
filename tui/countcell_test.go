package tui

import "testing"

func TestCountCellKeepsColumnsApart(t *testing.T) {
	tests := []struct {
		n, width int
		want     string
	}{
		{412, 5, "412"},
		{9999, 5, "9999"},
		{32877, 5, "33k"},
		{999_400, 5, "999k"},
		{82192, 7, "82192"},
		{1_000_000, 7, "1.0M"},
		{12_345_678, 7, "12.3M"},
	}
	for _, tt := range tests {
		got := countCell(tt.n, tt.width)
		if got != tt.want || len(got) >= tt.width {
			t.Errorf("countCell(%d, %d) = %q, want %q (shorter than the column)", tt.n, tt.width, got, tt.want)
		}
	}
}

func TestLoadedCountSaysWhatItCounts(t *testing.T) {
	tests := []struct {
		shown, read int
		want        string
	}{
		{12, 12, "12 positive ratings"},
		{3, 12, "3 positive ratings"},
		{500, 500, "the newest 500 positive ratings"},
		{7, 500, "7 of the newest 500 positive ratings"},
	}
	for _, tt := range tests {
		if got := loadedCount(tt.shown, tt.read, 500, "positive ratings"); got != tt.want {
			t.Errorf("loadedCount(%d, %d) = %q, want %q", tt.shown, tt.read, got, tt.want)
		}
	}
}
