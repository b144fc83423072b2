package domain

// A what-if replays history under other settings. A conversation whose
// decisions read none of the changed settings decides exactly as it did,
// so the replay may take its recorded decisions instead of deciding them
// again: ReadsSetting is the rule of which settings those are, kept here
// beside the rules that read them (decideClose, decideAsk, decideRate,
// followUp).

// ReadsSetting reports whether a decision in c (a close, an ask, a rating,
// a comment, a follow-up step) can read setting k, under either profile
// and whatever its value. c's audience and origin, fixed at its start,
// decide it: a close reads its audience's csat and the outbound switch of
// its origin; a rating its audience's windows; a follow-up step the
// follow-up threshold; every decision the profile. The survey app, hidden
// scores and the target decide nothing.
func (c *Conversation) ReadsSetting(k SettingKey) bool {
	switch {
	case k.Scope == "workspace":
		return k.Name == "profile" || k.Name == "followup"
	case k.Scope != c.Audience.String():
		return false
	}
	switch k.Name {
	case "csat", "rating-window", "change-window":
		return true
	case "direct-outbound":
		return c.Origin == OriginDirect
	case "workflow-outbound":
		return c.Origin == OriginWorkflow || c.Origin == OriginAPI || c.Origin == OriginCustomBot
	}
	return false
}

// AudienceOf is the audience of a conversation its customer a starts: a
// lead's is leads, any other's users.
func AudienceOf(a Actor) Audience {
	if a.Kind == KindLead {
		return AudienceLeads
	}
	return AudienceUsers
}

// ReadsSettings reports whether an event of kind k can decide otherwise,
// or not apply at all, under other settings: a close or an ask (whether a
// survey is sent), a rating or a comment (the windows), a follow-up step
// (the threshold). The conversation's other parts move its state, which no
// setting reads, so a what-if finds what the overrides can change among
// these kinds alone.
func (k EventKind) ReadsSettings() bool {
	switch k {
	case EvClose, EvAsk, EvRate, EvComment, EvFollowUp:
		return true
	}
	return false
}
