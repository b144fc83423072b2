// Package intercom brings real Intercom data in: webhook notifications
// (verified with X-Hub-Signature) and conversations exported from the REST
// API. It maps them to domain events and hands them to a [Sink], which the
// store satisfies; it never decides a CSAT rule itself.
//
// Decisions this package makes, since Intercom and the domain differ:
//
//   - Observed ratings. A conversation_rating is a fact: Intercom already
//     decided to send the survey and the customer answered. It becomes a
//     domain.EvObserve, attributed to the teammate Intercom names, which
//     creates the slot if the rules did not and moves the counters like a
//     decided rating. The conversation's parts are applied too (closes go
//     through the rules), so `simulate whatif --against observed` can show
//     where this project's rules would have decided otherwise.
//   - Names. Teammate names must match [A-Za-z0-9_.-]+. An admin is named
//     from its display name, sanitized ("Ciaran Lee" → "Ciaran.Lee"), the
//     first time a payload shows it; a clash gets "-<id>" appended, and an
//     admin never seen with a name is "admin-<id>". The choice is recorded in
//     the log and never changes, because ratings name admins by id only.
//     Customers are user:<id> or lead:<id> (Intercom contact ids); a bare
//     "contact" reference takes the role its author parts show, else user.
//     Bot authors are fin when named Fin, otherwise workflow.
//   - Time. Nothing is restamped: every step keeps Intercom's time, and
//     conversations share no clock, so history of any date imports beside
//     newer data. A part older than its conversation's latest (a webhook
//     delivered out of order) is placed at its time by the sink, which
//     decides that conversation again. A record or notification with a
//     time more than 10 minutes after the receiving machine's clock (passed
//     in: [Webhook.Clock], [Import]'s clock) is refused whole: an import
//     reports it with its file and position, a webhook answers 200 with
//     status skipped and logs it.
//   - Idempotency. Every step has a key (conversation, part id, contact,
//     rating value+remark+updated_at, notification id). The keys a batch
//     carries are written in the same transaction as its events, as a mark
//     (domain.MarkEvent: a mark event by "intercom" listing them),
//     which the sink indexes; whether a key was applied before is one
//     lookup in the sink ([Sink.Marked]), so the ingester keeps no set of
//     keys in memory and a new process replays nothing. Only the learned
//     admin names ("admin/<id>=<name>" keys) are read back at start.
//     Redelivered notifications and re-imported files change nothing.
//   - Deletions. conversation.deleted and contact.deleted carry only the
//     deleted object's id. The sink records the erasure asked, with the
//     notification's key, in one batch, and the answer goes; the erasure
//     itself (a rebuild of the store, seconds to minutes) follows in the
//     background, all requests waiting then in one ([Eraser]). An id never
//     stored is acknowledged and ignored.
//   - Refused steps. Each batch is first dry-run on a scratch copy of the
//     conversations it touches; a step the rules refuse (a close of a
//     closed conversation, an unsnooze after the snooze ended) is reported
//     and left out instead of failing the batch. A late step cannot be
//     tried on the scratch copy; when the sink refuses it in its place, it
//     names it and it is reported and left out the same way.
package intercom
