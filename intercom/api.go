package intercom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIVersion is the Intercom-Version header sync sends: the request and
// response shapes it reads are those of this version's OpenAPI description.
const APIVersion = "2.14"

// Regions are Intercom's API hosts, by data-hosting region.
var Regions = map[string]string{
	"us": "https://api.intercom.io",
	"eu": "https://api.eu.intercom.io",
	"au": "https://api.au.intercom.io",
}

// ErrUnauthorized is Intercom refusing the access token (401 or 403).
var ErrUnauthorized = errors.New("Intercom refused the access token")

// CheckBaseURL accepts one of Intercom's API hosts over https, or a server
// on this machine (a test's): the access token is sent to nothing else.
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("API URL %q: %v", raw, err)
	}
	host := u.Hostname()
	for _, r := range Regions {
		if ru, _ := url.Parse(r); u.Scheme == "https" && u.Host == ru.Host {
			return u, nil
		}
	}
	if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
		if u.Scheme == "http" || u.Scheme == "https" {
			return u, nil
		}
	}
	return nil, fmt.Errorf("API URL %q: the access token goes only to %s, %s or %s (or a server on this machine)",
		raw, Regions["us"], Regions["eu"], Regions["au"])
}

// Retry limits: a 429 waits for the window Intercom names, a 5xx or a
// dropped connection backs off exponentially with jitter.
const (
	maxAttempts   = 6
	baseBackoff   = time.Second
	maxBackoff    = 60 * time.Second
	maxAnswerSize = 64 << 20
)

// apiClient calls Intercom's REST API with the access token. The token is
// only ever put in the Authorization header of requests to base; errors
// and log lines name the method, path and status, never a header.
type apiClient struct {
	base   *url.URL
	token  string
	http   *http.Client
	wait   func(ctx context.Context, d time.Duration) error
	jitter func() float64
	logf   func(format string, args ...any)

	mu         sync.Mutex
	pauseUntil time.Time // from X-RateLimit-Remaining 0 and X-RateLimit-Reset
	serverTime time.Time // the Date of the first answer
	retries    int
}

func newAPIClient(opt SyncOptions) (*apiClient, error) {
	base, err := CheckBaseURL(opt.BaseURL)
	if err != nil {
		return nil, err
	}
	if opt.Token == "" {
		return nil, errors.New("no access token")
	}
	hc := opt.Client
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = syncWorkers // keep one connection per worker
		hc = &http.Client{Timeout: 2 * time.Minute, Transport: t}
	}
	// A redirect could carry the token elsewhere; the API never redirects.
	nc := *hc
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &apiClient{base: base, token: opt.Token, http: &nc, wait: opt.Wait, jitter: opt.Jitter, logf: opt.Logf}
	if c.wait == nil {
		c.wait = sleepCtx
	}
	if c.jitter == nil {
		c.jitter = rand.Float64
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// statusError is a final non-200 answer.
type statusError struct {
	what    string // "POST /conversations/search"
	status  int
	message string
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("%s: %d %s", e.what, e.status, http.StatusText(e.status))
	if e.Unwrap() != nil {
		msg += ": " + ErrUnauthorized.Error()
	}
	if e.message != "" {
		msg += ": " + e.message
	}
	return msg
}

func (e *statusError) Unwrap() error {
	if e.status == http.StatusUnauthorized || e.status == http.StatusForbidden {
		return ErrUnauthorized
	}
	return nil
}

// do sends one API request, retrying 429s and 5xx, and decodes a 200
// answer into out.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	what := method + " " + path
	for attempt := 1; ; attempt++ {
		if err := c.respectLimit(ctx); err != nil {
			return err
		}
		resp, err := c.send(ctx, method, path, payload)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if attempt == maxAttempts {
				return fmt.Errorf("%s: %w", what, err)
			}
			if err := c.retryAfter(ctx, what, err.Error(), c.backoff(attempt)); err != nil {
				return err
			}
			continue
		}
		c.noteAnswer(resp.StatusCode, resp.Header)
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerSize))
		resp.Body.Close()
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case resp.StatusCode == http.StatusOK && err == nil:
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%s: reading the answer: %v", what, err)
			}
			return nil
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 || err != nil) && attempt < maxAttempts:
			d := c.backoff(attempt)
			if resp.StatusCode == http.StatusTooManyRequests {
				d = max(d, untilReset(resp.Header, time.Now()))
			}
			if err := c.retryAfter(ctx, what, resp.Status, d); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("%s: reading the answer: %w", what, err)
		default:
			return &statusError{what: what, status: resp.StatusCode, message: errorMessage(data)}
		}
	}
}

func (c *apiClient) send(ctx context.Context, method, path string, payload []byte) (*http.Response, error) {
	u := c.base.JoinPath(path)
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Intercom-Version", APIVersion)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL, which carries no secret; keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	return resp, nil
}

// retryAfter logs and waits before the next attempt.
func (c *apiClient) retryAfter(ctx context.Context, what, why string, d time.Duration) error {
	c.mu.Lock()
	c.retries++
	c.mu.Unlock()
	c.logf("%s: %s; retrying in %v", what, why, d.Round(time.Millisecond))
	return c.wait(ctx, d)
}

// backoff is 1 s, 2 s, 4 s … capped at a minute, each between half and
// the whole of it, so that parallel requests spread out.
func (c *apiClient) backoff(attempt int) time.Duration {
	d := min(baseBackoff<<(attempt-1), maxBackoff)
	return d/2 + time.Duration(c.jitter()*float64(d/2))
}

// untilReset reads X-RateLimit-Reset (Unix seconds, when the window
// refills) or Retry-After (seconds).
func untilReset(h http.Header, now time.Time) time.Duration {
	if n, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		if d := time.Unix(n, 0).Sub(now); d > 0 {
			return min(d, 10*time.Minute)
		}
	}
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n > 0 {
		return min(time.Duration(n)*time.Second, 10*time.Minute)
	}
	return 0
}

// noteAnswer keeps the server's clock from the first answer and, when an
// answer says the rate-limit window is now spent, when the next request
// may go (a 429 waits for the reset itself).
func (c *apiClient) noteAnswer(status int, h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.serverTime.IsZero() {
		if t, err := http.ParseTime(h.Get("Date")); err == nil {
			c.serverTime = t.UTC()
		}
	}
	if rem, err := strconv.Atoi(h.Get("X-RateLimit-Remaining")); err == nil && rem <= 0 && status != http.StatusTooManyRequests {
		if d := untilReset(h, time.Now()); d > 0 {
			c.pauseUntil = time.Now().Add(d)
		}
	}
}

// respectLimit waits while the rate-limit window is spent.
func (c *apiClient) respectLimit(ctx context.Context) error {
	c.mu.Lock()
	d := time.Until(c.pauseUntil)
	c.pauseUntil = time.Time{}
	c.mu.Unlock()
	if d <= 0 {
		return nil
	}
	c.logf("rate limit reached; waiting %v for the window to reset", d.Round(time.Second))
	return c.wait(ctx, d)
}

// now is Intercom's clock as its first answer gave it, else this machine's.
func (c *apiClient) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.serverTime.IsZero() {
		return time.Now().UTC()
	}
	return c.serverTime
}

func (c *apiClient) retried() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retries
}

// errorMessage reads Intercom's error.list: {"errors":[{"code","message"}]}.
func errorMessage(data []byte) string {
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, strings.TrimSpace(x.Code+" "+x.Message))
	}
	return strings.Join(parts, "; ")
}
