package intercom

import (
	"sort"
	"strings"

	"github.com/csat-app/csat/domain"
)

// Teammates an older csat keyed by their names. Until schema 3 the store
// forced Intercom admins' names to [A-Za-z0-9_.-] and used that as the key
// ("Mo Farah" → "Mo.Farah"), recording each admin it met as a mark
// "admin/991267391=Mo.Farah". Today's teammates are keyed by admin id. An
// upgraded store keeps its history under the old keys (the log is the
// truth and is not rewritten), so the ingester maps the admin ids those
// marks name to the old keys: a conversation imported again lands on the
// same rating slot instead of a second row under the admin id, and the
// display name Intercom gives now fills in the old row.

// legacyPrefix starts an older csat's admin marks.
const legacyPrefix = "admin/"

// readLegacyKeys reads the old keys from the sink's marks: admin id → key.
func readLegacyKeys(sink Sink) (map[string]string, error) {
	keys := map[string]string{}
	err := sink.Marks(markSource, legacyPrefix, func(k string) error {
		id, key, ok := strings.Cut(strings.TrimPrefix(k, legacyPrefix), "=")
		if ok && id != "" && key != id && domain.ValidName(key) {
			keys[id] = key
		}
		return nil
	})
	return keys, err
}

// teammate is the teammate an admin id is stored as: its id, or the key an
// older csat gave it.
func (in *Ingester) teammate(id string) domain.Actor {
	if key, ok := in.legacy[id]; ok {
		return domain.Teammate(key)
	}
	return domain.Teammate(id)
}

// legacyKeys puts an event's teammates under the keys an older csat gave
// them, where it did.
func (in *Ingester) legacyKeys(ev domain.Event) domain.Event {
	if len(in.legacy) == 0 {
		return ev
	}
	for _, a := range []*domain.Actor{&ev.Actor, &ev.Agent} {
		if a.IsTeammate() {
			*a = in.teammate(a.Name)
		}
	}
	return ev
}

// LegacyKeys lists the teammates this store keeps under an older csat's
// keys, as "key (admin id)", for a summary to say so.
func (in *Ingester) LegacyKeys() []string {
	var out []string
	for id, key := range in.legacy {
		out = append(out, key+" (admin "+id+")")
	}
	sort.Strings(out)
	return out
}
