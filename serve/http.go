package serve

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/report"
	"github.com/csat-app/csat/simulate"
	"github.com/csat-app/csat/store"
)

// handler builds the HTTP API: the webhook, the health check, and the
// token-protected reads.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	webhook := &intercom.Webhook{Ingester: s.ingester, Secret: s.cfg.WebhookSecret, Logf: s.logf, Clock: s.now}
	mux.Handle("POST /webhooks/intercom", webhook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "seq": s.cfg.Store.Seq(), "sessions": s.sessionCount(),
			"notifications": webhook.Counts()})
	})
	mux.Handle("GET /api/report", s.authorized(http.HandlerFunc(s.report)))
	mux.Handle("GET /api/export/ratings", s.authorized(http.HandlerFunc(s.exportRatings)))
	mux.Handle("GET /api/export/conversations", s.authorized(http.HandlerFunc(s.exportConversations)))
	// The store's state and a consistency check, for API clients (local csat
	// commands use the data directory's socket instead).
	mux.Handle("GET /api/state", s.authorized(http.HandlerFunc(s.state)))
	mux.Handle("POST /api/check", s.authorized(http.HandlerFunc(s.check)))
	// The webhook answers well within Intercom's 5 s; long reads are not cut.
	limited := http.TimeoutHandler(mux, 4*time.Second, `{"status":"error","error":"timed out"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/webhooks/intercom" || r.URL.Path == "/healthz" {
			limited.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Error string `json:"error"`
}

// authorized requires "Authorization: Bearer <token>", the scheme in any
// case (RFC 9110 makes it case-insensitive).
func (s *Server) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		got = strings.TrimSpace(got)
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.APIToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="csat"`)
			writeJSON(w, http.StatusUnauthorized, apiError{"missing or wrong API token (Authorization: Bearer …)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// PeriodFromQuery reads ?period=today|7d|30d|90d|all, or ?from=&to= (each a
// YYYY-MM-DD day or an RFC 3339 time, to exclusive, empty for open-ended),
// relative to now. The default is 30d.
func PeriodFromQuery(q map[string][]string, now time.Time) (store.Period, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if _, ok := q["from"]; ok {
		f, err := parseBound(get("from"))
		if err != nil {
			return store.Period{}, fmt.Errorf("from: %v", err)
		}
		t, err := parseBound(get("to"))
		if err != nil {
			return store.Period{}, fmt.Errorf("to: %v", err)
		}
		if !t.IsZero() && !t.After(f) {
			return store.Period{}, fmt.Errorf("to %s must be after from %s", get("to"), get("from"))
		}
		return store.Period{From: f, To: t}, nil
	}
	name := get("period")
	if name == "" {
		name = "30d"
	}
	return store.ParsePeriod(name, now)
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	p, err := PeriodFromQuery(r.URL.Query(), s.now())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
		return
	}
	lb, err := report.Report(s.cfg.Store, p)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, lb)
}

// exportRatings streams every rating slot, unrated ones included, as one
// JSON array of report.RatingRow: the rows of `csat export ratings`.
func (s *Server) exportRatings(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	err := report.WriteArray(w, func(fn func(report.RatingRow) error) error { return report.EachRating(s.cfg.Store, fn) })
	if err != nil {
		s.logf("export ratings: %v", err) // the status is sent; the array stays unclosed
	}
}

// exportConversations streams every conversation as one JSON array of
// report.ConversationRow: the rows of `csat export conversations`.
func (s *Server) exportConversations(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	err := report.WriteArray(w, func(fn func(report.ConversationRow) error) error {
		return report.EachConversation(s.cfg.Store, fn)
	})
	if err != nil {
		s.logf("export conversations: %v", err)
	}
}

func parseBound(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want YYYY-MM-DD or an RFC 3339 time", v)
	}
	return t, nil
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	st := s.cfg.Store
	writeJSON(w, http.StatusOK, report.State{Now: s.now(), Latest: st.Latest(), Seq: st.Seq(), Dir: st.Dir(), Settings: report.NewSettings(st.Settings())})
}

// check replays the log against the live store. Webhooks go on meanwhile:
// Check compares the log and the state of one snapshot, so neither waits
// for the other (a webhook held for the whole replay timed out with 503).
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	seq := s.cfg.Store.Seq()
	diffs, err := s.cfg.Store.Check(simulate.ReplayInto)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, report.NewCheckAnswer(seq, diffs))
}
