package store

import (
	"errors"
	"testing"

	"github.com/csat-app/csat/domain"
)

// An x/ entry holds the failed rules as one bit each of a uint64, and an
// outcome holds domain.MaxChecks of them: every code has its bit, an
// outcome with as many failed rules as it can hold reads back whole, and
// an entry naming more is corrupt, not cut short.
func TestDecisionEntryHoldsEveryFailedRuleAnOutcomeCan(t *testing.T) {
	codes := domain.AllCodes()
	if last := codes[len(codes)-1]; last >= 64 {
		t.Fatalf("code %s is %d: past the 64 bits of an x/ entry's failed rules", last, last)
	}
	var full []domain.Check
	for _, c := range codes[:domain.MaxChecks] {
		full = append(full, domain.Check{Code: c, Failed: true})
	}
	o := domain.Outcome{Kind: domain.EvClose, Decision: domain.DecisionSkipped}.WithChecks(full)
	c := domain.Conversation{ID: "c-1", Origin: domain.OriginDirect, Audience: domain.AudienceLeads, Helpdesk: "intercom"}
	k := decisionKey(t0, 7)
	var d decodedDecision
	if err := decodeDecision(k, encodeDecision(domain.EvClose, &o, &c), &d); err != nil {
		t.Fatal(err)
	}
	if got, want := d.o.Checks(), o.Checks(); len(got) != len(want) {
		t.Fatalf("read back %d failed rules, want %d", len(got), len(want))
	}
	for i, r := range d.o.Checks() {
		if r != full[i] {
			t.Errorf("failed rule %d read back as %+v, want %+v", i, r, full[i])
		}
	}
	if got := d.conv; got.ID != c.ID || got.Origin != c.Origin || got.Audience != c.Audience || got.Helpdesk != c.Helpdesk {
		t.Errorf("conversation read back as %+v, want %+v", d.conv, c)
	}

	var mask uint64
	for _, c := range codes[:domain.MaxChecks+1] {
		mask |= 1 << c
	}
	e := record(32)
	e.byte(uint8(domain.EvClose))
	e.byte(uint8(domain.DecisionSkipped))
	e.uint(mask)
	e.int(0)
	e.byte(0)
	e.byte(0)
	e.str("")
	e.str("c-1")
	if err := decodeDecision(k, e.b, &d); !errors.Is(err, errCorrupt) {
		t.Errorf("an entry with %d failed rules: %v, want it corrupt", domain.MaxChecks+1, err)
	}
}
