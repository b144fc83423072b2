package intercom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SearchPageSize is the per_page of the conversation search: Intercom's maximum.
const SearchPageSize = 150

// SyncOverlap is how far before its start a sync's successor begins: a
// conversation Intercom updated while a page was being read, or while the
// two clocks disagreed, is read again by the next run (reading twice
// changes nothing).
const SyncOverlap = 5 * time.Minute

// syncWorkers is how many conversations are fetched at once.
const syncWorkers = 4

// SyncOptions configure one sync run.
type SyncOptions struct {
	BaseURL string // one of Regions; a server on this machine in tests
	Token   string // the access token; sent in the Authorization header only
	// Since, when set, starts a run at this updated_at instead of where the
	// last run left off (an unfinished run from the same Since is resumed).
	Since    time.Time
	Client   *http.Client                               // nil: one with a 2-minute timeout
	Progress func(SyncProgress)                         // after each page
	Logf     func(format string, args ...any)           // retries and waits; never the token
	Wait     func(context.Context, time.Duration) error // nil: a timer
	Jitter   func() float64                             // nil: math/rand; in [0,1)
}

// SyncProgress is how far a run has come.
type SyncProgress struct {
	Done, Total int // conversations
	Pages       int
}

// SyncReport is what a run did.
type SyncReport struct {
	Report
	Conversations int
	Pages         int
	Admins, Teams int
	// TeamChanges counts the team events written: names, joins, leaves.
	TeamChanges  int
	Malformed    []Skip // conversations that could not be read or mapped
	Resumed      bool   // continued an interrupted run
	Since, Until time.Time
	Retries      int
	Done         bool // the run reached the last page
}

// syncRun is one run's position, kept in the store as marks so that an
// interrupted run continues where it stopped: after page Page, the next
// page starts after Cursor. Runs are keyed by Until, the Intercom time
// their successor starts from.
type syncRun struct {
	host         string
	Since, Until int64
	Page         int
	Cursor       string
	finished     bool
}

func (r syncRun) prefix() string { return syncPrefix + r.host + "/" + pad(r.Until, 12) + "/" }

// pageKey records that pages up to r.Page are in and where the next starts.
func (r syncRun) pageKey() string {
	return r.prefix() + pad(int64(r.Page), 6) + "=" + strconv.FormatInt(r.Since, 10) + "," + url.QueryEscape(r.Cursor)
}

// doneKey records a finished run; "done" sorts after every page number.
func (r syncRun) doneKey() string { return r.prefix() + "done=" + strconv.FormatInt(r.Since, 10) }

const syncPrefix = "sync/"

func pad(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// lastRun reads the latest run recorded for host; ok is false before the first.
func (in *Ingester) lastRun(host string) (run syncRun, ok bool, err error) {
	prefix := syncPrefix + host + "/"
	err = in.sink.Marks(markSource, prefix, func(k string) error {
		r, parsed := parseRunKey(host, k[len(prefix):])
		if parsed {
			run, ok = r, true
		}
		return nil
	})
	return run, ok, err
}

// parseRunKey reads "UNTIL/PAGE=SINCE,CURSOR" or "UNTIL/done=SINCE".
func parseRunKey(host, k string) (syncRun, bool) {
	until, rest, ok1 := strings.Cut(k, "/")
	pos, val, ok2 := strings.Cut(rest, "=")
	since, cursor, _ := strings.Cut(val, ",")
	r := syncRun{host: host}
	var err1, err2 error
	r.Until, err1 = strconv.ParseInt(until, 10, 64)
	r.Since, err2 = strconv.ParseInt(since, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return syncRun{}, false
	}
	if pos == "done" {
		r.finished = true
		return r, true
	}
	page, err := strconv.Atoi(pos)
	c, err3 := url.QueryUnescape(cursor)
	if err != nil || err3 != nil {
		return syncRun{}, false
	}
	r.Page, r.Cursor = page, c
	return r, true
}

// nextRun decides where this run starts: an unfinished run is continued
// (unless --since asks for another start), a finished one is followed.
func nextRun(last syncRun, have bool, since time.Time) (run syncRun, resumed bool) {
	want := int64(0)
	if !since.IsZero() {
		want = since.Unix()
	}
	switch {
	case have && !last.finished && (since.IsZero() || last.Since == want):
		return last, true
	case have && since.IsZero():
		return syncRun{host: last.host, Since: last.Until}, false
	}
	return syncRun{host: last.host, Since: want}, false
}

// Sync pulls the conversations Intercom updated since the last run (or
// since opt.Since, or ever) into the ingester's sink, page by page. Each
// page is written before the position after it is recorded, so a run
// stopped at any point (ctx cancelled, a crash) loses nothing and the next
// run continues from the last recorded page. The team directory is read
// first: a refused token fails before anything is written. Runs on one
// ingester take turns: a second one waits for the first.
func Sync(ctx context.Context, in *Ingester, opt SyncOptions) (SyncReport, error) {
	c, err := newAPIClient(opt)
	if err != nil {
		return SyncReport{}, err
	}
	// One run at a time: another one waits, then continues where it ended.
	select {
	case in.syncing <- struct{}{}:
	default:
		c.logf("waiting for the sync under way to finish")
		select {
		case in.syncing <- struct{}{}:
		case <-ctx.Done():
			return SyncReport{}, ctx.Err()
		}
	}
	defer func() { <-in.syncing }()
	last, have, err := in.lastRun(c.base.Host)
	if err != nil {
		return SyncReport{}, fmt.Errorf("reading the sync position: %w", err)
	}
	last.host = c.base.Host
	run, resumed := nextRun(last, have, opt.Since)
	rep := SyncReport{Resumed: resumed}
	if err := in.syncDirectory(ctx, c, &rep); err != nil {
		return rep, err
	}
	if run.Until == 0 {
		run.Until = c.now().Add(-SyncOverlap).Unix()
	}
	rep.Since, rep.Until = time.Unix(run.Since, 0).UTC(), time.Unix(run.Until, 0).UTC()
	err = in.syncPages(ctx, c, &run, &rep, opt.Progress)
	rep.Retries = c.retried()
	return rep, err
}

// syncDirectory reads the admins and teams: admins' names come from the
// directory rather than whichever conversation shows them first, and the
// teams and their members are brought up to date.
func (in *Ingester) syncDirectory(ctx context.Context, c *apiClient, rep *SyncReport) error {
	var admins struct {
		Admins []directoryAdmin `json:"admins"`
	}
	if err := c.do(ctx, http.MethodGet, "/admins", nil, &admins); err != nil {
		return err
	}
	var teams struct {
		Teams []directoryTeam `json:"teams"`
	}
	if err := c.do(ctx, http.MethodGet, "/teams", nil, &teams); err != nil {
		return err
	}
	rep.Admins, rep.Teams = len(admins.Admins), len(teams.Teams)
	refs := make([]Ref, len(admins.Admins))
	for i, a := range admins.Admins {
		refs[i] = a.Ref
	}
	if steps, aliases := directorySteps(refs, c.now()); len(steps)+len(aliases) > 0 {
		if _, err := in.Apply(steps, aliases); err != nil {
			return fmt.Errorf("recording the admins' names: %w", err)
		}
	}
	var err error
	rep.TeamChanges, err = in.syncTeams(teams.Teams, admins.Admins)
	return err
}

// directorySteps names the admins of the directory (GET /admins) as of
// now, and records those that are bots (Operator, Fin) as aliases.
func directorySteps(admins []Ref, now time.Time) ([]Step, []string) {
	who := newPeople(&Conversation{})
	for i := range admins {
		if admins[i].Type == "" {
			admins[i].Type = "admin"
		}
		who.learn(&admins[i], Timestamp(now.Unix()))
	}
	var p Plan
	p.names(who)
	p.alias(who)
	return p.Steps, p.Aliases
}

// searchPage is the conversation_list a search answers.
type searchPage struct {
	TotalCount    int `json:"total_count"`
	Conversations []struct {
		ID FlexID `json:"id"`
	} `json:"conversations"`
	Pages struct {
		Next *struct {
			StartingAfter string `json:"starting_after"`
		} `json:"next"`
	} `json:"pages"`
}

func (in *Ingester) syncPages(ctx context.Context, c *apiClient, run *syncRun, rep *SyncReport, progress func(SyncProgress)) error {
	done := run.Page * SearchPageSize // a resumed run's earlier pages, roughly
	for {
		page, err := c.search(ctx, run.Since, run.Cursor)
		var se *statusError
		if errors.As(err, &se) && se.status == http.StatusBadRequest && run.Cursor != "" {
			// A page cursor kept across an interruption may have expired:
			// read the run again from its start; what is in stays in.
			c.logf("the saved page cursor was refused (%v); reading this run again from its start", err)
			run.Cursor, run.Page, done = "", 0, 0
			page, err = c.search(ctx, run.Since, "")
		}
		if err != nil {
			return err
		}
		recs, err := c.conversations(ctx, page)
		if err != nil {
			return err
		}
		part, malformed, err := Import(in, recs, time.Now(), nil) // this machine receives them
		if err != nil {
			return fmt.Errorf("writing page %d: %w", run.Page+1, err)
		}
		rep.Add(part)
		rep.Malformed = append(rep.Malformed, malformed...)
		rep.Conversations += len(recs)
		rep.Pages++
		run.Page++
		done += len(recs)
		key := run.doneKey()
		if next := page.Pages.Next; next != nil && next.StartingAfter != "" && len(page.Conversations) > 0 {
			if next.StartingAfter == run.Cursor {
				return fmt.Errorf("page %d: the search answered the cursor it was given as the next one", run.Page)
			}
			run.Cursor = next.StartingAfter
			key = run.pageKey()
		}
		if _, err := in.Apply(nil, []string{key}); err != nil {
			return fmt.Errorf("recording the sync position after page %d: %w", run.Page, err)
		}
		if progress != nil {
			progress(SyncProgress{Done: done, Total: max(page.TotalCount, done), Pages: run.Page})
		}
		if key == run.doneKey() {
			rep.Done = true
			return nil
		}
	}
}

// search asks for one page of the conversations updated at or after since.
func (c *apiClient) search(ctx context.Context, since int64, cursor string) (searchPage, error) {
	pagination := map[string]any{"per_page": SearchPageSize}
	if cursor != "" {
		pagination["starting_after"] = cursor
	}
	body := map[string]any{
		// ">" on a date is documented as "greater (or equal)"; one second
		// earlier makes sure either reading includes since itself.
		"query":      map[string]any{"field": "updated_at", "operator": ">", "value": max(since-1, 0)},
		"pagination": pagination,
	}
	var page searchPage
	err := c.do(ctx, http.MethodPost, "/conversations/search", body, &page)
	return page, err
}

// conversations fetches every conversation of a page with its parts, a
// few at a time, in the page's order. A conversation gone since the search
// (404) is reported as malformed and the rest go on.
func (c *apiClient) conversations(ctx context.Context, page searchPage) ([]Record, error) {
	recs := make([]Record, len(page.Conversations))
	errs := make([]error, len(page.Conversations))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, syncWorkers)
	var wg sync.WaitGroup
	for i, hit := range page.Conversations {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			recs[i], errs[i] = c.conversation(ctx, string(hit.ID))
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return recs, nil
}

func (c *apiClient) conversation(ctx context.Context, id string) (Record, error) {
	path := "/conversations/" + url.PathEscape(id)
	src := "GET " + path
	var raw json.RawMessage
	err := c.do(ctx, http.MethodGet, path, nil, &raw)
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusNotFound {
		return Record{Source: src, Err: fmt.Errorf("gone since the search (404)")}, nil
	}
	if err != nil {
		return Record{}, err
	}
	return decodeRecord(src, raw), nil
}
