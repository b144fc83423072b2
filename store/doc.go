// Package store persists the workspace in Badger: the append-only event log
// (the truth), the materialized state derived from it, and per-(agent, day)
// counters, always written in one transaction so they never disagree.
//
// Every event goes through [domain.Workspace.Apply]; the store decides no
// rule. It loads only the event's conversation, keeps the settings and their
// history, roles, the agent dictionary, all-time counts and the follow-up
// tally in memory, and
// coalesces everything a batch touches into one Badger transaction. A batch
// too big for one transaction is journaled whole, then committed in parts
// split at whole events; a crash between parts is finished by the next
// writable open (journal.go), so a batch is all or nothing either way.
// The writer keeps the records of the conversations it committed last, as
// the bytes committed, in a cache bounded by bytes (conv_cache.go): a
// batch reads back from Badger only those that fell out, and the cache is
// emptied whenever it might differ from Badger (a failed commit, a rebuild).
// A record written again takes its old place in the cache when it fits, so
// the cache holds conversations, not versions of them; a bulk writer's
// holds days of a dense load's conversations, in the bytes its Badger
// block cache gave up (the blocks the writer read were those records).
// A load that began on a store holding no conversation keeps a bloom
// filter of the ones it wrote, and does not ask Badger for one the filter
// never saw: a new conversation (conv_filter.go).
//
// Before Badger opens a data directory, the store checks what Badger would
// otherwise trust or repair silently: the MANIFEST against the table files
// (manifest.go), every table block's checksum (tables.go), the write-ahead
// files (wal.go). A reader never writes to the directory: after a killed
// writer it reads a shadow of it (shadow.go).
//
// # Key layout (schema 10)
//
// Integers in keys are big-endian so that keys sort in time order; times are
// Unix nanoseconds with the sign bit flipped, so an event's times lie from
// 1678 to 2261 (time_range.go refuses others, and the epoch, which records
// hold as 0, no time). AGENT in a key is one kind byte then the name. Values are varint records, each starting with its format
// byte (codec.go).
//
//	!schema                      schema version (uvarint); a newer one is refused, an older one upgraded (migrate.go)
//	!meta                        last seq, latest and earliest event time, settings, follow-up tally
//	!total                       all-time counts: (agent id, counts)*
//	!pending                     a batch committed in parts, not finished yet: first seq, count
//	!upgrade                     the last key an interrupted upgrade rewrote
//	!load                        the last synthetic load: its flags, the log's length when it
//	                             began, the events of its stream committed, finished, the last
//	                             event's time and conversation, the erasures' events logged since
//	                             (only when some were); written in each of its batches'
//	                             transactions (load_record.go), carried over by an erasure's
//	                             rebuild, read by a continuation; no replay derives it, Check
//	                             checks it counts no event the log lacks
//	!chg                         no longer written: the last commit's Change, in older stores
//	j/SEQ(8)                     journaled event of the pending batch
//	!segments                    ∅: during an upgrade to schema 5, the e/ counters were built
//	l/SEQ(8)                     log entry: event + its outcome
//	p/CONV 0x00 SEQ(8)           ∅: a part (log entry) of a conversation past the first 128,
//	                             which its record holds (schema 9 and older: every part)
//	w/SEQ(8)                     ∅: a log entry of no conversation (settings, roles, teams,
//	                             names, marks, clock): with the parts, what a what-if reads
//	v/CONV                       conversation: rule state + last update + its first 128
//	                             parts (sequence numbers, in log order) and how many follow in p/
//	u/TIME(8) CONV               ∅: conversation list by last update
//	d/DAY(4)                     counters of one UTC day (days since 1970): (agent id, counts)*
//	e/DAY(4) SEG(1)              counters of one UTC day of one segment (domain.Segment:
//	                             channel, audience, inbound/outbound): (agent id, counts)*
//	c/SEL(1) DAY(4)              counters of one UTC day of a filter of one or two dimensions
//	                             (SEL: the dimensions set ×8 + their values): the sum of the
//	                             day's e/ keys it selects (filter_counters.go)
//	g/ID(4)                      agent dictionary: id → kind, name
//	f/TIME(8) CONV 0x00 AGENT    ∅: follow-up candidates by first rating: the slots
//	                             domain.Slot.FollowUpCandidate names (in the queue under
//	                             any threshold, or with follow-up work started)
//	a/TIME(8) CONV 0x00 AGENT    ∅: achievements: slots whose rating is positive, by last change
//	b/KIND LEN NAME TIME(8) CONV ∅: ratings by agent (LEN a uvarint), by first rating: every rated slot
//	o/KIND LEN NAME TIME(8) CONV ∅: follow-up candidates by agent, by first rating: f/ with the
//	                             agent first (a teammate's open follow-ups)
//	r/NAME                       teammate role
//	t/ID                         team: id, display name, members
//	s/SEQ(8)                     settings audit entry: who, when, key, old → new; read back at
//	                             open as the settings history (each change at its own time)
//	k/SOURCE 0x00 KEY            ∅: mark index: KEY was carried by a mark event of SOURCE
//	                             (domain.EvMark, e.g. source intercom, key notif/ID)
//	n/NAME                       simulator scenario saved by name: saved-at, by, script
//	                             (scenarios.go; no event logs it: Check leaves it out, an
//	                             erasure's rebuild copies it over)
//	i/AGENT                      display name, email and time of an identity's newest EvName
//	x/TIME(8) SEQ(8)             index of decisions: each logged close, ask, rating, comment and
//	                             follow-up step (domain.EventKind.ReadsSettings), by its time: kind,
//	                             decision, failed rules, a rating's old value, and its conversation's
//	                             origin, audience, helpdesk and id (index_decisions.go)
//	y/CONV                       ∅: a conversation, not a helpdesk's, with a part placed late
//
// Fields added later sit at the end of their record, so older records
// read unchanged: a log entry's helpdesk times (Event.Updated,
// SurveyChange.Inferred) after its outcome, a conversation's Helpdesk and
// its slots' Inferred flags after its last update, then its assigned Team
// and TeamAt (EvAssign), then its parts (schema 10: how many inline, the
// first sequence number and each one's distance from the one before, as
// uvarints, then how many are p/ keys; parts.go), Team and TeamAt then
// always written before them, empty when none. A record that ends before the parts is an
// older one, whose parts are all p/ keys. In counters, a negative
// surveys value -(n+1) says the inferred count follows.
//
// Domain says on which day each count lands (domain.Outcome.Counted): a
// rating in the day it was first given, a survey in the day of the request
// that opened the slot, each also in its conversation's segment key (e/).
// A leaderboard over N days reads N day keys, whatever the number of
// ratings; one filtered by channel, audience or origin reads one key a
// day too: the filter's c/ keys (consecutive), or for a filter of all
// three its segment's e/ keys. The batch writes a day's c/ keys from its
// e/ keys in the transaction that moves them. A team's row is the sum of
// its members' rows. A late part moves them all by the difference
// (late.go).
//
// # Time
//
// Conversations share no clock: each event is judged at its own time
// against its own conversation, under the settings in force then. A part
// earlier than its conversation's latest is placed at its time and the
// conversation rebuilt from its parts in the same transaction (late.go);
// its record keeps its parts in log order, the late one last, and the
// rebuild reads them in their place.
//
// # Erasure
//
// [Store.Forget] replaces the texts of a conversation's events (or of a
// customer's conversations) by same-length placeholders (domain.Redact),
// which decide exactly as the texts did. It does not rewrite keys in
// place: Badger would keep the old values in tables, the value log and the
// memtable logs until it compacts them. It replays the redacted log into a
// fresh store in the sibling directory DIR.forgetting, with the replay it is
// handed (simulate.ReplayInto, as for Check), checking that every event
// decides as recorded, appends the erasure's record (a mark of source
// "forget", key erased/AT/WHAT/ID/BY/EVENTS/CONVERSATIONS, which Audit
// lists), closes and syncs it, closes the old database and exchanges the
// two directories atomically (renameat2 RENAME_EXCHANGE), then opens the
// new one and deletes the old. The exchange is the commit point: a kill
// before it leaves the old store, after it the new one; a writable Open
// deletes what is left beside the directory. Readers of the old database
// are counted (snapshot's done): the exchange waits for them, and new ones
// wait for the new database, so a reader must not open a second snapshot
// while it holds one.
//
// [Store.AskErasure] only records a request (mark key asked/AT/WHAT/ID/BY);
// [Store.ForgetAsked] carries out every request without an erased/ record
// of the same AT/WHAT/ID/BY, all in one rebuild.
//
// Schema 1 had no k/ index; schemas 1 and 2 had no format bytes and wrote
// marks as clock events whose text listed the keys. The first writable open
// of such a store rewrites it as schema 3 (migrate.go); a read-only open
// refuses it, saying so. Schema 4 added the b/ index: a writable open of
// a schema-3 store (or one just rewritten as schema 3) builds it from the
// conversations, then writes schema 4. The lists (conversations,
// achievements, an agent's ratings) are read a page at a time next to a
// row the reader holds ([PageQuery]), from these indexes.
//
// Schema 5 added the e/ counters. A writable open of an older store, once
// it is at schema 4, recounts them from its conversations' rating slots
// (a survey on the day of the slot's first request, a rating on the day it
// was first given, as the batches count them; a slot a helpdesk's rating
// made is an inferred survey, as in the d/ keys), writes !segments, then
// schema 5 while dropping the marker, in one transaction.
//
// # The what-if window
//
// Every rule reads only the event's conversation and the workspace
// (settings and their history, roles, teams), so a what-if of the window
// since T needs only the w/ entries and the parts of the conversations
// whose u/ key is at or after T ([Store.EventsSince]), as their records
// (and p/ keys, past 128) name them: a 30-day what-if
// reads 30 days of conversations (with their earlier parts), whatever
// the store's age. Each log entry is named by its conversation's record
// or gets its w/ key in the transaction that logs it; a late part moves its conversation's u/ key
// no earlier (UpdatedAt is that of its latest part), so a conversation
// with a part in the window is always read whole. The what-if reads the
// window once unless a part is late. Reading it on two goroutines (a
// share of the p/ walk, chunks of the log in turn) was measured and
// dropped: on a loaded machine every hand-over waits for the scheduler,
// and the what-if took twice as long (BENCHMARKS.md).
//
// A what-if that reads the window's conversations whole still reads
// every log entry of the window, most of them of conversations whose
// decisions the overrides cannot change ([domain.Conversation.ReadsSetting]
// reads only a conversation's audience and origin). The index of
// decisions (x/) holds, one small entry per event whose outcome can read
// a setting, its outcome as logged and what ReadsSetting reads of its
// conversation ([Store.WhatIfWindow]): the what-if reads the window's
// entries (about a quarter as many as its log entries), counts the
// decisions of the conversations that read no override as they were
// logged, on both sides, and reads the parts of and replays only the
// others (a helpdesk's, which the rules decide in both replays,
// and those y/ names, counted with their parts in place, among them), the
// workspace events and the newest conversations. The entries never move:
// a late part logs its outcome at its place, and a conversation it
// rebuilds gets its y/ key, so the what-if replays it. Check compares both
// families like the other conversation keys (summed). Unlike the window
// read whole, this one reads on goroutines of its own, handing over
// thousands of entries at a time: the x/ entries while it decides them,
// the log entries (two readers, a chunk each in turn) while it replays
// them (whatif_reads.go). It seeks to each entry it wants, unless the next
// is a few entries on, and a seek into the block an iterator holds costs
// no fetch (third_party/badger/CSAT.md). Its memory is what is under way,
// whatever the window: it marks the entries to replay a bit each
// (whatif_marks.go), reading the records of a few thousand conversations
// at a time, and holds at most five chunks of log entries; each entry
// comes marked when it is its conversation's last part, where the replay
// lets go of that conversation (simulate.WindowEvents).
//
// Schema 6 added the w/ and o/ indexes. A writable open of an older
// store, once it is at schema 5, builds both from keys alone: w/ from the
// log's sequence numbers that no p/ key names, o/ from the f/ keys; then
// it writes schema 6. A read-only open refuses the older store, as for
// every schema before.
//
// Schema 7 added the c/ counters. A writable open of an older store, once
// it is at schema 6, sums them from the e/ keys (no conversation is
// read), replacing any c/ keys it finds, then writes schema 7. The
// counters summary leaves them out (a summary reader sums the e/ keys).
//
// Schema 8 stamped the display names with their times (names_upgrade.go).
// Schema 9 added the x/ and y/ indexes. A writable open of an older
// store, once it is at schema 8, reads its log once in order, in two
// halves on two goroutines, and writes them from the logged outcomes and
// the conversations' starts (decisions_upgrade.go), then writes schema 9.
//
// Schema 10 put a conversation's parts in its record. Before, each part
// was a p/ key of its own (one of the 3.1 puts an event, 20 million keys
// and 593 MB in a store of a million ratings), while the record, written
// once per batch that touches the conversation, held none. A writable
// open of an older store, once it is at schema 9, walks the records and
// the p/ keys side by side in id order and folds each conversation's
// first 128 parts into its record, deleting their keys, in transactions
// of about 512 KB that each record the last record rewritten (!upgrade),
// so a killed upgrade resumes there; then it writes schema 10
// (parts_upgrade.go). A record not yet folded ends before the parts, and
// its readers read its p/ keys as before: so a read-only open of a
// schema-9 store reads as it did (its reports, lists, streams, what-ifs
// and exports), and only csat check, whose replay writes schema 10's
// records, refuses it, saying that a writing command upgrades it.
//
// The record holds at most 128 parts, not all of them. A record is
// rewritten whole by every batch that touches its conversation, so a
// hostile conversation (a bot's chat of tens of thousands of messages, a
// part a batch) would make each batch rewrite all of its parts: measured
// on a conversation of 50,000 parts (BenchmarkBatchOnAHostileConversation,
// BENCHMARKS.md), a batch of one event on it committed 50 KB, allocated
// 1.2 MB and took 4.7 ms (median) with every part inline, against 250
// bytes, 49 KB and 0.37 ms with p/ keys; bounded at 128, 385 bytes, 52
// KB and 0.29 ms. The load's conversations have about 7 parts and
// nearly none past 128, so nearly no p/ key is written; a conversation
// past the bound costs what every one did before, a key a part.
//
// # Writing in bulk
//
// A load, an import or a sync opens the store with [Options.Bulk]:
// thirty-two level-0 tables per compaction instead of four (every level-0
// table spans the whole key space, so each such compaction rewrites the
// base level's tables its keys reach: the records and index entries of
// the conversations under way, a working set of 25-30 MB on the realistic
// load whatever the number of level-0 tables; sixteen rewrote it twice as
// often, BENCHMARKS.md "Ingest as the store grows"). A flush writes only
// the versions of a key that a reader can still see: a memtable holds
// about seven batches, each of which rewrote the records it touched and
// the counters of the days under way, and a sixth of a flush was older
// versions the next compaction dropped (third_party/badger/CSAT.md, "A
// flush keeps the versions a reader can see"). Level-0 tables are
// written uncompressed, since that compaction rewrites them within
// minutes, and a load's close compacts level 0 away
// ([Options.CompactOnClose]), so the store it leaves is snappy throughout
// (third_party/badger/CSAT.md, "Level-0 tables without compression").
// Memtables stay at 8 MiB, whose transactions hold about 1.2
// MB: simulate.DefaultBatchSize (2,000 events) fits one; a batch that does
// not is journaled and applied a second time, in parts (journal.go). The
// command caps its heap and Badger's table builders together at 176 MiB
// (a soft limit on the heap, less what the builders have mapped outside
// it: z.Calloc maps buffers of more than 64 KiB, third_party/ristretto/
// CSAT.md, so a table's buffers are never the collector's work). A builder's memory is let go when its table is written, not
// kept in a pool for the next (third_party/ristretto/CSAT.md): the pool
// held the biggest compactions' builders, so the live heap grew with the
// store's depth; and at most four builders (about 24 MiB each) are out at
// once, whatever the number of compactions and splits running. The tables a writer builds leave its resident memory once
// on disk, and the pages it reads back are dropped past 16 MiB, also while
// Badger closes; before, a load's RSS grew by the size of the store.
//
// A load writes its batches through a [LoadPipeline]: Badger writes a
// commit into its memtable on a goroutine of its own while the committer
// waits, so the next batch is applied and encoded meanwhile, on top of
// the one in flight (its conversations, counters and new agents read
// from it; a late part or a workspace event waits for it), and is sent
// only once that one has committed. A crash loses at most the batch in
// flight and the one applied, neither acknowledged, each whole; the load
// record rides in each batch's own transaction as before.
//
// # Compactions, and the log's place in the key space
//
// A compaction reads and rewrites a table and every table of the level
// below that its key range overlaps, so what a load writes per event
// depends on how much a table's range overlaps below. The log's keys grow
// with its sequence (w/ and x/ too), so its newest entries overlap
// nothing older, but the families that sort before it (a/ to k/: indexes
// and counters, written all the time) share the level-0 tables with
// them. Cut by size alone, one base-level table went from those families
// into the newest log entries, and its range covered the whole older log
// below: moving it down rewrote 85% of the store, once per round of
// level-0 compactions, so the cost per event grew with the store. Our
// copy of Badger (third_party/badger/CSAT.md) ends every table a
// compaction writes below level 0 at the end of a family, the first byte
// of its keys, and moves a table of level 1 or below down a level as it
// is, a MANIFEST entry and no rewrite, when it overlaps nothing in the
// next level and a rewrite would drop nothing from it (no delete markers
// or other stale data by its index; into the last level, one version of
// each key). So a table of newer log entries goes down to the last level
// without being read again, a table holding u/ delete markers is still
// rewritten (which drops them), and older versions of v/ records meet
// the newer ones in a rewrite as before. A compaction also leaves in
// the level below, untouched, the tables that hold no key of the range
// of any key it brings (a level-0 table spans every family, but most
// base-level tables get nothing from it), and ends its own tables before
// each; a conversation id that sorted by start time would leave out more
// (BENCHMARKS.md). A new key family needs a first byte of its own for
// this to hold. Sizes stay as they were (4 MiB
// tables at every level, a 32 MiB base level, ×10 per level): bigger
// tables or a bigger base level mean bigger builders and rewrites per
// compaction (RELIABILITY.md, BENCHMARKS.md).
//
// # Checking tables, and what opening costs
//
// Badger reads and checks every table's index when it opens (its
// options.OnTableRead and OnTableAndBlockRead modes read every table
// whole on top of that: cost in bytes of store). Its lazy mode,
// OnBlockRead, verifies a block when it is read, but a failing block ends
// a table iterator as if it were exhausted (table.Iterator.Valid is false,
// the merge iterator moves on): an iteration over a damaged table would
// quietly return fewer keys, a wrong leaderboard rather than an error. So
// lazy verification is safe only where the store reads by Get, which does
// return the error; table checks stay at open, and what keeps opening cost
// flat is checking each table once (a table never changes after Badger
// writes it), not checking less. The cache of tables verified drops the
// entries of tables a compaction deleted (verified.go), so that it holds
// the live tables of a store of ten million ratings.
//
// That still leaves Badger's own open, which reads every table's index
// (3% of the store: 760 tables and 90 MB of index on a year of a
// 200-person team) and keeps every index page it touched resident. No
// option of Badger's opens tables lazily, and bigger tables or blocks only
// shrink the per-table part: index and bloom filters grow with the keys.
// So the layout that makes start-up independent of the store's size is a
// second, small copy of what a report reads, kept beside the tables: the
// counters summary (summary.go). A writer, as it closes cleanly, writes
// every key except the bulk lists (log, parts, conversations and their
// indexes, marks, scenarios) into DIR/counters.summary, with a checksum
// and the identity (inode, size, times) of every Badger file as Badger's
// close left them. A read-only open that asks only for counters
// (Options.CountersOnly: csat report) and finds the summary whole and its
// stamp true reads it into an in-memory Badger and answers from it with
// the same code; it opens no table, so it costs days × agents, not
// ratings. Anything else that touched the directory since (a writer
// running or killed, a copy, a restore, an older csat, a flipped bit)
// fails the stamp or the checksum, and the reader opens the store as
// before, with every check above. The summary is never the truth: the
// store's counters stay in the same transactions as the log, and losing
// the summary loses nothing. Damage detection is unchanged for what a
// summary reader reads: the summary's own checksum, and the tables it was
// copied from were checked when the writer opened them. The dashboard
// draws its first frame from the summary alone (OpenSummary) and opens
// the whole store meanwhile, in a command of its own.
//
// # Resident memory
//
// Badger reads tables through memory maps and never drops a page it
// touched, so a full scan (export, check) or a long dashboard session
// grew the resident set by the bytes of the store it read. Those pages
// are page cache, but they count as the process's memory. While a store
// is open, a watcher drops the process's mappings of table pages past
// 16 MiB above what is resident beside them (resident_linux.go), every
// 50 ms and each time Badger maps a file (its open reads every index
// within a fraction of a second); the kernel keeps them cached and maps
// them again on the next read (MADV_DONTNEED; a table's unmapping waits
// for the drop in progress, so a compaction deleting it is harmless). A drop leaves the first pages of each
// index mapped: Badger reads every index root once more at the end of its
// open, and each fault maps 64 KiB of page cache around it. Each
// conversation read checks the bound too, at most every millisecond: a
// list reads one per row through every level's bloom filter, index and
// block, and a page of the dashboard's follow-ups mapped 50 MB between two
// ticks. A store opened for a person browsing ([Options.Interactive], the
// dashboard) keeps a 4 MiB block cache, not 16.
// RELIABILITY.md's bounds under load are Go heap and Badger's builders,
// which this does not change.
package store
