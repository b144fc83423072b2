package serve

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestReportQueryErrors: bad parameters are a 400 naming the parameter
// and its value; an unknown team is a 404.
func TestReportQueryErrors(t *testing.T) {
	hs, st := apiServer(t)
	contractStore(t, st)
	for _, tc := range []struct {
		query, want string
		status      int
	}{
		{"channel=sms", `unknown channel \"sms\"`, http.StatusBadRequest},
		{"audience=visitors", `unknown audience \"visitors\"`, http.StatusBadRequest},
		{"origin=direct", `unknown origin \"direct\"`, http.StatusBadRequest},
		{"compare=maybe", `compare \"maybe\"`, http.StatusBadRequest},
		{"agent=bob&by=year", `unknown step \"year\"`, http.StatusBadRequest},
		{"agent=user:u1", `agent \"user:u1\"`, http.StatusBadRequest},
		{"agent=bob&compare=true", "team and compare are for the leaderboard", http.StatusBadRequest},
		{"period=this-fortnight", `unknown period \"this-fortnight\"`, http.StatusBadRequest},
		{"team=nope", `no such team \"nope\"`, http.StatusNotFound},
		{"period=last-month&team=", `"for_team":""`, http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/report?"+tc.query, nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(body.String(), tc.want) {
			t.Errorf("%s: %d %s, want %d with %s", tc.query, resp.StatusCode, body.String(), tc.status, tc.want)
		}
	}
}
