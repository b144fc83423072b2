// Package intercom brings real Intercom data in: webhook notifications
// (verified with X-Hub-Signature) and conversations exported from the REST
// API. It maps them to domain events and hands them to a [Sink], which the
// store satisfies; it never decides a CSAT rule itself.
//
// Decisions this package makes, since Intercom and the domain differ:
//
//   - Observed and decided apart. Intercom runs its own survey rules, so an
//     Intercom conversation starts with By "intercom" (domain: Helpdesk):
//     this project's rules do not send surveys in it, and what Intercom
//     sent arrives as domain.EvObserve: a conversation_rating (attributed to
//     the teammate Intercom names), a conversation_rating.requested_at where
//     an export gives one (a request with Value 0), and ai_agent.rating (a
//     rating of fin). A rating whose request Intercom did not report counts
//     its survey as inferred, so reports say "—" for the response rate
//     rather than a fictional one. `simulate whatif --against observed`
//     replays the log with the rules deciding, conversation by conversation,
//     each conversation's parts in their place (by time, equal times in log
//     order, as the store places a late part), so the comparison is the
//     same whatever order the parts were delivered in.
//   - Identities. Teammates are keyed by admin id, customers by contact id,
//     custom bots by "bot-<id>"; display names (any Unicode, exactly as
//     Intercom gives them) are EvName events, the newest seen wins, and are
//     looked up when shown, so a rename shows on all history and a name
//     seen after a rating fills in its row. A contact is one customer
//     whatever role a payload gives it (v2 contacts carry none; a lead may
//     sign up mid-conversation): the first role seen, or the one stored.
//     Bot agents: Fin (type bot named Fin, from_ai_agent or is_ai_answer
//     set, or an unnamed bot where ai_agent took part), Operator (a bot or
//     an admin named Operator writing as operator+…@intercom.io), other
//     named bots as themselves, teams and unnamed bots as the Workflow.
//     None of them is ever a teammate. A store an older csat wrote keyed
//     teammates by sanitized names and marked each admin it met
//     ("admin/ID=Key"): those admins' steps go to the old keys
//     (legacy.go), so a re-import joins the old rows.
//   - Teams. A conversation's team is its team_assignee_id (domain.EvAssign
//     at the payload's updated_at, never before its latest part; null or
//     "0" is none): the newest payload's team wins whatever order payloads
//     arrive in, and one that can change nothing (older than the
//     conversation's assignment, or no team for a conversation never
//     assigned) is not written. Exports show it (team, team_name) and
//     `csat export --team` keeps a team's conversations. The team rows of
//     reports are something else: a team's members (GET /teams admin_ids,
//     GET /admins team_ids, csat teams add), summed wherever they answered,
//     because the counters are per teammate and day; `report --team`
//     narrows to those members.
//   - Text. Bodies are HTML, read with golang.org/x/net/html's tokenizer
//     ([Text]); a body without any element tag is plain text, kept as
//     written.
//   - Ratings out of order. An observed rating carries Intercom's
//     updated_at (Event.Updated); the domain ignores one older than the
//     slot's last change, so a retried delivery cannot undo a newer rating.
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
//     rating value+remark+updated_at, name+time seen, notification id). The
//     keys a batch carries are written in the same transaction as its
//     events, as a mark (domain.MarkEvent: a mark event by "intercom"
//     listing them), which the sink indexes; whether a key was
//     applied before is one lookup in the sink ([Sink.Marked]), so the
//     ingester keeps no set of keys in memory and a new process replays
//     nothing. Redelivered notifications and re-imported files change
//     nothing; a name the sink already shows is not written again.
//   - Deletions. conversation.deleted and contact.deleted carry only the
//     deleted object's id. The sink records the erasure asked, with the
//     notification's key, in one batch, and the answer goes; the erasure
//     itself (a rebuild of the store, seconds to minutes) follows in the
//     background, all requests waiting then in one ([Eraser]). An id never
//     stored is acknowledged and ignored.
//   - Refused steps. Each batch is first dry-run on a scratch copy of the
//     conversations it touches; a step the rules refuse (a rating of
//     someone not in the conversation, a snooze ending before it starts)
//     is reported and left out instead of failing the batch. A close,
//     reopen or snooze is a fact, never refused for the state it finds (a
//     close of a closed conversation, an unsnooze of an open one): it is
//     kept with no effect then (domain.Outcome.NoEffect), so that parts
//     delivered after it and placed before it (the close a reopen follows)
//     put it in effect, as in-order delivery would. A late step cannot be
//     tried on the scratch copy; when the sink refuses it in its place, it
//     names it and it is reported and left out the same way.
//
// # Part types
//
// Parts are ordered by created_at, then part id, whatever the payload's
// order. Every part type of the API is mapped or deliberately ignored. A
// body, when present, is a message by the part's author (a note for note
// types); a reply-and-close says before it closes, a reopen-with-reply
// reopens first.
//
//	part_type                                    effect
//	comment, quick_reply                         message
//	note                                         note (teammates only)
//	assignment, away_mode_assignment,            message when it has a body; the team
//	  default_assignment                         comes from team_assignee_id, not assigned_to
//	close                                        close (the body first)
//	open, unsnoozed, timer_unsnooze,             reopen (then the body)
//	  assign_and_reopen, assign_and_unsnooze
//	note_and_reopen                              reopen, then note
//	snoozed                                      snooze until snoozed_until, else
//	                                             the next part, else a day
//	participant_added, participant_removed       ignored: customers come from contacts
//	conversation_rating_changed,                 ignored: read from conversation_rating
//	  conversation_rating_remark_added
//	conversation_attribute_updated_by_admin,     ignored: no effect on ratings
//	  conversation_attribute_updated_by_workflow,
//	  ticket_state_updated_by_admin,
//	  ticket_attribute_updated_by_admin,
//	  custom_action_started, custom_action_finished,
//	  language_detection_details,
//	  conversation_sla_target_missed,
//	  operator_workflow_event
//	any other type                               message when it has a body
//
// Conversation fields read besides the parts: source (or v1
// conversation_message), contacts (v1 user, customers), conversation_rating,
// ai_agent, snoozed_until and team_assignee_id.
//
// The opening message is source (v2) or conversation_message (v1). A
// conversation.list item without conversation_parts (GET /conversations
// leaves them out) is refused, pointing at `csat sync intercom`; a
// conversation whose total_count is above the parts listed (Intercom lists
// at most 500) is imported and named in the summary as truncated.
package intercom
