package store

import (
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// TestLogEntryOfNoEffectFalseKeepsTheOlderShape: an entry whose outcome
// has no NoEffect is byte for byte what a csat before NoEffect wrote, so
// check's byte comparison of a replay passes on stores it wrote.
func TestLogEntryOfNoEffectFalseKeepsTheOlderShape(t *testing.T) {
	ev := domain.Event{Kind: domain.EvClose, At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Conv: "c1", Actor: domain.Teammate("bob")}
	older := encodeLogEntry(&ev, &domain.Outcome{})
	withFlag := encodeLogEntry(&ev, &domain.Outcome{NoEffect: true})
	if len(withFlag) != len(older)+1 || string(withFlag[:len(older)]) != string(older) {
		t.Fatalf("NoEffect false: %x, true: %x; want the same bytes and one more", older, withFlag)
	}
	for _, v := range [][]byte{older, withFlag, append(append([]byte{}, older...), 0)} {
		_, o, err := decodeLogEntry(v, 1)
		if err != nil || o.NoEffect != (len(v) > len(older) && v[len(v)-1] != 0) {
			t.Errorf("%x: NoEffect %v, %v", v, o.NoEffect, err)
		}
	}
}

// TestConversationWithoutTeamKeepsTheOlderShape: a record with no
// assigned team is the bytes a csat before teams wrote, a prefix of the
// same record with one.
func TestConversationWithoutTeamKeepsTheOlderShape(t *testing.T) {
	r := convRecord{Conversation: domain.Conversation{ID: "c1", StartedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	older := encodeConversation(&r)
	r.Team, r.TeamAt = "814866", r.StartedAt
	withTeam := encodeConversation(&r)
	if len(withTeam) <= len(older) || string(withTeam[:len(older)]) != string(older) {
		t.Fatalf("without a team: %x, with: %x; want a prefix", older, withTeam)
	}
	for _, v := range [][]byte{older, withTeam} {
		got, err := decodeConversation(v, "c1")
		if err != nil || (got.Team != "") != (len(v) > len(older)) {
			t.Errorf("%x: team %q, %v", v, got.Team, err)
		}
	}
}
