package domain

import "time"

// StartOf is the conversation a start event begins, as [Workspace.Apply]
// records it once the start is valid: what the start fixes of it for its
// whole life (its id, origin, channel, audience, opener and helpdesk,
// which a decision reads beside its history) and its clock at the start.
// A reader of a log (an index built from it) takes a conversation's start
// from here rather than working it out again.
func StartOf(ev Event) Conversation {
	opener := ""
	if ev.Origin == OriginDirect {
		opener = ev.Agent.Name
	}
	return Conversation{
		ID: ev.Conv, Origin: ev.Origin, Channel: ev.Channel, Audience: AudienceOf(ev.Actor), OpenedBy: opener,
		StartedAt: ev.At, LastReplyAt: ev.At, UpdatedAt: ev.At, Customers: []Actor{ev.Actor}, Helpdesk: ev.By,
	}
}

// IsLate reports whether a part at at comes late to a conversation whose
// latest part so far is at latest: it is earlier, so it cannot be judged
// against the later history and the conversation is rebuilt with it in
// its place ([ErrLate]). A part at the latest time is not late: parts at
// one time keep the order they arrived in.
func IsLate(at, latest time.Time) bool { return at.Before(latest) }
