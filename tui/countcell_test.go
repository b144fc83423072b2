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

func TestCutMiddleKeepsIdsApart(t *testing.T) {
	tests := []struct {
		id    string
		width int
		want  string
	}{
		{"s1-2972", 15, "s1-2972"},
		{"livedn8st62wi3x-12", 15, "livedn8…wi3x-12"},
		{"livedn8st62wi3x-13", 15, "livedn8…wi3x-13"},
		{"conversation-42", 15, "conversation-42"},
	}
	for _, tt := range tests {
		got := cutMiddle(tt.id, tt.width)
		if got != tt.want {
			t.Errorf("cutMiddle(%q, %d) = %q, want %q", tt.id, tt.width, got, tt.want)
		}
	}
}
