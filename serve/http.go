package serve

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/csat-app/csat/domain"
	"github.com/csat-app/csat/intercom"
	"github.com/csat-app/csat/store"
)

// RatingRow is one rating slot in /api/export/ratings.
type RatingRow struct {
	Conversation string    `json:"conversation"`
	Agent        string    `json:"agent"`
	Customer     string    `json:"customer"`
	Value        int       `json:"value"`
	Class        string    `json:"class"`
	Comment      string    `json:"comment,omitempty"`
	FirstRated   time.Time `json:"first_rated"`
	LastChanged  time.Time `json:"last_changed"`
}

// handler builds the HTTP API: the webhook, the health check, and the
// token-protected reads.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/intercom", &intercom.Webhook{Ingester: s.ingester, Secret: s.cfg.WebhookSecret, Logf: s.logf})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "seq": s.cfg.Store.Seq(), "sessions": s.sessionCount()})
	})
	mux.Handle("GET /api/report", s.authorized(http.HandlerFunc(s.report)))
	mux.Handle("GET /api/export/ratings", s.authorized(http.HandlerFunc(s.exportRatings)))
	return http.TimeoutHandler(mux, 4*time.Second, `{"status":"error","error":"timed out"}`)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Error string `json:"error"`
}

// authorized requires "Authorization: Bearer <token>".
func (s *Server) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.APIToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="csat"`)
			writeJSON(w, http.StatusUnauthorized, apiError{"missing or wrong API token (Authorization: Bearer …)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// PeriodFromQuery reads ?period=today|7d|30d|90d|all or ?from=DATE&to=DATE
// (to exclusive), relative to now. The default is 30d.
func PeriodFromQuery(q map[string][]string, now time.Time) (store.Period, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	from, to := get("from"), get("to")
	if from != "" || to != "" {
		if from == "" || to == "" {
			return store.Period{}, fmt.Errorf("from and to go together")
		}
		f, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return store.Period{}, fmt.Errorf("from %q: want YYYY-MM-DD", from)
		}
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return store.Period{}, fmt.Errorf("to %q: want YYYY-MM-DD", to)
		}
		if !t.After(f) {
			return store.Period{}, fmt.Errorf("to %s must be after from %s", to, from)
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
	lb, err := s.cfg.Store.Leaderboard(p)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, lb)
}

func (s *Server) exportRatings(w http.ResponseWriter, r *http.Request) {
	rows := []RatingRow{}
	err := s.cfg.Store.EachConversation(func(c domain.Conversation, _ time.Time) error {
		for _, sl := range c.Slots {
			if sl.Value == 0 {
				continue
			}
			cust := ""
			if len(c.Customers) > 0 {
				cust = c.Customers[0].String()
			}
			rows = append(rows, RatingRow{Conversation: c.ID, Agent: sl.Agent.String(), Customer: cust, Value: sl.Value,
				Class: domain.ClassOf(sl.Value).String(), Comment: sl.Comment, FirstRated: sl.FirstRatedAt, LastChanged: sl.LastChangedAt})
		}
		return nil
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, rows)
}
