package simulate

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/csat-app/csat/domain"
)

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
	heap                    convHeap
	free                    [][]plannedEvent // plan buffers of finished conversations
	texts                   planTexts        // the texts the plans name
	finished                bool

	// drops counts planned events the shadow refused, which are not emitted:
	// a lead does not claim a remark the customer has since raised out of
	// the queue, for instance.
	drops int
	// outcome is the shadow's outcome of the event next returned last,
	// which is the store's too (a continuation counts skipped events by it).
	outcome domain.Outcome
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

func newLoadGen(cfg LoadConfig, settings domain.Settings, live bool) *loadGen {
	seed := uint64(cfg.Seed)
	g := &loadGen{cfg: cfg, live: live, stamp: func(t time.Time) time.Time { return t }}
	g.starts = rand.New(rand.NewPCG(seed, 0x5eed_57a7))
	teamRng := rand.New(rand.NewPCG(seed, 0x7ea3))
	if live {
		// Live conversations run on a virtual clock of their own; only their
		// order and spacing matter, the timestamps come from the wall clock.
		g.begin = ScriptStart
		g.liveNext = g.begin
		g.prefix = "live-" + strconv.FormatInt(cfg.Seed, 36) + "-"
	} else {
		g.begin = cfg.Begin().UTC()
		g.end = cfg.End.UTC()
		g.prefix = "s" + strconv.FormatInt(cfg.Seed, 36) + "-"
		g.arrival = newLoadArrival(g.begin, cfg.Days, g.starts)
	}
	g.shadow = domain.NewWorkspace()
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
	g.planTeams(at)
	set := func(at time.Time, key, value string) {
		k, _ := domain.ParseSettingKey(key)
		g.global = append(g.global, domain.Event{Kind: domain.EvSet, At: at, Setting: k, Text: value, By: g.admins[0]})
	}
	set(at, "users.change-window", "72")
	set(at, "leads.rating-window", "48")
	span := g.end.Sub(g.begin)
	set(g.begin.Add(span*2/5).Truncate(time.Minute), "users.workflow-outbound", "on")
}

// loadTeams are the teams a load makes: the first two split the roster,
// the third takes every third teammate from both, so some count in two.
var loadTeams = [...]struct{ id, name string }{{"support", "Support"}, {"billing", "Billing & Accounts"}, {"vip", "VIP"}}

// planTeams puts the teammates in two teams, and a third overlapping both
// when there are six or more.
func (g *loadGen) planTeams(at time.Time) {
	n := len(g.team)
	if n < 2 {
		return
	}
	join := func(team int, member string) {
		g.global = append(g.global, domain.Event{Kind: domain.EvTeam, At: at, Conv: loadTeams[team].id,
			Text: loadTeams[team].name, Agent: domain.Teammate(member)})
	}
	for i, tm := range g.team {
		if i < (n+1)/2 {
			join(0, tm.name)
		} else {
			join(1, tm.name)
		}
		if n >= 6 && i%3 == 1 {
			join(2, tm.name)
		}
	}
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
			top = g.begin.Add(g.heap[0].at)
		}
		if g.gi < len(g.global) {
			gev := g.global[g.gi]
			if (!canStart || !startAt.Before(gev.At)) && (len(g.heap) == 0 || !top.Before(gev.At)) {
				g.gi++
				o, err := g.shadow.Apply(gev)
				if err != nil {
					return domain.Event{}, false, fmt.Errorf("load generator: %s: %w", gev.Kind, err)
				}
				g.outcome = o
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
		c := g.heap[0].c
		pe := c.event(c.next())
		if !g.end.IsZero() && pe.At.After(g.end) {
			return g.finish()
		}
		c.head++
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
		if c.done() {
			delete(g.shadow.Conversations, c.id)
			g.heap.popTop()
			g.release(c.pending)
		} else {
			g.heap[0].at = c.nextFromBegin()
			g.heap.down(0)
		}
		if aerr == nil {
			g.outcome = o
			return out, true, nil
		}
	}
}

// finish ends Load's stream with a clock event at End, so the log says
// where the history ends.
func (g *loadGen) finish() (domain.Event, bool, error) {
	g.finished = true
	if g.end.IsZero() {
		return domain.Event{}, false, nil
	}
	ev := domain.Event{Kind: domain.EvClock, At: g.end}
	o, err := g.shadow.Apply(ev)
	if err != nil {
		return domain.Event{}, false, err
	}
	g.outcome = o
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

// estimateTotal extrapolates the events of the whole load from those
// done, when admitted of its conversations have started.
func estimateTotal(cfg LoadConfig, admitted, done int) int {
	if admitted == 0 || cfg.Conversations == 0 {
		return done
	}
	est := int(float64(done) * float64(cfg.Conversations) / float64(admitted))
	return max(est, done)
}

func (g *loadGen) admit(at time.Time) {
	i := g.admitted
	g.admitted++
	g.lastStart, g.pendingStart = at, time.Time{}
	if g.live {
		// About one conversation every ten virtual minutes.
		g.liveNext = at.Add(time.Duration(g.starts.ExpFloat64() * float64(10*time.Minute)).Truncate(time.Second))
	}
	var id [32]byte
	c := &loadConv{
		id: string(strconv.AppendInt(append(id[:0], g.prefix...), int64(i), 10)), gen: g, from: at.Sub(g.begin), speaker: -1, pending: g.buffer(),
		src: *rand.NewPCG(uint64(g.cfg.Seed)^0xc0417e5a7, uint64(i)),
	}
	g.plan(c)
	if c.done() {
		g.release(c.pending)
		return
	}
	g.heap.push(convEntry{at: c.nextFromBegin(), seq: i, c: c})
}

// buffer is an empty event buffer for a new conversation's plan: one a
// finished conversation left, so that a load allocates as many as it has
// conversations in flight, not one per conversation.
func (g *loadGen) buffer() []plannedEvent {
	if n := len(g.free); n > 0 {
		b := g.free[n-1]
		g.free[n-1] = nil
		g.free = g.free[:n-1]
		return b
	}
	return make([]plannedEvent, 0, 8)
}

// maxFreeBuffers bounds the plan buffers kept for reuse: as many as a
// few minutes of a dense load's new conversations take. A load's
// conversations in flight fall from their peak by thousands overnight,
// and keeping every buffer they left held memory no conversation used.
const maxFreeBuffers = 256

// release keeps the plan buffer of a finished conversation for a new one,
// while fewer than maxFreeBuffers are kept.
func (g *loadGen) release(buf []plannedEvent) {
	if len(g.free) < maxFreeBuffers {
		g.free = append(g.free, buf[:0])
	}
}

// convHeap orders the conversations in flight by their next planned event,
// then by admission, so the merged stream is the same on every run. Each
// entry holds what the order compares, so sifting reads the heap's own
// array rather than every conversation it passes: the conversations are
// tens of thousands of objects spread over the heap, and following a
// pointer and comparing two time.Times at each step was a third of
// drawing the stream. The order is total (no two entries share a seq),
// so the stream does not depend on how the heap sifts.
type convHeap []convEntry

// convEntry is a conversation in flight and the time of its next planned
// event, from the generator's begin.
type convEntry struct {
	at  time.Duration
	seq int
	c   *loadConv
}

func (h convHeap) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}

func (h *convHeap) push(e convEntry) {
	*h = append(*h, e)
	h.up(len(*h) - 1)
}

// popTop removes the earliest entry.
func (h *convHeap) popTop() {
	old := *h
	n := len(old) - 1
	old[0] = old[n]
	old[n] = convEntry{}
	*h = old[:n]
	h.down(0)
}

func (h convHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// down moves entry i down to its place: after its time moved later.
func (h convHeap) down(i int) {
	for {
		j := 2*i + 1
		if j >= len(h) {
			return
		}
		if r := j + 1; r < len(h) && h.less(r, j) {
			j = r
		}
		if !h.less(j, i) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}
