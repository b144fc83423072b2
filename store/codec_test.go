package store

import (
	"reflect"
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
// assigned team and no parts is the bytes a csat before teams wrote, a
// prefix of the same record with one.
func TestConversationWithoutTeamKeepsTheOlderShape(t *testing.T) {
	r := convRecord{Conversation: domain.Conversation{ID: "c1", StartedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}, parts: partList{keyed: true}}
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

// TestLoggedEventReadsAsTheWholeEntry: the check's reader, which reads
// past an entry's outcome without building it, accepts and refuses the
// same bytes as the full decoding, and gives the same event.
func TestLoggedEventReadsAsTheWholeEntry(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := domain.Event{Kind: domain.EvRate, At: at, Conv: "山田-c1", Actor: domain.User("Chloé Dubois"), Value: 4, Updated: at.Add(time.Hour)}
	o := domain.Outcome{Kind: domain.EvRate, Decision: domain.DecisionAccepted, To: domain.Teammate("bob"),
		Rating: domain.RatingChange{Agent: domain.Teammate("bob"), Old: 3, New: 4, FirstRatedAt: at},
		Queue:  domain.QueueMove{Moved: true, Agent: domain.Teammate("bob"), Before: domain.QueueEntry{Value: 2, Stage: 1}}, Reopened: true, NoEffect: true,
	}.WithChecks([]domain.Check{{Code: 1, Have: 3, Limit: 5}, {Code: 2, Failed: true, Have: -1}})
	o.Survey.Inferred = true
	whole := encodeLogEntry(&ev, &o)
	variants := [][]byte{whole, encodeLogEntry(&ev, &domain.Outcome{}), append(append([]byte{}, whole...), 7)}
	for n := range whole {
		variants = append(variants, whole[:n])
		flipped := append([]byte{}, whole...)
		flipped[n] ^= 0x80
		variants = append(variants, flipped)
	}
	for _, v := range variants {
		want, _, wantErr := decodeLogEntry(v, 9)
		got, err := decodeLoggedEvent(v, 9)
		if (err == nil) != (wantErr == nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%x: read %+v, %v; the whole entry reads %+v, %v", v, got, err, want, wantErr)
		}
	}
}
