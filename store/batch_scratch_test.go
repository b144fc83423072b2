package store

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// A filter's day sum made in a buffer that held another sum, longer or
// shorter, is the sum made afresh: nothing of the sum before stays.
func TestSelectorSumInAUsedBufferIsTheFreshSum(t *testing.T) {
	var day [domain.NumSegments][]domain.Counts
	var moved [domain.NumSegments]bool
	for seg := range day {
		day[seg] = make([]domain.Counts, 3+seg%4)
		for id := range day[seg] {
			day[seg][id] = domain.Counts{Surveys: seg + id + 1, ByValue: [6]int{0, id, seg, 1, 0, 2}}
		}
		moved[seg] = seg%3 == 0
	}
	dirty := make([]domain.Counts, 12)
	for i := range dirty {
		dirty[i] = domain.Counts{Surveys: 1000 + i, Inferred: 7, ByValue: [6]int{9, 9, 9, 9, 9, 9}}
	}
	for _, sel := range allSelectors {
		want, wantOK := selectorSum(sel, &day, &moved, nil)
		for _, buf := range [][]domain.Counts{dirty[:1:1], append([]domain.Counts(nil), dirty...)} {
			got, ok := selectorSum(sel, &day, &moved, buf)
			if ok != wantOK || !reflect.DeepEqual(got, want) {
				t.Errorf("selector %08b in a used buffer of %d: %v %v, want %v %v", sel, cap(buf), got, ok, want, wantOK)
			}
		}
	}
}

// What a key arena cuts stays as it was cut, however much is cut after
// it, and is cut at its length: appending to one cut key cannot write
// into the next.
func TestKeyArenaNeverWritesOverWhatItCut(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	a := keyArena{chunk: 64}
	var cuts, want [][]byte
	for i := 0; i < 2000; i++ {
		v := make([]byte, r.IntN(100))
		for j := range v {
			v[j] = byte(r.Uint32())
		}
		c := a.copy(v)
		if cap(c) != len(c) {
			t.Fatalf("cut %d: capacity %d past its length %d", i, cap(c), len(c))
		}
		cuts, want = append(cuts, c), append(want, v)
		if i%7 == 0 && i > 0 {
			_ = append(cuts[i-1], 0xff, 0xff)
		}
	}
	for i := range cuts {
		if !bytes.Equal(cuts[i], want[i]) {
			t.Fatalf("cut %d changed: % x, want % x", i, cuts[i], want[i])
		}
	}
}

// The index keys a batch cuts from its arena are the keys the read side
// seeks (ratingKey, slotKey, agentFollowUpKey, updatedKey), whatever the
// arena's chunk.
func TestIndexKeysFromAnArenaAreTheIndexKeys(t *testing.T) {
	s := openMem(t)
	defer s.Close()
	b := s.newBatch()
	defer b.discard()
	b.sizeFor(2000)
	for _, ev := range accepted(t, interleavedStream(14, 2000, 40)) {
		if _, err := b.apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	rated := 0
	for id, c := range b.ws.Conversations {
		r := convRecord{Conversation: *c}
		want := [][]byte{updatedKey(r.UpdatedAt, id)}
		for _, sl := range r.Slots {
			if sl.Value == 0 {
				continue
			}
			rated++
			want = append(want, ratingKey(sl.Agent, sl.FirstRatedAt, id))
			if sl.FollowUpCandidate() {
				want = append(want, slotKey(pFollowUp, sl.FirstRatedAt, id, sl.Agent), agentFollowUpKey(sl.Agent, sl.FirstRatedAt, id))
			}
			if domain.ClassOf(sl.Value) == domain.ClassPositive {
				want = append(want, slotKey(pAchieve, sl.LastChangedAt, id, sl.Agent))
			}
		}
		for _, chunk := range []int{0, 40, keyArenaChunk} {
			a := keyArena{chunk: chunk}
			if got := a.indexKeys(&r, nil); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, chunks of %d: keys %q, want %q", id, chunk, got, want)
			}
		}
	}
	if rated == 0 {
		t.Fatal("no rated slot: the test tests nothing")
	}
}

// The key functions write the bytes they always wrote (store/doc.go's
// layout): prefix, time, conversation, agent.
func TestIndexKeyBytesAreTheLayout(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	agent := domain.Actor{Kind: domain.KindTeammate, Name: "山田 太郎"}
	tm := binary.BigEndian.AppendUint64(nil, uint64(at.UnixNano())^(1<<63))
	agentPart := func(p byte) []byte {
		k := []byte{p, '/', byte(agent.Kind)}
		k = binary.AppendUvarint(k, uint64(len(agent.Name)))
		return append(k, agent.Name...)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"conversation", convKey("s7-12"), []byte("v/s7-12")},
		{"updated", updatedKey(at, "s7-12"), cat([]byte{pUpdated, '/'}, tm, []byte("s7-12"))},
		{"rating", ratingKey(agent, at, "s7-12"), cat(agentPart(pByAgent), tm, []byte("s7-12"))},
		{"follow-up by agent", agentFollowUpKey(agent, at, "s7-12"), cat(agentPart(pAgentFollowUp), tm, []byte("s7-12"))},
		{"follow-up", slotKey(pFollowUp, at, "s7-12", agent), cat([]byte{pFollowUp, '/'}, tm, []byte("s7-12"), []byte{0, byte(agent.Kind)}, []byte(agent.Name))},
		{"agent prefix", agentRatingPrefix(agent), agentPart(pByAgent)},
		{"follow-up prefix", agentFollowUpPrefix(agent), agentPart(pAgentFollowUp)},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s key % x, want % x", c.name, c.got, c.want)
		}
	}
}
