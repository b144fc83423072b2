package store

// How Check compares each family of keys, in one place. Check replays the
// log through the write path's own batch (check_replay.go), so every key
// the write path derives reaches the comparison; this table only says how
// each family is compared, which decides the memory a check needs.

// comparedBy is how Check compares the keys of one family.
type comparedBy uint8

const (
	// wholeInMemory keeps the replay's keys of the family until the end
	// and compares them key by key with the stored ones: exact and
	// simple, but the family must stay small (bounded by days, agents,
	// teams, settings changes, identities). A family not listed in
	// checkFamilies is compared this way, so a new one is never left out.
	wholeInMemory comparedBy = iota
	// inLogOrder: the log itself, whose stored entries stream in the
	// order the replay writes them; compared entry by entry as it goes.
	inLogOrder
	// summed families grow with the conversations: each side adds the
	// hash of every key and value to one of sumGroups groups by key, and
	// only the keys of groups whose sums differ are listed, by a second
	// replay (check_compare.go). A conversation's keys are final once its
	// last part is replayed, so the replay holds only open conversations.
	summed
	// notCompared: not derived from the log (a saved scenario) or
	// bookkeeping of an unfinished write (the journal).
	notCompared
)

// checkFamilies lists the key families by prefix byte. A family that grows
// with conversations or events must be listed as summed.
var checkFamilies = []struct {
	prefix byte
	by     comparedBy
}{
	{pLog, inLogOrder},
	{pPart, summed},
	{pConv, summed},
	{pUpdated, summed},
	{pFollowUp, summed},
	{pAchieve, summed},
	{pByAgent, summed},
	{pAgentFollowUp, summed},
	{pWorkspace, summed},
	{pMark, summed},
	{pDecision, summed},
	{pLate, summed},
	{pJournal, notCompared},
	{pScenario, notCompared},
}

// uncheckedKeys are single keys outside the families that no replay
// writes: the schema, an older store's last change, a batch in parts, an
// upgrade's marker, the last load's record (checked on its own:
// checkLoadRecord).
var uncheckedKeys = [][]byte{keySchema, keyChange, keyPending, keySegments, keyLoad}

// familyBy maps a key's first byte to how its family is compared (keys
// "p/…"); keys without the slash are single keys, compared whole.
var familyBy = func() (by [256]comparedBy) {
	for _, f := range checkFamilies {
		by[f.prefix] = f.by
	}
	return by
}()

// comparedHow says how Check compares key k.
func comparedHow(k []byte) comparedBy {
	if len(k) >= 2 && k[1] == '/' {
		return familyBy[k[0]]
	}
	for _, u := range uncheckedKeys {
		if string(u) == string(k) {
			return notCompared
		}
	}
	return wholeInMemory
}
