package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/csat-app/csat/domain"
)

// Loader is a Backend that also commits batches in one transaction.
type Loader interface {
	Backend
	ApplyBatch(evs []domain.Event) ([]domain.Outcome, error)
}

// LoadConfig shapes synthetic traffic. Same config, same seed: same events.
type LoadConfig struct {
	Teammates     int
	Conversations int
	Days          int
	Seed          int64
	End           time.Time // the data ends at this time (the demo uses now)
	// BatchSize is how many events go into one ApplyBatch; 0 means DefaultBatchSize.
	BatchSize int
}

// DefaultBatchSize is the number of events committed together when
// LoadConfig.BatchSize is 0: big enough to amortise a transaction, small
// enough that an interrupted load loses little.
const DefaultBatchSize = 5000

// Limits on LoadConfig, so that a typo cannot ask for years of work.
const (
	MaxLoadTeammates     = 10000
	MaxLoadConversations = 100_000_000
	MaxLoadDays          = 36500
)

// LoadSummary counts what a load produced, from the outcomes the
// destination returned.
type LoadSummary struct {
	Events        int
	Conversations int // conversations started
	Closes, Asks  int
	Sent          int
	// SkippedSurveys counts closes and asks that sent nothing; Skipped counts
	// each failed rule of those, so one skip can count under several codes.
	SkippedSurveys int
	Skipped        ReasonCounts
	// RatingsByFace holds the ratings as they stand at the end, by value 1..5.
	RatingsByFace [6]int
	Changed       int // accepted changes of an existing rating
	Comments      int // accepted comments
	Refused       ReasonCounts
	FollowUps     int // follow-up steps taken by admins
}

// ReasonCounts counts reason codes. In JSON its keys are the code names.
type ReasonCounts map[domain.Code]int

// Codes lists the codes present, in RULES.md order.
func (r ReasonCounts) Codes() []domain.Code {
	var cs []domain.Code
	for _, c := range domain.AllCodes() {
		if r[c] != 0 {
			cs = append(cs, c)
		}
	}
	return cs
}

// Total sums the counts.
func (r ReasonCounts) Total() int {
	n := 0
	for _, v := range r {
		n += v
	}
	return n
}

// MarshalJSON writes {"too_short": 3, …}.
func (r ReasonCounts) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, c := range r.Codes() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, c.String())
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(r[c]), 10)
	}
	return append(b, '}'), nil
}

// Validate reports the first field of cfg that is out of range, naming it.
func (cfg LoadConfig) Validate() error {
	switch {
	case cfg.Teammates < 1 || cfg.Teammates > MaxLoadTeammates:
		return fmt.Errorf("teammates %d: want 1..%d", cfg.Teammates, MaxLoadTeammates)
	case cfg.Conversations < 0 || cfg.Conversations > MaxLoadConversations:
		return fmt.Errorf("conversations %d: want 0..%d", cfg.Conversations, MaxLoadConversations)
	case cfg.Days < 1 || cfg.Days > MaxLoadDays:
		return fmt.Errorf("days %d: want 1..%d", cfg.Days, MaxLoadDays)
	case cfg.BatchSize < 0:
		return fmt.Errorf("batch size %d: want 0 (default) or more", cfg.BatchSize)
	case cfg.End.IsZero():
		return errors.New("end time is not set")
	}
	return nil
}

// Begin is when the generated history starts: Days before End.
func (cfg LoadConfig) Begin() time.Time {
	return cfg.End.Add(-time.Duration(cfg.Days) * 24 * time.Hour)
}

// OneByOne turns any Backend into a Loader whose ApplyBatch applies events
// one at a time. It is not atomic: on an error the events before the bad one
// stay applied. Meant for in-memory backends, which are thrown away on error.
func OneByOne(b Backend) Loader { return oneByOne{b} }

type oneByOne struct{ Backend }

func (l oneByOne) ApplyBatch(evs []domain.Event) ([]domain.Outcome, error) {
	outs := make([]domain.Outcome, 0, len(evs))
	for i, ev := range evs {
		o, err := l.Apply(ev)
		if err != nil {
			return outs, fmt.Errorf("event %d (%s %s): %w", i, ev.Kind, ev.Conv, err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// Load writes cfg's synthetic history into dst in batches. progress, if not
// nil, is called after each batch with the events written so far and an
// estimate of the total that becomes exact on the last call. Cancelling ctx
// stops it between batches: a batch is committed whole or not at all.
func Load(ctx context.Context, dst Loader, cfg LoadConfig, progress func(done, total int)) (LoadSummary, error) {
	sum := LoadSummary{Skipped: ReasonCounts{}, Refused: ReasonCounts{}}
	if err := cfg.Validate(); err != nil {
		return sum, err
	}
	begin := cfg.Begin()
	if now := dst.Now(); now.After(begin) {
		return sum, fmt.Errorf("the workspace clock reads %s, after the load's start %s (%d days before %s): load into an empty data directory or choose a later end",
			now.UTC().Format(time.RFC3339), begin.UTC().Format(time.RFC3339), cfg.Days, cfg.End.UTC().Format(time.RFC3339))
	}
	gen := newLoadGen(cfg, dst.Settings(), false)
	var tally domain.Tally
	w := &loadWriter{dst: dst, sum: &sum, tally: &tally, size: cfg.BatchSize}
	if w.size == 0 {
		w.size = DefaultBatchSize
	}
	w.batch = make([]domain.Event, 0, w.size)
	for {
		ev, ok, err := gen.next()
		if err != nil {
			return sum, err
		}
		if !ok {
			break
		}
		w.batch = append(w.batch, ev)
		if len(w.batch) < w.size {
			continue
		}
		if err := w.flush(ctx); err != nil {
			return sum, err
		}
		if progress != nil {
			progress(sum.Events, gen.estimateTotal(sum.Events))
		}
	}
	if err := w.flush(ctx); err != nil {
		return sum, err
	}
	if progress != nil {
		progress(sum.Events, sum.Events)
	}
	return sum, nil
}

// loadWriter commits batches and folds their outcomes into the summary.
type loadWriter struct {
	dst   Loader
	sum   *LoadSummary
	tally *domain.Tally
	batch []domain.Event
	size  int
}

func (w *loadWriter) flush(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	// Checked before, never during, a commit: an interrupt loses the batch
	// being built, whole, and never splits one.
	if err := ctx.Err(); err != nil {
		return err
	}
	outs, err := w.dst.ApplyBatch(w.batch)
	if err != nil {
		return fmt.Errorf("writing a batch of %d events: %w", len(w.batch), err)
	}
	for i := range outs {
		w.observe(&w.batch[i], &outs[i])
	}
	w.faces()
	w.sum.Events += len(w.batch)
	w.batch = w.batch[:0]
	return nil
}

func (w *loadWriter) observe(ev *domain.Event, o *domain.Outcome) {
	s := w.sum
	w.tally.Observe(o)
	switch {
	case ev.Kind == domain.EvStart:
		s.Conversations++
	case ev.Kind == domain.EvClose || ev.Kind == domain.EvAsk:
		if ev.Kind == domain.EvClose {
			s.Closes++
		} else {
			s.Asks++
		}
		if o.Decision == domain.DecisionSent {
			s.Sent++
			break
		}
		s.SkippedSurveys++
		for _, r := range o.Reasons() {
			s.Skipped[r.Code]++
		}
	case o.Decision == domain.DecisionRefused:
		for _, r := range o.Reasons() {
			s.Refused[r.Code]++
		}
	case ev.Kind == domain.EvRate && o.Decision == domain.DecisionAccepted && o.Rating.Old != 0 && o.Rating.Changed():
		s.Changed++
	case ev.Kind == domain.EvComment && o.Decision == domain.DecisionAccepted:
		s.Comments++
	case ev.Kind == domain.EvFollowUp:
		s.FollowUps++
	}
}

// faces recounts the ratings as they stand, from the tally domain keeps.
func (w *loadWriter) faces() {
	w.sum.RatingsByFace = [6]int{}
	for _, c := range w.tally.Agents {
		for v := 1; v <= 5; v++ {
			w.sum.RatingsByFace[v] += c.ByValue[v]
		}
	}
}

// LoadLive keeps producing realistic traffic at about eventsPerSecond, with
// timestamps from now(), until ctx ends. cfg gives the team and the seed;
// its Conversations, Days and End do not limit live traffic. Events go in small batches, one per
// tick; an interrupt commits the batch in flight or none of it. It returns
// nil when ctx ends, or the first write error.
func LoadLive(ctx context.Context, dst Loader, cfg LoadConfig, eventsPerSecond float64, now func() time.Time) error {
	if cfg.Teammates < 1 || cfg.Teammates > MaxLoadTeammates {
		return fmt.Errorf("teammates %d: want 1..%d", cfg.Teammates, MaxLoadTeammates)
	}
	if !(eventsPerSecond > 0) || eventsPerSecond > 1e6 {
		return fmt.Errorf("live rate %v events/s: want more than 0 and at most 1000000", eventsPerSecond)
	}
	if now == nil {
		now = time.Now
	}
	gen := newLoadGen(cfg, dst.Settings(), true)
	// The customers are those of the history; the conversations never run out.
	gen.cfg.Conversations = 0
	last := dst.Now()
	// Ids carry the start time, to the nanosecond, so that two live runs never
	// collide, even when a killed run is restarted within the same second; a
	// prefix the store already holds is skipped all the same.
	stamp := now().UnixNano()
	for {
		gen.prefix = "live" + strconv.FormatInt(stamp, 36) + "-"
		if _, taken := dst.Conversation(gen.prefix + "0"); !taken {
			break
		}
		stamp++
	}
	gen.stamp = func(time.Time) time.Time {
		if t := now().UTC(); t.After(last) {
			last = t
		}
		return last
	}
	// A tick of 100 ms keeps a trickle smooth; at slow rates an event may wait
	// for a few ticks to accumulate.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	started := time.Now()
	emitted := 0
	batch := make([]domain.Event, 0, 64)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		due := int(eventsPerSecond*time.Since(started).Seconds()) - emitted
		if due > 10000 {
			due = 10000 // a stall (a suspended laptop) is not made up in one burst
			emitted = int(eventsPerSecond*time.Since(started).Seconds()) - due
		}
		batch = batch[:0]
		for len(batch) < due {
			ev, ok, err := gen.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			batch = append(batch, ev)
		}
		if len(batch) == 0 {
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		if _, err := dst.ApplyBatch(batch); err != nil {
			return fmt.Errorf("live load: %w", err)
		}
		emitted += len(batch)
	}
}

// loadGen produces the synthetic event stream lazily, in time order. Each
// conversation is a small state machine whose next steps depend on what the
// rules decided (a customer only rates a survey that was sent); it learns
// those decisions from a shadow workspace that holds only the conversations
// still in progress, so memory is bounded by the conversations in flight.
type loadGen struct {
	cfg   LoadConfig
	live  bool
	begin time.Time
	end   time.Time // zero in live mode
	// stamp turns the generator's virtual time into the event's timestamp;
	// identity for Load, the wall clock for LoadLive.
	stamp func(time.Time) time.Time

	shadow *domain.Workspace
	team   []loadTeammate
	byName map[string]int
	admins []string
	weight []float64 // cumulative assignment weights of the teammates
	custs  int       // size of the customer pool

	global []domain.Event // roles and settings changes, in time order
	gi     int

	starts     *rand.Rand // draws conversation start times
	arrival    loadArrival
	admitted   int
	startsDone bool
	prefix     string
	// pendingStart is the drawn start of the next conversation (zero: not drawn yet).
	pendingStart, lastStart time.Time
	liveNext                time.Time
	heap                    []*loadConv
	finished                bool

	// drops counts planned events the shadow refused, which are not emitted:
	// a lead does not claim a remark the customer has since raised out of
	// the queue, for instance.
	drops int
}

type loadTeammate struct {
	name  string
	skill float64 // 0..1: the mean rating a customer gives is about 1 + 4×skill
	speed float64 // typical first-reply wait in minutes
	terse bool    // writes short replies, so more chats stay under 250 characters
}

// loadArrival spreads conversation starts over the days with business-hour
// and weekday peaks, by inverting the cumulative weight of each hour.
type loadArrival struct {
	cum []float64 // cumulative weight at the end of each hour
}

func newLoadArrival(begin time.Time, days int, rng *rand.Rand) loadArrival {
	hours := days * 24
	cum := make([]float64, hours)
	total := 0.0
	dayBoost := 1.0
	for h := 0; h < hours; h++ {
		t := begin.Add(time.Duration(h) * time.Hour)
		if h%24 == 0 {
			dayBoost = 0.7 + 0.6*rng.Float64() // some days are busier
		}
		wt := 0.15
		if hr := t.Hour(); hr >= 8 && hr < 18 {
			wt = 1
		} else if hr >= 6 && hr < 22 {
			wt = 0.4
		}
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			wt *= 0.3
		}
		total += wt * dayBoost
		cum[h] = total
	}
	return loadArrival{cum: cum}
}

// at maps p in [0, 1) to a time offset from begin.
func (a loadArrival) at(p float64) time.Duration {
	total := a.cum[len(a.cum)-1]
	x := p * total
	h := sort.SearchFloat64s(a.cum, x)
	if h >= len(a.cum) {
		h = len(a.cum) - 1
	}
	lo := 0.0
	if h > 0 {
		lo = a.cum[h-1]
	}
	frac := 0.0
	if a.cum[h] > lo {
		frac = (x - lo) / (a.cum[h] - lo)
	}
	return time.Duration(h)*time.Hour + time.Duration(frac*float64(time.Hour)).Truncate(time.Second)
}

var loadFirstNames = []string{"maria", "dev", "aisha", "tom", "yuki", "lena", "omar", "sofia", "jonas", "priya",
	"mateo", "chloe", "kwame", "ines", "ravi", "emma", "luca", "hana", "noah", "zara", "felix", "amara",
	"oscar", "mei", "ben", "leila", "erik", "nadia", "sam", "ana", "ivan", "lucy", "hugo", "tara", "kai", "rosa"}

var loadLastNames = []string{"kim", "ortiz", "nguyen", "smith", "okafor", "muller", "rossi", "tanaka", "silva",
	"cohen", "dubois", "patel", "larsen", "khan", "novak", "garcia", "brown", "ito", "costa", "weber"}

func newLoadGen(cfg LoadConfig, settings domain.Settings, live bool) *loadGen {
	seed := uint64(cfg.Seed)
	g := &loadGen{cfg: cfg, live: live, stamp: func(t time.Time) time.Time { return t }}
	g.starts = rand.New(rand.NewPCG(seed, 0x5eed_57a7))
	teamRng := rand.New(rand.NewPCG(seed, 0x7ea3))
	if live {
		// Live conversations run on a virtual clock of their own; only their
		// order and spacing matter, the timestamps come from the wall clock.
		g.begin = domain.Epoch
		g.liveNext = g.begin
		g.prefix = "live-" + strconv.FormatInt(cfg.Seed, 36) + "-"
	} else {
		g.begin = cfg.Begin().UTC()
		g.end = cfg.End.UTC()
		g.prefix = "s" + strconv.FormatInt(cfg.Seed, 36) + "-"
		g.arrival = newLoadArrival(g.begin, cfg.Days, g.starts)
	}
	g.shadow = domain.NewWorkspace(g.begin)
	g.shadow.Settings = settings
	g.custs = max(12, cfg.Conversations/3)
	if live && cfg.Conversations == 0 {
		g.custs = 500
	}

	// The team: the first two are the admins (team leads), then a few stars,
	// and the last few struggle, so the leaderboard has a story.
	n := cfg.Teammates
	stars, strugglers := 0, 0
	if n >= 4 {
		stars, strugglers = max(1, n/8), max(1, n/8)
	}
	g.byName = make(map[string]int, n)
	cum := 0.0
	for i := 0; i < n; i++ {
		name := loadFirstNames[i%len(loadFirstNames)]
		if i >= len(loadFirstNames) {
			name += strconv.Itoa(i / len(loadFirstNames))
		}
		tm := loadTeammate{name: name, skill: 0.72 + 0.12*teamRng.Float64(), speed: 20 + 60*teamRng.Float64()}
		w := 0.7 + 0.6*teamRng.Float64()
		switch {
		case i >= 2 && i < 2+stars:
			tm.skill, tm.speed, w = 0.9+0.05*teamRng.Float64(), tm.speed*0.6, w*1.3
		case i >= n-strugglers:
			tm.skill, tm.speed, tm.terse = 0.3+0.12*teamRng.Float64(), tm.speed*3, true
		}
		g.team = append(g.team, tm)
		g.byName[name] = i
		cum += w
		g.weight = append(g.weight, cum)
	}
	g.admins = []string{g.team[0].name}
	if n > 1 {
		g.admins = append(g.admins, g.team[1].name)
	}
	if !live {
		g.planGlobal()
	}
	return g
}

// planGlobal registers the team and changes a few settings over the history,
// so that what-ifs and the audit trail have something to show.
func (g *loadGen) planGlobal() {
	at := g.begin
	for i, tm := range g.team {
		role := domain.RoleTeammate
		if i < len(g.admins) {
			role = domain.RoleAdmin
		}
		g.global = append(g.global, domain.Event{Kind: domain.EvRole, At: at, By: tm.name, Role: role})
	}
	set := func(at time.Time, key, value string) {
		k, _ := domain.ParseSettingKey(key)
		g.global = append(g.global, domain.Event{Kind: domain.EvSet, At: at, Setting: k, Text: value, By: g.admins[0]})
	}
	set(at, "users.change-window", "72")
	set(at, "leads.rating-window", "48")
	span := g.end.Sub(g.begin)
	set(g.begin.Add(span*2/5).Truncate(time.Minute), "users.workflow-outbound", "on")
}

// next returns the next event of the stream, already applied to the shadow.
// ok is false when the stream is over (Load's end reached).
func (g *loadGen) next() (ev domain.Event, ok bool, err error) {
	for {
		if g.finished {
			return domain.Event{}, false, nil
		}
		startAt, canStart := g.nextStart()
		var top time.Time
		if len(g.heap) > 0 {
			top = g.heap[0].pending[0].At
		}
		if g.gi < len(g.global) {
			gev := g.global[g.gi]
			if (!canStart || !startAt.Before(gev.At)) && (len(g.heap) == 0 || !top.Before(gev.At)) {
				g.gi++
				if _, err := g.shadow.Apply(gev); err != nil {
					return domain.Event{}, false, fmt.Errorf("load generator: %s: %w", gev.Kind, err)
				}
				return gev, true, nil
			}
		}
		if canStart && (len(g.heap) == 0 || !top.Before(startAt)) {
			if !g.end.IsZero() && startAt.After(g.end) {
				g.startsDone = true // nothing more starts in time
				continue
			}
			g.admit(startAt)
			continue
		}
		if len(g.heap) == 0 {
			return g.finish()
		}
		c := g.heap[0]
		pe := c.pending[0]
		if !g.end.IsZero() && pe.At.After(g.end) {
			return g.finish()
		}
		c.pending = c.pending[1:]
		out := pe
		out.At = g.stamp(pe.At)
		if !pe.Until.IsZero() {
			out.Until = out.At.Add(pe.Until.Sub(pe.At))
		}
		o, aerr := g.shadow.Apply(out)
		if aerr == nil {
			g.react(c, pe, &o)
		} else {
			g.drops++
		}
		if len(c.pending) == 0 {
			delete(g.shadow.Conversations, c.id)
			g.heapPop()
		} else {
			g.heapFix()
		}
		if aerr == nil {
			return out, true, nil
		}
	}
}

// finish ends Load's stream with the clock at End, so the workspace reads
// the same "now" as the data.
func (g *loadGen) finish() (domain.Event, bool, error) {
	g.finished = true
	if g.end.IsZero() || g.shadow.Now.After(g.end) {
		return domain.Event{}, false, nil
	}
	ev := domain.Event{Kind: domain.EvClock, At: g.end}
	if _, err := g.shadow.Apply(ev); err != nil {
		return domain.Event{}, false, err
	}
	return ev, true, nil
}

// nextStart is when the next conversation starts, if one is left.
func (g *loadGen) nextStart() (time.Time, bool) {
	if g.live {
		if g.cfg.Conversations > 0 && g.admitted >= g.cfg.Conversations {
			return time.Time{}, false
		}
		return g.liveNext, true
	}
	if g.startsDone || g.admitted >= g.cfg.Conversations {
		return time.Time{}, false
	}
	if g.pendingStart.IsZero() {
		// Evenly spaced positions with jitter inside each slot keep starts in
		// order without sorting; the arrival curve then bends them into days.
		p := (float64(g.admitted) + g.starts.Float64()) / float64(g.cfg.Conversations)
		g.pendingStart = g.begin.Add(g.arrival.at(p))
		if g.pendingStart.Before(g.lastStart) {
			g.pendingStart = g.lastStart
		}
	}
	return g.pendingStart, true
}

// estimateTotal extrapolates the events of the whole load from those so far.
func (g *loadGen) estimateTotal(done int) int {
	if g.admitted == 0 || g.cfg.Conversations == 0 {
		return done
	}
	est := int(float64(done) * float64(g.cfg.Conversations) / float64(g.admitted))
	return max(est, done)
}

func (g *loadGen) less(a, b *loadConv) bool {
	ta, tb := a.pending[0].At, b.pending[0].At
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.seq < b.seq
}

func (g *loadGen) heapPush(c *loadConv) {
	g.heap = append(g.heap, c)
	i := len(g.heap) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !g.less(g.heap[i], g.heap[p]) {
			break
		}
		g.heap[i], g.heap[p] = g.heap[p], g.heap[i]
		i = p
	}
}

func (g *loadGen) heapPop() {
	n := len(g.heap) - 1
	g.heap[0] = g.heap[n]
	g.heap[n] = nil
	g.heap = g.heap[:n]
	if n > 0 {
		g.heapFix()
	}
}

// heapFix restores the order after the top's next event moved later.
func (g *loadGen) heapFix() {
	h, i := g.heap, 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && g.less(h[r], h[l]) {
			m = r
		}
		if !g.less(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// loadConv is one synthetic conversation in progress: its planned events,
// earliest first, and what its later steps need to know.
type loadConv struct {
	seq     int
	id      string
	rng     *rand.Rand
	t       time.Time // the planning cursor
	cust    domain.Actor
	mate    int // the assigned teammate
	speaker int // the teammate who spoke last in the plan, -1 for none
	mood    float64
	email   bool
	reopens int
	pending []domain.Event
}

func (g *loadGen) admit(at time.Time) {
	i := g.admitted
	g.admitted++
	g.lastStart, g.pendingStart = at, time.Time{}
	if g.live {
		// About one conversation every ten virtual minutes.
		g.liveNext = at.Add(time.Duration(g.starts.ExpFloat64() * float64(10*time.Minute)).Truncate(time.Second))
	}
	c := &loadConv{
		seq: i, id: g.prefix + strconv.Itoa(i), t: at, speaker: -1, pending: make([]domain.Event, 0, 16),
		rng: rand.New(rand.NewPCG(uint64(g.cfg.Seed)^0xc0417e5a7, uint64(i))),
	}
	g.plan(c)
	if len(c.pending) > 0 {
		g.heapPush(c)
	}
}

// wait moves the planning cursor by a random span of minutes in [lo, hi).
func (c *loadConv) wait(lo, hi float64) time.Time {
	m := lo + c.rng.Float64()*(hi-lo)
	c.t = c.t.Add(time.Duration(m * float64(time.Minute)).Truncate(time.Second))
	return c.t
}

// replyWait moves the cursor by a teammate's reply time: mostly near their
// usual speed, sometimes much longer.
func (g *loadGen) replyWait(c *loadConv, mate int) {
	m := g.team[mate].speed * c.rng.ExpFloat64()
	if m > 240 {
		c.mood -= 0.3 // a long wait shows in the rating
	}
	c.wait(1+m, 2+m)
}

func (c *loadConv) push(ev domain.Event) {
	ev.Conv, ev.At = c.id, c.t
	c.pending = append(c.pending, ev)
}

// insert places ev among the planned events by time, after any at the same time.
func (c *loadConv) insert(ev domain.Event) {
	ev.Conv = c.id
	i := sort.Search(len(c.pending), func(i int) bool { return c.pending[i].At.After(ev.At) })
	c.pending = append(c.pending, domain.Event{})
	copy(c.pending[i+1:], c.pending[i:])
	c.pending[i] = ev
}

func (c *loadConv) pick(texts []string) string { return texts[c.rng.IntN(len(texts))] }

func (c *loadConv) chance(p float64) bool { return c.rng.Float64() < p }

func (g *loadGen) customerSays(c *loadConv, texts []string) {
	c.push(domain.Event{Kind: domain.EvSay, Actor: c.cust, Text: c.pick(texts)})
}

func (g *loadGen) mateSays(c *loadConv, mate int, short bool) {
	texts := loadTeammateReplies
	if short || (g.team[mate].terse && c.chance(0.3)) {
		texts = loadTeammateShort
	}
	c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Teammate(g.team[mate].name), Text: c.pick(texts)})
	c.speaker = mate
}

func (g *loadGen) closer(c *loadConv) domain.Actor {
	if c.speaker >= 0 {
		return domain.Teammate(g.team[c.speaker].name)
	}
	return domain.Teammate(g.team[c.mate].name)
}

// pickMate assigns a teammate, busier ones more often.
func (g *loadGen) pickMate(r *rand.Rand) int {
	x := r.Float64() * g.weight[len(g.weight)-1]
	i := sort.SearchFloat64s(g.weight, x)
	return min(i, len(g.team)-1)
}

func (g *loadGen) customer(i int) domain.Actor {
	nf, nl := len(loadFirstNames), len(loadLastNames)
	name := loadFirstNames[i%nf] + "." + loadLastNames[(i/nf)%nl] + strconv.Itoa(i)
	if i%4 == 3 {
		return domain.Lead(name)
	}
	return domain.User(name)
}

// plan lays out a conversation up to its first close. What follows a close
// depends on the rules' decision and is planned in react.
func (g *loadGen) plan(c *loadConv) {
	r := c.rng
	c.cust = g.customer(r.IntN(g.custs))
	c.mate = g.pickMate(r)
	origin := domain.OriginInbound
	u := r.Float64()
	if c.cust.Kind == domain.KindLead {
		if u < 0.3 {
			origin = domain.OriginVisitorMessage
		}
	} else {
		switch {
		case u < 0.12:
			origin = domain.OriginDirect
		case u < 0.22:
			origin = domain.OriginWorkflow
		case u < 0.30:
			origin = domain.OriginMessage
		case u < 0.34:
			origin = domain.OriginAPI
		case u < 0.36:
			origin = domain.OriginCustomBot
		}
	}
	channel := domain.ChannelMessenger
	if c.cust.Kind == domain.KindUser && (origin == domain.OriginInbound || origin == domain.OriginMessage || origin == domain.OriginDirect) && c.chance(0.3) {
		channel = domain.ChannelEmail
		c.email = true
	}
	start := domain.Event{Kind: domain.EvStart, Actor: c.cust, Origin: origin, Channel: channel}
	if origin == domain.OriginDirect {
		start.Agent = domain.Teammate(g.team[c.mate].name)
	}
	c.push(start)
	switch origin {
	case domain.OriginDirect:
		g.planDirect(c)
	case domain.OriginWorkflow, domain.OriginCustomBot, domain.OriginAPI:
		g.planBotStarted(c, origin)
	default:
		g.planInbound(c)
	}
}

func (g *loadGen) planInbound(c *loadConv) {
	short := c.chance(0.14) || (g.team[c.mate].terse && c.chance(0.15))
	c.wait(0.1, 0.5)
	if short {
		g.customerSays(c, loadCustomerShort)
	} else {
		g.customerSays(c, loadCustomerOpen)
	}
	if c.chance(0.05) { // a colleague joins: a group chat, which gets no survey
		other := g.customer(c.rng.IntN(g.custs))
		if other == c.cust {
			other = domain.User(c.cust.Name + "-colleague")
		}
		c.wait(2, 30)
		c.push(domain.Event{Kind: domain.EvAdd, Actor: other})
		c.wait(1, 10)
		c.push(domain.Event{Kind: domain.EvSay, Actor: other, Text: c.pick(loadCustomerFollow)})
	}
	if c.chance(0.22) {
		c.wait(0.2, 1)
		c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Fin, Text: c.pick(loadFinAnswers)})
		if c.chance(0.4) { // Fin resolved it: a Workflow asks, then closes
			c.wait(1, 10)
			g.customerSays(c, loadCustomerThanks)
			if c.chance(0.7) {
				c.wait(0.1, 1)
				c.push(domain.Event{Kind: domain.EvAsk})
			}
			c.wait(1, 5)
			c.push(domain.Event{Kind: domain.EvClose, Actor: domain.Workflow})
			return
		}
	}
	if c.chance(0.03) { // spam or a misfire: closed without a reply
		c.wait(60, 2880)
		c.push(domain.Event{Kind: domain.EvClose, Actor: domain.Teammate(g.team[c.mate].name)})
		return
	}
	g.replyWait(c, c.mate)
	g.mateSays(c, c.mate, short)
	if c.chance(0.2) {
		c.wait(1, 20)
		c.push(domain.Event{Kind: domain.EvNote, Actor: domain.Teammate(g.team[c.mate].name), Text: c.pick(loadNotes)})
	}
	for rounds := c.rng.IntN(3); rounds > 0; rounds-- {
		c.wait(5, 600)
		if short {
			g.customerSays(c, loadCustomerShort)
		} else {
			g.customerSays(c, loadCustomerFollow)
		}
		g.replyWait(c, c.speaker)
		g.mateSays(c, c.speaker, short)
	}
	if c.chance(0.07) && len(g.team) > 1 { // handed over to a colleague
		other := (c.mate + 1 + c.rng.IntN(len(g.team)-1)) % len(g.team)
		c.wait(5, 60)
		c.push(domain.Event{Kind: domain.EvNote, Actor: domain.Teammate(g.team[c.speaker].name), Text: "Handing this over to " + g.team[other].name + ", who knows billing best."})
		g.replyWait(c, other)
		g.mateSays(c, other, false)
	}
	if c.chance(0.12) { // snoozed while waiting for the customer
		c.wait(1, 30)
		snooze := time.Duration(24+c.rng.IntN(49)) * time.Hour
		from := c.t
		c.push(domain.Event{Kind: domain.EvSnooze, Actor: domain.Teammate(g.team[c.speaker].name), Until: from.Add(snooze)})
		c.mood -= 0.2
		if c.chance(0.5) { // the customer's reply wakes it
			c.t = from.Add(time.Duration(float64(snooze) * (0.2 + 0.6*c.rng.Float64())).Truncate(time.Second))
			g.customerSays(c, loadCustomerFollow)
		} else { // it wakes by itself and the teammate chases
			c.t = from.Add(snooze)
			c.wait(10, 120)
		}
		g.replyWait(c, c.speaker)
		g.mateSays(c, c.speaker, false)
	}
	if c.chance(0.06) { // left open too long: a stale close
		c.wait(10, 240)
		g.customerSays(c, loadCustomerThanks)
		c.wait(8*1440, 12*1440)
		c.mood -= 0.5
	} else {
		c.wait(5, 180)
	}
	c.push(domain.Event{Kind: domain.EvClose, Actor: g.closer(c)})
}

func (g *loadGen) planDirect(c *loadConv) {
	c.wait(0.1, 1)
	g.mateSays(c, c.mate, false)
	c.pending[len(c.pending)-1].Text = c.pick(loadDirectOpeners)
	if c.chance(0.15) { // a Workflow asks at once: nothing followed the opener yet
		c.wait(0.5, 2)
		c.push(domain.Event{Kind: domain.EvAsk})
	}
	if c.chance(0.75) {
		c.wait(30, 2880)
		g.customerSays(c, loadCustomerFollow)
		g.replyWait(c, c.mate)
		g.mateSays(c, c.mate, false)
		if c.chance(0.4) {
			c.wait(10, 600)
			g.customerSays(c, loadCustomerThanks)
		}
	}
	c.wait(60, 4320)
	c.push(domain.Event{Kind: domain.EvClose, Actor: g.closer(c)})
}

func (g *loadGen) planBotStarted(c *loadConv, origin domain.Origin) {
	c.wait(0.05, 0.2)
	if origin == domain.OriginAPI {
		g.mateSays(c, c.mate, false)
		c.pending[len(c.pending)-1].Text = c.pick(loadDirectOpeners)
	} else {
		c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Workflow, Text: c.pick(loadWorkflowGreetings)})
	}
	if c.chance(0.75) {
		c.wait(1, 360)
		g.customerSays(c, loadCustomerOpen)
		if c.chance(0.3) {
			c.wait(0.2, 1)
			c.push(domain.Event{Kind: domain.EvSay, Actor: domain.Fin, Text: c.pick(loadFinAnswers)})
		}
		if c.chance(0.55) {
			g.replyWait(c, c.mate)
			g.mateSays(c, c.mate, false)
		}
	}
	if c.chance(0.5) {
		c.wait(1, 10)
		c.push(domain.Event{Kind: domain.EvAsk})
	}
	c.wait(10, 1440)
	if c.speaker >= 0 {
		c.push(domain.Event{Kind: domain.EvClose, Actor: g.closer(c)})
	} else {
		c.push(domain.Event{Kind: domain.EvClose, Actor: domain.Workflow})
	}
}

// react plans what follows a decision: a customer answers only a survey the
// rules sent, comments on and sometimes changes a rating the rules accepted,
// and a lead follows up a rating the rules put in the queue.
func (g *loadGen) react(c *loadConv, ev domain.Event, o *domain.Outcome) {
	switch ev.Kind {
	case domain.EvClose, domain.EvAsk:
		if o.Decision == domain.DecisionSent {
			g.planRating(c, ev.At, o.To)
		}
		if ev.Kind == domain.EvClose && c.reopens == 0 && c.chance(0.1) {
			g.planReopen(c, ev.At)
		}
	case domain.EvRate:
		if o.Decision == domain.DecisionAccepted && o.Rating.Old == 0 {
			g.afterFirstRating(c, ev, o)
		}
	}
}

func (g *loadGen) planRating(c *loadConv, at time.Time, agent domain.Actor) {
	p := 0.5
	if c.email {
		p = 0.35
	}
	if !c.chance(p) {
		return
	}
	c.t = at
	switch u := c.rng.Float64(); {
	case u < 0.65:
		c.wait(1, 60)
	case u < 0.9:
		c.wait(60, 1440)
	default: // days later: past a 48-hour rating window
		c.wait(1440, 7200)
	}
	c.insert(domain.Event{Kind: domain.EvRate, At: c.t, Actor: c.cust, Value: g.drawValue(c, agent)})
}

// drawValue draws a rating around the agent's skill, lowered by a bad experience.
func (g *loadGen) drawValue(c *loadConv, agent domain.Actor) int {
	skill := 0.6
	switch {
	case agent.Kind == domain.KindFin:
		skill = 0.62
	case agent.Kind == domain.KindWorkflow:
		skill = 0.5
	default:
		if i, ok := g.byName[agent.Name]; ok {
			skill = g.team[i].skill
		}
	}
	mu := 1 + 4*skill + c.mood
	v := int(math.Round(mu + c.rng.NormFloat64()*1.0))
	return min(5, max(1, v))
}

func (g *loadGen) afterFirstRating(c *loadConv, ev domain.Event, o *domain.Outcome) {
	v := ev.Value
	p := 0.3
	texts := loadHappyComments
	switch {
	case v <= 2:
		p, texts = 0.55, loadUnhappyComments
	case v == 3:
		p, texts = 0.2, loadNeutralComments
	}
	commented := c.chance(p)
	if commented {
		c.t = ev.At
		c.wait(0.5, 15)
		c.insert(domain.Event{Kind: domain.EvComment, At: c.t, Actor: c.cust, Text: c.pick(texts)})
	}
	if c.chance(0.1) && (!commented || c.chance(0.2)) { // a change of mind, sometimes too late
		c.t = ev.At
		if c.chance(0.75) {
			c.wait(10, 2880)
		} else {
			c.wait(4320, 10080)
		}
		nv := max(1, v-1-c.rng.IntN(2))
		if v <= 2 {
			nv = min(5, v+1+c.rng.IntN(3))
		}
		c.insert(domain.Event{Kind: domain.EvRate, At: c.t, Actor: c.cust, Value: nv})
	}
	if !o.Queue.Moved || !o.Queue.After.InQueue(g.shadow.Settings.FollowUp) || !c.chance(0.7) {
		return
	}
	admin := g.admins[c.rng.IntN(len(g.admins))]
	fu := func(stage domain.FollowStage, note string) {
		c.insert(domain.Event{Kind: domain.EvFollowUp, At: c.t, Agent: o.Rating.Agent, Stage: stage, By: admin, Text: note})
	}
	c.t = ev.At
	c.wait(60, 1200)
	fu(domain.StageClaimed, "Looking into this one.")
	if c.chance(0.6) {
		c.wait(120, 1800)
		fu(domain.StageContacted, c.pick(loadFollowUpNotes))
		if c.chance(0.7) {
			c.wait(60, 2880)
			fu(domain.StageResolved, "Resolved: customer happy with the outcome.")
		}
	}
}

// planReopen brings the customer back after a close: one more question,
// another reply and a second close, which asks the rules again.
func (g *loadGen) planReopen(c *loadConv, at time.Time) {
	c.reopens++
	c.t = at
	c.wait(360, 5760)
	if c.chance(0.3) {
		c.insert(domain.Event{Kind: domain.EvReopen, At: c.t, Actor: domain.Teammate(g.team[c.mate].name)})
	} else {
		c.insert(domain.Event{Kind: domain.EvSay, At: c.t, Actor: c.cust, Text: c.pick(loadCustomerReopen)})
	}
	mate := c.mate
	if c.speaker >= 0 {
		mate = c.speaker
	}
	g.replyWait(c, mate)
	c.insert(domain.Event{Kind: domain.EvSay, At: c.t, Actor: domain.Teammate(g.team[mate].name), Text: c.pick(loadTeammateReplies)})
	c.speaker = mate
	c.wait(5, 240)
	c.insert(domain.Event{Kind: domain.EvClose, At: c.t, Actor: domain.Teammate(g.team[mate].name)})
}

// The words of the synthetic traffic. Openers are long enough that a normal
// exchange passes the 250-character rule; the short ones are not.
var (
	loadCustomerOpen = []string{
		"Hi! Our CSV export has been failing since this morning with a timeout after about thirty seconds, for every report we try, even small ones.",
		"Hello, I was charged twice for the annual plan this month and I can't find a way to get the second payment refunded from the billing page.",
		"Since yesterday's update the mobile app logs me out every few minutes, and I have to type my password again each time. It's driving the team mad.",
		"We invited three new colleagues last week but none of them received the invitation email, and the pending invites don't show up in the admin panel.",
		"Can you help me connect our Slack workspace? The integration page says 'authorisation failed' right after I approve the permissions in Slack.",
		"I'd like to move our account from the monthly to the yearly plan, but keep the same seats. Is there a discount, and will the switch reset our usage data?",
		"The dashboard shows numbers that don't match our own database: yesterday's sign-ups are off by about twenty percent. Is there a delay in the sync?",
		"Our webhook endpoint stopped receiving events around 3 am UTC. Nothing changed on our side and the delivery log in your app is empty.",
		"Hi there 👋 how do I change the language of the customer-facing emails? Our customers are mostly in Germany and the templates are all in English.",
		"I deleted a project by mistake this afternoon. It had two years of notes in it. Is there any way to restore it from a backup, please?",
		"The search in the help center returns nothing for words that clearly appear in our articles, for example 'invoice' or 'refund'. Is indexing broken?",
		"We need an invoice with our VAT number on it for last quarter's payments; the finance team can't accept the ones we downloaded without it.",
	}
	loadCustomerFollow = []string{
		"Thanks, I tried that but it still fails the same way. I've attached a screenshot of the error we see in the browser console.",
		"OK, that worked for the first report, but the larger one still times out. Could it be the number of columns?",
		"Got it. Do I need to do anything on our side, or will it apply automatically to every user in the workspace?",
		"Just checked again and it's happening on two other laptops too, with Chrome and Firefox, so it's not my browser.",
		"Thanks for the quick answer! One more thing: will this also fix the scheduled exports we send every Monday?",
		"Hmm, I don't see that option in my settings. Maybe my role doesn't allow it? I'm an editor, not an owner.",
		"Alright, I've asked our IT team to whitelist the addresses you sent. I'll let you know once it's done.",
	}
	loadCustomerShort  = []string{"Hi, is the app down?", "thanks", "ok 👍", "Any update?", "Hello?", "Great, thx", "Still broken", "password reset pls"}
	loadCustomerThanks = []string{"Thank you, that fixed it!", "Perfect, thanks a lot 🙏", "Ok I'll check and come back if needed.", "Thanks!"}
	loadCustomerReopen = []string{
		"Sorry to reopen this, but the problem came back this morning after we restarted the server. Same error as before.",
		"Hi again, one more question about this: does the fix also cover the API exports, or only the ones from the web app?",
		"Unfortunately it's happening again for one of our users. Could you have another look?",
	}
	loadTeammateReplies = []string{
		"Thanks for the details! I can reproduce it on our side. A fix is being deployed now; exports should work again in about ten minutes. I'll confirm here.",
		"Sorry about that! I've refunded the duplicate charge; it can take three to five business days to show on your statement. Anything else I can help with?",
		"Good catch, that's a bug in the last release. Our engineers rolled it back an hour ago, so logging in again should keep you signed in from now on.",
		"I've resent the invitations by hand and they should arrive within a few minutes. If they don't, please check the spam folder and let me know.",
		"You can change it under Settings → Workspace → Language. Each template has its own language switch at the top right; I've set German for you already.",
		"I've restored the project from last night's backup. Notes written today after 2 am aren't in it, unfortunately, but everything older is back.",
		"The sync runs every six hours, so the last batch wasn't in yet. I've triggered a manual sync and the numbers should match within the hour.",
		"I've added the VAT number to your billing profile and regenerated the invoices for the last quarter; you'll find them under Billing → Invoices.",
	}
	loadTeammateShort = []string{"On it!", "Done ✅", "Sure, fixed.", "Yes, that's expected.", "Restarted it, try now.", "Sent!"}
	loadNotes         = []string{"Customer is on the enterprise plan, handle with care.", "Checked the logs: 504s from the export worker.", "Second time this month for this account.", "Asked engineering in #support-escalations."}
	loadFinAnswers    = []string{
		"I found an article that should help: 'Fixing failed exports'. It walks through the timeout settings step by step.",
		"You can reset your password from the login page with 'Forgot password'. The link in the email is valid for one hour.",
		"Refunds for duplicate charges are automatic within 5 days. Would you like me to connect you with the billing team?",
	}
	loadWorkflowGreetings = []string{
		"Hi! 👋 Thanks for trying the new reports. Anything we can help you with?",
		"Your trial ends in three days. Want a hand setting up your workspace before then?",
		"We noticed your last import failed. Reply here and the team will take a look.",
	}
	loadDirectOpeners = []string{
		"Hi! I noticed your team's exports have been timing out since Monday. We've shipped a fix; could you try again and tell me if it works now?",
		"Hello, I'm following up on the billing question you raised on the phone yesterday. I've prepared the corrected invoice and attached it here.",
		"Hi, your account has hit the seat limit and two invitations are waiting. Would you like me to add seats or remove inactive members first?",
	}
	loadHappyComments   = []string{"Quick and clear, thank you!", "Super helpful, solved in minutes.", "Great support as always 🙌", "Really appreciated the follow-up.", "Friendly and fast, thanks!", "Exactly what I needed."}
	loadNeutralComments = []string{"Fixed, but it took a while.", "OK, though I had to explain it twice.", "Answer was fine, the wait was long."}
	loadUnhappyComments = []string{"Took three days to get an answer.", "The problem isn't solved, you just closed it.", "Nobody read my message properly.", "Very slow and the fix didn't work.", "I was sent a generic article that didn't help at all.", "Rude reply and no solution."}
	loadFollowUpNotes   = []string{"Called the customer, apologised and escalated the bug.", "Emailed with a workaround and a credit.", "Spoke with the teammate about tone; customer contacted."}
)
