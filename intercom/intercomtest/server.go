// Package intercomtest is an Intercom-compatible REST API for tests: the
// admin and team lists, the conversation search with cursor pages, and
// single conversations with their parts, in the shapes of the 2.14 OpenAPI
// description, with hooks to inject faults.
package intercomtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the fixture workspace behind an httptest server: admin_list,
// team_list, conversation_list with cursor_pages, and conversation with
// conversation_parts. Faults are injected by the hooks.
type Server struct {
	URL   string
	Token string // the access token it accepts

	// AdminList and Teams are what GET /admins and GET /teams answer
	// (Admins and DefaultTeams unless a test changes them).
	AdminList, Teams []map[string]any

	mu       sync.Mutex
	convs    map[string]map[string]any
	requests []string // "POST /conversations/search after=CURSOR", "GET /conversations/12"
	searches int
	gets     int
	limitHit bool
	// BeforeSearch runs before search n (1-based) is answered; a status
	// other than 0 is answered instead, once.
	BeforeSearch func(n int) int
	// BeforeGet runs before GET n (1-based) is answered, likewise.
	BeforeGet func(n int, id string) int
	// SpentAt, when set, is the request (1-based, any path) whose answer
	// says the rate-limit window is spent: X-RateLimit-Remaining 0, reset
	// in 5 s.
	SpentAt  int
	answered int
}

// Token is the access token a new Server accepts.
const Token = "dG9rOmZha2UtdG9rZW4tOTk4ODc3NjY1NTQ0MzMyMjExMDA="

// Epoch is when the fixture workspace's first conversation started.
var Epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Unix()

// Admins are the workspace's admins, Unicode names included.
var Admins = []map[string]any{
	{"type": "admin", "id": "991267390", "name": "Chloé Dubois", "email": "chloe@example.com", "away_mode_enabled": false, "has_inbox_seat": true, "team_ids": []int{814865, 814866}},
	{"type": "admin", "id": "991267391", "name": "山田 太郎", "email": "taro@example.com", "away_mode_enabled": false, "has_inbox_seat": true, "team_ids": []int{814865}},
	{"type": "admin", "id": "991267392", "name": "Mo Farah", "email": "mo@example.com", "away_mode_enabled": true, "has_inbox_seat": true, "team_ids": []int{814866}},
}

// New serves a workspace of n conversations (see Conversation) until the
// test ends.
func New(tb testing.TB, n int) *Server {
	f := &Server{Token: Token, convs: map[string]map[string]any{}, AdminList: Admins, Teams: DefaultTeams()}
	for i := range n {
		c := Conversation(i)
		f.convs[c["id"].(string)] = c
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admins", f.admins)
	mux.HandleFunc("GET /teams", f.teams)
	mux.HandleFunc("POST /conversations/search", f.search)
	mux.HandleFunc("GET /conversations/{id}", f.conversation)
	srv := httptest.NewServer(f.checked(mux))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Conversation builds conversation i, id 5000+i: a customer asks, an admin
// answers and closes; every third is rated, every fifth was opened by an
// admin (outbound), and the last part of every seventh is a note. Every
// fourth is assigned to team 814866, the others to 814865.
func Conversation(i int) map[string]any {
	start := Epoch + int64(i)*3600
	admin := Admins[i%len(Admins)]
	adminRef := map[string]any{"type": "admin", "id": admin["id"], "name": admin["name"], "email": admin["email"]}
	contactID := fmt.Sprintf("6762f14a1bb69f9f2193%04x", i)
	user := map[string]any{"type": "user", "id": contactID, "name": "Customer " + strconv.Itoa(i), "email": contactID + "@example.com"}
	source := map[string]any{"type": "conversation", "id": strconv.Itoa(403918000 + i), "delivered_as": "customer_initiated",
		"subject": "", "body": "<p>Hello, my export fails with a timeout every time.</p>", "author": user, "attachments": []any{}, "url": nil, "redacted": false}
	if i%5 == 0 {
		source["delivered_as"], source["author"] = "admin_initiated", adminRef
	}
	parts := []any{
		part(i, 1, "comment", "<p>Thanks, I can reproduce it; a fix is on its way.</p>", start+300, adminRef),
		part(i, 2, "comment", "<p>Great, thank you!</p>", start+600, user),
		part(i, 3, "close", nil, start+900, adminRef),
	}
	if i%7 == 0 {
		parts = append(parts, part(i, 4, "note", "<p>Linked to INC-42</p>", start+960, adminRef))
	}
	updated := start + 900
	team := 814865
	if i%4 == 0 {
		team = 814866
	}
	c := map[string]any{
		"type": "conversation", "id": strconv.Itoa(5000 + i), "title": nil, "created_at": start, "updated_at": updated,
		"waiting_since": nil, "snoozed_until": nil, "open": false, "state": "closed", "read": true, "priority": "not_priority",
		"admin_assignee_id": admin["id"], "team_assignee_id": team, "tags": map[string]any{"type": "tag.list", "tags": []any{}},
		"source":              source,
		"contacts":            map[string]any{"type": "contact.list", "contacts": []any{map[string]any{"type": "contact", "id": contactID, "external_id": nil}}},
		"teammates":           map[string]any{"type": "admin.list", "teammates": []any{map[string]any{"type": "admin", "id": admin["id"]}}},
		"custom_attributes":   map[string]any{},
		"statistics":          map[string]any{"type": "conversation_statistics", "first_close_at": start + 900, "count_conversation_parts": len(parts)},
		"conversation_parts":  map[string]any{"type": "conversation_part.list", "conversation_parts": parts, "total_count": len(parts)},
		"conversation_rating": nil, "ai_agent": nil, "ai_agent_participated": false,
	}
	if i%3 == 0 {
		c["conversation_rating"] = map[string]any{"rating": 1 + i%5, "remark": "Rated " + strconv.Itoa(1+i%5), "created_at": start + 960, "updated_at": start + 1000,
			"contact": map[string]any{"type": "contact", "id": contactID, "external_id": nil}, "teammate": map[string]any{"type": "admin", "id": admin["id"]}}
		c["updated_at"] = start + 1000
	}
	return c
}

func part(conv, n int, kind string, body any, at int64, author map[string]any) map[string]any {
	return map[string]any{"type": "conversation_part", "id": strconv.Itoa(conv*10 + n), "part_type": kind, "body": body,
		"created_at": at, "updated_at": at, "notified_at": at, "assigned_to": nil, "author": author,
		"attachments": []any{}, "external_id": nil, "redacted": false}
}

// Update adds a customer reply to conversation id, now, as Intercom does
// when a customer writes again: a new part, updated_at moved on.
func (f *Server) Update(id, text string, at int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.convs[id]
	list := c["conversation_parts"].(map[string]any)
	parts := list["conversation_parts"].([]any)
	n, _ := strconv.Atoi(id)
	parts = append(parts, part(n-5000, len(parts)+1, "open", nil, at, c["source"].(map[string]any)["author"].(map[string]any)),
		part(n-5000, len(parts)+2, "comment", "<p>"+text+"</p>", at+1, c["source"].(map[string]any)["author"].(map[string]any)))
	list["conversation_parts"], list["total_count"] = parts, len(parts)
	c["updated_at"], c["state"], c["open"] = at+1, "open", true
}

// checked refuses what Intercom refuses: a wrong token (401 error.list)
// and a missing version header; it sets the rate-limit headers.
func (f *Server) checked(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "10000")
		w.Header().Set("X-RateLimit-Remaining", "9000")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(10*time.Second).Unix(), 10))
		f.mu.Lock()
		f.answered++
		if f.answered == f.SpentAt {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Second).Unix(), 10))
		}
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+f.Token {
			writeAPI(w, http.StatusUnauthorized, map[string]any{"type": "error.list", "request_id": "req-1",
				"errors": []any{map[string]any{"code": "unauthorized", "message": "Access Token Invalid"}}})
			return
		}
		if r.Header.Get("Intercom-Version") != "2.14" {
			writeAPI(w, http.StatusBadRequest, map[string]any{"type": "error.list", "errors": []any{map[string]any{"code": "intercom_version_invalid"}}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeAPI(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Server) admins(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	admins := f.AdminList
	f.mu.Unlock()
	writeAPI(w, http.StatusOK, map[string]any{"type": "admin.list", "admins": admins})
}

// DefaultTeams are two teams: Chloé is in both (the second lists her only
// on her side, in her team_ids), and the second's name carries a terminal escape.
func DefaultTeams() []map[string]any {
	return []map[string]any{
		{"type": "team", "id": "814865", "name": "Support — Europe", "admin_ids": []int{991267390, 991267391}},
		{"type": "team", "id": "814866", "name": "Billing 💳\x1b[31m", "admin_ids": []int{991267392}},
	}
}

func (f *Server) teams(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	teams := f.Teams
	f.mu.Unlock()
	writeAPI(w, http.StatusOK, map[string]any{"type": "team.list", "teams": teams})
}

// SetDirectory changes what GET /admins and GET /teams answer.
func (f *Server) SetDirectory(admins, teams []map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.AdminList, f.Teams = admins, teams
}

// injected answers a hook's status, if any, with Intercom's headers.
func injected(w http.ResponseWriter, status int) bool {
	switch {
	case status == 0:
		return false
	case status == http.StatusTooManyRequests:
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(3*time.Second).Unix(), 10))
		writeAPI(w, status, map[string]any{"type": "error.list", "errors": []any{map[string]any{"code": "rate_limit_exceeded", "message": "Exceeded rate limit"}}})
	default:
		writeAPI(w, status, map[string]any{"type": "error.list", "errors": []any{map[string]any{"code": "server_error", "message": "Server Error"}}})
	}
	return true
}

type searchBody struct {
	Query struct {
		Field    string `json:"field"`
		Operator string `json:"operator"`
		Value    int64  `json:"value"`
	} `json:"query"`
	Pagination struct {
		PerPage       int    `json:"per_page"`
		StartingAfter string `json:"starting_after"`
	} `json:"pagination"`
}

// search answers keyset pages ordered by (updated_at, id): the cursor is
// the last hit's position, so a conversation updated after its page was
// served comes again on a later page.
func (f *Server) search(w http.ResponseWriter, r *http.Request) {
	var q searchBody
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil || q.Query.Field != "updated_at" || q.Query.Operator != ">" {
		writeAPI(w, http.StatusBadRequest, map[string]any{"type": "error.list", "errors": []any{map[string]any{"code": "parameter_invalid", "message": fmt.Sprint(err, q)}}})
		return
	}
	f.mu.Lock()
	f.searches++
	n := f.searches
	f.requests = append(f.requests, "POST /conversations/search after="+q.Pagination.StartingAfter+" since="+strconv.FormatInt(q.Query.Value, 10)+" per_page="+strconv.Itoa(q.Pagination.PerPage))
	hook := f.BeforeSearch
	f.mu.Unlock()
	if hook != nil && injected(w, hook(n)) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	type hit struct {
		updated int64
		id      string
	}
	var hits []hit
	for id, c := range f.convs {
		if u := c["updated_at"].(int64); u > q.Query.Value {
			hits = append(hits, hit{u, id})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].updated != hits[j].updated {
			return hits[i].updated < hits[j].updated
		}
		return hits[i].id < hits[j].id
	})
	total := len(hits)
	if q.Pagination.StartingAfter != "" {
		raw, _ := base64.StdEncoding.DecodeString(q.Pagination.StartingAfter)
		u, id, _ := strings.Cut(string(raw), ":")
		after, _ := strconv.ParseInt(u, 10, 64)
		i := sort.Search(len(hits), func(i int) bool {
			return hits[i].updated > after || hits[i].updated == after && hits[i].id > id
		})
		hits = hits[i:]
	}
	per := min(max(q.Pagination.PerPage, 1), 150)
	pages := map[string]any{"type": "pages", "per_page": per, "total_pages": (total + per - 1) / per}
	if len(hits) > per {
		hits = hits[:per]
		last := hits[per-1]
		pages["next"] = map[string]any{"per_page": per, "starting_after": base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(last.updated, 10) + ":" + last.id))}
	}
	list := make([]any, 0, len(hits))
	for _, h := range hits {
		item := map[string]any{}
		for k, v := range f.convs[h.id] {
			if k != "conversation_parts" { // search items carry no parts
				item[k] = v
			}
		}
		list = append(list, item)
	}
	writeAPI(w, http.StatusOK, map[string]any{"type": "conversation.list", "pages": pages, "total_count": total, "conversations": list})
}

func (f *Server) conversation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f.mu.Lock()
	f.gets++
	n := f.gets
	f.requests = append(f.requests, "GET /conversations/"+id)
	hook := f.BeforeGet
	f.mu.Unlock()
	if hook != nil && injected(w, hook(n, id)) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.convs[id]
	if !ok {
		writeAPI(w, http.StatusNotFound, map[string]any{"type": "error.list", "errors": []any{map[string]any{"code": "not_found", "message": "Resource Not Found"}}})
		return
	}
	writeAPI(w, http.StatusOK, c)
}

// SearchRequests lists the search requests received so far.
func (f *Server) SearchRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if strings.HasPrefix(r, "POST") {
			out = append(out, r)
		}
	}
	return out
}

// Gets counts the GET /conversations/{id} requests so far.
func (f *Server) Gets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gets
}
